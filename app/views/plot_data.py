"""The numbers the main plot draws, computed by core from a lab's state, in the compact form they
travel in (losslab.transport.scene).

Every shape is computed here, in core, once per update; the browser only maps the numbers to
pixels. Per class, a segment or an arrow is `[x0, y0, x1, y1]` (None where the class has none) and
a region a flat `[x, y, x, y, …]` (empty where the class wins nowhere in the box). Per point, a
column of up to `SHORT` numbers is a list of `SIGNIFICANT_DIGITS` digits; a longer one is a
float32 array: the plot needs a fraction of a pixel, and the data table the exact values, which it
has from its own source.
"""

import numpy as np

from losslab import core
from losslab.transport.wire import SHORT, compact

GRADIENT_ARROW_SCALE = 0.5
"""Length in data units of the drawn −∂L/∂w_k per unit of gradient (the same for every class)."""

BOX_PADDING = 0.5
"""Regions and lines are computed for the view box widened by this fraction on every side, so a
quick pan shows them before the server has caught up with the new view."""

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def padded(box, fraction):
    """The box widened by `fraction` of its width and height on every side."""
    xmin, xmax, ymin, ymax = box
    dx, dy = fraction * (xmax - xmin), fraction * (ymax - ymin)
    return (xmin - dx, xmax + dx, ymin - dy, ymax + dy)


def per_point(values):
    """A column of one number per point (or per pull) for the wire."""
    values = np.asarray(values, dtype=float).ravel()
    if len(values) <= SHORT:
        return compact(values)
    # Beyond float32's range a value would arrive as infinite: the plot draws it at its edge.
    return np.clip(values, -_FLOAT32_MAX, _FLOAT32_MAX).astype(np.float32)


def _per_class(items):
    return [None if item is None else compact(np.ravel(item)) for item in items]


def points(X, y):
    """The data as the plot holds it: positions (exact) and class labels."""
    X = np.asarray(X, dtype=float).reshape(-1, 2)
    return dict(x0=compact(X[:, 0]), x1=compact(X[:, 1]), label=np.asarray(y).astype(int).tolist())


def geometry(W, b, dW, carried, box):
    """The shapes of the classifier in the view `box`: each class's region and zero-score line
    (for the padded box), and from each line's anchor its score arrow, its −∂L/∂W_k arrow and
    the optimizer's carried direction (None when the optimizer carries nothing)."""
    drawn = padded(box, BOX_PADDING)
    anchors = core.line_anchors(W, b, box)
    arrows = dict(anchors=anchors, box=box)
    return dict(
        box=[float(v) for v in box],
        regions=[compact(np.ravel(polygon)) for polygon in core.decision_regions(W, b, drawn)],
        lines=_per_class(core.zero_score_lines(W, b, drawn)),
        score=_per_class(core.score_arrows(W, b, **arrows)),
        gradient=_per_class(core.gradient_arrows(W, b, dW, scale=GRADIENT_ARROW_SCALE, **arrows)),
        carried=None if carried is None else _per_class(
            core.gradient_arrows(W, b, carried, scale=GRADIENT_ARROW_SCALE, **arrows)),
    )


def point_numbers(evaluation, softmax):
    """Each point's loss and scores (row by row), and its class probabilities under softmax."""
    numbers = dict(loss=per_point(evaluation.point_losses), scores=per_point(evaluation.scores),
                   probabilities=None)
    if softmax:
        numbers["probabilities"] = per_point(core.softmax_probabilities(evaluation.scores))
    return numbers


def pulls(X, dscores):
    """Each point's pull on each class it affects (core.pull_arrows), scaled by N so that each
    arrow is −∂L_i/∂w_k, the point's own loss gradient, drawn to the scale of the class arrows
    (which show the mean of these plus the regularization): `[x0, y0, x1, y1, …]` and the class
    of each."""
    segments, classes = core.pull_arrows(X, dscores, GRADIENT_ARROW_SCALE * len(X))
    return dict(segments=per_point(segments), classes=classes.astype(int).tolist())


def update(state, carried):
    """Everything one update of `state` draws (the Scene's `update`); `carried`: what the
    optimizer carries over for W, or None."""
    ev = state.evaluation
    drawn = geometry(state.W, state.b, ev.dW, carried, state.box)
    drawn.update(point_numbers(ev, state.loss == "softmax"))
    drawn["batch"] = None if state.batch is None else np.asarray(state.batch).astype(int).tolist()
    drawn["pulls"] = pulls(state.X, ev.dscores) if state.show_pulls else None
    return drawn


def description(state):
    """The plot's text alternative: what it shows, in one sentence or two."""
    ev = state.evaluation
    n, classes = len(state.X), state.num_classes
    correct = int(np.sum(ev.predictions == state.y)) if n else 0
    text = (f"Plot of a linear classifier on {n} point{'s' * (n != 1)} of {classes} classes: "
            f"{correct} of {n} classified correctly, total loss {ev.total_loss:.4g}. "
            f"It shows each class's region, its zero-score line with the direction in which its "
            f"score grows, and the arrow of the next step.")
    if state.selected is not None and 0 <= state.selected < n:
        i = state.selected
        text += (f" Point {i} (class {int(state.y[i])}, at {state.X[i, 0]:.3g}, "
                 f"{state.X[i, 1]:.3g}) is selected; its loss is {ev.point_losses[i]:.4g}.")
    return text
