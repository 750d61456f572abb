"""Sharing a view: the page's address always holds the whole state, and the same state goes to
and comes from a JSON file."""

import html
import io
import time

import panel as pn
import param
from panel.custom import JSComponent

from losslab.web import STYLESHEET
from losslab.session.share_codec import SHARED, ShareError, apply_values, from_json, from_query, to_json, to_query

ADDRESS_EVERY_S = 0.5
"""The address is rewritten at most this often (a drag changes the state faster). During a run it
waits for Stop: nobody copies an address that changes thirty times a second, and writing it
would cost every update."""


class AddressBar(JSComponent):
    """Writes the page address's query without adding to the browser's history."""

    query = param.String("", doc="The query string (without '?') the address should hold.")

    _esm = """
    export function render({ model }) {
      const write = () => {
        if (model.query) window.history.replaceState(window.history.state, "", "?" + model.query)
      }
      write()
      model.on("query", write)
      return document.createElement("span")
    }
    """


class ShareControls:
    """Keeps the page address in step with the state, and downloads / uploads JSON files.

    `address` belongs in the page outside any tab: it must be on the page to write the address."""

    def __init__(self, state):
        self.state = state
        self.download = pn.widgets.FileDownload(callback=self._json_file, filename="losslab.json",
                                                label="Download this lab as JSON", width=230)
        self.upload = pn.widgets.FileInput(accept=".json,application/json", width=230)
        self.status = pn.pane.HTML("", stylesheets=[STYLESHEET], margin=(0, 6),
                                   sizing_mode="stretch_width")
        self.address = AddressBar(width=0, height=0, margin=0)
        self._written_at = 0.0
        self._pending = False
        self.upload.param.watch(self._on_upload, "value")
        state.param.watch(self._write_address, [*SHARED, "running"])
        self.panel = pn.Column(
            pn.pane.HTML("<b>Share</b> <span class='muted'>(the page address always holds this "
                         "whole lab: copy it to share exactly this view)</span>",
                         stylesheets=[STYLESHEET], margin=(8, 6, 0, 6)),
            self.download, pn.pane.HTML("Open a lab from a JSON file:", margin=(4, 6, 0, 6)),
            self.upload, self.status, margin=0,
        )

    # -- the address -----------------------------------------------------------------------

    def open_address(self, query):
        """Set the state from a shared address's query; a bad one is refused, changing nothing."""
        if not query or query in ("?",):
            return
        try:
            apply_values(self.state, from_query(query))
        except ShareError as error:
            self.state.message = f"This link could not be opened: {error} The default lab is shown."

    def _write_address(self, *events):
        if self.state.running:
            return  # written once the run stops
        wait = ADDRESS_EVERY_S - (time.monotonic() - self._written_at)
        if wait > 0:
            if not self._pending and pn.state.curdoc is not None:
                self._pending = True
                pn.state.curdoc.add_timeout_callback(self._write_later, int(wait * 1000) + 1)
            return
        self._written_at = time.monotonic()
        try:
            self.address.query = to_query(self.state)
            note = ""
        except ShareError as error:  # the address keeps the last lab that fitted
            note = f"<span class='muted'>{html.escape(str(error))}</span>"
        if note != self.status.object and (note or "too large" in self.status.object):
            self.status.object = note

    def _write_later(self):
        self._pending = False
        self._write_address()

    # -- files -------------------------------------------------------------------------------

    def _json_file(self):
        return io.StringIO(to_json(self.state))

    def _on_upload(self, event):
        if event.new is None:
            return
        try:
            apply_values(self.state, from_json(event.new))
        except ShareError as error:
            self.status.object = (f"<span class='error'>Not opened: {html.escape(str(error))} "
                                  "Nothing was changed.</span>")
            return
        self.status.object = f"Opened {html.escape(self.upload.filename or 'the file')}."
