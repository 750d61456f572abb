// Sets the lab's type scale, a CSS variable every LossLab stylesheet reads, on the lab's own
// outermost element: it reaches every part of this lab (custom properties are inherited into
// shadow roots) and nothing else on the page (a notebook's other outputs, another lab).
export function render({ model, view }) {
  const apply = () => view.root.el.style.setProperty("--losslab-scale", String(model.scale))
  apply()
  model.on("scale", apply)
  return document.createElement("span")
}
