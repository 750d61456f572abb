"""Keyboard shortcuts for the lecture hall: step, run, randomize, reset, next loss, and more."""

import panel as pn
import param
from panel.custom import JSComponent

from losslab.web import STYLESHEET
from losslab.session.state import LOSS_LABELS
from losslab.transport.wire import held

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
    """Reports the shortcut keys pressed anywhere on the page (not while typing in a field)."""

    keys = param.List(default=list(SHORTCUTS), constant=True, doc="The keys to report.")
    pressed = param.Dict(default=None, allow_None=True, doc="The last key: {key, seq}.")

    _debounce = 0  # act on a key at once

    _esm = """
    export function render({ model }) {
      let seq = 0
      const typing = (el) => el && (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable)
      const onKey = (event) => {
        if (event.ctrlKey || event.metaKey || event.altKey || typing(event.composedPath()[0])) return
        const key = event.key === "Backspace" ? "Delete" : event.key.length === 1 ? event.key.toLowerCase() : event.key
        if (!model.keys.includes(key)) return
        event.preventDefault()
        model.pressed = {key: key, seq: ++seq}
      }
      document.addEventListener("keydown", onKey)
      model.on("remove", () => document.removeEventListener("keydown", onKey))
      return document.createElement("span")
    }
    """


class Shortcuts:
    """The key presses of one page, acted on through its state."""

    def __init__(self, state):
        self.state = state
        self.keys = KeyPresses(width=0, height=0, margin=0)
        self.keys.param.watch(self._on_key, "pressed")
        rows = "".join(f"<tr><th><kbd>{'Del' if k == 'Delete' else k.upper()}</kbd></th><td>{what}</td></tr>"
                       for k, what in SHORTCUTS.items())
        self.help_table = pn.pane.HTML(f"<table class='shortcuts'>{rows}</table>",
                                       stylesheets=[STYLESHEET], visible=False)
        self.toggle = pn.widgets.Toggle(label="⌨ Shortcuts", width=110, value=False)
        self.toggle.param.watch(lambda event: setattr(self.help_table, "visible", event.new), "value")

    def _on_key(self, event):
        held(lambda: self._act((event.new or {}).get("key")))

    def _act(self, key):
        state = self.state
        if key == "s" and not state.running:
            state.step()
        elif key == "r":
            state.running = not state.running
        elif key == "n":
            state.randomize()
        elif key == "0":
            state.reset()
        elif key == "l":
            losses = list(LOSS_LABELS.values())
            state.loss = losses[(losses.index(state.loss) + 1) % len(losses)]
        elif key == "a":
            modes = [None, 0, 1, 2]
            state.add_class = modes[(modes.index(state.add_class) + 1) % len(modes)]
        elif key == "Delete":
            state.delete_point(state.selected)
        elif key == "p":
            state.presentation = not state.presentation


PRESENTATION_SCALE = 1.3
"""How much larger presentation mode sets the type of the readouts and parameters."""


class PageScale(JSComponent):
    """Sets the page-wide type scale (a CSS variable every LossLab stylesheet reads)."""

    scale = param.Number(1.0, bounds=(0.5, 3.0), doc="The type scale.")

    _esm = """
    export function render({ model }) {
      const apply = () => document.documentElement.style.setProperty("--losslab-scale", String(model.scale))
      apply()
      model.on("scale", apply)
      return document.createElement("span")
    }
    """


def presentation_scale(state):
    """A PageScale that follows the state's presentation mode."""
    scale = PageScale(width=0, height=0, margin=0,
                      scale=PRESENTATION_SCALE if state.presentation else 1.0)
    state.param.watch(lambda event: setattr(scale, "scale", PRESENTATION_SCALE if event.new else 1.0),
                      "presentation")
    return scale
