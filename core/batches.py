"""Mini-batches and one training step.

A batch is a pure function of ``(n, batch_size, seed, step)``: no random generator is carried
from step to step. So one seed gives one trajectory, a run can be replayed or resumed from any
step, and two optimizers compared on the same seed see exactly the same batches.
"""

from __future__ import annotations

import numpy as np

from losslab.core.objective import Evaluation, evaluate
from losslab.core.optimizers import Optimizer


def batch_indices(n: int, batch_size: int, seed: int, step: int) -> np.ndarray:
    """Indices (B,) of the points used at ``step``: sorted, distinct, B = min(batch_size, n).

    ``batch_size >= n`` is full-batch gradient descent (all points, in order);
    ``batch_size = 1`` is pure stochastic gradient descent.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if seed < 0 or step < 0:
        raise ValueError(f"seed and step must be >= 0, got seed={seed}, step={step}")
    if batch_size >= n:
        return np.arange(n)
    rng = np.random.default_rng([seed, step])
    # Sorted so that a batch reads in the same order as the data table.
    return np.sort(rng.choice(n, size=batch_size, replace=False))


def train_step(
    X: np.ndarray,
    y: np.ndarray,
    params: dict[str, np.ndarray],
    optimizer: Optimizer,
    *,
    batch: np.ndarray | None = None,
    **objective,
) -> tuple[dict[str, np.ndarray], Evaluation]:
    """One optimizer step on the points ``X[batch]`` (N, 2), ``y[batch]`` (N,).

    ``params`` is ``{"W": (C, 2), "b": (C,)}``; ``objective`` holds the settings of
    ``core.objective.evaluate`` (loss, margin, squared, reg, reg_strength, beta).

    Returns the new parameters and the Evaluation of the batch *before* the step (the loss and
    gradients the step was computed from). ``params`` is not modified.
    """
    if batch is not None:
        X, y = X[batch], y[batch]
    evaluation = evaluate(X, y, params["W"], params["b"], **objective)
    new_params = optimizer.step(params, {"W": evaluation.dW, "b": evaluation.db})
    return new_params, evaluation
