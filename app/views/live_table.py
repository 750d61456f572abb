"""Readouts that change on every update, drawn without re-laying-out the page.

A Bokeh text widget re-lays-out the whole page (figure and table included) whenever its text
changes, which costs far more than the update itself. This component owns a fixed DOM and only
swaps the text of its cells, which it reads from the page's `Frame`.
"""

import param
from panel.custom import JSComponent

from losslab.transport.frame import Frame
from losslab.web import script_path


class LiveTable(JSComponent):
    """A two-column table of labelled values; each value cell has its key as its CSS class and
    shows the frame's text of that key."""

    labels = param.List(default=[], constant=True, doc="(key, label) of each row, top to bottom.")
    frame = param.ClassSelector(class_=Frame, constant=True,
                                doc="The page's frame, whose `texts` the cells show.")

    _esm = script_path("live_table.js")
