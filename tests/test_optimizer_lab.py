"""The optimizer lab driven in-process: optimizers, mini-batches, schedules, history, views."""

import numpy as np
import pytest

from losslab import core
from losslab.page import LabPage
from losslab.session.training import Training
from losslab.session.state import LabState
from losslab.transport.scene import unpack


@pytest.fixture
def page():
    return LabPage(state=LabState(random_seed=0))


@pytest.mark.parametrize("name", list(core.OPTIMIZERS))
def test_each_optimizer_lowers_the_loss_with_its_own_hyperparameters(name):
    state = LabState(random_seed=0)
    training = Training(state)
    state.param.update(optimizer=name, step_size=0.05)
    start = state.evaluation.total_loss
    for _ in range(40):
        training.step()
    assert state.evaluation.total_loss < start
    assert type(training.optimizer) is core.OPTIMIZERS[name]


def test_hyperparameter_widgets_follow_the_optimizer(page):
    shown = lambda: {n for n, box in page.optimizer.hyperparameters.items()  # noqa: E731
                     if box.widget.visible}
    expected = {"sgd": set(), "momentum": {"momentum"}, "nesterov": {"momentum"},
                "adagrad": {"eps"}, "rmsprop": {"rho", "eps"}, "adam": {"beta1", "beta2", "eps"}}
    for name, wanted in expected.items():
        page.state.optimizer = name
        assert shown() == wanted, name


def test_a_new_hyperparameter_resets_the_optimizer_and_says_so(page):
    state = page.state
    training = page.training
    state.optimizer = "momentum"
    for _ in range(3):
        training.step()
    assert training.velocity() is not None and np.abs(training.velocity()).sum() > 0
    W = state.W.copy()
    state.momentum = 0.5
    assert training.velocity() is None
    assert "Momentum" in state.notice and "reset" in state.notice
    np.testing.assert_array_equal(state.W, W)
    assert training.optimizer.hyperparameters["momentum"] == 0.5


def test_momentum_velocity_is_drawn_next_to_the_gradient(page):
    page.state.optimizer = "momentum"
    assert unpack(page.plot.scene.update)["carried"] is None
    page.training.step()
    carried = unpack(page.plot.scene.update)["carried"]
    assert len(carried) == 3 and all(arrow is not None for arrow in carried)
    # Each starts where its class's gradient arrow starts.
    for arrow, gradient in zip(carried, unpack(page.plot.scene.update)["gradient"]):
        assert arrow[:2] == gradient[:2]
    page.state.momentum = 0.5  # a new optimizer carries nothing yet
    assert unpack(page.plot.scene.update)["carried"] is None


def test_mini_batches_are_seeded_marked_and_reproducible():
    def run(seed):
        state = LabState(random_seed=0)
        training = Training(state)
        state.param.update(batch_size=3, seed=seed)
        batches = []
        for _ in range(10):
            training.step()
            batches.append(tuple(state.batch))
        return state.W.copy(), batches

    W1, batches1 = run(7)
    W2, batches2 = run(7)
    W3, _ = run(8)
    np.testing.assert_array_equal(W1, W2)
    assert batches1 == batches2 and all(len(b) == 3 for b in batches1)
    assert not np.array_equal(W1, W3)


def test_the_current_batch_is_marked_on_the_plot(page):
    page.state.batch_size = 4
    page.training.step()
    assert unpack(page.plot.scene.update)["batch"] == list(page.state.batch) and len(page.state.batch) == 4
    page.state.batch_size = None
    page.training.step()
    assert unpack(page.plot.scene.update)["batch"] is None


def test_the_schedule_sets_the_step_size_of_each_step():
    state = LabState(random_seed=0)
    training = Training(state)
    state.param.update(schedule="step", decay_rate=0.5, decay_every=5, step_size=0.2)
    sizes = []
    for _ in range(12):
        sizes.append(state.effective_step_size)
        training.step()
        assert training.optimizer.step_size == sizes[-1]
    assert sizes[:5] == [0.2] * 5 and sizes[5:10] == [0.1] * 5 and sizes[10] == 0.05


def test_history_stays_bounded_on_a_long_run():
    state = LabState(random_seed=0)
    training = Training(state)
    state.step_size = 0.01
    for _ in range(5000):
        training.step()
    assert len(training.history) <= training.history.capacity
    steps = training.history.columns()["step"]
    assert steps[0] == 0 and steps[-1] == 5000


def test_history_chart_shows_every_record_and_restarts_with_reset(page):
    for _ in range(25):
        page.training.step()
    np.testing.assert_array_equal(page.history.source.data["step"], np.arange(26))
    page.state.reset()
    np.testing.assert_array_equal(page.history.source.data["step"], [0])


