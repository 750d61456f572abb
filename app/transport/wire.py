"""How computed numbers travel to the browser.

An update at the default size is a few dozen numbers. Bokeh sends every NumPy array as a binary
buffer with a descriptor of its own, about 150 bytes for a handful of values, and every Python
float with all 17 digits. Short columns therefore go as plain lists of numbers kept to
`SIGNIFICANT_DIGITS`, more than any readout or hover shows and far finer than a pixel; long ones
stay binary, where eight bytes a value is the smaller form.

An update is sent as one message (`held`): the browser never shows half of it.
"""

import numpy as np
from bokeh.core.property.validation import validate
from panel.io import hold

SIGNIFICANT_DIGITS = 8
SHORT = 64
"""Columns up to this length go as lists."""


def compact(values):
    """`values` (a 1-D array or sequence of floats) in the smaller form for the wire."""
    values = np.asarray(values, dtype=float)
    if len(values) > SHORT:
        return values
    return [float(f"{v:.{SIGNIFICANT_DIGITS}g}") for v in values.tolist()]


def held(action):
    """Run an action with the page's updates held back and sent as one message, so the browser
    never shows half of it (new parameters with the old step count, say).

    Bokeh's check of every value set on a model is off meanwhile: the views set values of the
    types their models declare, and the checks (every number of every column) are about a
    twentieth of a Run step's cost."""
    with hold(), validate(False):
        action()
