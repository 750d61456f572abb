"""The parameters: a slider and an exact number box for every entry of W and b, with its gradient.

The rows write to the state; when the state moves on its own (an update step, randomize, reset)
the rows follow it, through the page's frame. A slider whose parameter leaves its range widens
the range: the state is never clipped by a widget.
"""

import panel as pn
import param
from panel.custom import JSComponent

from losslab import labels
from losslab.palette import CLASS_COLORS, CLASS_TEXT_COLORS, GRADIENT_TEXT_COLOR
from losslab.session.state import LIMIT
from losslab.transport.frame import Frame
from losslab.transport.wire import compact
from losslab.views.base import View
from losslab.web import STYLESHEET, script_path


class ParameterPanel(JSComponent):
    """Sliders for every entry of W and b with an exact number box and the entry's gradient."""

    groups = param.List(constant=True, doc=(
        "Per class: name, colour (of its box), text colour, score formula, row indices."))
    rows = param.List(constant=True, doc="Per row: its label (W[0,1]) and CSS key (W01).")
    frame = param.ClassSelector(class_=Frame, constant=True,
                                doc="The page's frame, whose `parameters` the rows show.")
    edit = param.Dict(default=None, allow_None=True, doc="The last edit in the browser.")
    gradient_color = param.Color(GRADIENT_TEXT_COLOR, constant=True, doc="Colour of the gradients.")
    limit = param.Number(LIMIT, constant=True, doc="Largest magnitude an entry may take (the "
                                                   "state's); a slider's range grows up to it.")

    _esm = script_path("parameter_panel.js")
    _debounce = 0  # follow a dragged slider at once, not after Panel's 50 ms batching


class ParameterControls(View):
    """The W and b controls of one lab, bound to its state."""

    frame = param.ClassSelector(class_=Frame, constant=True,
                                doc="The page's frame, on which the rows' numbers travel.")

    def __init__(self, **params):
        super().__init__(**params)
        state, C = self.state, self.state.num_classes
        # One row per parameter, class by class, under core's names: W{k}0, W{k}1, b{k}.
        keys = [key for k in range(C) for key in (f"W{k}0", f"W{k}1", f"b{k}")]
        self.entries = [("W", (int(key[1]), int(key[2]))) if key.startswith("W") else ("b", int(key[1:]))
                        for key in keys]
        rows = [dict(label=labels.PARAMETERS[key], key=key) for key in keys]
        groups = [dict(name=labels.CLASSES[k], color=CLASS_COLORS[k], text_color=CLASS_TEXT_COLORS[k],
                       rows=[3 * k, 3 * k + 1, 3 * k + 2],
                       formula=f"s{k} = W[{k},0]·x₀ + W[{k},1]·x₁ + b[{k}]") for k in range(C)]
        self.refresh()
        self.widget = ParameterPanel(groups=groups, rows=rows, frame=self.frame,
                                     stylesheets=[STYLESHEET], margin=(0, 6))
        self.panel = pn.Column(
            pn.pane.HTML("<b>Parameters</b> <span class='muted'>(gradient of the total loss in red)</span>",
                         margin=(0, 6), stylesheets=[STYLESHEET]),
            self.widget, margin=0,
        )
        self.widget.param.watch(self._on_edit, "edit")
        state.param.watch(self.refresh, "evaluation")
        state.param.watch(self._on_streamed, "streamed")

    def shown(self):
        """The frame's `parameters` for the lab as it is now."""
        ev = self.state.evaluation
        grads = {"W": ev.dW, "b": ev.db}
        return dict(
            values=compact([getattr(self.state, name)[index] for name, index in self.entries]),
            gradients=compact([grads[name][index] for name, index in self.entries]),
        )

    def refresh(self, event=None):
        if not self.state.streamed:  # else the page's stream shows the numbers
            self.frame.parameters = self.shown()

    def _on_streamed(self, event):
        if not event.new:  # the panel shows the numbers again: as they are now
            self.frame.resend(parameters=self.shown())

    def _on_edit(self, event):
        """An entry set in the browser: its number (None where what was typed is not one), and
        `text`, what was typed, if it was typed."""
        edit = event.new or {}
        index, value, text = edit.get("index"), edit.get("value"), edit.get("text")
        if not (isinstance(index, int) and 0 <= index < len(self.entries)):
            return
        name, entry = self.entries[index]
        typed = text[:40] if isinstance(text, str) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.state.set_parameter(name, entry, float(value), typed=typed)
        elif typed is not None:
            self.state.set_parameter(name, entry, float("nan"), typed=typed)
