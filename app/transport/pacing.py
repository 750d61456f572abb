"""Run pacing: the server stays at most one update ahead of what the browser has drawn.

Without it a fast server fills the websocket with updates that a slow laptop (or a projector
machine) draws seconds late, and Stop seems not to work. With it each session runs as fast as
its own browser can show, and never faster than the Run timer.
"""

import time
import weakref

import panel as pn
from panel.io.state import set_curdoc
from bokeh.models import CustomJS

from losslab.transport import notebook
from losslab.transport.wire import held
from losslab.web import script

RUN_PERIOD_MS = 1000 / 60
"""Shortest time between two updates while running: one display frame, so that a browser that
draws every frame gets a new state in every one."""

IN_FLIGHT = 1
"""Updates the browser may have been sent but not yet drawn: one, so that the server computes the
next update while the browser draws the last, and never more, so that nothing piles up."""

STALE_AFTER_S = 1.0
"""A frame not reported drawn after this long (a hidden tab, a lost message) no longer holds
the run back."""


FOLLOWER_SHARE = 0.5
"""The most of this process's time that updates from elsewhere (a class's followers) take
together. The rest is the teacher's, whose page is the one on the projector, and every other
lab's: 40 followers on one core would otherwise leave the teacher a few updates a second."""

ACTIVE_S = 2.0
"""A follower shown within this long (or within twice the spacing, when that is longer: a large
class's followers show less often) counts toward the share."""


class FollowerLoad:
    """What the followers of this process cost together, and so how far apart each one's shows
    must be for all of them to stay within FOLLOWER_SHARE."""

    def __init__(self):
        self.mean_s = 0.0  # running mean of one show's time
        self._shown_at = weakref.WeakKeyDictionary()  # follower → when it last showed
        self._spacing_s = 0.0  # the last spacing given

    def note(self, follower, seconds):
        """`follower` has just shown an update that took `seconds`."""
        self.mean_s = seconds if not self.mean_s else self.mean_s + 0.2 * (seconds - self.mean_s)
        self._shown_at[follower] = time.monotonic()

    def spacing(self):
        """Seconds between two shows of one follower."""
        now = time.monotonic()
        window = max(ACTIVE_S, 2 * self._spacing_s)
        active = sum(now - at < window for at in list(self._shown_at.values()))
        self._spacing_s = max(active, 1) * self.mean_s / FOLLOWER_SHARE
        return self._spacing_s

    def spacing_within(self, share):
        """Seconds between two shows of one follower for all of them to take `share` of the
        process's time."""
        return self.spacing() * FOLLOWER_SHARE / share


FOLLOWERS = FollowerLoad()
"""This process's followers (every PacedUpdates)."""


