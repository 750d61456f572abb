"""The loss landscape: the total loss on a grid over a 2-D slice of parameter space.

A point of parameter space is the flat vector θ = (W₀₀, W₀₁, W₁₀, W₁₁, …, b₀, b₁, …) of length
3C — ``flatten(W, b)``. A slice is spanned by two directions d_u, d_v (each (3C,)) through the
current parameters θ₀, and ``loss_grid`` evaluates the total loss at θ₀ + u d_u + v d_v for every
(u, v) of a grid, all cells in one vectorized computation.

Directions are either one parameter each (``parameter_direction("W01")``: the map then reads
directly in that parameter's units) or two random ones (``random_directions``).
"""

from __future__ import annotations

import numpy as np

from losslab.core.losses import score_losses
from losslab.core.presets import NUM_CLASSES
from losslab.core.regularizers import penalty_per_weight

PARAMETER_NAMES = ("W00", "W01", "W10", "W11", "W20", "W21", "b0", "b1", "b2")
"""Names of the 9 parameters of the 3-class classifier, in the order of ``flatten``."""

# A chunk of the grid holds at most this many (cell, point) rows: each loss makes a few
# (rows, C) float temporaries, so this keeps one call to some tens of megabytes.
MAX_ROWS = 1_000_000


def parameter_names(num_classes: int = NUM_CLASSES) -> tuple[str, ...]:
    """Names in ``flatten`` order: "W{k}{d}" for class k and input d, then "b{k}"."""
    weights = [f"W{k}{d}" for k in range(num_classes) for d in range(2)]
    return tuple(weights + [f"b{k}" for k in range(num_classes)])


def flatten(W, b) -> np.ndarray:
    """θ (3C,) = W (C, 2) row by row, then b (C,)."""
    return np.concatenate([np.asarray(W, dtype=float).ravel(), np.asarray(b, dtype=float)])


def unflatten(theta, num_classes: int = NUM_CLASSES) -> tuple[np.ndarray, np.ndarray]:
    """(W (C, 2), b (C,)) from θ (3C,) — the inverse of ``flatten``."""
    theta = np.asarray(theta, dtype=float)
    if theta.shape != (3 * num_classes,):
        raise ValueError(f"a parameter vector of {num_classes} classes has shape "
                         f"({3 * num_classes},), got {theta.shape}")
    return theta[: 2 * num_classes].reshape(num_classes, 2).copy(), theta[2 * num_classes:].copy()


