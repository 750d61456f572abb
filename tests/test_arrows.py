"""The arrows of the next step: the gradient arrow of each class and each point's pull."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from losslab import core

BOX = (-1.5, 1.5, -1.5, 1.5)


def inside(points, box=BOX, tol=1e-9):
    xmin, xmax, ymin, ymax = box
    points = np.asarray(points)
    return bool(np.all((points[..., 0] >= xmin - tol) & (points[..., 0] <= xmax + tol)
                       & (points[..., 1] >= ymin - tol) & (points[..., 1] <= ymax + tol)))


def test_gradient_arrow_starts_at_the_score_arrow_and_points_down_the_gradient():
    ev = core.evaluate(core.DEFAULT_POINTS, core.DEFAULT_LABELS, core.DEFAULT_W, core.DEFAULT_B)
    scale = 0.1
    arrows = core.gradient_arrows(core.DEFAULT_W, core.DEFAULT_B, ev.dW, BOX, scale)
    scores = core.score_arrows(core.DEFAULT_W, core.DEFAULT_B, BOX)
    for k, (arrow, score) in enumerate(zip(arrows, scores)):
        np.testing.assert_allclose(arrow[0], score[0])
        step = arrow[1] - arrow[0]
        if inside(arrow[0] - scale * ev.dW[k]):  # not pulled back by the box
            np.testing.assert_allclose(step, -scale * ev.dW[k], atol=1e-12)
        else:
            cos = step @ -ev.dW[k] / (np.linalg.norm(step) * np.linalg.norm(ev.dW[k]))
            assert cos == pytest.approx(1.0)


def test_gradient_arrow_is_none_without_a_line_and_a_point_for_zero_gradient():
    W = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    arrows = core.gradient_arrows(W, np.zeros(3), np.zeros((3, 2)), BOX, 1.0)
    assert arrows[0] is None
    np.testing.assert_array_equal(arrows[1][0], arrows[1][1])


@settings(max_examples=200, deadline=None)
@given(arrays(float, (3, 2), elements=st.floats(-1e6, 1e6)),
       arrays(float, 3, elements=st.floats(-1e6, 1e6)),
       arrays(float, (3, 2), elements=st.floats(-1e6, 1e6)))
def test_gradient_arrows_stay_finite_and_inside_the_box(W, b, dW):
    for arrow in core.gradient_arrows(W, b, dW, BOX, 0.5):
        if arrow is not None:
            assert np.all(np.isfinite(arrow)) and inside(arrow)


def test_pulls_add_up_to_the_data_part_of_the_gradient():
    X = np.array(core.DEFAULT_POINTS)
    y = np.array(core.DEFAULT_LABELS)
    for loss in core.LOSSES:
        ev = core.evaluate(X, y, core.DEFAULT_W, core.DEFAULT_B, loss=loss, reg_strength=0.0)
        segments, classes = core.pull_arrows(X, ev.dscores, 1.0)
        np.testing.assert_array_equal(segments[:, 0], X[np.nonzero(ev.dscores)[0]])
        total = np.zeros((3, 2))
        np.add.at(total, classes, segments[:, 1] - segments[:, 0])
        np.testing.assert_allclose(total, -ev.dW, atol=1e-12)


def test_no_pulls_without_points_or_without_loss():
    segments, classes = core.pull_arrows(np.zeros((0, 2)), np.zeros((0, 3)), 1.0)
    assert segments.shape == (0, 2, 2) and classes.shape == (0,)
    segments, classes = core.pull_arrows(np.ones((4, 2)), np.zeros((4, 3)), 1.0)
    assert len(segments) == 0
