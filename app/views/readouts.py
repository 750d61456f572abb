"""What the numbers are now: the loss readout (the table of points is losslab.views.points_table)."""

import html

import numpy as np
import panel as pn
import param

from losslab.transport.frame import Frame
from losslab.views.base import View
from losslab.views.live_table import LiveTable
from losslab.web import STYLESHEET

READOUT_KEYS = {
    "Data loss": "data-loss",
    "Regularization loss": "reg-loss",
    "Total loss": "total-loss",
    "Accuracy": "accuracy",
    "Steps": "steps",
}
"""Each readout's label and the CSS class of its value cell."""


def format_number(value):
    """A readout number: four decimals, or scientific notation when that would be unreadable.
    Never "inf" or "nan": within the lab's limits every loss is finite, and a value that is not
    says so in words."""
    if not np.isfinite(value):
        return "not a finite number"
    if value == 0 or 1e-4 <= abs(value) < 1e6:
        return f"{value:.4f}"
    return f"{value:.4e}"


class LossReadout(View):
    """Data, regularization and total loss, accuracy and step count, in one small table."""

    frame = param.ClassSelector(class_=Frame, constant=True,
                                doc="The page's frame, on which the readouts' texts travel.")

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self.table = LiveTable(labels=[(key, label) for label, key in READOUT_KEYS.items()],
                               frame=self.frame,
                               css_classes=["readout"], margin=(4, 6), stylesheets=[STYLESHEET])
        self.message = pn.pane.Alert("", alert_type="warning", visible=False, margin=(4, 6))
        self.notes = pn.pane.HTML("", stylesheets=[STYLESHEET], margin=(0, 6), visible=False,
                                  sizing_mode="stretch_width")
        self.panel = pn.Column(self.table, self.notes, self.message, margin=0)
        self.refresh()
        self._show_steps()
        self._on_message()
        # Apart: a step changes both, and the losses need not be written twice.
        state.param.watch(self.refresh, "evaluation")
        state.param.watch(self._show_steps, "steps")
        state.param.watch(self._on_message, "message")
        state.param.watch(self._on_streamed, "streamed")

    def _on_streamed(self, event):
        if not event.new:  # the page shows the readouts again: as they are now
            self.frame.resend(texts={**self.frame.texts, **self.losses(), **self.steps()})

    def losses(self):
        """The loss readouts' texts for the lab as it is now, by the key of their cell."""
        ev = self.state.evaluation
        n = len(ev.point_losses)
        correct = int(np.sum(ev.predictions == self.state.y)) if n else 0
        return {
            "data-loss": format_number(ev.data_loss),
            "reg-loss": format_number(ev.reg_loss),
            "total-loss": format_number(ev.total_loss),
            # With no points there is nothing to be right about: no 0.0% to mislead.
            "accuracy": f"{100 * ev.accuracy:.1f}% ({correct}/{n})" if n else "— (no points)",
        }

    def steps(self):
        return {"steps": f"{self.state.steps}"}

    def refresh(self, *events):
        self._refresh_notes()
        if not self.state.streamed:  # else the page's stream shows the numbers
            self.frame.show(self.losses())

    def _show_steps(self, *events):
        if not self.state.streamed:
            self.frame.show(self.steps())

    def _refresh_notes(self):
        notes = self.state.notes()
        text = "<br>".join(f"<span class='muted'>{html.escape(n)}</span>" for n in notes)
        if text != self.notes.object:  # an unchanged note costs the page nothing
            self.notes.param.update(object=text, visible=bool(notes))

    def _on_message(self, event=None):
        text = self.state.message
        self.message.param.update(object=html.escape(text), visible=bool(text))
