"""The class's work with the hub: coroutines on the server's loop, and their results shown on the
page of the session that started them."""

import asyncio
import logging

import panel as pn
from panel.io.state import set_curdoc

log = logging.getLogger(__name__)


class Tasks:
    """The running hub calls of one page."""

    def __init__(self):
        self._doc = pn.state.curdoc
        self._running = set()

    def start(self, coroutine):
        """Run `coroutine` on the loop; a failure is logged (a refusal the page says itself)."""
        task = asyncio.ensure_future(coroutine)
        self._running.add(task)

        def done(task):
            self._running.discard(task)
            if not task.cancelled() and task.exception() is not None:
                log.error("class: %s", task.exception(), exc_info=task.exception())
        task.add_done_callback(done)
        return task

    def on_page(self, action, *args, **kwargs):
        """Do `action` on this page's own document (from a task, or another session's call)."""
        doc = self._doc
        if doc is None or doc.session_context is None:
            action(*args, **kwargs)
            return

        def run():
            with set_curdoc(doc):
                action(*args, **kwargs)
        doc.add_next_tick_callback(run)

    def cancel(self):
        for task in list(self._running):
            task.cancel()
