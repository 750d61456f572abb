"""The settings beside the plot: the loss, the buttons that act, step size α and λ.

Widgets write to the state; when the state moves on its own, the widgets follow it.
"""

import math

import panel as pn
import param
from bokeh.models import CustomJSTickFormatter

from losslab.session.training import Training
from losslab.transport.wire import held
from losslab.views.base import View
from losslab.web import STYLESHEET, script


class SettingsControls(View):
    """Loss type, step size, regularization strength, and the buttons that act."""

    training = param.ClassSelector(class_=Training, constant=True, doc="What Step steps.")

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self.loss = pn.widgets.RadioButtonGroup.from_param(
            state.param.loss, label="Loss", color="primary", variant="outline",
            sizing_mode="stretch_width",
        )
        # The step-size slider runs over log10(α), across the bounds the state declares.
        lo, hi = (math.log10(v) for v in state.param.step_size.bounds)
        self.step_size = pn.widgets.FloatSlider(
            label="Step size α", start=lo, end=hi, step=0.05, value=math.log10(state.step_size),
            format=CustomJSTickFormatter(code=script("log_tick.js")),
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
        self.step_button.on_click(lambda event: held(self.training.step))
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
