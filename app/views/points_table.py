"""The table of points: one row per point (index, x₀, x₁, class, the three scores, its loss).

LossLab's own HTML table (app/web/points_table.js) on the rows' ColumnDataSource
(losslab.views.point_rows), whose selection is the lab's selected point: it is set in the page's
type (so it grows for a projector with the rest), shows its rows up to a number and scrolls
beyond, draws only the rows in view, and never takes the keyboard's focus by itself.
"""

import param
from bokeh.models import ColumnDataSource
from panel.custom import JSComponent

from losslab.web import STYLESHEET, script_path

SHOWN_ROWS = 12
"""Rows shown before the table scrolls (more on a tall window: one per 72 pixels of its height)."""


class PointsTable(JSComponent):
    """The points' rows, in the page's type; a click or the arrow keys select a point."""

    source = param.ClassSelector(class_=ColumnDataSource, constant=True,
                                 doc="The rows: index, x0, x1, y, s0, s1, s2, loss.")
    rows = param.Integer(SHOWN_ROWS, bounds=(1, None), constant=True,
                         doc="Rows shown at least before the table scrolls.")

    _esm = script_path("points_table.js")


def points_table(source):
    """The table of the rows on `source`."""
    return PointsTable(source=source, sizing_mode="stretch_width", margin=(4, 0),
                       stylesheets=[STYLESHEET], name="points-table")
