"""Run pacing: the server stays at most one update ahead of what the browser has drawn.

Without it a fast server fills the websocket with updates that a slow laptop (or a projector
machine) draws seconds late, and Stop seems not to work. With it each session runs as fast as
its own browser can show, and never faster than the Run timer.
"""

import time

import panel as pn
import param
from panel.custom import JSComponent
from panel.io import hold

RUN_PERIOD_MS = 30
"""Shortest time between two updates while running."""

IN_FLIGHT = 1
"""Updates the browser may have been sent but not yet drawn: one, so that the server computes the
next update while the browser draws the last, and never more, so that nothing piles up."""

STALE_AFTER_S = 1.0
"""A frame not reported drawn after this long (a hidden tab, a lost message) no longer holds
the run back."""


class FrameClock(JSComponent):
    """Reports back to the server, after the browser has painted, the last frame it was sent."""

    sent = param.Integer(0, doc="Number of the latest update sent to the browser.")
    drawn = param.Integer(0, doc="Number of the latest update the browser has painted.")

    # Handle the report at once: by default Panel waits 50 ms to batch changes from the browser.
    _debounce = 0

    _esm = """
    export function render({ model }) {
      model.on("sent", () => {
        const frame = model.sent
        // After the next paint: the update is on the screen.
        requestAnimationFrame(() => setTimeout(() => { model.drawn = frame }, 0))
      })
      return document.createElement("span")
    }
    """


class RunTimer:
    """Takes update steps while the state is running, as fast as the browser draws them (at most
    IN_FLIGHT ahead of it, and no sooner than `RUN_PERIOD_MS` apart); never outlives its
    session."""

    def __init__(self, state):
        self.state = state
        self.clock = FrameClock(width=0, height=0, margin=0)
        self._watchdog = None
        self._pending = False
        self._sent_at = 0.0
        state.param.watch(self._on_running, "running")
        self.clock.param.watch(self._advance, "drawn")

    def _on_running(self, event):
        if event.new:
            if self._watchdog is None:
                self._watchdog = pn.state.add_periodic_callback(self._advance,
                                                                period=int(STALE_AFTER_S * 1000))
            self._advance()
        else:
            self.stop()

    def _due_in(self):
        """Seconds until the next step may go (None: not until the browser reports a frame)."""
        since = time.monotonic() - self._sent_at
        if self.clock.sent - self.clock.drawn > IN_FLIGHT and since < STALE_AFTER_S:
            return None
        return max(RUN_PERIOD_MS / 1000 - since, 0.0)

    def _advance(self, *_):
        """Schedule the next step for when it is due (the browser calls back on each frame)."""
        if not self.state.running or self._pending:
            return
        due = self._due_in()
        if due is None:
            return
        doc = pn.state.curdoc
        if doc is None:
            self._step()
            return
        # A callback of its own, not a step inside the handling of the browser's report: the
        # step's update then goes out at once, not after the report's reply has been written.
        self._pending = True
        doc.add_timeout_callback(self._step, int(due * 1000) + 1)

    def _step(self):
        self._pending = False
        if not self.state.running or self._due_in() is None:
            return
        with hold():
            self.state.step()
            self.clock.sent += 1
        self._sent_at = time.monotonic()
        self._advance()

    def stop(self, *_):
        if self._watchdog is not None:
            self._watchdog.stop()
            self._watchdog = None
