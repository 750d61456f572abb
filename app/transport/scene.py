"""What the main plot draws, in one plain Bokeh model per page, and what the plot reports back.

The plot is drawn by LossLab's own canvas code (losslab.views.plot, app/web/plot*.js), not by a
Bokeh figure: every update of a Run changes the decision regions, the lines, the arrows and every
point's loss, and Bokeh's per-glyph machinery cost the browser more than a frame for that. An
update is one change of `update`, a dict of compact arrays; the points themselves travel only
when the data changes.

The two directions are kept apart: the server sets the drawing's properties and never reads them
back; the browser sets only the report properties (`REPORTS`), and a value the browser sends for
any other property (a notebook's comm echoing what it was sent) is dropped.
"""

from bokeh.core.properties import Any, Bool, Dict, Float, Int, List, Nullable, String
from bokeh.model import DataModel


class Scene(DataModel):
    """The main plot's numbers (server → browser) and its reports (browser → server)."""

    # -- drawn: set by the server ------------------------------------------------------------
    points = Dict(String, Any, help=(
        "The data: `x0`, `x1` (positions) and `label` (class) of every point; sent when the data "
        "changes, not while the browser moves a dragged point itself."))
    update = Dict(String, Any, help=(
        "Everything an update changes, per class (`regions`, `lines`, `score`, `gradient`, "
        "`carried` arrows) and per point (`loss`, `scores`, `probabilities`), with the mini-batch, "
        "the pulls and the box the geometry was computed for. One property, so that an update is "
        "one change."))
    box = List(Float, help="The view box the lab holds (xmin, xmax, ymin, ymax).")
    selected = Nullable(Int, help="Index of the selected point, or None.")
    presentation = Bool(False, help="Presentation mode: thicker lines, larger dots and type.")
    add_class = Nullable(Int, help="Class of the point a click adds; None: a click selects.")
    description = String("", help="The plot's text alternative, kept current at a low rate.")

    # -- reported: set by the browser ----------------------------------------------------------
    moved = Dict(String, Any, help="A dragged or nudged point: {index, x0, x1, seq}.")
    clicked = Dict(String, Any, help="A click or tap: {index (a point or null), x0, x1, seq}.")
    chosen = Dict(String, Any, help="A point picked with the keys: {index (or null), seq}.")
    view = List(Float, help="The view box the browser shows after a pan or zoom.")

    REPORTS = frozenset({"moved", "clicked", "chosen", "view"})
    """The properties the browser sets; it never sets the others."""

    def set_from_json(self, name, value, *, setter=None):
        # `setter` is the connection a value came from (None for the server's own changes and
        # for building the document): from the browser, only a report is taken.
        if setter is not None and name not in self.REPORTS:
            return
        super().set_from_json(name, value, setter=setter)
