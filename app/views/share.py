"""Sharing a view: the page's address always holds the lab (its points too, while the link stays
a safe length), and the same state goes to and comes from a JSON file."""

import html
import io

import panel as pn
import param
from panel.custom import JSComponent

from losslab.session.share_codec import (
    MAX_JSON_BYTES,
    SHARED,
    ShareError,
    apply_values,
    from_arguments,
    from_json,
    holds_points_by_file,
    share_query,
    to_json,
)
from losslab.transport.throttle import Throttle
from losslab.views.base import View, sized
from losslab.web import STYLESHEET, script_path

ADDRESS_EVERY_S = 0.5
"""The address is rewritten at most this often (a drag changes the state faster)."""

LOSSLAB_ADDRESS = "http://localhost:5006/"
"""Where the `losslab` command serves the lab by default (its --port): the link a lab embedded in
another page (a notebook) copies, since that page's own address does not open a lab."""

ADDRESS_RUN_EVERY_S = 2.0
"""During a run the address is rewritten this often: a page that loses its server reopens the
lab its address holds, so a crash loses at most these seconds of steps (and writing it on every
step would cost every update)."""

POINTS_BY_FILE_NOTE = ("This lab has too many points for a link: the address holds its settings "
                       "and W, b only. Share the points as a JSON file (Download below).")
OPENED_WITHOUT_POINTS = ("This link holds the lab's settings and W, b only: its points were too "
                         "many for a link and travel as a JSON file (Data tab).")


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


class LabFileInput(JSComponent):
    """A file input for lab files that refuses a file too large in the browser, before reading
    or sending it.

    Panel's FileInput reads any file whole and sends it base64-encoded in one websocket message:
    a 50 MB file becomes a 67 MB message, past the server's limit, and the session is lost."""

    label = param.String("Open a lab from a JSON file", constant=True, doc="Its accessible name.")
    accept = param.String(".json,application/json", constant=True, doc="The files offered.")
    max_bytes = param.Integer(MAX_JSON_BYTES, constant=True, doc="Largest file sent.")
    refused = param.Dict(default=None, allow_None=True,
                         doc="The last file refused in the browser: {name, size, seq}.")
    opened = param.Event(doc="Fires when a file within the limit has arrived (`filename`, `text`).")

    _esm = script_path("lab_file_input.js")

    def __init__(self, **params):
        super().__init__(**params)
        self.filename, self.text = None, None

    def _handle_msg(self, msg):
        if isinstance(msg, dict) and isinstance(msg.get("text"), str):
            self.filename, self.text = str(msg.get("name", ""))[:200], msg["text"]
            doc = pn.state.curdoc
            if doc is not None and doc.session_context is not None:
                # Panel hands a component's message over outside the document's lock when the
                # document was busy as it came (seen: a lab file opened while another tab's lab
                # ran); what the file changes waits for the document's own turn, which holds it.
                doc.add_next_tick_callback(lambda: self.param.trigger("opened"))
            else:
                self.param.trigger("opened")


class ShareControls(View):
    """Keeps the page address in step with the state, copies the link to it, and downloads /
    opens JSON files.

    `address` belongs in the page outside any tab: it must be on the page to write the address.
    Only a page of its own writes it: embedded in another page (a notebook), the lab leaves that
    page's address alone, and the link it copies opens the lab in `losslab` on this machine."""

    writes_address = param.Boolean(True, constant=True,
                                   doc="Keep the page's address in step with the lab.")

    pinned = param.String(None, allow_None=True,
                          doc="A query the address holds instead of the lab's (a class's).")

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self.download = pn.widgets.FileDownload(callback=self._json_file, filename="losslab.json",
                                                label="Download this lab as JSON")
        self.upload = sized(LabFileInput(height=32, margin=(4, 6)), 18)
        self.status = pn.pane.HTML("", stylesheets=[STYLESHEET], margin=(0, 6),
                                   sizing_mode="stretch_width")
        self.link_note = pn.pane.HTML("", stylesheets=[STYLESHEET], margin=(0, 6),
                                      sizing_mode="stretch_width", css_classes=["link-note"])
        self.address = AddressBar(width=0, height=0, margin=0)
        self.copy_link = CopyLink(query=share_query(state)[0], stylesheets=[STYLESHEET],
                                  base="" if self.writes_address else LOSSLAB_ADDRESS,
                                  margin=(4, 6))
        self.upload.param.watch(self._on_upload, "opened")
        self.upload.param.watch(self._on_refused, "refused")
        self.write_address = Throttle(state, self._write_address, every=ADDRESS_EVERY_S,
                                      running_every=ADDRESS_RUN_EVERY_S, trailing=True)
        state.param.watch(self.write_address, list(SHARED))
        self.param.watch(self.write_address, "pinned")
        where = ("the page address always holds this whole lab: copy it to share exactly this view"
                 if self.writes_address else
                 f"the link opens exactly this view in <code>losslab</code> at {LOSSLAB_ADDRESS}")
        self.panel = pn.Column(
            pn.pane.HTML(f"<b>Share</b> <span class='muted'>({where})</span>",
                         stylesheets=[STYLESHEET], margin=(8, 6, 0, 6)),
            self.copy_link, self.link_note, self.download,
            pn.pane.HTML("Open a lab from a JSON file:", margin=(4, 6, 0, 6)),
            self.upload, self.status, margin=0,
        )

    # -- the address -----------------------------------------------------------------------

    def open_arguments(self, arguments):
        """Set the state from the fields of the page's address, as the server parsed them
        ({name: [bytes, …]}); a bad link is refused with a message, changing nothing."""
        if not arguments:
            return
        try:
            values = from_arguments(arguments)
        except ShareError as error:
            self.state.message = f"This link could not be opened: {error} The default lab is shown."
            return
        apply_values(self.state, values)
        if holds_points_by_file(arguments):
            self.state.message = OPENED_WITHOUT_POINTS

    def _write_address(self):
        query, whole = share_query(self.state)
        self.copy_link.query = query
        if self.writes_address:
            self.address.query = self.pinned if self.pinned is not None else query
        note = "" if whole else f"<span class='muted'>{html.escape(POINTS_BY_FILE_NOTE)}</span>"
        if note != self.link_note.object:
            self.link_note.object = note

    # -- files -------------------------------------------------------------------------------

    def _json_file(self):
        return io.StringIO(to_json(self.state))

    def _on_refused(self, event):
        refused = event.new or {}
        name, size = str(refused.get("name") or "The file")[:200], refused.get("size")
        size = f" ({size:,} bytes)" if isinstance(size, int) else ""
        self.status.object = (f"<span class='error'>Not opened: {html.escape(name)}{size} is "
                              f"larger than {MAX_JSON_BYTES:,} bytes, the most a lab file holds. "
                              "Nothing was sent or changed.</span>")

    def _on_upload(self, event):
        text, self.upload.text = self.upload.text, None
        if text is None:
            return
        try:
            apply_values(self.state, from_json(text))
        except ShareError as error:
            self.status.object = (f"<span class='error'>Not opened: {html.escape(str(error))} "
                                  "Nothing was changed.</span>")
            return
        self.status.object = f"Opened {html.escape(self.upload.filename or 'the file')}."
