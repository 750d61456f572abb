"""A number box for a bounded number: whatever number is typed reaches the server, which keeps it
within its bounds or says why not.

Bokeh's number boxes hold bounds of their own and quietly clamp a value typed past them (100 in a
box that ends at 9 becomes 9), so a person never learns why. These boxes have no bounds in the
browser: the bounds are checked here (for a setting of the lab, the state's declaration, the one
place each bound is written), a refusal is said in the lab's message with the value that stays in
force, and the box shows that value again.
"""

import panel as pn
import param

from losslab.session.state import LabState
from losslab.views.base import sized


def refusal(label, value, low, high, now):
    """What a person reads when `value`, typed for `label`, lies outside [low, high] (either end
    None: unbounded there) and `now` stays in force."""
    if high is None:
        rule = f"at least {_number(low)}"
    elif low is None:
        rule = f"at most {_number(high)}"
    else:
        rule = f"between {_number(low)} and {_number(high)}"
    return f"{label} must be {rule}, not {_number(value)}; it stays {_number(now)}."


def _number(value):
    """A whole number in full (a seed's 2,147,483,647), any other as short as it reads."""
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


class NumberBox(param.Parameterized):
    """A number box whose `value` (the value in force) stays within `bounds`."""

    value = param.Number(doc="The value in force.")
    bounds = param.Tuple((None, None), length=2, doc="Smallest and largest value (None: open).")

    def __init__(self, state, label, em, integer=False, **params):
        """`state`: the lab whose message says a refusal; `label`: what the box is called; `em`:
        its width in the page's type; `integer`: whole numbers only. Other `params`: the value,
        the bounds, and the widget's own (`step`)."""
        widget_params = {key: params.pop(key) for key in list(params) if key not in self.param}
        super().__init__(**params)
        self.state, self.label = state, label
        kind = pn.widgets.IntInput if integer else pn.widgets.FloatInput
        self.widget = sized(kind(label=label, value=self.value, **widget_params), em)
        self.widget.param.watch(self._typed, "value")
        self.param.watch(lambda event: setattr(self.widget, "value", event.new), "value")

    def _typed(self, event):
        value, (low, high) = event.new, self.bounds
        if value is None or value == self.value:  # a cleared box changes nothing
            self.widget.value = self.value
            return
        if (low is not None and value < low) or (high is not None and value > high):
            self.state.message = refusal(self.label, value, low, high, self.value)
            self.widget.value = self.value
            return
        self.state.message = ""  # a value applied: an earlier refusal no longer holds
        self.value = value


def setting_box(state: LabState, name, label, em, **widget_params):
    """A NumberBox for the state's numeric parameter `name`, in both directions: a value typed
    sets it, and a change of the state shows in the box."""
    declared = state.param[name]
    box = NumberBox(state, label, em, integer=isinstance(declared, param.Integer),
                    value=getattr(state, name), bounds=declared.bounds, **widget_params)
    box.param.watch(lambda event: setattr(state, name, event.new), "value")
    state.param.watch(lambda event: setattr(box, "value", event.new), name)
    return box
