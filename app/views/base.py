"""What every view of the page is: a Panel `Viewer` of one lab's state.

A view takes the state (and, where it needs them, the lab's training and the page's frame) as
declared parameters, builds its widgets and figures once, keeps them in step with the state, and
lays them out in `__panel__`, as Panel's own component guide has it.
"""

import panel as pn
import param

from losslab.session.state import LabState


class View(pn.viewable.Viewer):
    """One view of a lab. Subclasses build `self.panel` in their constructor."""

    state = param.ClassSelector(class_=LabState, constant=True, doc="The lab this view draws.")

    def __panel__(self):
        return self.panel


def sized(widget, em):
    """`widget`, `em` wide in the page's type (so it grows with it), never wider than its place.
    Panel's `width` is in pixels, which would stay small on a projector."""
    widget.param.update(width=None, stylesheets=[
        *widget.stylesheets, f":host {{ width: {em}em !important; max-width: 100%; }}"])
    return widget


WRAPPING = dict(margin=0, styles={"flex-wrap": "wrap"})
"""A row's settings for widgets that go on to a new line where their place is too narrow (a
phone, a projector's larger type) instead of running past it."""
