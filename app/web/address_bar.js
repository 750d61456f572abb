// Writes the page address's query without adding to the browser's history.
export function render({ model }) {
  const write = () => {
    if (model.query) window.history.replaceState(window.history.state, "", "?" + model.query)
  }
  write()
  model.on("query", write)
  return document.createElement("span")
}
