"""Sharing a view: the page's address always holds the whole state, and the same state goes to
and comes from a JSON file."""

import html
import io
import math

import panel as pn
import param
from panel.custom import JSComponent

from losslab.transport.throttle import Throttle
from losslab.views.base import View, sized
from losslab.web import STYLESHEET, script_path
from losslab.session.share_codec import SHARED, ShareError, apply_values, from_json, from_query, to_json, to_query

ADDRESS_EVERY_S = 0.5
"""The address is rewritten at most this often (a drag changes the state faster)."""

LOSSLAB_ADDRESS = "http://localhost:5006/"
"""Where the `losslab` command serves the lab by default (its --port): the link a lab embedded in
another page (a notebook) copies, since that page's own address does not open a lab."""


class AddressBar(JSComponent):
    """Writes the page address's query without adding to the browser's history."""

    query = param.String("", doc="The query string (without '?') the address should hold.")

    _esm = script_path("address_bar.js")


class CopyLink(JSComponent):
    """A button that copies the link to this lab to the clipboard."""

    label = param.String("Copy link", constant=True, doc="The button's text.")
    base = param.String("", constant=True, doc=(
        "The address the link opens, before the query; empty: this page's own."))
    query = param.String("", doc="The lab's query string, as the address holds it.")
    copied = param.String("", doc="The last link copied (reported by the browser).")

    _esm = script_path("copy_link.js")


class ShareControls(View):
    """Keeps the page address in step with the state, copies the link to it, and downloads /
    uploads JSON files.

    `address` belongs in the page outside any tab: it must be on the page to write the address.
    Only a page of its own writes it: embedded in another page (a notebook), the lab leaves that
    page's address alone, and the link it copies opens the lab in `losslab` on this machine."""

    writes_address = param.Boolean(True, constant=True,
                                   doc="Keep the page's address in step with the lab.")

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self.download = pn.widgets.FileDownload(callback=self._json_file, filename="losslab.json",
                                                label="Download this lab as JSON")
        self.upload = sized(pn.widgets.FileInput(accept=".json,application/json",
                                                 label="Open a lab from a JSON file"), 18)
        self.status = pn.pane.HTML("", stylesheets=[STYLESHEET], margin=(0, 6),
                                   sizing_mode="stretch_width")
        self.address = AddressBar(width=0, height=0, margin=0)
        self.copy_link = CopyLink(query=to_query(self.state), stylesheets=[STYLESHEET],
                                  base="" if self.writes_address else LOSSLAB_ADDRESS,
                                  margin=(4, 6))
        self.upload.param.watch(self._on_upload, "value")
        # During a run the address waits for Stop: nobody copies an address that changes with
        # every frame, and writing it would cost every update.
        self.write_address = Throttle(state, self._write_address, every=ADDRESS_EVERY_S,
                                      running_every=math.inf, trailing=True)
        state.param.watch(self.write_address, list(SHARED))
        where = ("the page address always holds this whole lab: copy it to share exactly this view"
                 if self.writes_address else
                 f"the link opens exactly this view in <code>losslab</code> at {LOSSLAB_ADDRESS}")
        self.panel = pn.Column(
            pn.pane.HTML(f"<b>Share</b> <span class='muted'>({where})</span>",
                         stylesheets=[STYLESHEET], margin=(8, 6, 0, 6)),
            self.copy_link, self.download,
            pn.pane.HTML("Open a lab from a JSON file:", margin=(4, 6, 0, 6)),
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

    def _write_address(self):
        try:
            query = to_query(self.state)
            self.copy_link.query = query
            if self.writes_address:
                self.address.query = query
            note = ""
        except ShareError as error:  # the address keeps the last lab that fitted
            note = f"<span class='muted'>{html.escape(str(error))}</span>"
        if note != self.status.object and (note or "too large" in self.status.object):
            self.status.object = note

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
