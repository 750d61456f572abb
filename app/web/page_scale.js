// Sets the page-wide type scale: a CSS variable every LossLab stylesheet reads.
export function render({ model }) {
  const apply = () => document.documentElement.style.setProperty("--losslab-scale", String(model.scale))
  apply()
  model.on("scale", apply)
  return document.createElement("span")
}
