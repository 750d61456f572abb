"""Exact geometry of a linear classifier inside a view box ``box = (xmin, xmax, ymin, ymax)``.

- ``decision_regions``: where each class has the highest score, as convex polygons.
- ``zero_score_lines``: the segment of ``W_k · x + b_k = 0`` inside the box.
- ``line_anchors``: where on each such segment its class's arrows start (apart from the others').
- ``score_arrows``: from the anchor, the direction in which class k's score grows.
- ``gradient_arrows``: from the anchor, ``−∂L/∂W_k``, where the next step moves the classifier.
- ``pull_arrows``: each point's share of that step, drawn at the point.

Everything is a handful of vertices (no raster), so the drawing stays sharp at any zoom and an
update costs a few dozen numbers. Every half-plane ``a · x + c ≥ 0`` is rescaled by
``max(|a|, |c|)`` before use, so results stay finite for weights and biases of any magnitude.
"""

from __future__ import annotations

import numpy as np

Box = tuple[float, float, float, float]


def _check_box(box: Box) -> np.ndarray:
    xmin, xmax, ymin, ymax = (float(v) for v in box)
    if not (np.isfinite([xmin, xmax, ymin, ymax]).all() and xmin < xmax and ymin < ymax):
        raise ValueError(f"box must be finite (xmin, xmax, ymin, ymax) with xmin < xmax, ymin < ymax; got {box}")
    # Counter-clockwise, starting at the bottom-left corner.
    return np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]])


def _check_params(W, b) -> tuple[np.ndarray, np.ndarray]:
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if W.ndim != 2 or W.shape[1] != 2 or b.shape != (W.shape[0],):
        raise ValueError(f"W must be (C, 2) and b (C,), got {W.shape} and {b.shape}")
    return W, b


