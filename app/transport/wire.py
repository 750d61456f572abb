"""How computed numbers travel to the browser.

An update at the default size is a few dozen numbers. Bokeh sends every NumPy array as a binary
buffer with a descriptor of its own, about 150 bytes for a handful of values, and every Python
float with all 17 digits. Short columns therefore go as plain lists of numbers kept to
`SIGNIFICANT_DIGITS`, more than any readout or hover shows and far finer than a pixel; long ones
stay binary, where eight bytes a value is the smaller form.

An update is sent as one message (`held`): the browser never shows half of it. The numbers an
update sets travel one way, to the browser (`OneWay`): what the browser sends is its own reports.
"""

import numpy as np
import panel as pn
from bokeh.core.property.validation import validate
from panel.io import hold

from losslab.transport import notebook

SIGNIFICANT_DIGITS = 8
SHORT = 64
"""Columns up to this length go as lists."""


def compact(values):
    """`values` (a 1-D array or sequence of floats) in the smaller form for the wire."""
    values = np.asarray(values, dtype=float)
    if len(values) > SHORT:
        return values
    return [float(f"{v:.{SIGNIFICANT_DIGITS}g}") for v in values.tolist()]


def current_document():
    """The document of the page being acted on: Panel's current one (a widget's callback, a
    session), or, in a plain Bokeh model's callback in a notebook, the one Bokeh runs it for."""
    doc = pn.state.curdoc
    if doc is None:
        from bokeh.io import curdoc

        doc = curdoc()
    return doc


def held(action):
    """Run an action with the page's updates held back and sent as one message, so the browser
    never shows half of it (new parameters with the old step count, say): served, by Panel's
    hold; in a notebook, over the output's own comm (losslab.transport.notebook).

    Bokeh's check of every value set on a model is off meanwhile: the views set values of the
    types their models declare, and the checks (every number of every column) are about a
    twentieth of a Run step's cost."""
    doc = current_document()
    comm = notebook.comm_of(doc)
    if comm is not None:
        notebook.send_held(doc, comm, action)
        return
    with hold(), validate(False):
        action()


class OneWay:
    """A Bokeh model whose properties travel to the browser only, except the reports the
    browser makes (`REPORTS`, the names of the properties it sets).

    Whatever else arrives from the browser is an echo of what it was sent: a notebook's comm
    sends back the changes it applies (losslab.transport.notebook.EchoGuard stops most), and an
    echo arrives after the server has moved on, so applying it would overwrite newer numbers
    with older ones (a Step showed its new losses beside the old step count)."""

    REPORTS = frozenset()

    def set_from_json(self, name, value, *, setter=None):
        # `setter` is the session or comm a change came in from; None for Python's own sets.
        if setter is not None and name not in self.REPORTS:
            return
        super().set_from_json(name, value, setter=setter)

    def resend(self, **values):
        """Set these properties and send them even where they are unchanged here: the browser's
        copy was set by the page's stream (losslab.transport.picture_stream), which this side
        never saw."""
        for name, value in values.items():
            # Bokeh's own comparison, which takes arrays (a long column is one).
            if self.lookup(name).property.matches(value, getattr(self, name)):
                self.trigger(name, value, value)
            else:
                setattr(self, name, value)
