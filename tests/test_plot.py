"""The main plot in-process: what its Scene carries (computed by core, compact, finite), that an
update is one change of it, and what the browser's reports do to the lab."""

import numpy as np
import pytest
from bokeh.document import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from panel.io.state import set_curdoc

from losslab import core
from losslab.page import LabPage
from losslab.session.state import LabState
from losslab.transport.scene import Scene, unpack
from losslab.transport.wire import SHORT, held
from losslab.views import plot_data


@pytest.fixture
def page():
    return LabPage(state=LabState(random_seed=0))


def many_points(n, seed=1):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.5, 1.5, (n, 2)), rng.integers(0, 3, n)


def flat(items):
    return [np.asarray(item, dtype=float).reshape(-1, 2) if item is not None else None for item in items]


def test_the_update_holds_cores_geometry_of_the_view(page):
    state, drawn = page.state, unpack(page.plot.scene.update)
    ev = state.evaluation
    padded = plot_data.padded(state.box, plot_data.BOX_PADDING)
    assert drawn["box"] == list(state.box)
    for got, want in zip(flat(drawn["regions"]), core.decision_regions(state.W, state.b, padded)):
        np.testing.assert_allclose(got, want, rtol=1e-7)
    for got, want in zip(flat(drawn["lines"]), core.zero_score_lines(state.W, state.b, padded)):
        np.testing.assert_allclose(got, want, rtol=1e-7)
    anchors = core.line_anchors(state.W, state.b, state.box)
    for name, arrows in (("score", core.score_arrows(state.W, state.b, state.box)),
                         ("gradient", core.gradient_arrows(state.W, state.b, ev.dW, state.box,
                                                           plot_data.GRADIENT_ARROW_SCALE))):
        for got, want, anchor in zip(flat(drawn[name]), arrows, anchors):
            np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-12)
            np.testing.assert_allclose(got[0], anchor, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(drawn["loss"], ev.point_losses, rtol=1e-7)
    np.testing.assert_allclose(np.reshape(drawn["scores"], (-1, 3)), ev.scores, rtol=1e-7)
    assert drawn["probabilities"] is None and drawn["batch"] is None and drawn["pulls"] is None
    assert page.plot.scene.points == {"x0": core.DEFAULT_POINTS[:, 0].tolist(),
                                      "x1": core.DEFAULT_POINTS[:, 1].tolist(),
                                      "label": core.DEFAULT_LABELS.tolist()}


def test_the_arrows_of_the_default_lab_start_apart(page):
    starts = [np.array(arrow[:2]) for arrow in unpack(page.plot.scene.update)["score"]]
    gaps = [np.linalg.norm(starts[i] - starts[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > 0.2 * 3.0  # the view is 3 wide


def test_short_columns_are_rounded_lists_and_long_ones_float32_arrays(page):
    drawn = unpack(page.plot.scene.update)
    assert isinstance(drawn["loss"], list) and isinstance(drawn["scores"], list)
    X, y = many_points(SHORT + 1)
    page.state.param.update(X=X, y=y)
    page.training.step()
    drawn = unpack(page.plot.scene.update)
    assert drawn["loss"].dtype == np.float32 and drawn["scores"].dtype == np.float32
    np.testing.assert_allclose(drawn["loss"], page.state.evaluation.point_losses, rtol=1e-6)
    # Positions are exact: a dragged point and the table must agree to the last digit.
    np.testing.assert_array_equal(page.plot.scene.points["x0"], X[:, 0])


def test_pulls_are_drawn_with_their_toggle(page):
    state = page.state
    state.show_pulls = True
    pulls = unpack(page.plot.scene.update)["pulls"]
    segments, classes = core.pull_arrows(state.X, state.evaluation.dscores,
                                         plot_data.GRADIENT_ARROW_SCALE * len(state.X))
    np.testing.assert_allclose(np.reshape(pulls["segments"], (-1, 2, 2)), segments, rtol=1e-7)
    assert pulls["classes"] == classes.tolist()
    state.show_pulls = False
    assert unpack(page.plot.scene.update)["pulls"] is None


big = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(W=arrays(float, (3, 2), elements=big), b=arrays(float, 3, elements=big),
       X=arrays(float, (9, 2), elements=st.floats(-1e6, 1e6, allow_nan=False)))
def test_everything_drawn_is_finite_for_huge_parameters(W, b, X):
    state = LabState(X=X, y=core.DEFAULT_LABELS, W=W, b=b, show_pulls=True, loss="softmax")
    drawn = plot_data.update(state, carried=np.ones((3, 2)))
    values = [drawn["box"], drawn["loss"], drawn["scores"], drawn["probabilities"],
              drawn["pulls"]["segments"]]
    for name in ("regions", "lines", "score", "gradient", "carried"):
        values += [item for item in drawn[name] if item is not None]
    for value in values:
        assert np.isfinite(np.asarray(value, dtype=float)).all()


def served_page():
    doc = Document()
    with set_curdoc(doc):
        page = LabPage()
        page.layout.server_doc(doc)
    return doc, page


def held_changes(doc, action):
    """The (model, property) of every change `action` makes, as collected for its one message."""
    collected = []

    def run():
        action()
        collected.extend(doc.callbacks._held_events)  # still inside the hold

    with set_curdoc(doc):
        held(run)
    return [(type(getattr(e, "model", None)).__name__, getattr(e, "attr", None)) for e in collected]


def test_a_run_step_changes_the_scene_once_and_sends_no_points():
    doc, page = served_page()
    with set_curdoc(doc):
        page.state.running = True
        page.timer.stop()  # the test takes the steps
    held_changes(doc, page.training.step)  # the first step of a run also says it in words
    scene_changes = [c for c in held_changes(doc, page.training.step) if c[0] == "Scene"]
    assert scene_changes == [("Scene", "update")]


def test_a_drag_report_moves_the_point_without_sending_the_points_back():
    doc, page = served_page()
    scene = page.plot.scene
    points, update = scene.points, scene.update
    with set_curdoc(doc):
        scene.set_from_json("moved", {"index": 4, "x0": 0.9, "x1": -0.9, "seq": 1}, setter="page")
    np.testing.assert_array_equal(page.state.X[4], [0.9, -0.9])
    assert scene.points is points and scene.update is not update
    X = np.array(core.DEFAULT_POINTS)
    X[4] = (0.9, -0.9)
    ev = core.evaluate(X, core.DEFAULT_LABELS, core.DEFAULT_W, core.DEFAULT_B)
    np.testing.assert_allclose(unpack(scene.update)["loss"], ev.point_losses, rtol=1e-7)
    # The table's rows follow the dragged point.
    assert page.rows.source.data["x0"][4] == 0.9


def test_clicks_select_or_add_and_keys_choose():
    doc, page = served_page()
    scene, state = page.plot.scene, page.state
    with set_curdoc(doc):
        scene.set_from_json("clicked", {"index": 6, "x0": 0.7, "x1": -0.4, "seq": 1}, setter="page")
        assert state.selected == 6 == scene.selected
        assert page.rows.source.selected.indices == [6]
        scene.set_from_json("chosen", {"index": 7, "seq": 2}, setter="page")
        assert state.selected == 7
        scene.set_from_json("clicked", {"index": None, "x0": 1.0, "x1": 1.0, "seq": 3}, setter="page")
        assert state.selected is None and scene.selected is None
        state.add_class = 2
        assert scene.add_class == 2
        scene.set_from_json("clicked", {"index": 3, "x0": -1.2, "x1": 1.2, "seq": 4}, setter="page")
    assert len(state.X) == 10 and state.y[-1] == 2
    np.testing.assert_array_equal(state.X[-1], [-1.2, 1.2])
    assert scene.points["label"][-1] == 2


@pytest.mark.parametrize("report", [
    ("moved", {"index": 99, "x0": 0.0, "x1": 0.0}), ("moved", {"index": 1, "x0": "a", "x1": 0.0}),
    ("moved", {"index": 1, "x0": float("nan"), "x1": 0.0}), ("chosen", {"index": 99}),
    ("chosen", {"index": "1"}), ("view", [1.0, 0.0, 0.0, 1.0]), ("view", [0.0, 1.0]),
    ("view", [0.0, float("inf"), 0.0, 1.0]),
])
def test_a_bad_report_changes_nothing(report):
    doc, page = served_page()
    before = (page.state.X.copy(), page.state.selected, page.state.box)
    with set_curdoc(doc):
        page.plot.scene.set_from_json(*report, setter="page")
    after = (page.state.X, page.state.selected, page.state.box)
    np.testing.assert_array_equal(after[0], before[0])
    assert after[1:] == before[1:]


def test_a_view_report_recomputes_the_geometry_for_it():
    doc, page = served_page()
    with set_curdoc(doc):
        page.plot.scene.set_from_json("view", [0.0, 4.0, -1.0, 3.0], setter="page")
    assert page.state.box == (0.0, 4.0, -1.0, 3.0)
    assert unpack(page.plot.scene.update)["box"] == [0.0, 4.0, -1.0, 3.0] == page.plot.scene.box


def test_the_browser_never_sets_what_the_server_draws():
    scene = Scene(description="kept", selected=3)
    scene.set_from_json("description", "stale", setter="page")
    scene.set_from_json("selected", 1, setter="page")
    scene.set_from_json("update", {}, setter="page")
    assert scene.description == "kept" and scene.selected == 3
    scene.set_from_json("view", [0.0, 1.0, 0.0, 1.0], setter="page")
    assert scene.view == [0.0, 1.0, 0.0, 1.0]


def test_presentation_thickens_the_plot_and_nothing_undoes_it(page):
    # The plot's size is the page's layout's (tests/browser/test_layout.py); its marks are its own.
    page.state.presentation = True
    assert page.plot.scene.presentation is True
    assert "presentation" in page.layout.css_classes
    page.state.selected = 2  # selecting draws the same sizes for every point (in the browser)
    page.training.step()
    assert page.plot.scene.presentation is True
    page.state.presentation = False
    assert page.plot.scene.presentation is False
    assert "presentation" not in page.layout.css_classes


def test_the_text_alternative_says_what_is_drawn(page):
    text = page.plot.scene.description
    assert "9 points of 3 classes" in text and "2 of 9 classified correctly" in text
    assert "total loss 6.267" in text
    page.state.selected = 4
    assert "Point 4 (class 1" in page.plot.scene.description


def test_the_table_follows_at_a_readable_rate_during_a_run(monkeypatch):
    from losslab.views import point_rows

    monkeypatch.setattr(point_rows, "RUNNING_EVERY_S", 60.0)  # no second update within the test
    page = LabPage(state=LabState(random_seed=0))
    rows = page.rows
    page.state.running = True
    page.timer.stop()
    page.training.step()
    first = list(rows.source.data["loss"])
    np.testing.assert_allclose(first, page.state.evaluation.point_losses, rtol=1e-7)
    for _ in range(4):
        page.training.step()
    assert list(rows.source.data["loss"]) == first
    page.state.running = False  # the run stops: the rows catch up at once
    np.testing.assert_allclose(rows.source.data["loss"], page.state.evaluation.point_losses,
                               rtol=1e-7)
    page.training.step()  # a single step outside a run: at once
    np.testing.assert_allclose(rows.source.data["loss"], page.state.evaluation.point_losses,
                               rtol=1e-7)


def test_every_model_a_component_reads_is_in_the_document():
    # A component's ESM parameters refer to models Bokeh does not collect for the document: one
    # left out is never sent its changes, and the browser's edits of it are refused.
    doc, page = served_page()
    ids = {model.id for model in doc.models}
    for model in (page.frame, page.plot.scene, page.rows.source, page.rows.source.selected):
        assert model.id in ids, model
