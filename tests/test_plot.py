"""The main picture in-process: what its sources hold for few and for many points."""

import numpy as np
import pytest

from losslab.page import LabPage
from losslab.views.plot import DOT_SIZE, LABELLED_POINTS
from losslab.session.state import LabState
from losslab.transport.wire import SHORT, SIGNIFICANT_DIGITS


@pytest.fixture
def page():
    return LabPage(state=LabState(random_seed=0))


def many_points(n, seed=1):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.5, 1.5, (n, 2)), rng.integers(0, 3, n)


def test_few_points_are_labelled_with_their_loss(page):
    plot = page.plot
    assert plot._labels.data_source is plot.points
    losses = page.state.evaluation.point_losses
    assert plot.points.data["label"] == [f"{v:.2f}" for v in losses]
    assert plot._dots.glyph.size == DOT_SIZE[False]


def test_many_points_drop_the_labels_and_draw_smaller_dots(page):
    plot = page.plot
    X, y = many_points(LABELLED_POINTS + 1)
    page.state.param.update(X=X, y=y)
    assert plot._labels.data_source is not plot.points
    assert len(plot._labels.data_source.data["label"]) == 0
    assert "label" not in plot.points.data
    assert plot._dots.glyph.size == DOT_SIZE[True] < DOT_SIZE[False]
    page.training.step()  # a step sends the scores alone: still no labels
    assert "label" not in plot.points.data

    page.state.load_preset("default")  # back to a few points: labels again, full-size dots
    assert plot._labels.data_source is plot.points
    assert len(plot.points.data["label"]) == len(page.state.X)
    assert plot._dots.glyph.size == DOT_SIZE[False]


def test_presentation_mode_grows_the_dots(page):
    page.state.presentation = True
    assert page.plot._dots.glyph.size > DOT_SIZE[False]
    page.state.presentation = False
    assert page.plot._dots.glyph.size == DOT_SIZE[False]


def test_short_columns_go_as_rounded_lists_and_long_ones_as_exact_arrays(page):
    plot = page.plot
    scores = page.state.evaluation.scores
    assert isinstance(plot.points.data["s0"], list)
    np.testing.assert_allclose(plot.points.data["s0"], scores[:, 0], rtol=10 ** -SIGNIFICANT_DIGITS)
    X, y = many_points(SHORT + 1)
    page.state.param.update(X=X, y=y)
    page.training.step()
    s0 = plot.points.data["s0"]
    assert isinstance(s0, np.ndarray)
    np.testing.assert_array_equal(s0, page.state.evaluation.scores[:, 0])
    ring = np.asarray(plot.points.data["ring"])
    np.testing.assert_allclose(
        ring, DOT_SIZE[True] + 9 * np.sqrt(np.minimum(page.state.evaluation.point_losses, 25)))
