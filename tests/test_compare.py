"""Comparing optimizers: same batches, same schedule, each run equal to stepping by hand."""

import numpy as np
import pytest

from losslab.core.batches import batch_indices, train_step
from losslab.core.compare import batch_sequence, compare_optimizers
from losslab.core.objective import evaluate
from losslab.core.optimizers import OPTIMIZERS, SGD, make_optimizer
from losslab.core.presets import DEFAULT_B, DEFAULT_LABELS, DEFAULT_POINTS, DEFAULT_W
from losslab.core.schedules import step_size_at

X, Y, W, B = DEFAULT_POINTS, DEFAULT_LABELS, DEFAULT_W, DEFAULT_B
HISTORY = ("data_loss", "reg_loss", "total_loss", "accuracy")


def all_optimizers(step_size=0.05):
    return {name: make_optimizer(name, step_size) for name in OPTIMIZERS}


def by_hand(optimizer, steps, batch_size, seed, schedule="constant", decay_rate=0.5, decay_every=100,
            **objective):
    """The reference: core.train_step in a plain loop, full-data evaluation after every step."""
    params, base = {"W": W.copy(), "b": B.copy()}, optimizer.step_size
    evaluations = [evaluate(X, Y, W, B, **objective)]
    for t in range(steps):
        optimizer.step_size = step_size_at(schedule, base, t, decay_rate=decay_rate,
                                           decay_every=decay_every)
        batch = batch_indices(len(X), batch_size or len(X), seed, t)
        params, _ = train_step(X, Y, params, optimizer, batch=batch, **objective)
        evaluations.append(evaluate(X, Y, params["W"], params["b"], **objective))
    return params, evaluations


def test_every_optimizer_sees_the_same_batches():
    runs = compare_optimizers(X, Y, W, B, all_optimizers(), 25, batch_size=3, seed=4,
                              record_batches=True)
    expected = np.array([batch_indices(9, 3, 4, t) for t in range(25)])
    assert set(runs) == set(OPTIMIZERS)
    for run in runs.values():
        np.testing.assert_array_equal(run["batches"], expected)
    np.testing.assert_array_equal(np.array(batch_sequence(9, 3, 4, 25)), expected)
    assert len({tuple(row) for row in expected}) > 1  # the batches do change from step to step


def test_batches_are_only_recorded_on_request():
    runs = compare_optimizers(X, Y, W, B, {"sgd": SGD(0.1)}, 3)
    assert "batches" not in runs["sgd"]


def test_full_batch_is_every_point_at_every_step():
    runs = compare_optimizers(X, Y, W, B, {"sgd": SGD(0.1)}, 4, record_batches=True)
    np.testing.assert_array_equal(runs["sgd"]["batches"], np.tile(np.arange(9), (4, 1)))


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("batch_size, schedule, objective", [
    (None, "constant", {}),
    (4, "step", {"loss": "softmax", "reg": "l1", "reg_strength": 0.05}),
    (1, "exponential", {"loss": "structured_svm", "squared": True, "margin": 0.5}),
    (2, "step", {"loss": "one_vs_all", "reg": "elastic_net", "beta": 0.3}),
])
def test_each_run_equals_train_step_by_hand(name, batch_size, schedule, objective):
    steps, seed, decay = 30, 9, dict(decay_rate=0.7, decay_every=7)
    runs = compare_optimizers(X, Y, W, B, {"run": make_optimizer(name, 0.05)}, steps,
                              batch_size=batch_size, seed=seed, schedule=schedule, **decay, **objective)
    run = runs["run"]
    params, evaluations = by_hand(make_optimizer(name, 0.05), steps, batch_size, seed, schedule,
                                  **decay, **objective)
    np.testing.assert_array_equal(run["W"], params["W"])
    np.testing.assert_array_equal(run["b"], params["b"])
    for key in HISTORY:
        np.testing.assert_array_equal(run[key], [getattr(e, key) for e in evaluations])
    expected_sizes = [step_size_at(schedule, 0.05, t, **decay) for t in range(steps)]
    np.testing.assert_array_equal(run["step_size"], expected_sizes)
    assert run["diverged"] is False


def test_lengths_and_shapes():
    runs = compare_optimizers(X, Y, W, B, all_optimizers(), 12, batch_size=5, record_batches=True)
    for run in runs.values():
        for key in HISTORY:
            assert run[key].shape == (13,)
        assert run["step_size"].shape == (12,)
        assert run["W"].shape == (3, 2) and run["b"].shape == (3,)
        assert run["batches"].shape == (12, 5)


