// A table of labelled values whose cells show the texts of the page's frame (losslab.views.live_table).
export function render({ model, view }) {
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
  const frame = model.frame
  const update = () => {
    for (const [key, cell] of Object.entries(cells)) {
      const text = frame.texts[key]
      if (text !== undefined && cell.textContent !== text) cell.textContent = text
    }
  }
  update()
  view.connect(frame.properties.texts.change, update)
  return table
}

