"""Keyboard shortcuts for the lecture hall: step, run, randomize, reset, next loss, and more."""

import panel as pn
import param
from panel.custom import JSComponent

from losslab import core
from losslab.session.training import Training
from losslab.transport.wire import held
from losslab.views.base import View
from losslab.views.data import CLICK_MODES
from losslab.web import STYLESHEET, script_path

SHORTCUTS = {
    "s": "one step",
    "r": "run / stop",
    "n": "new random W and b",
    "0": "reset to the default data and parameters",
    "l": "next loss type",
    "a": "what a click does: select, add class 0, 1, 2",
    "Delete": "delete the selected point",
    "p": "presentation mode on / off",
}


class KeyPresses(JSComponent):
    """Reports the shortcut keys pressed on the lab (not while typing in a field).

    Enter or Escape in a box ends the typing there and gives the keys back to the lab."""

    keys = param.List(default=list(SHORTCUTS), constant=True, doc="The keys to report.")
    scope = param.Selector(default="lab", objects=["lab", "page"], doc=(
        "Which keys count: only those pressed while the lab has the focus (`lab`, for a lab "
        "inside another page, a notebook's), or also those pressed with nothing focused "
        "(`page`, for a page that is the lab)."))
    pressed = param.Dict(default=None, allow_None=True, doc="The last key: {key, seq}.")

    _debounce = 0  # act on a key at once

    _esm = script_path("key_presses.js")


class Shortcuts(View):
    """The key presses of one page, acted on through its state."""

    training = param.ClassSelector(class_=Training, constant=True, doc="What S steps.")

    def __init__(self, **params):
        super().__init__(**params)
        self.keys = KeyPresses(width=0, height=0, margin=0)
        self.keys.param.watch(self._on_key, "pressed")
        rows = "".join(f"<tr><th><kbd>{'Del' if k == 'Delete' else k.upper()}</kbd></th><td>{what}</td></tr>"
                       for k, what in SHORTCUTS.items())
        # A panel over the page's corner, not a row that pushes the page down.
        self.help = pn.pane.HTML(
            f"<table class='shortcuts'><caption>Keyboard shortcuts</caption>{rows}</table>",
            stylesheets=[STYLESHEET], visible=False, css_classes=["shortcut-help"], margin=0)
        self.toggle = pn.widgets.Toggle(label="⌨ Shortcuts", value=False)
        self.toggle.param.watch(lambda event: setattr(self.help, "visible", event.new), "value")
        self.panel = pn.Column(self.help, self.keys, margin=0)

    def _on_key(self, event):
        held(lambda: self._act((event.new or {}).get("key")))

    def _act(self, key):
        state = self.state
        if key == "s" and not state.running:
            self.training.step()
        elif key == "r":
            state.running = not state.running
        elif key == "n":
            state.randomize()
        elif key == "0":
            state.reset()
        elif key == "l":
            losses = list(core.LOSSES)
            state.loss = losses[(losses.index(state.loss) + 1) % len(losses)]
        elif key == "a":
            modes = list(CLICK_MODES.values())
            state.add_class = modes[(modes.index(state.add_class) + 1) % len(modes)]
        elif key == "Delete":
            state.delete_point(state.selected)
        elif key == "p":
            state.presentation = not state.presentation