def test_zero_steps_is_the_start_only():
    run = compare_optimizers(X, Y, W, B, {"adam": make_optimizer("adam", 0.1)}, 0,
                             record_batches=True)["adam"]
    start = evaluate(X, Y, W, B)
    assert run["total_loss"].tolist() == [start.total_loss]
    assert run["accuracy"].tolist() == [start.accuracy]
    np.testing.assert_array_equal(run["W"], W)
    assert run["step_size"].shape == (0,) and run["batches"].shape == (0, 9)


def test_entry_zero_is_the_lecture_start():
    runs = compare_optimizers(X, Y, W, B, all_optimizers(), 5)
    for run in runs.values():
        assert round(run["data_loss"][0], 4) == 2.7667 and run["reg_loss"][0] == pytest.approx(3.5)
        assert run["total_loss"][0] == pytest.approx(run["data_loss"][0] + run["reg_loss"][0])


def test_sgd_lowers_the_loss_on_the_default_data():
    run = compare_optimizers(X, Y, W, B, {"sgd": SGD(0.05)}, 100)["sgd"]
    assert run["total_loss"][-1] < 0.5 * run["total_loss"][0]
    assert run["accuracy"][-1] >= run["accuracy"][0]
    mini = compare_optimizers(X, Y, W, B, {"sgd": SGD(0.05)}, 200, batch_size=3, seed=1)["sgd"]
    assert mini["total_loss"][-1] < 0.5 * mini["total_loss"][0]


def test_the_callers_optimizers_are_left_alone():
    adam = make_optimizer("adam", 0.1)
    first = compare_optimizers(X, Y, W, B, {"adam": adam}, 5, schedule="step", decay_every=2)
    assert adam.step_size == 0.1 and adam.state() == {"m": {}, "v": {}, "t": {}}
    second = compare_optimizers(X, Y, W, B, {"adam": adam}, 5, schedule="step", decay_every=2)
    np.testing.assert_array_equal(first["adam"]["total_loss"], second["adam"]["total_loss"])


def test_a_used_optimizer_starts_afresh():
    used = make_optimizer("momentum", 0.05)
    train_step(X, Y, {"W": W, "b": B}, used)  # leaves a velocity behind
    fresh = make_optimizer("momentum", 0.05)
    runs = compare_optimizers(X, Y, W, B, {"used": used, "fresh": fresh}, 10)
    np.testing.assert_array_equal(runs["used"]["W"], runs["fresh"]["W"])


def test_a_diverging_run_stops_and_keeps_finite_parameters():
    # A huge step on the squared hinge overshoots further each time until the loss overflows.
    runs = compare_optimizers(X, Y, W, B, {"wild": SGD(1e3), "calm": SGD(0.01)}, 200,
                              loss="weston_watkins", squared=True)
    wild, calm = runs["wild"], runs["calm"]
    assert wild["diverged"] and not calm["diverged"]
    stop = int(np.argmax(np.isnan(wild["total_loss"])))
    assert 0 < stop < 201
    assert np.isfinite(wild["total_loss"][:stop]).all() and np.isnan(wild["total_loss"][stop:]).all()
    assert np.isfinite(wild["W"]).all() and np.isfinite(wild["b"]).all()
    assert evaluate(X, Y, wild["W"], wild["b"], squared=True).total_loss == wild["total_loss"][stop - 1]
    assert np.isfinite(calm["total_loss"]).all()


@pytest.mark.parametrize("kwargs", [dict(steps=-1), dict(steps=2.5), dict(batch_size=0),
                                    dict(seed=-1), dict(schedule="cosine"), dict(decay_rate=0.0),
                                    dict(decay_every=0)])
def test_bad_settings_fail_before_any_step(kwargs):
    settings = dict(steps=0) | kwargs
    with pytest.raises(ValueError):
        compare_optimizers(X, Y, W, B, {"sgd": SGD(0.1)}, **settings)


def test_no_points():
    run = compare_optimizers(np.zeros((0, 2)), np.zeros(0, int), W, B, {"sgd": SGD(0.1)}, 3,
                             record_batches=True)["sgd"]
    assert run["data_loss"].tolist() == [0.0] * 4
    assert (np.diff(run["reg_loss"]) < 0).all()  # only the regularization pulls W towards 0
    assert run["batches"].shape == (3, 0)
