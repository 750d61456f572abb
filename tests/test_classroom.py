"""A class's messages: what the teacher's lab sends, what a process's feed makes of them, and a
follower's lab showing them without evaluating them again."""

import numpy as np
import pytest

from losslab import core
from losslab.server.options import parse_args
from losslab.session import classroom
from losslab.session.classroom import FOLLOWED, ClassFeed, TeacherLab, follow
from losslab.session.state import LabState
from losslab.session.training import Training

TABS = ("Points", "Optimizer", "Class")


def message(kind, seq, lab):
    return {"kind": kind, "seq": seq, "data": lab}


def test_the_teacher_sends_what_changed_and_a_snapshot_of_everything():
    state = LabState()
    teacher = TeacherLab(state)
    first = teacher.changes()
    assert set(first["lab"]) == set(FOLLOWED) and "presentation" not in first["lab"]
    state.set_parameter("W", (1, 0), 0.25)
    state.presentation = True  # each screen's own: never sent
    second = teacher.changes()
    assert set(second["lab"]) == {"W"} and second["lab"]["W"][1][0] == 0.25
    state.move_point(0, 0.1, 0.2)
    third = teacher.changes()
    assert set(third["lab"]) == {"X", "y"}  # the points travel with their labels
    assert teacher.seq == 3
    snapshot = teacher.snapshot()
    assert set(snapshot["lab"]) == set(FOLLOWED)
    assert snapshot["lab"]["X"][0] == [0.1, 0.2] and snapshot["steps"] == 0


def test_a_feed_takes_a_snapshot_then_updates_in_order_and_drops_the_rest():
    state, feed = LabState(), ClassFeed(TABS)
    teacher = TeacherLab(state)
    update = teacher.changes()
    assert not feed.receive(message("update", 1, update))  # no update before a snapshot
    assert feed.receive(message("snapshot", 1, teacher.snapshot()))
    state.set_parameter("b", 2, 1.5)
    assert feed.receive(message("update", 2, teacher.changes()))
    assert feed.lab.b[2] == 1.5
    assert not feed.receive(message("update", 2, {"lab": {"b": [9, 9, 9]}, "steps": 0, "tab": 0}))
    assert feed.lab.b[2] == 1.5
    assert feed.receive({"kind": "ended", "seq": float("inf"), "data": {}}) and feed.ended


@pytest.mark.parametrize("bad", [
    {"lab": {"W": [[1, 2]]}, "steps": 0, "tab": 0},
    {"lab": {"W": [[float("nan"), 0]] * 3}, "steps": 0, "tab": 0},
    {"lab": {}, "steps": -1, "tab": 0},
    {"lab": {}, "steps": 0, "tab": 7},
    {"lab": {}, "steps": 0, "tab": 0, "selected": 9},
    {"lab": {"nonsense": 1}, "steps": 0, "tab": 0},
    {"lab": {}, "steps": 0, "tab": 0, "challenge": {"kind": "rm -rf", "minutes": 1,
                                                    "posed_at": 0}},
])
def test_a_feed_refuses_a_message_it_cannot_read_and_keeps_its_lab(bad):
    feed = ClassFeed(TABS)
    assert feed.receive(message("snapshot", 1, TeacherLab(LabState()).snapshot()))
    W = feed.lab.W
    assert not feed.receive(message("update", 2, bad))
    assert feed.lab.W is W and feed.seq == 1 and feed.error


def test_followers_show_the_feeds_lab_evaluated_once_for_all(monkeypatch):
    teacher_state = LabState()
    teacher = TeacherLab(teacher_state)
    feed = ClassFeed(TABS)
    feed.receive(message("snapshot", 1, teacher.snapshot()))
    students = [LabState() for _ in range(3)]
    trainings = [Training(state) for state in students]
    evaluations = []
    real = core.evaluate
    monkeypatch.setattr(core, "evaluate", lambda *a, **k: evaluations.append(1) or real(*a, **k))
    Training(teacher_state).step()
    teacher_state.set_parameter("W", (0, 0), 0.5)
    feed.receive(message("update", 2, teacher.changes()))
    assert len(evaluations) == 3  # the teacher's step and change, and the feed's one
    for state, training in zip(students, trainings):
        follow(state, training, feed)
    assert len(evaluations) == 3  # none per follower
    for state in students:
        assert state.evaluation is feed.lab.evaluation
        assert state.steps == 1 and state.W[0, 0] == 0.5
        np.testing.assert_allclose(state.evaluation.total_loss,
                                   core.evaluate(state.X, state.y, state.W, state.b,
                                                 **state.objective).total_loss)
    assert trainings[0].history.columns()["step"].tolist() == [0, 1]


def test_a_followers_history_starts_over_when_the_class_does():
    teacher_state, feed = LabState(), ClassFeed(TABS)
    teacher, training = TeacherLab(teacher_state), Training(teacher_state)
    feed.receive(message("snapshot", 1, teacher.snapshot()))
    student = LabState()
    student_training = Training(student)
    for seq in (2, 3, 4):
        training.step()
        feed.receive(message("update", seq, teacher.changes()))
        follow(student, student_training, feed)
    assert student_training.history.columns()["step"].tolist() == [0, 1, 2, 3]
    teacher_state.reset()
    feed.receive(message("update", 5, teacher.changes()))
    follow(student, student_training, feed)
    assert student_training.history.columns()["step"].tolist() == [0]
    assert student.steps == 0


@pytest.mark.parametrize("url", ["redis://localhost:6379", "rediss://cache.example:6380/1"])
def test_the_class_hub_option_takes_a_redis_address(url):
    assert parse_args(["--class-hub", url]).class_hub == url


@pytest.mark.parametrize("url", ["localhost:6379", "http://localhost:6379", "redis://:99999"])
def test_the_class_hub_option_refuses_anything_else(url, capsys):
    with pytest.raises(SystemExit):
        parse_args(["--class-hub", url])
    assert "Redis address" in capsys.readouterr().err or "port" in capsys.readouterr().err


def test_the_class_option_starts_a_class():
    assert parse_args(["--class"]).start_class and not parse_args([]).start_class


def test_followed_values_are_the_shared_ones_but_presentation():
    from losslab.session.share_codec import SHARED

    assert set(classroom.FOLLOWED) == set(SHARED) - {"presentation"}
