"""Regularization penalties R(W) and their gradients.

Only the weights W (C, 2) are regularized, never the biases b: a bias shifts a decision boundary
without making the classifier any more "complex", so penalizing it would only pull the boundaries
towards the origin for no reason.

Each penalty returns ``(loss, dW)`` with ``loss`` a Python float and ``dW`` shaped like ``W``.
"""

import numpy as np


def penalty_per_weight(W, reg, beta=0.5):
    """Each weight's share of the penalty, before λ: W² (L2), |W| (L1), βW² + |W| (elastic net).

    W of any shape — one (C, 2) matrix, or a stack of them as the loss landscape uses.
    """
    W = np.asarray(W, dtype=float)
    if reg == "l2":
        return W * W
    if reg == "l1":
        return np.abs(W)
    if reg == "elastic_net":
        return beta * W * W + np.abs(W)
    raise ValueError(
        f"unknown regularizer {reg!r}; choose one of {', '.join(map(repr, REGULARIZERS))}"
    )


def l2(W, strength):
    """L2 (weight decay): λ Σ W², gradient 2λW. Prefers many small weights over a few large ones."""
    W = np.asarray(W, dtype=float)
    return float(strength * np.sum(penalty_per_weight(W, "l2"))), (2.0 * strength) * W


def l1(W, strength):
    """L1: λ Σ |W|, gradient λ·sign(W) (0 where a weight is exactly 0). Drives weights to 0."""
    W = np.asarray(W, dtype=float)
    return float(strength * np.sum(penalty_per_weight(W, "l1"))), strength * np.sign(W)


def elastic_net(W, strength, beta=0.5):
    """Elastic net: λ Σ (β W² + |W|), gradient λ (2βW + sign(W)) — L1 and L2 together."""
    W = np.asarray(W, dtype=float)
    loss = strength * np.sum(penalty_per_weight(W, "elastic_net", beta))
    return float(loss), strength * (2.0 * beta * W + np.sign(W))


REGULARIZERS = {
    "l2": l2,
    "l1": l1,
    "elastic_net": elastic_net,
}


def regularization(W, reg, strength, beta=0.5):
    """(loss, dW) of the penalty named ``reg`` (a key of ``REGULARIZERS``) at strength λ.

    ``beta`` is the weight of the squared term and only matters for the elastic net.
    """
    if reg not in REGULARIZERS:
        raise ValueError(
            f"unknown regularizer {reg!r}; choose one of {', '.join(map(repr, REGULARIZERS))}"
        )
    if reg == "elastic_net":
        return elastic_net(W, strength, beta)
    return REGULARIZERS[reg](W, strength)
