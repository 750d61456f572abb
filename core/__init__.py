"""LossLab's engine: a 2-D, C-class linear classifier ``s = W x + b`` in plain NumPy.

Everything a view draws or a readout shows is computed here; nothing here knows about the UI
(no panel, bokeh or param import, ever).

Shapes: ``X`` (N, 2) points, ``y`` (N,) integer labels in ``0 … C-1``, ``W`` (C, 2), ``b`` (C,),
``scores`` (N, C).
"""

from core.losses import (
    LOSSES,
    one_vs_all,
    score_losses,
    softmax,
    softmax_probabilities,
    structured_svm,
    weston_watkins,
)
from core.regularizers import REGULARIZERS, elastic_net, l1, l2, regularization
from core.objective import Evaluation, evaluate, scores
from core.optimizers import (
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
from core.batches import batch_indices, train_step
from core.schedules import SCHEDULES, step_size_at
from core.compare import batch_sequence, compare_optimizers
from core.gradcheck import numerical_gradient, relative_error
from core.geometry import (
    decision_regions,
    gradient_arrows,
    line_anchors,
    pull_arrows,
    score_arrows,
    zero_score_lines,
)
from core.landscape import (
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
from core.presets import (
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
    "DEFAULT_B", "DEFAULT_BOX", "DEFAULT_LABELS", "DEFAULT_POINTS", "DEFAULT_W", "PRESETS", "preset",
]
