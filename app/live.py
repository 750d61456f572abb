"""Readouts that change on every update, drawn without re-laying-out the page.

A Bokeh text widget re-lays-out the whole page (figure and table included) whenever its text
changes, which costs far more than the update itself. This component owns a fixed DOM and only
swaps the text of its cells.
"""

import param
from panel.custom import JSComponent


class LiveTable(JSComponent):
    """A two-column table of labelled values; each value cell has its key as its CSS class."""

    labels = param.List(default=[], constant=True, doc="(key, label) of each row, top to bottom.")
    values = param.Dict(default={}, doc="The text of each row's value, by key.")

    _esm = """
    export function render({ model }) {
      const table = document.createElement("table")
      const cells = {}
      for (const [key, label] of model.labels) {
        const row = table.insertRow()
        const head = document.createElement("th")
        head.textContent = label
        row.appendChild(head)
        cells[key] = row.insertCell()
        cells[key].className = key
      }
      const update = () => {
        for (const [key, text] of Object.entries(model.values)) {
          if (key in cells) cells[key].textContent = text
        }
      }
      update()
      model.on("values", update)
      return table
    }
    """
