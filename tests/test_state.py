"""The session state, driven in-process as the page drives it (no browser)."""

import numpy as np
import pytest

from losslab import core
from losslab.session.training import Training
from losslab.session.state import LabState
from losslab.transport.scene import unpack


@pytest.fixture
def state():
    return LabState(random_seed=0)


def test_opens_on_the_reference_demo_numbers(state):
    # The lecture reads these off the reference demo: data 2.77, regularization 3.5, total 6.27.
    ev = state.evaluation
    assert ev.data_loss == pytest.approx(83 / 30)
    assert ev.reg_loss == pytest.approx(3.5)
    assert ev.total_loss == pytest.approx(83 / 30 + 3.5)


def test_step_at_a_small_step_size_lowers_the_loss(state):
    training = Training(state)
    state.step_size = 0.01
    before = state.evaluation.total_loss
    training.step()
    assert state.steps == 1
    assert state.evaluation.total_loss < before


def test_step_moves_parameters_by_the_gradient(state):
    training = Training(state)
    state.step_size = 0.05
    W, b, ev = state.W.copy(), state.b.copy(), state.evaluation
    training.step()
    np.testing.assert_allclose(state.W, W - 0.05 * ev.dW)
    np.testing.assert_allclose(state.b, b - 0.05 * ev.db)


def test_many_steps_classify_the_default_data(state):
    training = Training(state)
    for _ in range(300):
        training.step()
    assert state.evaluation.accuracy == 1.0
    assert state.evaluation.total_loss < 0.5 * (83 / 30 + 3.5)


def test_switching_the_loss_keeps_W_and_b_and_recomputes(state):
    W, b = state.W.copy(), state.b.copy()
    for loss in core.LOSSES:
        state.loss = loss
        np.testing.assert_array_equal(state.W, W)
        np.testing.assert_array_equal(state.b, b)
        expected = core.evaluate(state.X, state.y, W, b, loss=loss, reg_strength=state.reg_strength)
        assert state.evaluation.total_loss == pytest.approx(expected.total_loss)


def test_moving_a_point_changes_its_scores_and_loss(state):
    before = state.evaluation
    state.move_point(4, 1.2, -0.9)
    np.testing.assert_array_equal(state.X[4], [1.2, -0.9])
    after = state.evaluation
    np.testing.assert_allclose(after.scores[4], state.W @ [1.2, -0.9] + state.b)
    assert after.point_losses[4] != before.point_losses[4]
    np.testing.assert_array_equal(after.scores[:4], before.scores[:4])


def test_bad_moves_and_entries_change_nothing(state):
    X, W = state.X.copy(), state.W.copy()
    state.move_point(99, 0.0, 0.0)
    state.move_point(0, float("nan"), 0.0)
    state.set_parameter("W", (0, 0), float("inf"))
    np.testing.assert_array_equal(state.X, X)
    np.testing.assert_array_equal(state.W, W)


def test_set_parameter_changes_one_entry(state):
    state.set_parameter("W", (2, 1), 0.25)
    state.set_parameter("b", 1, -0.75)
    assert state.W[2, 1] == 0.25 and state.b[1] == -0.75
    np.testing.assert_array_equal(state.W[:2], core.DEFAULT_W[:2])


def test_one_change_evaluates_once(state, monkeypatch):
    training = Training(state)
    calls = []
    original = core.evaluate
    monkeypatch.setattr(core, "evaluate", lambda *a, **k: calls.append(1) or original(*a, **k))
    training.step()
    state.randomize()
    state.reset()
    assert len(calls) == 3


def test_randomize_gives_new_parameters_and_keeps_the_data(state):
    X, W = state.X.copy(), state.W.copy()
    state.randomize()
    assert not np.array_equal(state.W, W)
    np.testing.assert_array_equal(state.X, X)
    assert state.steps == 0


def test_reset_restores_the_default_data_and_parameters(state):
    training = Training(state)
    state.move_point(0, 1.0, 1.0)
    state.randomize()
    training.step()
    state.reset()
    np.testing.assert_array_equal(state.X, core.DEFAULT_POINTS)
    np.testing.assert_array_equal(state.W, core.DEFAULT_W)
    np.testing.assert_array_equal(state.b, core.DEFAULT_B)
    assert state.steps == 0


def test_state_arrays_cannot_be_changed_behind_its_back(state):
    with pytest.raises(ValueError):
        state.W[0, 0] = 10.0


def test_a_diverging_run_stops_and_keeps_the_last_finite_parameters(state):
    training = Training(state)
    state.param.update(step_size=10.0, reg_strength=10.0)
    state.running = True
    for _ in range(50):
        if not state.running:
            break
        last_W = state.W.copy()
        training.step()
    assert not state.running
    assert "lower the step size" in state.message
    np.testing.assert_array_equal(state.W, last_W)
    assert np.isfinite(state.evaluation.total_loss)


def test_a_stable_run_keeps_running(state):
    training = Training(state)
    state.running = True
    for _ in range(100):
        training.step()
    assert state.running and state.message == ""


def test_every_optimizer_lowers_the_loss(state):
    training = Training(state)
    for name in core.OPTIMIZERS:
        state.reset()
        state.param.update(optimizer=name, step_size=0.01)
        before = state.evaluation.total_loss
        for _ in range(20):
            training.step()
        assert state.evaluation.total_loss < before, name


def test_two_states_share_nothing():
    a, b = LabState(random_seed=1), LabState(random_seed=1)
    a.move_point(0, 1.0, 1.0)
    Training(a).step()
    np.testing.assert_array_equal(b.X, core.DEFAULT_POINTS)
    np.testing.assert_array_equal(b.W, core.DEFAULT_W)


def test_far_points_and_huge_parameters_stay_finite_and_the_view_fits_the_data():
    from losslab.page import LabPage

    page = LabPage(state=LabState(random_seed=0))
    state = page.state
    state.move_point(0, 1e6, -1e6)
    state.set_parameter("W", (1, 0), 1e6)
    state.set_parameter("b", 2, -1e6)
    ev = state.evaluation
    assert np.isfinite([ev.total_loss, *ev.point_losses, *ev.dW.ravel()]).all()
    drawn = unpack(page.plot.scene.update)
    for name in ("regions", "lines", "score", "gradient"):
        values = [v for item in drawn[name] if item is not None for v in item]
        assert values and np.isfinite(values).all(), name
    state.fit_view()
    xmin, xmax, ymin, ymax = state.box
    assert xmin <= 1e6 <= xmax and ymin <= -1e6 <= ymax
    assert page.plot.scene.box == list(state.box) == unpack(page.plot.scene.update)["box"]


def test_notes_name_empty_classes_and_classes_without_a_line(state):
    state.set_parameter("W", (2, 0), 0.0)
    state.set_parameter("W", (2, 1), 0.0)
    state.load_preset("single_point_class")
    keep = state.y != 1
    state.param.update(X=state.X[keep], y=state.y[keep])
    notes = " ".join(state.notes())
    assert "Class 1 has no points" in notes and "Class 2 has W[2,·] = 0" in notes
    state.clear_points()
    assert "no points" in state.notes()[0]


def test_new_data_under_softmax_draws_its_probabilities():
    from losslab.page import LabPage

    page = LabPage(state=LabState(random_seed=0))
    page.state.loss = "softmax"
    page.state.load_preset("overlapping")
    probabilities = np.reshape(unpack(page.plot.scene.update)["probabilities"], (-1, 3))
    np.testing.assert_allclose(probabilities, core.softmax_probabilities(page.state.evaluation.scores),
                               rtol=1e-6)
