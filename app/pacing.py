"""Run pacing: the server takes the next step only when the browser has drawn the last one.

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
    """Takes update steps while the state is running, each as soon as the browser has drawn the
    last one (and no sooner than `RUN_PERIOD_MS` after it); never outlives its session."""

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

    def _advance(self, *_):
        """Step now if the last frame is drawn (or lost) and the period is over; else wait."""
        if not self.state.running:
            return
        since = time.monotonic() - self._sent_at
        if self.clock.drawn < self.clock.sent and since < STALE_AFTER_S:
            return  # the browser will call back when it has drawn the last frame
        wait = RUN_PERIOD_MS / 1000 - since
        if wait > 0:
            if not self._pending and pn.state.curdoc is not None:
                self._pending = True
                pn.state.curdoc.add_timeout_callback(self._after_wait, int(wait * 1000) + 1)
            return
        with hold():
            self.state.step()
            self.clock.sent += 1
        self._sent_at = time.monotonic()

    def _after_wait(self):
        self._pending = False
        self._advance()

    def stop(self, *_):
        if self._watchdog is not None:
            self._watchdog.stop()
            self._watchdog = None
