"""The one rule by which a run has diverged, and that a Run and a comparison both follow."""

import numpy as np
import pytest

from losslab import core
from losslab.core.divergence import GROWTH_LIMIT, PARAMETER_LIMIT, divergence
from losslab.session.state import LabState
from losslab.session.training import Training

W, B = np.array(core.DEFAULT_W), np.array(core.DEFAULT_B)


@pytest.mark.parametrize("total, W_, b_, start, expected", [
    (1.0, W, B, 1.0, None),
    (np.inf, W, B, 1.0, "not_finite"),
    (np.nan, W, B, None, "not_finite"),
    (1.0, np.where(W == 1, np.nan, W), B, None, "not_finite"),
    (1.0, W, B * 0 + 2 * PARAMETER_LIMIT, None, "parameter_limit"),
    (1.0, W * 0 + PARAMETER_LIMIT, B, None, None),  # the limit itself is allowed
    (GROWTH_LIMIT * 2.0 + 1, W, B, 2.0, "growth"),
    (GROWTH_LIMIT * 2.0, W, B, 2.0, None),
    (GROWTH_LIMIT + 1, W, B, 0.001, "growth"),  # a small start counts as 1
    (1e300, W, B, None, None),  # no start: no growth check
])
def test_the_rule(total, W_, b_, start, expected):
    assert divergence(total, W_, b_, start) == expected


def steps_until_a_run_stops(step_size, loss="weston_watkins", squared=False):
    """How many steps a Run of the lab takes before it stops, and why (None if it does not)."""
    state = LabState(step_size=step_size, loss=loss, squared=squared)
    training = Training(state)
    state.running = True
    for taken in range(500):
        training.step()
        if not state.running:
            return taken + 1, state.message
    return None, ""


@pytest.mark.parametrize("step_size, squared", [(10.0, True), (10.0, False), (0.05, False)])
def test_a_run_and_a_comparison_stop_at_the_same_step(step_size, squared):
    state = LabState(step_size=step_size, squared=squared)
    runs = core.compare_optimizers(state.X, state.y, state.W, state.b,
                                   {"sgd": core.make_optimizer("sgd", step_size)}, 500,
                                   **state.objective)
    run = runs["sgd"]
    stopped_at, message = steps_until_a_run_stops(step_size, squared=squared)
    if stopped_at is None:
        assert run["reason"] is None and np.isfinite(run["total_loss"]).all()
        return
    assert run["reason"] is not None and run["diverged"]
    # Entry t is the loss after t steps: the run's stopping step left the first NaN.
    assert int(np.isfinite(run["total_loss"]).sum()) == stopped_at
    assert message.startswith("Stopped:")


def test_a_comparison_stops_on_growth_not_only_on_overflow():
    # From a good start, a step size that overshoots grows the loss a thousandfold long before
    # it overflows.
    state = LabState(reg_strength=1.0)
    runs = core.compare_optimizers(state.X, state.y, state.W, state.b,
                                   {"wild": core.make_optimizer("sgd", 2.0)}, 300, **state.objective)
    assert runs["wild"]["reason"] in ("growth", "parameter_limit")
