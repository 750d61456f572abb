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

import json

import numpy as np
from bokeh.core.properties import Any, Bool, Dict, Float, Int, List, Nullable, String
from bokeh.model import DataModel

from losslab.transport.wire import OneWay

TEXT = "text"
"""The key of an update's short numbers, all in one JSON text."""


def pack(update):
    """An update (a dict of lists, numbers, None, nested dicts and NumPy arrays) as it travels:
    its arrays binary, each under its path ("pulls.segments"), and everything else as one JSON
    text under `TEXT`.

    A JSON text is one string to Bokeh: setting it does not walk every number looking for models,
    and sending it does not encode each number on its own, which together cost the server more
    than computing the update."""
    arrays = {}

    def without_arrays(value, path):
        if isinstance(value, np.ndarray):
            arrays[path] = value
            return None
        if isinstance(value, dict):
            return {key: without_arrays(item, f"{path}.{key}" if path else key)
                    for key, item in value.items()}
        return value

    text = json.dumps(without_arrays(update, ""), separators=(",", ":"), allow_nan=False)
    return {TEXT: text, **arrays}


def unpack(packed):
    """The update `pack` made (arrays back in their places), as the browser reads it."""
    update = json.loads(packed[TEXT])
    for path, array in packed.items():
        if path == TEXT:
            continue
        *parents, key = path.split(".")
        place = update
        for parent in parents:
            place = place[parent]
        place[key] = np.asarray(array)
    return update


class Scene(OneWay, DataModel):
    """The main plot's numbers (server → browser) and its reports (browser → server)."""

    # -- drawn: set by the server ------------------------------------------------------------
    points = Dict(String, Any, help=(
        "The data: `x0`, `x1` (positions) and `label` (class) of every point; sent when the data "
        "changes, not while the browser moves a dragged point itself."))
    update = Dict(String, Any, help=(
        "Everything an update changes (`pack`ed): per class (`regions`, `lines`, `score`, "
        "`gradient`, `carried` arrows) and per point (`loss`, `scores`, `probabilities`), with the "
        "mini-batch, the pulls and the box the geometry was computed for. One property, so that "
        "an update is one change."))
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

