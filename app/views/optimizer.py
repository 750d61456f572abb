"""The optimizer lab's controls: update rule and its hyper-parameters, mini-batches, schedule."""

import html

import panel as pn
import param

from losslab import labels
from losslab.transport.frame import Frame
from losslab.views.base import View, sized
from losslab.views.checkbox import checkbox
from losslab.views.live_table import LiveTable
from losslab.views.number_box import NumberBox, setting_box
from losslab.views.readouts import format_number
from losslab.web import STYLESHEET


class OptimizerControls(View):
    """Widgets bound to the state's optimizer settings; a hyper-parameter shows only when the
    chosen optimizer has it."""

    frame = param.ClassSelector(class_=Frame, constant=True,
                                doc="The page's frame, on which the step size now travels.")

    def __init__(self, **params):
        super().__init__(**params)
        state, frame = self.state, self.frame
        self.optimizer = sized(pn.widgets.Select.from_param(state.param.optimizer,
                                                            label="Optimizer"), 10)
        # Number boxes whose bounds are checked on the server, which says why a value is refused.
        self.hyperparameters = {name: setting_box(state, name, label, 6)
                                for name, label in labels.HYPERPARAMETERS.items()}
        self._following = False
        self.full_batch = checkbox("Full batch", value=state.batch_size is None)
        # A number box, named by its label (a slider's handle would have no accessible name).
        self.batch_size = NumberBox(state, "Mini-batch size", 8, integer=True,
                                    value=self._batch_value(), bounds=(1, max(2, len(state.X))))
        self.seed = setting_box(state, "seed", "Seed", 6)
        self.schedule = sized(pn.widgets.Select.from_param(state.param.schedule,
                                                           label="Step-size schedule"), 11.5)
        self.decay_rate = setting_box(state, "decay_rate", "Decay γ", 6.5, step=0.05)
        self.decay_every = setting_box(state, "decay_every", "every k steps", 7.5)
        self.now = LiveTable(labels=[("step-size-now", "Step size now")], frame=frame,
                             css_classes=["readout"],
                             stylesheets=[STYLESHEET], margin=(4, 6))
        self.notice = pn.pane.HTML("", css_classes=["notice"], stylesheets=[STYLESHEET],
                                   margin=(0, 6), sizing_mode="stretch_width")

        self.full_batch.param.watch(self._on_batch_widgets, "value")
        self.batch_size.param.watch(self._on_batch_widgets, "value")
        state.param.watch(self._show_hyperparameters, "optimizer")
        state.param.watch(self._show_schedule, "schedule")
        state.param.watch(self._follow_batch_size, ["batch_size", "X"])
        state.param.watch(self._refresh_now, ["steps", "step_size", "schedule", "decay_rate",
                                              "decay_every"])
        state.param.watch(self._on_notice, "notice")
        state.param.watch(lambda event: event.new or self._refresh_now(), "streamed")
        self._show_hyperparameters()
        self._show_schedule()
        self._follow_batch_size()
        self._refresh_now()

        self.panel = pn.Column(
            pn.Row(self.optimizer, *(box.widget for box in self.hyperparameters.values()),
                   margin=0),
            pn.Row(self.full_batch, self.batch_size.widget, self.seed.widget, margin=0),
            pn.Row(self.schedule, self.decay_rate.widget, self.decay_every.widget, margin=0),
            self.now, self.notice, margin=0, sizing_mode="stretch_width",
        )

    def _batch_value(self):
        n = max(1, len(self.state.X))
        return n if self.state.batch_size is None else min(self.state.batch_size, n)

    def _on_batch_widgets(self, event=None):
        if self._following:  # the widgets being set from the state
            return
        if self.full_batch.value:
            self.state.batch_size = None
        elif self.batch_size.value is not None:  # a cleared box changes nothing
            self.state.batch_size = int(self.batch_size.value)

    def _follow_batch_size(self, *events):
        n = len(self.state.X)
        self._following = True
        try:
            self.batch_size.param.update(bounds=(1, max(2, n)),
                                         value=max(1, min(self._batch_value(), max(2, n))))
            self.batch_size.widget.disabled = self.state.batch_size is None
            self.full_batch.value = self.state.batch_size is None
        finally:
            self._following = False

    def _show_hyperparameters(self, event=None):
        wanted = self.state.hyperparameter_names
        for name, box in self.hyperparameters.items():
            box.widget.visible = name in wanted

    def _show_schedule(self, event=None):
        decays = self.state.schedule != "constant"
        self.decay_rate.widget.visible = self.decay_every.widget.visible = decays

    def step_size_now(self):
        """The readout of the step size the next step takes, by the key of its cell."""
        return {"step-size-now": format_number(self.state.effective_step_size)}

    def _refresh_now(self, *events):
        if not self.state.streamed:  # else the page's stream shows it
            self.frame.show(self.step_size_now())

    def _on_notice(self, event):
        self.notice.object = f"<span class='muted'>{html.escape(event.new)}</span>" if event.new else ""