def parameter_direction(name: str, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """The unit vector (3C,) along one named parameter, e.g. "W01" or "b2"."""
    names = parameter_names(num_classes)
    if name not in names:
        raise ValueError(f"unknown parameter {name!r}; choose one of {', '.join(names)}")
    direction = np.zeros(len(names))
    direction[names.index(name)] = 1.0
    return direction


def random_directions(W, b, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two random directions (d_u, d_v), each (3C,), orthogonal and filter-normalized.

    The parameters fall into C + 1 groups: each class's weight row W_k (2 numbers) and the bias
    vector b (C numbers). Both directions are drawn from a standard normal (NumPy's generator
    seeded with ``seed``); then, group by group, d_v's part is made orthogonal to d_u's
    (Gram–Schmidt) and each part is rescaled to the norm of the same group of the current
    parameters: ‖d_u[W_k]‖ = ‖d_v[W_k]‖ = ‖W_k‖ and ‖d_u[b]‖ = ‖d_v[b]‖ = ‖b‖. So a unit step
    along either direction changes every class's weights by as much as they already are — the
    map's axes mean the same for a classifier with big weights as for one with small ones.
    Orthogonal within every group, the two directions are orthogonal as a whole.

    A group that is all zeros (for instance b = 0) gets norm 1 instead, so it still varies over
    the map (with W = 0 and b = 0 the directions would otherwise be 0 and the map flat).
    """
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    num_classes = len(b)
    rng = np.random.default_rng(seed)
    du, dv = rng.standard_normal((2, 3 * num_classes))
    theta = flatten(W, b)
    groups = [slice(2 * k, 2 * k + 2) for k in range(num_classes)]
    groups.append(slice(2 * num_classes, 3 * num_classes))
    for group in groups:  # C + 1 small groups
        u, v = du[group], dv[group]
        v -= (v @ u) / (u @ u) * u
        target = np.linalg.norm(theta[group]) or 1.0
        u *= target / np.linalg.norm(u)
        v *= target / np.linalg.norm(v)
    return du, dv


def grid_axes(center_u: float, center_v: float, half_width: float, n: int):
    """(us (n,), vs (n,)): n evenly spaced values from center − half_width to center + half_width.

    The offsets are computed as exact fractions (2i − (n − 1)) / (n − 1), so the ends are exactly
    ±half_width away and, for odd n, the middle value is exactly the centre: the current
    parameters then sit on a grid cell.
    """
    half_width = float(half_width)
    if not (np.isfinite(half_width) and half_width > 0):
        raise ValueError(f"half_width must be a finite number > 0, got {half_width!r}")
    if int(n) != n or n < 2:
        raise ValueError(f"a grid axis needs a whole number n >= 2 of values, got {n!r}")
    n = int(n)
    offsets = (2.0 * np.arange(n) - (n - 1)) / (n - 1)
    return float(center_u) + half_width * offsets, float(center_v) + half_width * offsets


def _penalties(Ws, reg, strength, beta):
    """(G,) the regularization loss of each of G weight matrices Ws (G, C, 2)."""
    return strength * penalty_per_weight(Ws, reg, beta).sum(axis=(1, 2))


def loss_grid(X, y, W, b, direction_u, direction_v, us, vs, *, loss="weston_watkins",
              margin=1.0, squared=False, reg="l2", reg_strength=0.1, beta=0.5,
              max_rows=MAX_ROWS, progress=None) -> np.ndarray:
    """(len(vs), len(us)) total loss at θ₀ + u d_u + v d_v; row i is v = vs[i], column j u = us[j].

    X (N, 2), y (N,), W (C, 2), b (C,) as for ``core.evaluate`` (θ₀ = flatten(W, b)); directions
    (3C,); us (U,), vs (V,). The objective settings are those of ``core.evaluate``. The cells are
    computed in chunks of at most ``max_rows`` (cell, point) rows; the answer does not depend on it.
    ``progress``, if given, is called as ``progress(cells done, cells)`` after each chunk; whatever
    it raises stops the computation and reaches the caller.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=np.intp)
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    num_classes = len(b)
    X = X.reshape(-1, 2)  # an empty list of points has no shape of its own
    du_W, du_b = unflatten(direction_u, num_classes)
    dv_W, dv_b = unflatten(direction_v, num_classes)
    us, vs = np.asarray(us, dtype=float).ravel(), np.asarray(vs, dtype=float).ravel()
    if int(max_rows) < 1:
        raise ValueError(f"max_rows must be >= 1, got {max_rows!r}")

    # Every cell's parameters, v-major like the result: Ws (G, C, 2), bs (G, C).
    cell_v, cell_u = (a.ravel() for a in np.meshgrid(vs, us, indexing="ij"))
    Ws = W + cell_u[:, None, None] * du_W + cell_v[:, None, None] * dv_W
    bs = b + cell_u[:, None] * du_b + cell_v[:, None] * dv_b

    total = _penalties(Ws, reg, reg_strength, beta)
    num_points, num_cells = len(X), len(cell_u)
    if num_points == 0:  # no data: the data loss is 0, as in core.evaluate
        return total.reshape(len(vs), len(us))

    cells_per_chunk = max(1, int(max_rows) // num_points)
    for start in range(0, num_cells, cells_per_chunk):  # chunks of cells, not single cells
        chunk = slice(start, start + cells_per_chunk)
        g = len(Ws[chunk])
        # Scores of every (cell, point) at once, class-major like core.objective.scores: one
        # (C·g, 2) @ (2, N) product gives (C, g, N); read as (g·N, C) it needs no copy.
        class_major = (Ws[chunk].transpose(1, 0, 2).reshape(-1, 2) @ X.T).reshape(num_classes, g, -1)
        class_major += bs[chunk].T[:, :, None]
        rows = class_major.reshape(num_classes, g * num_points).T
        point_losses, _ = score_losses(rows, np.tile(y, g), loss, margin=margin, squared=squared)
        total[chunk] += point_losses.reshape(g, num_points).mean(axis=1)
        if progress is not None:
            progress(min(start + cells_per_chunk, num_cells), num_cells)
    return total.reshape(len(vs), len(us))


def slice_coordinates(thetas, center, direction_u, direction_v) -> tuple[np.ndarray, np.ndarray]:
    """Map coordinates (u (T,), v (T,)) of parameter vectors ``thetas`` (T, 3C), e.g. a path.

    (u, v) minimizes ‖θ − (center + u d_u + v d_v)‖ (least squares), so a point in the slice
    gets its exact coordinates and a point off it (a path leaves a random slice) its nearest one.
    """
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    basis = np.stack([np.asarray(direction_u, dtype=float), np.asarray(direction_v, dtype=float)], axis=1)
    offsets = (thetas - np.asarray(center, dtype=float)).T  # (3C, T)
    coordinates = np.linalg.lstsq(basis, offsets, rcond=None)[0]  # (2, T)
    return coordinates[0], coordinates[1]
