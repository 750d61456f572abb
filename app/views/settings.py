"""The settings beside the plot: the loss, the buttons that act, step size α and λ.

Widgets write to the state; when the state moves on its own, the widgets follow it.
"""

import panel as pn
import param

from losslab import labels
from losslab.session.training import Training
from losslab.transport.wire import held
from losslab.views.base import View, sized
from losslab.views.checkbox import setting_checkbox
from losslab.views.setting_slider import setting_slider
from losslab.web import STYLESHEET

RUN_SPEEDS = {0: "As fast as it draws", 30: "30 steps/s", 10: "10 steps/s", 3: "3 steps/s",
              1: "1 step/s"}
"""The Run speeds offered: steps per second (0: as fast as the page can draw them, which the
state holds as None)."""


TWO_BY_TWO = """
.bk-btn-group { container-type: inline-size; }
@container (max-width: 30em) { .bk-btn-group > .bk-btn { flex: 1 1 40% !important; } }
"""
"""The four losses in one row, or two rows of two where one row would not hold them."""


class SettingsControls(View):
    """Loss type, step size, regularization strength, and the buttons that act."""

    training = param.ClassSelector(class_=Training, constant=True, doc="What Step steps.")

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self.loss = pn.widgets.RadioButtonGroup.from_param(
            state.param.loss, label="Loss", color="primary", variant="outline",
            sizing_mode="stretch_width", stylesheets=[TWO_BY_TWO],
        )
        self.step_size = setting_slider(state, "step_size", "Step size α", log=True, step=0.05)
        self.reg_strength = setting_slider(state, "reg_strength", "Regularization λ", step=0.01)
        self.run_speed = sized(pn.widgets.Select(
            label="Run speed", options=labels.choices(RUN_SPEEDS), value=state.run_speed or 0), 12)
        self.step_button = pn.widgets.Button(label="Step", color="primary")
        self.run_button = pn.widgets.Button(label="Run", color="success")
        self.randomize_button = pn.widgets.Button(label="Randomize")
        self.reset_button = pn.widgets.Button(label="Reset")
        self.show_pulls = setting_checkbox(state, "show_pulls",
                                           "Show each point's pull on the classifiers")

        self.run_speed.param.watch(lambda event: setattr(state, "run_speed", event.new or None),
                                   "value")
        state.param.watch(lambda event: setattr(self.run_speed, "value", event.new or 0),
                          "run_speed")
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
            self.run_speed,
            self.step_size,
            self.reg_strength,
            self.show_pulls,
            margin=0, sizing_mode="stretch_width",
        )

    def _on_running(self, event):
        running = event.new
        self.run_button.param.update(label="Stop" if running else "Run",
                                     color="warning" if running else "success")
        self.step_button.disabled = running
