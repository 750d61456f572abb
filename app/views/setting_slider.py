"""A setting of the lab as a slider and an exact number box, bounded by the state's declaration.

The bounds are the state's own (the one place every bound is written); a value typed outside
them is refused with a message that says why, and the box goes back to the value in force.
"""

import math

import param
from panel.custom import JSComponent

from losslab.transport.wire import held
from losslab.views.base import View
from losslab.views.number_box import refusal
from losslab.web import STYLESHEET, script_path


class SettingSliderWidget(JSComponent):
    """The browser side: a range slider (linear or over log10) and a number box."""

    label = param.String(constant=True, doc="What the setting is called, with its symbol.")
    key = param.String(constant=True, doc="The setting's name, for the CSS class.")
    value = param.Number(doc="The value in force.")
    start = param.Number(constant=True, doc="Smallest value.")
    end = param.Number(constant=True, doc="Largest value.")
    log = param.Boolean(False, constant=True, doc="Whether the slider runs over log10(value).")
    step = param.Number(0.01, constant=True, doc="The slider's step (of log10 for a log slider).")
    edit = param.Dict(default=None, allow_None=True, doc="The last edit in the browser.")
    message = param.String("", doc="Why the last value typed was refused, or nothing.")
    refused = param.Integer(0, doc="Counts the refusals, so the box goes back even to a value "
                                   "it already showed.")

    _esm = script_path("setting_slider.js")
    _debounce = 0  # follow a dragged slider at once


class SettingSlider(View):
    """One numeric setting of the state, `setting`, as a slider with an exact number box."""

    setting = param.String(constant=True, doc="The state's parameter this sets.")
    label = param.String(constant=True, doc="What the setting is called.")
    log = param.Boolean(False, constant=True, doc="Whether the slider runs over log10.")
    step = param.Number(0.01, constant=True, doc="The slider's step.")

    def __init__(self, **params):
        super().__init__(**params)
        declared = self.state.param[self.setting]
        low, high = declared.bounds
        self.widget = SettingSliderWidget(
            label=self.label, key=self.setting, value=getattr(self.state, self.setting), start=low,
            end=high, log=self.log, step=self.step, stylesheets=[STYLESHEET],
            sizing_mode="stretch_width", margin=(2, 6))
        self.widget.param.watch(self._on_edit, "edit")
        self.state.param.watch(self._follow, self.setting)
        self.panel = self.widget

    def _follow(self, event):
        self.widget.param.update(value=event.new, message="")

    def _on_edit(self, event):
        value = (event.new or {}).get("value")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return
        held(lambda: self.set(float(value)))

    def set(self, value):
        """Set the setting to `value`, or say why not (the value in force stays)."""
        declared = self.state.param[self.setting]
        low, high = declared.bounds
        if not math.isfinite(value) or not low <= value <= high:
            now = getattr(self.state, self.setting)
            self.widget.param.update(message=refusal(self.label, value, low, high, now),
                                     refused=self.widget.refused + 1)
            return
        if value == getattr(self.state, self.setting):
            self.widget.message = ""
            return
        setattr(self.state, self.setting, value)


def setting_slider(state, setting, label, log=False, step=0.01):
    """A SettingSlider of the state's parameter `setting`."""
    return SettingSlider(state=state, setting=setting, label=label, log=log, step=step)