def _normalized(a: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """The same half-plane ``a · x + c ≥ 0`` with max(|a|, |c|) = 1 (a, c not both 0)."""
    scale = max(np.abs(a).max(), abs(c))
    return a / scale, c / scale


def _cycled(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` with its rows moved up by ``k`` places, cyclically: row i is ``a[i + k]``.
    (``np.roll(a, -k, axis=0)``, at a fraction of its cost for a handful of rows.)"""
    return np.concatenate((a[k:], a[:k]))


def _clip(polygon: np.ndarray, a: np.ndarray, c: float) -> np.ndarray:
    """Sutherland–Hodgman: the part (k, 2) of a convex polygon (m, 2) where ``a · x + c ≥ 0``.

    Edge i runs from vertex i to vertex i+1. It contributes its start if that is inside, then
    the crossing point if the edge crosses the line; done for all edges at once.
    """
    if len(polygon) == 0:
        return polygon
    start, end = polygon, _cycled(polygon, 1)
    d_start = polygon @ a + c
    d_end = _cycled(d_start, 1)
    inside = d_start >= 0
    crosses = inside != (d_end >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(crosses, d_start / (d_start - d_end), 0.0)  # d_start ≠ d_end where it crosses
    crossing = start + t[:, None] * (end - start)
    candidates = np.stack([start, crossing], axis=1)  # (m, 2, 2)
    keep = np.stack([inside, crosses], axis=1)  # (m, 2)
    return candidates[keep]


def _without_repeats(polygon: np.ndarray, tol: float) -> np.ndarray:
    """Drop vertices equal (within tol) to their predecessor, cyclically; clipping at a vertex repeats it."""
    if len(polygon) == 0:
        return polygon
    step = np.abs(polygon - _cycled(polygon, -1)).max(axis=1)
    return polygon[step > tol]


def _signed_area(polygon: np.ndarray) -> float:
    """Signed area (shoelace) of a polygon (k, 2); positive when counter-clockwise."""
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, _cycled(y, 1)) - np.dot(_cycled(x, 1), y))


def decision_regions(W, b, box: Box) -> list[np.ndarray]:
    """For each class k, the polygon (k_vertices, 2) of the box where class k wins.

    Class k wins where ``(W_k − W_j) · x + (b_k − b_j) ≥ 0`` for every j ≠ k. Ties go to the
    lower class index (as ``argmax`` does): when two classes have identical rows (W_j = W_k and
    b_j = b_k) the lower index gets the whole area and the other region is empty, so regions
    never overlap and always tile the box.

    Vertices are counter-clockwise; a region that misses the box (or only touches it in a
    point or a segment) is an empty (0, 2) array.
    """
    corners = _check_box(box)
    W, b = _check_params(W, b)
    size = np.ptp(corners, axis=0).max()
    regions = []
    for k in range(len(W)):
        region = corners
        for j in range(len(W)):
            if j == k:
                continue
            a, c = W[k] - W[j], b[k] - b[j]
            if not a.any():
                # Parallel scores: one class beats the other everywhere (or they tie everywhere).
                wins = c > 0 or (c == 0 and k < j)
                region = region if wins else corners[:0]
                continue
            region = _clip(region, *_normalized(a, c))
        region = _without_repeats(region, tol=1e-12 * size)
        if len(region) < 3 or _signed_area(region) <= 1e-12 * size**2:
            region = corners[:0]
        regions.append(region)
    return regions


def zero_score_lines(W, b, box: Box) -> list[np.ndarray | None]:
    """For each class, the segment ``[[x0, y0], [x1, y1]]`` of ``W_k · x + b_k = 0`` in the box.

    None when the line misses the box (or only touches a corner), or when W_k = 0 (then the
    score is the constant b_k and there is no line).

    Each line is written as ``p + t · d``: ``p`` its point nearest the box's centre, ``d`` its
    unit direction; the box keeps the interval of t where both coordinates are inside their
    bounds (Liang–Barsky), for all classes at once.
    """
    corners = _check_box(box)
    W, b = _check_params(W, b)
    low, high = corners[0], corners[2]
    size = np.ptp(corners, axis=0).max()
    tol = 1e-12 * size
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        scale = np.maximum(np.abs(W).max(axis=1), np.abs(b))
        w, c = W / scale[:, None], b / scale
        norm2 = (w * w).sum(axis=1)
        centre = (low + high) / 2
        nearest = centre - ((w @ centre + c) / norm2)[:, None] * w
        direction = np.stack([-w[:, 1], w[:, 0]], axis=1) / np.sqrt(norm2)[:, None]
        to_low, to_high = (low - nearest) / direction, (high - nearest) / direction
        # An axis the line runs parallel to sets no limit if the line is within its bounds, and
        # excludes everything otherwise.
        within = (nearest >= low - tol) & (nearest <= high + tol)
        moving = direction != 0
        enter = np.where(moving, np.minimum(to_low, to_high), np.where(within, -np.inf, np.inf))
        leave = np.where(moving, np.maximum(to_low, to_high), np.where(within, np.inf, -np.inf))
        t0, t1 = enter.max(axis=1), leave.min(axis=1)
        ends = nearest[:, None, :] + np.stack([t0, t1], axis=1)[:, :, None] * direction[:, None, :]
        present = (np.abs(W).max(axis=1) > 0) & (t1 - t0 > tol)  # also False where NaN
    return [np.clip(ends[k], low, high) if present[k] else None for k in range(len(W))]


def line_anchors(W, b, box: Box, lines=None) -> list[np.ndarray | None]:
    """For each class k of C, the point (2,) at ``(k + 1) / (C + 1)`` of the way along its
    zero-score segment, or None when there is none.

    The lines of a lab often cross near the middle of the view, so their midpoints, and the
    arrows drawn from them, would lie on one spot; a different fraction for each class keeps
    the arrows apart, and each anchor still moves continuously with W and b. ``lines``: the
    box's ``zero_score_lines(W, b, box)`` if already computed.
    """
    if lines is None:
        lines = zero_score_lines(W, b, box)
    share = np.arange(1, len(lines) + 1) / (len(lines) + 1)
    return [None if seg is None else seg[0] + share[k] * (seg[1] - seg[0])
            for k, seg in enumerate(lines)]


def _arrows_in_box(starts, vectors, lengths, low, high) -> np.ndarray:
    """Arrows (C, 2, 2), one per row: from ``starts[k]`` along ``vectors[k]``, ``lengths[k]``
    long or shorter, the end pulled back where needed so that the whole arrow stays inside the
    box ``[low, high]``. A zero vector gives an arrow of zero length."""
    scale = np.abs(vectors).max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        direction = vectors / scale  # rescale first: the vector may overflow or underflow
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        direction[~(scale[:, 0] > 0)] = 0.0
        # Largest t ≤ length with start + t · direction still in the box, per axis (0 or tiny
        # components set no limit).
        room = np.where(direction > 0, (high - starts) / direction,
                        np.where(direction < 0, (low - starts) / direction, np.inf))
    t = np.clip(np.minimum(lengths, room.min(axis=1)), 0.0, None)
    return np.stack([starts, np.clip(starts + t[:, None] * direction, low, high)], axis=1)


def _anchored_arrows(box, vectors, lengths, anchors) -> list[np.ndarray | None]:
    """For each class with an anchor, the arrow along ``vectors[k]`` from it."""
    corners = _check_box(box)
    low, high = corners[0], corners[2]
    present = [k for k, anchor in enumerate(anchors) if anchor is not None]
    arrows = [None] * len(anchors)
    if present:
        starts = np.clip(np.array([anchors[k] for k in present]), low, high)
        drawn = _arrows_in_box(starts, vectors[present], lengths[present], low, high)
        for k, arrow in zip(present, drawn):
            arrows[k] = arrow
    return arrows


def score_arrows(W, b, box: Box, length: float | None = None, *,
                 anchors=None) -> list[np.ndarray | None]:
    """For each class, an arrow ``[start, end]`` (2, 2) showing where its score grows.

    It starts at the line's anchor and points along ``W_k / |W_k|``. ``length`` defaults to 12%
    of the box's smaller side; the end is pulled back where needed so that the whole arrow
    stays inside the box (it can shrink to a point when the line lies on the box's edge and
    W_k points out of the box). None where the class has no line in the box. ``anchors``: the
    box's ``line_anchors(W, b, box)`` if already computed.
    """
    corners = _check_box(box)
    W, b = _check_params(W, b)
    if length is None:
        length = 0.12 * np.ptp(corners, axis=0).min()
    if anchors is None:
        anchors = line_anchors(W, b, box)
    return _anchored_arrows(box, W, np.full(len(W), float(length)), anchors)


def gradient_arrows(W, b, dW, box: Box, scale: float, *,
                    anchors=None) -> list[np.ndarray | None]:
    """For each class, an arrow ``[start, end]`` (2, 2) for ``−∂L/∂W_k``: where the next step
    moves that classifier's weight vector.

    It starts where the class's score arrow starts (the anchor of its line) and is
    ``scale · |∂L/∂W_k|`` long, pulled back where needed to stay inside the box; a zero gradient
    gives an arrow of zero length. None where the class has no line in the box. ``anchors``:
    the box's ``line_anchors(W, b, box)`` if already computed.
    """
    W, b = _check_params(W, b)
    dW = np.asarray(dW, dtype=float)
    lengths = scale * np.hypot(dW[:, 0], dW[:, 1])  # hypot: no overflow for huge gradients
    if anchors is None:
        anchors = line_anchors(W, b, box)
    return _anchored_arrows(box, -dW, lengths, anchors)


def pull_arrows(X, dscores, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Each point's own share of the step of each class it affects, drawn at the point.

    Point i adds ``−(∂L_i/∂s_ik / N) · x_i`` to ``−∂L/∂W_k``: it pulls class k's weight vector
    towards itself (its own class) or pushes it away (a class that scores it too high). The
    arrow for (i, k) starts at x_i and is that vector times ``scale``, so the arrows of one
    class add up, with the regularization's, to that class's gradient arrow.

    X: (N, 2), dscores: (N, C). Returns ``segments`` (M, 2, 2) and ``classes`` (M,) for the M
    pairs with a non-zero share.
    """
    X, dscores = np.asarray(X, dtype=float), np.asarray(dscores, dtype=float)
    n = len(X)
    points, classes = np.nonzero(dscores)
    if n == 0 or len(points) == 0:
        return np.zeros((0, 2, 2)), np.zeros(0, dtype=int)
    shares = -(dscores[points, classes] / n)[:, None] * X[points]
    starts = X[points]
    return np.stack([starts, starts + scale * shares], axis=1), classes
