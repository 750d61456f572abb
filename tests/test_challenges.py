"""The challenges of class mode: each scores a student's lab as its goal says."""

import time

import numpy as np
import pytest

from losslab.session.challenges import FIX_STEPS, Challenge, goal, ranked, score
from losslab.session.share_codec import state_to_dict
from losslab.session.state import LabState
from losslab.session.training import Training


def posed(kind, **more):
    return Challenge(kind=kind, minutes=3, posed_at=time.time(), **more)


def test_by_hand_counts_only_a_lab_moved_by_hand():
    challenge = posed("by_hand", target=3.0)
    state = LabState()
    assert not score(challenge, state, stepped=False).valid  # 6.27 is not below 3
    state.set_parameter("W", (1, 1), 0.5)
    state.set_parameter("W", (0, 1), 3.0)
    result = score(challenge, state, stepped=False)
    assert result.score == pytest.approx(state.evaluation.total_loss)
    assert result.valid == (state.evaluation.total_loss < 3.0)
    assert not score(challenge, state, stepped=True).valid
    assert "without Step or Run" in goal(challenge)


def test_smallest_w_needs_every_point_right():
    challenge = posed("smallest_w")
    state = LabState()
    assert not score(challenge, state, stepped=False).valid  # 22% correct at the start
    training = Training(state)
    for _ in range(300):
        training.step()
    result = score(challenge, state, stepped=True)
    assert state.evaluation.accuracy == 1.0 and result.valid
    assert result.score == pytest.approx(np.linalg.norm(state.W))


def test_fixing_a_diverging_lab_means_a_run_that_does_not_diverge():
    broken = LabState(step_size=10.0, squared=True)
    challenge = posed("fix_the_lab", lab=state_to_dict(broken))
    assert not score(challenge, broken, stepped=False).valid
    fixed = LabState(step_size=0.05, squared=True)
    result = score(challenge, fixed, stepped=False)
    assert result.valid and result.score < broken.evaluation.total_loss
    assert f"{FIX_STEPS} steps" in result.text
    moved = LabState(step_size=0.05, squared=True)
    moved.move_point(0, 1.0, 1.0)
    assert not score(challenge, moved, stepped=False).valid  # settings only, not the points


def test_the_ranking_puts_valid_results_first_and_keeps_each_students_best():
    entries = [
        {"id": 1, "student": "a", "result": {"valid": True, "score": 0.9}},
        {"id": 2, "student": "b", "result": {"valid": False, "score": 0.1}},
        {"id": 3, "student": "a", "result": {"valid": True, "score": 0.5}},
        {"id": 4, "student": "c", "result": {"valid": True, "score": 0.7}},
    ]
    assert [e["id"] for e in ranked(entries)] == [3, 4, 2]


def test_a_challenge_travels_as_a_dict():
    challenge = posed("fix_the_lab", lab={"W": [[1, 2], [3, 4], [5, 6]]})
    assert Challenge.from_dict(challenge.as_dict()) == challenge
    assert challenge.ends_at() == pytest.approx(challenge.posed_at + 180)
