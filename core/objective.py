"""The objective: scores → per-point losses → data, regularization and total loss, with gradients.

    s_i  = W x_i + b                              scores           (N, C)
    L    = (1/N) Σ_i L_i(s_i, y_i)  +  R(W)       data loss + regularization loss
    ∂L/∂W = (1/N) Σ_i (∂L_i/∂s_i) x_iᵀ + ∂R/∂W    = dscoresᵀ X / N + dReg     (C, 2)
    ∂L/∂b = (1/N) Σ_i  ∂L_i/∂s_i                  = dscores summed over points / N   (C,)

``evaluate`` does all of it in one pass and returns an immutable ``Evaluation``.
"""

from dataclasses import dataclass

import numpy as np

from losslab.core.losses import score_losses
from losslab.core.regularizers import regularization


def scores(X, W, b):
    """(N, C) class scores W x_i + b for every point: ``X @ W.T + b``.

    The result is stored class-major (a Fortran-ordered (N, C) array, i.e. the transpose of a
    C-ordered (C, N) one): with C = 3, NumPy's per-point reductions and broadcasts then stream
    through long runs of memory instead of 3-element rows, which makes the losses several times
    faster for large N. Values and shape are exactly those of ``X @ W.T + b``.
    """
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    class_major = W @ X.T  # (C, N)
    class_major += b[:, None]
    return class_major.T


# eq=False: the fields are arrays, so field-by-field equality would be ambiguous; two evaluations
# are compared by their numbers (e.g. total_loss), not with ==.
@dataclass(frozen=True, eq=False)
class Evaluation:
    """Everything one evaluation of the objective produced.

    scores (N, C), point_losses (N,), dscores (N, C) = ∂L_i/∂s_i per point (not divided by N),
    data_loss, reg_loss, total_loss (floats), dW (C, 2), db (C,) — gradients of the total loss —
    and y (N,), kept so that predictions can be scored.
    """

    scores: np.ndarray
    point_losses: np.ndarray
    dscores: np.ndarray
    data_loss: float
    reg_loss: float
    total_loss: float
    dW: np.ndarray
    db: np.ndarray
    y: np.ndarray

    @property
    def predictions(self):
        """(N,) the arg-max class of each point (the lowest index on ties)."""
        return np.argmax(self.scores, axis=1)

    @property
    def accuracy(self):
        """Fraction of points whose arg-max class is their label; 0.0 when there are no points."""
        if len(self.y) == 0:
            return 0.0
        return float(np.mean(self.predictions == self.y))


def evaluate(X, y, W, b, *, loss="weston_watkins", margin=1.0, squared=False, reg="l2",
             reg_strength=0.1, beta=0.5):
    """Evaluate the objective at (W, b) on the points X (N, 2) with labels y (N,).

    loss: a key of ``core.losses.LOSSES``; margin (Δ) and squared apply to the hinge losses.
    reg: a key of ``core.regularizers.REGULARIZERS`` with strength λ = reg_strength; beta is the
    elastic net's weight of the squared term. With no points (N = 0) the data loss and its
    gradients are 0 and the regularization still counts.
    """
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=np.intp)
    if X.size == 0:  # an empty list of points has no shape of its own
        X = X.reshape(0, W.shape[1])
    num_points = len(X)

    s = scores(X, W, b)
    point_losses, dscores = score_losses(s, y, loss, margin=margin, squared=squared)
    reg_loss, dW_reg = regularization(W, reg, reg_strength, beta)

    if num_points == 0:
        data_loss, dW, db = 0.0, np.zeros_like(W), np.zeros_like(b)
    else:
        data_loss = float(point_losses.sum()) / num_points
        dW = dscores.T @ X  # (C, N) @ (N, 2): Σ_i dscores_i x_iᵀ
        dW /= num_points
        db = dscores.sum(axis=0) / num_points
    dW += dW_reg
    return Evaluation(scores=s, point_losses=point_losses, dscores=dscores, data_loss=data_loss,
                      reg_loss=reg_loss, total_loss=data_loss + reg_loss, dW=dW, db=db, y=y)