def test_landscape_axes_follow_the_chosen_parameters(page):
    page.landscape.show(True)
    page.landscape.x_param.value, page.landscape.y_param.value = "b1", "W21"
    assert page.landscape.figure.xaxis.axis_label == "b[1]"
    assert page.landscape.figure.yaxis.axis_label == "W[2,1]"
    x_range = page.landscape.figure.x_range
    assert x_range.start < page.state.b[1] < x_range.end
    # The centre cell is the current loss.
    image = page.landscape.grid.data["image"][0]
    centre = image[image.shape[0] // 2, image.shape[1] // 2]
    assert centre == pytest.approx(page.state.evaluation.total_loss)


def test_landscape_is_not_recomputed_while_hidden(page, monkeypatch):
    calls = []
    original = core.loss_grid
    monkeypatch.setattr(core, "loss_grid", lambda *a, **k: calls.append(1) or original(*a, **k))
    for _ in range(5):
        page.training.step()
    assert calls == []
    page.landscape.show(True)
    assert len(calls) == 1


def test_while_running_the_landscape_grid_catches_up_and_the_marker_follows_each_step(
        page, monkeypatch):
    calls = []
    original = core.loss_grid
    monkeypatch.setattr(core, "loss_grid", lambda *a, **k: calls.append(1) or original(*a, **k))
    page.landscape.show(True)
    page.state.running = True
    page.timer.stop()  # the steps are taken here, back to back
    # However cheap a grid is, the next waits for four times its cost.
    page.landscape._grid_cost = 3600.0
    calls.clear()
    marker = []
    for _ in range(5):
        page.training.step()
        marker.append((page.landscape.here.data["x"][0], page.landscape.here.data["y"][0]))
    assert calls == [], "a grid on every step while running"
    assert len(set(marker)) == 5, "the marker must move on every step"
    assert marker[-1] == pytest.approx((page.state.W[0, 0], page.state.W[0, 1]))

    page.state.running = False  # stopped: the grid is exact again, centred on the last state
    assert len(calls) == 1
    image = page.landscape.grid.data["image"][0]
    assert image[image.shape[0] // 2, image.shape[1] // 2] == pytest.approx(
        page.state.evaluation.total_loss)


def test_compare_runs_the_chosen_optimizers_from_the_same_start(page):
    page.compare.choice.value = ["sgd", "adam"]
    page.compare.steps.value = 50
    page.compare.run()
    assert "SGD" in page.compare.status.object and "Adam" in page.compare.status.object
    shown = [line for line in page.compare.lines if line.visible]
    assert len(shown) == 2
    data = page.compare.source.data
    assert len(data["step"]) == 51 and np.isfinite([data["loss0"], data["loss1"]]).all()
    assert [item.label.value for item in page.compare.figure.legend.items] == ["SGD", "Adam"]
    page.compare.choice.value = ["sgd"]
    page.compare.run()
    assert "Pick 2 to 4 optimizers" in page.compare.status.object


def test_compare_takes_back_a_choice_past_its_four_lines(page):
    four = ["sgd", "momentum", "rmsprop", "adam"]
    page.compare.choice.value = four
    page.compare.choice.value = [*four, "adagrad"]
    assert page.compare.choice.value == four
    assert "At most 4 optimizers at once" in page.compare.status.object


def test_the_address_follows_a_run_every_few_seconds_then_holds_its_last_state():
    from losslab.session.share_codec import from_query, to_query
    from losslab.views.share import ADDRESS_RUN_EVERY_S

    page = LabPage(state=LabState(random_seed=0), served=True)
    writer = page.share.write_address
    writer.forget()
    page.state.step_size = 0.02  # a change: written at once
    written = page.share.address.query
    assert from_query(written)["step_size"] == pytest.approx(0.02)
    page.state.running = True
    page.timer.stop()
    assert writer.interval() == ADDRESS_RUN_EVERY_S
    writer.forget()
    page.training.step()
    first = page.share.address.query
    assert from_query(first)["W"].tobytes() == page.state.W.tobytes(), "written during the run"
    for _ in range(3):
        page.training.step()
    assert page.share.address.query == first, "written more often than every few seconds"
    writer._at -= ADDRESS_RUN_EVERY_S  # the seconds have passed
    page.training.step()
    assert from_query(page.share.address.query)["W"].tobytes() == page.state.W.tobytes()
    page.training.step()
    page.state.running = False
    assert page.share.address.query == to_query(page.state) != first


@pytest.mark.parametrize("box, typed, text", [
    (lambda page: page.optimizer.hyperparameters["beta1"], 1.5,
     "Adam's β1 must be between 0 and 0.9999, not 1.5; it stays 0.9."),
    (lambda page: page.optimizer.seed, -1,
     "Seed must be between 0 and 2,147,483,647, not -1; it stays 0."),
    (lambda page: page.optimizer.batch_size, 100,
     "Mini-batch size must be between 1 and 9, not 100; it stays 9."),
    (lambda page: page.landscape.span, 0.0, "± span must be between 0.1 and 100, not 0; it stays 3."),
    (lambda page: page.compare.steps, 6000, "Steps must be between 1 and 5,000, not 6,000; it stays 200."),
])
def test_a_number_typed_past_its_bounds_is_refused_saying_why(page, box, typed, text):
    box = box(page)
    before = box.value
    box.widget.value = typed  # as the browser sends it: number boxes hold no bounds there
    assert box.value == before and box.widget.value == before
    assert page.state.message == text.replace("Adam's β1", box.label)


def test_a_number_within_its_bounds_is_applied_and_a_setting_box_follows_the_state(page):
    page.optimizer.decay_every.widget.value = 0
    assert page.state.message.startswith("every k steps must be between 1 and 100,000")
    page.optimizer.decay_every.widget.value = 7
    assert page.state.decay_every == 7 and page.state.message == ""
    page.state.decay_every = 11
    assert page.optimizer.decay_every.widget.value == 11
    page.optimizer.batch_size.widget.value = None  # a cleared box changes nothing
    assert page.optimizer.batch_size.widget.value == 9

