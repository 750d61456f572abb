"""Work a view defers: what nobody sees waits, and what changes faster than anyone can read is
sent at a readable rate.

Every view that holds back an update uses one `Throttle`, so the rules are the same everywhere:
a call is made at once, unless the view is hidden (then once it is shown again) or its interval
has not passed since the last call (then with the next call after it, or — `trailing` — on a
timer when it has passed). A call held back while the lab runs is made, at the latest, when the
run stops.
"""

import math
import time

import panel as pn

from losslab.transport import notebook


class Throttle:
    """Calls `update()` when called, at most once every `every` seconds (`running_every` while the
    lab runs: a number, or a function giving one), and only while `shown`."""

    def __init__(self, state, update, *, every=0.0, running_every=None, shown=True,
                 trailing=False):
        self.state, self.update, self.shown, self.trailing = state, update, shown, trailing
        self._every = every
        self._running_every = every if running_every is None else running_every
        self._at = -math.inf
        self._stale = True  # a call was asked for and not yet made
        self._waiting = False  # a trailing call is due on the document's timer
        state.param.watch(self._on_running, "running")

    def interval(self):
        """Seconds that must pass between two calls now."""
        gap = self._running_every if self.state.running else self._every
        return gap() if callable(gap) else gap

    def __call__(self, *events):
        self._stale = True
        if not self.shown:
            return
        wait = self.interval() - (time.monotonic() - self._at)
        if wait > 0:
            if self.trailing:
                self._call_later(wait)
            return
        self._at, self._stale = time.monotonic(), False
        self.update()

    def forget(self):
        """Let the next call go at once, whenever the last one was (what it draws has changed
        so much that the wait would only show something wrong)."""
        self._at = -math.inf

    def flush(self):
        """Make a call held back, now (if the view is shown)."""
        if self._stale and self.shown:
            self._at, self._stale = time.monotonic(), False
            self.update()

    def show(self, shown):
        """The view was shown or hidden: shown, it catches up at once."""
        self.shown = shown
        if shown:
            self.flush()

    def _on_running(self, event):
        if not event.new:
            self.flush()

    def _call_later(self, wait):
        doc = pn.state.curdoc
        if self._waiting or doc is None or not math.isfinite(wait):
            return
        self._waiting = True
        if notebook.comm_of(doc) is not None:  # no server runs a notebook document's timers
            notebook.call_later(doc, wait, self._due)
        else:
            doc.add_timeout_callback(self._due, int(wait * 1000) + 1)

    def _due(self):
        self._waiting = False
        self()
