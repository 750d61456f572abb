"""Run pacing in-process: at most IN_FLIGHT updates ahead of what the browser reports drawn, and
never a timer left behind."""

import time

import pytest
from bokeh.document import Document
from panel.io.state import set_curdoc

from losslab.transport import pacing
from losslab.transport.frame import Frame
from losslab.transport.pacing import (
    ACTIVE_S,
    FOLLOWER_SHARE,
    IN_FLIGHT,
    RUN_PERIOD_MS,
    STALE_AFTER_S,
    FollowerLoad,
    PacedUpdates,
)
from losslab.page import LabPage
from losslab.server import hooks


@pytest.fixture
def served_page():
    """A page built inside a Bokeh document, as for a served session (no server runs its
    callbacks here: the test runs each waiting step itself)."""
    doc = Document()
    with set_curdoc(doc):
        page = LabPage()
        page.layout.server_doc(doc)
    return doc, page


def waiting(doc):
    """The Run steps waiting on the document (a view's deferred work, such as the address
    written every few seconds during a Run, may wait beside them)."""
    return [callback for callback in doc.callbacks.session_callbacks
            if callback.callback.__name__ == "_step"]


def run_waiting_step(doc, timer):
    """Run the step waiting on the document once it is due, as the server's loop would."""
    (callback,) = waiting(doc)
    time.sleep(max(timer._pending_at - time.monotonic(), 0) + 0.002)
    doc.callbacks.remove_session_callback(callback)  # a timeout runs once
    with set_curdoc(doc):
        callback.callback()


def test_run_waits_for_the_browser_then_goes_on_when_it_reports(served_page):
    doc, page = served_page
    timer, frame, state = page.timer, page.frame, page.state
    with set_curdoc(doc):
        state.running = True
    assert len(waiting(doc)) == 1, "one step waits while running"
    for _ in range(IN_FLIGHT + 1):
        run_waiting_step(doc, timer)
    assert frame.sent == IN_FLIGHT + 1 and state.steps == IN_FLIGHT + 1
    # Nothing drawn yet: the next step waits for the browser (or for the frame to go stale).
    assert len(waiting(doc)) == 1
    assert timer._pending_at - time.monotonic() > STALE_AFTER_S / 2
    # The browser reports its frame: the next step is due within the Run period.
    with set_curdoc(doc):
        frame.drawn = frame.sent
    assert len(waiting(doc)) == 1
    assert timer._pending_at - time.monotonic() <= RUN_PERIOD_MS / 1000
    run_waiting_step(doc, timer)
    assert state.steps == IN_FLIGHT + 2


def test_stop_and_the_end_of_the_session_leave_no_step_waiting(served_page):
    doc, page = served_page
    with set_curdoc(doc):
        page.state.running = True
        assert len(waiting(doc)) == 1
        page.state.running = False
    assert waiting(doc) == []
    with set_curdoc(doc):
        page.state.running = True
    assert len(waiting(doc)) == 1
    # The session ends while a step waits: its release makes the document forget it too, so that
    # nothing that keeps the dead document alive keeps the lab alive with it.
    doc._session_context = None
    page.release()
    hooks.forget_session_callbacks(doc)
    assert list(doc.callbacks.session_callbacks) == []


class Follower:
    """Something that shows updates (a weak reference can point at it)."""


def test_followers_together_take_at_most_their_share_of_the_process(monkeypatch):
    load = FollowerLoad()
    followers = [Follower() for _ in range(40)]
    for follower in followers:
        load.note(follower, 0.010)
    assert load.spacing() == pytest.approx(40 * 0.010 / FOLLOWER_SHARE)
    # A follower that has shown nothing for a while (a class at rest) no longer counts.
    later = time.monotonic() + ACTIVE_S + 0.1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert load.spacing() == pytest.approx(0.010 / FOLLOWER_SHARE)


def test_a_large_class_counts_followers_that_show_less_often_than_every_few_seconds(monkeypatch):
    load = FollowerLoad()
    for follower in (followers := [Follower() for _ in range(200)]):
        load.note(follower, 0.010)
    spacing = load.spacing()
    assert spacing == pytest.approx(200 * 0.010 / FOLLOWER_SHARE) and spacing > ACTIVE_S
    # Each of them shows once per spacing: a moment before its next turn, all 200 still count.
    later = time.monotonic() + 0.9 * spacing
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert load.spacing() == pytest.approx(spacing) and followers


def test_a_follower_among_many_waits_its_turn(monkeypatch):
    load = FollowerLoad()
    monkeypatch.setattr(pacing, "FOLLOWERS", load)
    others = [Follower() for _ in range(39)]
    for follower in others:
        load.note(follower, 0.010)
    doc = Document()
    doc._session_context = lambda: object()  # as served: the browser reports its frames
    shown = []
    with set_curdoc(doc):
        frame = Frame()
        paced = PacedUpdates(frame, lambda: shown.append(frame.sent))
    paced.request()  # its first update goes at once
    (first,) = doc.callbacks.session_callbacks
    doc.callbacks.remove_session_callback(first)
    first.callback()
    assert shown == [0] and frame.sent == 1
    with set_curdoc(doc):
        frame.drawn = frame.sent  # the browser has drawn it
    paced.request()  # the next waits until all 40 have had their share of the process
    (waiting,) = doc.callbacks.session_callbacks
    assert waiting.timeout / 1000 == pytest.approx(load.spacing(), abs=0.01)
    assert load.spacing() > 0.5
