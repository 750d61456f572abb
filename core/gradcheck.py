"""Numerical gradient check: the analytic gradient, compared with centred finite differences.

    numeric = numerical_gradient(lambda W: evaluate(X, y, W, b).total_loss, W)
    relative_error(numeric, evaluation.dW).max()   # ~1e-8 or smaller when all is well

Near a hinge's kink (a margin within about h of 0) the two legitimately disagree: the finite
difference straddles the kink while the analytic gradient picks one side.
"""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Centred-difference gradient of the scalar function ``f`` at ``x`` (an array of any shape).

    df/dx_k ≈ (f(x + h e_k) − f(x − h e_k)) / 2h for every entry k. The error is O(h²) rather than
    the O(h) of a one-sided difference. ``f`` is called with a private float copy of ``x`` that is
    nudged one entry at a time, so ``x`` itself is never modified. Returns an array shaped like ``x``.
    """
    point = np.array(x, dtype=float)  # a copy: the caller's array stays untouched
    grad = np.zeros_like(point)
    for k in np.ndindex(point.shape):  # one entry of the parameters at a time, not of the data
        original = point[k]
        point[k] = original + h
        f_plus = f(point)
        point[k] = original - h
        f_minus = f(point)
        point[k] = original
        grad[k] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a, b):
    """Elementwise |a − b| / max(|a|, |b|), and 0 where both are 0.

    Relative, so the same threshold works for large and small gradients: about 1e-7 or less means
    the gradients agree; 1e-2 or more means one of them is wrong.
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.divide(np.abs(a - b), scale, out=np.zeros(a.shape), where=scale != 0)  # NaN stays NaN
