"""The loss history stays bounded on a long run and keeps its shape."""

import numpy as np
import pytest

from losslab.session.history import LossHistory


def fill(history, steps):
    for t in range(steps):
        history.append(t, 1.0 / (t + 1), 0.1, 1.0 / (t + 1) + 0.1, min(1.0, t / 100))


def test_records_come_back_in_order():
    history = LossHistory(capacity=100)
    fill(history, 10)
    cols = history.columns()
    np.testing.assert_array_equal(cols["step"], np.arange(10))
    np.testing.assert_allclose(cols["total_loss"], 1.0 / (np.arange(10) + 1) + 0.1)
    assert np.isnan(cols["batch_loss"]).all()
    np.testing.assert_array_equal(history.columns(start=7)["step"], [7, 8, 9])


def test_a_long_run_stays_within_capacity_and_spans_all_of_it():
    history = LossHistory(capacity=200)
    fill(history, 100_000)
    assert len(history) <= 200
    steps = history.columns()["step"]
    assert steps[0] == 0 and steps[-1] == 99_999
    assert np.all(np.diff(steps) > 0)
    # The newest steps are kept one by one.
    np.testing.assert_array_equal(steps[-50:], np.arange(99_950, 100_000))


def test_thinning_and_clearing_change_the_version():
    history = LossHistory(capacity=8)
    fill(history, 8)
    version = history.version
    history.append(8, 0, 0, 0, 0)
    assert history.version == version + 1
    history.clear()
    assert len(history) == 0 and history.version == version + 2


def test_too_small_a_capacity_is_refused():
    with pytest.raises(ValueError):
        LossHistory(capacity=2)