class RunTimer:
    """Takes update steps while the state is running, as fast as the browser draws them (at most
    IN_FLIGHT ahead of it, and no sooner than `RUN_PERIOD_MS` apart); never outlives its
    session.

    While running there is always exactly one step waiting: the next step, due when the browser
    has drawn enough and the period has passed, or else the check that goes on without the
    browser's report once the frame is stale. Served, it waits on the session's own document, and
    ending the session removes it with the document; nothing runs on the server's loop outside
    the session. In a notebook it waits on the kernel's event loop, which runs no document's
    timers. With no browser to report frames (a script, or a notebook run by nbclient), the
    steps simply follow one another at the Run period.

    Where the page has opened its stream (`stream`, losslab.views.lab_picture.LabStream), each
    step's picture goes there instead of through the document, and the page's report of having
    painted it comes back there: the step is then most of what the server does per update. The
    page's other views follow through the document at their own rates during a Run.
    """

    def __init__(self, training, frame, stream=None):
        self.training = training
        self.state = training.state
        self.frame = frame
        self.stream = stream
        frame.js_on_change("sent", CustomJS(code=script("report_drawn.js")))
        self._doc = pn.state.curdoc
        self._served = self._doc is not None and self._doc.session_context is not None
        self._unreported = None  # no browser reports frames: a plain periodic callback
        self._pending = None  # cancels the waiting step
        self._pending_at = 0.0  # when the waiting step is due
        self._sent_at = 0.0
        self.state.param.watch(self._on_running, "running")
        frame.on_change("drawn", self._on_drawn)
        if stream is not None:
            stream.on_drawn = self._advance

    def _session_doc(self):
        """The document whose timers the session's server runs: the one the page was built in,
        unless that is a notebook output's."""
        return self._doc if self._doc is not None and notebook.comm_of(self._doc) is None else None

    def _notebook_doc(self):
        """The frame's document if a browser draws it in a notebook output (its comm open, so it
        reports its frames), else None."""
        doc = self.frame.document
        comm = notebook.comm_of(doc)
        return doc if comm is not None and notebook.is_open(comm) else None

    def _on_running(self, event):
        if not event.new:
            self._leave_stream()
            self.stop()
        elif self._session_doc() is not None or self._notebook_doc() is not None:
            self._advance()
        elif self._unreported is None:
            self._unreported = pn.state.add_periodic_callback(
                self._step, period=int(self.period() * 1000))

    def _on_drawn(self, attr, old, new):  # Bokeh requires exactly this signature
        self._advance()

    def _due_in(self):
        """Seconds until the next step may go: after the period, and, while the browser has more
        than IN_FLIGHT updates to draw, not before it reports a frame or the frame is stale."""
        since = time.monotonic() - self._sent_at
        if self._streaming():
            # The stream holds the newest picture until the page has painted the one before:
            # the next step waits for that picture to go.
            holding = self.stream.holding_s()
            if holding > 0:
                return holding
        elif (self._unreported is None and self.frame.sent - self.frame.drawn > IN_FLIGHT
                and since < STALE_AFTER_S):
            return STALE_AFTER_S - since
        return max(self.period() - since, 0.0)

    def _streaming(self):
        return self.stream is not None and self.stream.streaming

    def _choose_way(self):
        """Steps go on the page's stream while it may take them (it may open after Run was
        pressed, close during a Run, and the page may show a view that follows every step),
        else through the document."""
        stream = self.stream
        if stream is None or self._session_doc() is None:
            return
        if stream.streaming and not stream.usable():
            held(stream.end)
        elif not stream.streaming and stream.ready():
            stream.begin()

    def _leave_stream(self):
        if self._streaming():
            held(self.stream.end)

    def period(self):
        """Shortest time (s) between two steps: the Run period, or longer at a chosen speed."""
        speed = self.state.run_speed
        return max(RUN_PERIOD_MS / 1000, 1.0 / speed if speed else 0.0)

    def _advance(self):
        """Have the next step wait for when it is due (the browser calls back on each frame)."""
        if not self.state.running or self._unreported is not None:
            return
        session_doc, notebook_doc = self._session_doc(), self._notebook_doc()
        if session_doc is None and notebook_doc is None:
            return
        due = self._due_in()
        at = time.monotonic() + due
        if self._pending is not None:
            if self._pending_at <= at:
                return  # already waiting, and due no later
            self._cancel()
        # A callback of its own, not a step inside the handling of the browser's report: the
        # step's update then goes out at once, not after the report's reply has been written.
        if session_doc is not None:
            callback = session_doc.add_timeout_callback(self._step, int(due * 1000) + 1)
            self._pending = lambda: session_doc.remove_timeout_callback(callback)
        else:
            self._pending = notebook.call_later(notebook_doc, due + 0.001, self._step)
        self._pending_at = at

    def _step(self):
        self._pending = None
        if not self.state.running:
            return
        self._choose_way()
        if self._unreported is not None or self._due_in() == 0.0:
            # The period counts from the step's start: a step that takes a few milliseconds
            # then still leaves the browser a new state for every frame.
            self._sent_at = time.monotonic()
            held(self._update)
        self._advance()

    def _update(self):
        if self._streaming():
            self.training.step(streamed=True)
            if self._streaming():  # a step that diverges ends the Run: nothing new to show
                self.stream.show()
        else:
            self.training.step()
            self.frame.sent += 1

    def _cancel(self):
        cancel, self._pending = self._pending, None
        ended = self._served and self._doc.session_context is None
        if not ended:  # a destroyed document takes no removal: the release drops its callbacks
            cancel()

    def stop(self, *_):
        if self._pending is not None:
            self._cancel()
        if self._unreported is not None:
            self._unreported.stop()
            self._unreported = None


