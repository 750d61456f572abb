"""A checkbox with its text in a real <label>: a click or a tap on the text toggles it, and the
box is named by its text (Bokeh's checkbox puts the text beside the box, which toggles only on
its 13-pixel square and has no accessible name)."""

import param
from panel.custom import JSComponent

from losslab.web import STYLESHEET, script_path


class Checkbox(JSComponent):
    """A labelled checkbox; `value` is whether it is ticked."""

    label = param.String(constant=True, doc="Its text, which names it.")
    value = param.Boolean(False, doc="Whether it is ticked.")
    disabled = param.Boolean(False, doc="Whether it can be changed.")

    _esm = script_path("checkbox.js")


def checkbox(label, value=False, **params):
    """A Checkbox in the page's style."""
    return Checkbox(label=label, value=value, stylesheets=[STYLESHEET], margin=(4, 6), **params)


def setting_checkbox(state, name, label):
    """A Checkbox bound both ways to the state's Boolean parameter `name`."""
    box = checkbox(label, value=getattr(state, name))
    box.param.watch(lambda event: setattr(state, name, event.new), "value")
    state.param.watch(lambda event: setattr(box, "value", event.new), name)
    return box
