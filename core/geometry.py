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

The per-class work is done on plain floats: a lab has three classes and a region a handful of
vertices, so NumPy's cost per call would be most of the work (this geometry runs on every update
of a Run). The results are NumPy arrays.
"""

from __future__ import annotations

import math

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


def _normalized(a0: float, a1: float, c: float) -> tuple[float, float, float]:
    """The same half-plane ``a · x + c ≥ 0`` with max(|a|, |c|) = 1 (a, c not both 0)."""
    scale = max(abs(a0), abs(a1), abs(c))
    return a0 / scale, a1 / scale, c / scale


def _clip(polygon: list, a0: float, a1: float, c: float) -> list:
    """Sutherland–Hodgman: the part of a convex polygon (a list of (x, y)) where
    ``a · x + c ≥ 0``.

    Edge i runs from vertex i to vertex i+1. It contributes its start if that is inside, then
    the crossing point if the edge crosses the line.
    """
    inside_at = [a0 * x + a1 * y + c for x, y in polygon]
    clipped = []
    for i, (x, y) in enumerate(polygon):
        d_start, d_end = inside_at[i], inside_at[i - len(polygon) + 1]
        (x_end, y_end) = polygon[i - len(polygon) + 1]
        if d_start >= 0:
            clipped.append((x, y))
        if (d_start >= 0) != (d_end >= 0):  # then d_start ≠ d_end
            t = d_start / (d_start - d_end)
            clipped.append((x + t * (x_end - x), y + t * (y_end - y)))
    return clipped


def _without_repeats(polygon: list, tol: float) -> list:
    """Drop vertices equal (within tol) to their predecessor, cyclically; clipping at a vertex repeats it."""
    return [(x, y) for i, (x, y) in enumerate(polygon)
            if max(abs(x - polygon[i - 1][0]), abs(y - polygon[i - 1][1])) > tol]


def _signed_area(polygon: list) -> float:
    """Signed area (shoelace) of a polygon; positive when counter-clockwise."""
    return 0.5 * sum(x * polygon[i - len(polygon) + 1][1] - polygon[i - len(polygon) + 1][0] * y
                     for i, (x, y) in enumerate(polygon))


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
    size = float(np.ptp(corners, axis=0).max())
    rows, biases = W.tolist(), b.tolist()
    regions = []
    for k, (wk, bk) in enumerate(zip(rows, biases)):
        region = [tuple(corner) for corner in corners.tolist()]
        for j, (wj, bj) in enumerate(zip(rows, biases)):
            if j == k:
                continue
            a0, a1, c = wk[0] - wj[0], wk[1] - wj[1], bk - bj
            if a0 == 0 and a1 == 0:
                # Parallel scores: one class beats the other everywhere (or they tie everywhere).
                wins = c > 0 or (c == 0 and k < j)
                region = region if wins else []
                continue
            region = _clip(region, *_normalized(a0, a1, c))
        region = _without_repeats(region, tol=1e-12 * size)
        if len(region) < 3 or _signed_area(region) <= 1e-12 * size**2:
            region = []
        regions.append(np.array(region, dtype=float).reshape(-1, 2))
    return regions


def _segment_in_box(w0, w1, c, low, high, tol):
    """The segment [[x0, y0], [x1, y1]] of ``w · x + c = 0`` in the box [low, high], or None.

    The line is ``p + t · d``: ``p`` its point nearest the box's centre, ``d`` its unit
    direction; the box keeps the interval of t where both coordinates are inside their bounds
    (Liang–Barsky).
    """
    if w0 == 0 and w1 == 0:
        return None  # the score is the constant b_k: no line
    w0, w1, c = _normalized(w0, w1, c)
    norm2 = w0 * w0 + w1 * w1
    if norm2 == 0:  # w underflowed next to a huge c: the line is out of any box
        return None
    centre = [(lo + hi) / 2 for lo, hi in zip(low, high)]
    offset = (w0 * centre[0] + w1 * centre[1] + c) / norm2
    nearest = (centre[0] - offset * w0, centre[1] - offset * w1)
    length = math.sqrt(norm2)
    direction = (-w1 / length, w0 / length)
    enter, leave = -math.inf, math.inf
    for p, d, lo, hi in zip(nearest, direction, low, high):
        if d != 0:
            t_low, t_high = (lo - p) / d, (hi - p) / d
            enter, leave = max(enter, min(t_low, t_high)), min(leave, max(t_low, t_high))
        elif not lo - tol <= p <= hi + tol:
            return None  # parallel to this axis, and outside its bounds
    if not leave - enter > tol:  # also False where NaN
        return None
    return np.array([[min(max(p + t * d, lo), hi) for p, d, lo, hi in zip(nearest, direction, low, high)]
                     for t in (enter, leave)])


def zero_score_lines(W, b, box: Box) -> list[np.ndarray | None]:
    """For each class, the segment ``[[x0, y0], [x1, y1]]`` of ``W_k · x + b_k = 0`` in the box.

    None when the line misses the box (or only touches a corner), or when W_k = 0 (then the
    score is the constant b_k and there is no line).
    """
    corners = _check_box(box)
    W, b = _check_params(W, b)
    low, high = corners[0].tolist(), corners[2].tolist()
    tol = 1e-12 * max(high[0] - low[0], high[1] - low[1])
    return [_segment_in_box(w0, w1, c, low, high, tol) for (w0, w1), c in zip(W.tolist(), b.tolist())]


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


def _arrow_in_box(start, vector, length, low, high) -> np.ndarray:
    """The arrow (2, 2) from ``start`` along ``vector``, ``length`` long or shorter, its end
    pulled back where needed so that the whole arrow stays inside the box ``[low, high]``. A
    zero (or non-finite) vector gives an arrow of zero length."""
    scale = max(abs(vector[0]), abs(vector[1]))
    if scale > 0 and math.isfinite(scale):
        # Rescaled first: the vector may overflow or underflow.
        direction = [v / scale for v in vector]
        norm = math.hypot(*direction)
        direction = [v / norm for v in direction]
    else:
        direction = [0.0, 0.0]
    # Largest t ≤ length with start + t · direction still in the box, per axis.
    room = min((hi - s) / d if d > 0 else (lo - s) / d if d < 0 else math.inf
               for s, d, lo, hi in zip(start, direction, low, high))
    t = max(min(length, room), 0.0)
    end = [min(max(s + t * d, lo), hi) for s, d, lo, hi in zip(start, direction, low, high)]
    return np.array([start, end], dtype=float)


def _anchored_arrows(box, vectors, lengths, anchors) -> list[np.ndarray | None]:
    """For each class with an anchor, the arrow along ``vectors[k]`` from it."""
    corners = _check_box(box)
    low, high = corners[0].tolist(), corners[2].tolist()
    return [None if anchor is None else
            _arrow_in_box([min(max(a, lo), hi) for a, lo, hi in zip(np.asarray(anchor).tolist(), low, high)],
                          vector, float(length), low, high)
            for anchor, vector, length in zip(anchors, np.asarray(vectors, dtype=float).tolist(),
                                              np.asarray(lengths, dtype=float).tolist())]


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
