"""Three students on one server at once: each one's drags and steps show up on their page only."""

import numpy as np
import pytest

from losslab import core
from losslab.session.training import Training
from losslab.session.state import LabState

pytestmark = pytest.mark.browser


def shown_points(lab):
    """The data points as the page's table shows them."""
    return np.array([[float(row[1]), float(row[2])] for row in lab.table_rows()])


def step(lab, times=1):
    for _ in range(times):
        before = lab.readout_text("Steps")
        lab.click("Step")
        lab.wait_for_change("Steps", before)


def expected_total_loss(steps=0, moves=()):
    """The total loss of a lab that took `steps` updates and then had points moved."""
    state = LabState()
    training = Training(state)
    for _ in range(steps):
        training.step()
    for i, (x0, x1) in moves:
        state.move_point(i, x0, x1)
    return state.evaluation.total_loss


def test_three_sessions_at_once_each_see_only_their_own_numbers(open_lab):
    dragger, stepper, both = open_lab(), open_lab(), open_lab()

    # Interleaved, as a class would do it.
    step(stepper)
    dragger.drag_point(4, (0.9, -0.9))
    step(stepper)
    step(both)
    step(stepper)
    both.drag_point(0, (-1.0, -1.0))
    for lab in (dragger, stepper, both):
        lab.page.wait_for_timeout(500)  # the table redraws at most every 150 ms
    default = np.array(core.DEFAULT_POINTS)

    # Moved point 4, took no step.
    points = shown_points(dragger)
    assert points[4] == pytest.approx([0.9, -0.9], abs=0.03)
    assert np.delete(points, 4, axis=0) == pytest.approx(np.delete(default, 4, axis=0), abs=1e-3)
    assert dragger.readout("Steps") == 0
    assert dragger.readout("Total loss") == pytest.approx(
        expected_total_loss(moves=[(4, points[4])]), abs=2e-3)

    # Took three steps, moved nothing: exactly the in-process lab's numbers.
    assert shown_points(stepper) == pytest.approx(default, abs=1e-3)
    assert stepper.readout("Steps") == 3
    assert stepper.readout("Total loss") == pytest.approx(expected_total_loss(steps=3), abs=5e-5)

    # Took one step, then moved point 0.
    points = shown_points(both)
    assert points[0] == pytest.approx([-1.0, -1.0], abs=0.03)
    assert np.delete(points, 0, axis=0) == pytest.approx(np.delete(default, 0, axis=0), abs=1e-3)
    assert both.readout("Steps") == 1
    assert both.readout("Total loss") == pytest.approx(
        expected_total_loss(steps=1, moves=[(0, points[0])]), abs=2e-3)

    # Three different labs, three different losses.
    totals = {lab.readout_text("Total loss") for lab in (dragger, stepper, both)}
    assert len(totals) == 3