class PacedUpdates:
    """Updates that come from elsewhere (a class's teacher), shown on this session's document as
    the browser draws them: `request()` says there is something new; `show` then runs once, on
    the session's own document, as soon as the browser has drawn all but IN_FLIGHT of what it
    was sent and the followers' share of the process allows (FOLLOWER_SHARE). Requests that come
    meanwhile are one: the browser skips states, never lags."""

    def __init__(self, frame, show):
        self.frame = frame
        self.show = show
        self._doc = pn.state.curdoc
        self._wanted = False
        self._after_s = 0.0  # the least time from one show to the next that the request asks
        self._pending = None  # ("tick" | "timeout", the document's callback)
        self._sent_at = 0.0
        frame.on_change("drawn", self._on_drawn)

    def _in_flight(self):
        since = time.monotonic() - self._sent_at
        return self.frame.sent - self.frame.drawn > IN_FLIGHT and since < STALE_AFTER_S

    def request(self, after_s=0.0):
        """There is a newer state to show (callable from any session on the server's loop); with
        `after_s`, it may wait until that long after the last show (what it adds is not urgent).
        """
        if self._doc is None or self._doc.session_context is None:  # no browser to wait for
            held(self.show)
            return
        sooner = self._wanted and after_s < self._after_s
        self._after_s = min(self._after_s, after_s) if self._wanted else after_s
        self._wanted = True
        if sooner and self._pending is not None and self._pending[0] == "timeout":
            self._doc.remove_timeout_callback(self._pending[1])
            self._pending = None
        self._schedule()

    def _wait_s(self):
        """Seconds until this follower may show again: after the browser has drawn (or the frame
        is stale), and no sooner than the followers' share of the process allows."""
        now = time.monotonic()
        if self._in_flight():
            return STALE_AFTER_S - (now - self._sent_at)
        return self._sent_at + max(FOLLOWERS.spacing(), self._after_s) - now

    def _schedule(self):
        if self._pending is not None or not self._wanted:
            return
        wait_s = self._wait_s()
        if wait_s > 0:
            self._pending = ("timeout", self._doc.add_timeout_callback(self._run,
                                                                        int(wait_s * 1000) + 1))
        else:
            self._pending = ("tick", self._doc.add_next_tick_callback(self._run))

    def _on_drawn(self, attr, old, new):  # Bokeh requires exactly this signature
        if self._pending is not None and self._pending[0] == "timeout":
            self._doc.remove_timeout_callback(self._pending[1])
            self._pending = None
        self._schedule()

    def _run(self):
        self._pending = None
        if self._wait_s() > 0:
            self._schedule()
            return
        self._wanted = False
        started = time.perf_counter()
        # The request may come from another session's callback, whose document is current.
        with set_curdoc(self._doc):
            held(self.show)
            self.frame.sent += 1
        FOLLOWERS.note(self, time.perf_counter() - started)
        self._sent_at = time.monotonic()

    def stop(self):
        self._wanted = False
        pending, self._pending = self._pending, None
        if pending is None or self._doc.session_context is None:
            return
        if pending[0] == "timeout":
            self._doc.remove_timeout_callback(pending[1])
        else:
            self._doc.remove_next_tick_callback(pending[1])
