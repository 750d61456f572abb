"""The controls: a slider for every entry of W and b with its gradient, the settings, the buttons.

Widgets write to the `LabState`; when the state moves on its own (an update step, randomize,
reset) the widgets follow it. A slider whose parameter leaves its range widens the range: the
state is never clipped by a widget.
"""

import math

import numpy as np
import panel as pn
import param
from bokeh.models import CustomJSTickFormatter
from panel.custom import JSComponent

from losslab.web import STYLESHEET, script_path
from losslab.transport.frame import Frame
from losslab.palette import CLASS_COLORS, CLASS_NAMES, GRADIENT_COLOR
from losslab.transport.wire import compact, held


class ParameterPanel(JSComponent):
    """Sliders for every entry of W and b with an exact number box and the entry's gradient."""

    groups = param.List(constant=True, doc="Per class: name, colour, score formula, row indices.")
    rows = param.List(constant=True, doc="Per row: its label (W[0,1]) and CSS key (W01).")
    frame = param.ClassSelector(class_=Frame, constant=True,
                                doc="The page's frame, whose `parameters` the rows show.")
    edit = param.Dict(default=None, allow_None=True, doc="The last edit in the browser.")
    gradient_color = param.Color(GRADIENT_COLOR, constant=True, doc="Colour of the gradients.")

    _esm = script_path("parameter_panel.js")
    _debounce = 0  # follow a dragged slider at once, not after Panel's 50 ms batching


class ParameterControls:
    """The W and b controls of one session, bound to its state."""

    def __init__(self, state, frame):
        self.state = state
        self.frame = frame
        C = state.num_classes
        # One row per parameter entry, class by class: W[k,0], W[k,1], b[k].
        self.entries = [entry for k in range(C) for entry in (("W", (k, 0)), ("W", (k, 1)), ("b", k))]
        rows = [dict(label=f"{name}[{index[0]},{index[1]}]" if name == "W" else f"{name}[{index}]",
                     key=name + "".join(str(i) for i in np.atleast_1d(index)))
                for name, index in self.entries]
        groups = [dict(name=CLASS_NAMES[k], color=CLASS_COLORS[k], rows=[3 * k, 3 * k + 1, 3 * k + 2],
                       formula=f"s{k} = W[{k},0]·x₀ + W[{k},1]·x₁ + b[{k}]") for k in range(C)]
        self.refresh()
        self.widget = ParameterPanel(groups=groups, rows=rows, frame=frame,
                                     stylesheets=[STYLESHEET], margin=(0, 6))
        self.panel = pn.Column(
            pn.pane.HTML("<b>Parameters</b> <span class='muted'>(gradient of the total loss in red)</span>",
                         margin=(0, 6), stylesheets=[STYLESHEET]),
            self.widget, margin=0,
        )
        self.widget.param.watch(self._on_edit, "edit")
        state.param.watch(self.refresh, "evaluation")

    def refresh(self, event=None):
        ev = self.state.evaluation
        grads = {"W": ev.dW, "b": ev.db}
        self.frame.parameters = dict(
            values=compact([getattr(self.state, name)[index] for name, index in self.entries]),
            gradients=compact([grads[name][index] for name, index in self.entries]),
        )

    def _on_edit(self, event):
        edit = event.new or {}
        index, value = edit.get("index"), edit.get("value")
        if isinstance(index, int) and 0 <= index < len(self.entries) and \
                isinstance(value, (int, float)) and not isinstance(value, bool):
            name, entry = self.entries[index]
            self.state.set_parameter(name, entry, float(value))


class SettingsControls:
    """Loss type, step size, regularization strength, and the buttons that act."""

    def __init__(self, state):
        self.state = state
        self.loss = pn.widgets.RadioButtonGroup.from_param(
            state.param.loss, label="Loss", color="primary", variant="outline",
            sizing_mode="stretch_width",
        )
        # The step-size slider runs over log10(α), across the bounds the state declares.
        lo, hi = (math.log10(v) for v in state.param.step_size.bounds)
        self.step_size = pn.widgets.FloatSlider(
            label="Step size α", start=lo, end=hi, step=0.05, value=math.log10(state.step_size),
            format=CustomJSTickFormatter(code="return Number((10 ** tick).toPrecision(2)).toString()"),
            sizing_mode="stretch_width", css_classes=["step-size"],
        )
        self.reg_strength = pn.widgets.EditableFloatSlider.from_param(
            state.param.reg_strength, label="Regularization λ", step=0.01, sizing_mode="stretch_width",
            css_classes=["reg-strength"],
        )
        self.step_button = pn.widgets.Button(label="Step", color="primary", width=80)
        self.run_button = pn.widgets.Button(label="Run", color="success", width=80)
        self.randomize_button = pn.widgets.Button(label="Randomize", width=100)
        self.reset_button = pn.widgets.Button(label="Reset", width=80)
        self.show_pulls = pn.widgets.Checkbox.from_param(
            state.param.show_pulls, label="Show each point's pull on the classifiers")

        self.step_size.param.watch(self._on_step_size, "value")
        state.param.watch(self._on_state_step_size, "step_size")
        state.param.watch(self._on_running, "running")
        self.step_button.on_click(lambda event: held(state.step))
        self.run_button.on_click(lambda event: held(lambda: setattr(state, "running", not state.running)))
        self.randomize_button.on_click(lambda event: held(state.randomize))
        self.reset_button.on_click(lambda event: held(state.reset))

        self.panel = pn.Column(
            pn.pane.HTML("<b>Loss</b> <span class='muted'>(the three SVMs, or softmax cross-entropy)</span>",
                         margin=(0, 6), stylesheets=[STYLESHEET]),
            self.loss,
            pn.Row(self.step_button, self.run_button, self.randomize_button, self.reset_button,
                   margin=(4, 0)),
            self.step_size,
            self.reg_strength,
            self.show_pulls,
            margin=0, sizing_mode="stretch_width",
        )

    def _on_step_size(self, event):
        lo, hi = self.state.param.step_size.bounds
        self.state.step_size = min(max(float(10 ** event.new), lo), hi)

    def _on_state_step_size(self, event):
        exponent = math.log10(event.new)
        if abs(exponent - self.step_size.value) > 1e-9:
            self.step_size.value = exponent

    def _on_running(self, event):
        running = event.new
        self.run_button.param.update(label="Stop" if running else "Run",
                                     color="warning" if running else "success")
        self.step_button.disabled = running
