"""Editing the data: presets, adding and deleting points, clearing, with plain-words notes."""

import html

import panel as pn

from losslab import core, labels
from losslab.session.state import MAX_POINTS
from losslab.transport.throttle import Throttle
from losslab.transport.wire import held
from losslab.views.base import View, sized
from losslab.web import STYLESHEET

CLICK_MODES = {"Select & drag": None,
               **{f"Add {labels.CLASSES[k]}": k for k in range(core.NUM_CLASSES)}}
"""What a click on the plot does: select (and drag), or add a point of a class."""


class DataControls(View):
    """The Data tab: what a click on the plot does, presets, delete and clear."""

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self.preset = sized(pn.widgets.Select(label="Data set",
                                              options=labels.choices(labels.PRESETS),
                                              value="default"), 17)
        self.load = pn.widgets.Button(label="Load")
        self.click_mode = pn.widgets.RadioButtonGroup(label="A click on the plot",
                                                      options=list(CLICK_MODES),
                                                      value=self._mode_label(),
                                                      sizing_mode="stretch_width")
        self.delete = pn.widgets.Button(label="Delete selected point")
        self.clear = pn.widgets.Button(label="Clear all points")
        self.notes = pn.pane.HTML("", stylesheets=[STYLESHEET], margin=(4, 6),
                                  sizing_mode="stretch_width")

        self.load.on_click(lambda event: held(lambda: state.load_preset(self.preset.value)))
        self.click_mode.param.watch(
            lambda event: setattr(state, "add_class", CLICK_MODES[event.new]), "value")
        state.param.watch(lambda event: setattr(self.click_mode, "value", self._mode_label()),
                          "add_class")
        self.delete.on_click(lambda event: held(lambda: state.delete_point(state.selected)))
        self.clear.on_click(lambda event: held(state.clear_points))
        self.refresh = Throttle(state, self._update, shown=False)
        state.param.watch(self.refresh, ["X", "y", "selected"])
        self._update()

        self.panel = pn.Column(
            pn.pane.HTML("<b>A click on the plot</b> <span class='muted'>(or press A)</span>",
                         stylesheets=[STYLESHEET], margin=(4, 6, 0, 6)),
            self.click_mode,
            pn.Row(self.delete, self.clear, margin=0),
            pn.Row(self.preset, self.load, margin=0, align="end"),
            self.notes, margin=0,
        )

    def _mode_label(self):
        return next(label for label, value in CLICK_MODES.items() if value == self.state.add_class)

    def show(self, shown):
        self.refresh.show(shown)

    def _update(self):
        state = self.state
        n = len(state.X)
        self.delete.disabled = state.selected is None
        counts = ", ".join(f"class {k}: {int((state.y == k).sum())}" for k in range(state.num_classes))
        lines = [f"{n} of at most {MAX_POINTS} points ({counts})."] + state.data_notes()
        self.notes.object = "<br>".join(html.escape(line) for line in lines)
