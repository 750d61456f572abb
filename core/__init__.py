"""LossLab's engine: a 2-D, C-class linear classifier ``s = W x + b`` in plain NumPy.

Everything a view draws or a readout shows is computed here; nothing here knows about the UI
(no panel, bokeh or param import, ever).

Shapes: ``X`` (N, 2) points, ``y`` (N,) integer labels in ``0 … C-1``, ``W`` (C, 2), ``b`` (C,),
``scores`` (N, C).
"""

from losslab.core.losses import (
    LOSSES,
    one_vs_all,
    score_losses,
    softmax,
    softmax_probabilities,
    structured_svm,
    weston_watkins,
)
from losslab.core.regularizers import REGULARIZERS, elastic_net, l1, l2, regularization
from losslab.core.objective import Evaluation, evaluate, scores
from losslab.core.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    Optimizer,
    RMSProp,
    make_optimizer,
)
from losslab.core.batches import batch_indices, train_step
from losslab.core.schedules import SCHEDULES, step_size_at
from losslab.core.compare import batch_sequence, compare_optimizers
from losslab.core.gradcheck import numerical_gradient, relative_error
from losslab.core.geometry import (
    decision_regions,
    gradient_arrows,
    line_anchors,
    pull_arrows,
    score_arrows,
    zero_score_lines,
)
from losslab.core.landscape import (
    PARAMETER_NAMES,
    flatten,
    grid_axes,
    loss_grid,
    parameter_direction,
    parameter_names,
    random_directions,
    slice_coordinates,
    unflatten,
)
from losslab.core.arrays import read_only
from losslab.core.divergence import GROWTH_LIMIT, PARAMETER_LIMIT, divergence
from losslab.core.presets import (
    NUM_CLASSES,
    DEFAULT_B,
    DEFAULT_BOX,
    DEFAULT_LABELS,
    DEFAULT_POINTS,
    DEFAULT_W,
    PRESETS,
    preset,
)

__all__ = [
    "LOSSES", "one_vs_all", "score_losses", "softmax", "softmax_probabilities",
    "structured_svm", "weston_watkins",
    "REGULARIZERS", "elastic_net", "l1", "l2", "regularization",
    "Evaluation", "evaluate", "scores",
    "OPTIMIZERS", "SGD", "AdaGrad", "Adam", "Momentum", "Nesterov", "Optimizer", "RMSProp",
    "make_optimizer",
    "batch_indices", "train_step",
    "SCHEDULES", "step_size_at",
    "batch_sequence", "compare_optimizers",
    "numerical_gradient", "relative_error",
    "decision_regions", "gradient_arrows", "line_anchors", "pull_arrows", "score_arrows",
    "zero_score_lines",
    "PARAMETER_NAMES", "flatten", "grid_axes", "loss_grid", "parameter_direction", "parameter_names",
    "random_directions", "slice_coordinates", "unflatten",
    "DEFAULT_B", "DEFAULT_BOX", "DEFAULT_LABELS", "DEFAULT_POINTS", "DEFAULT_W", "NUM_CLASSES",
    "PRESETS", "preset",
    "read_only", "GROWTH_LIMIT", "PARAMETER_LIMIT", "divergence",
]
