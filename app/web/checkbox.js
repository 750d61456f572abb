// A checkbox whose text is its <label> (losslab.views.checkbox): the whole line toggles it.
export function render({ model }) {
  const label = document.createElement("label")
  label.className = "lab-checkbox"
  const box = document.createElement("input")
  box.type = "checkbox"
  const text = document.createElement("span")
  text.textContent = model.label
  label.append(box, text)
  const show = () => {
    box.checked = model.value
    box.disabled = model.disabled
    label.classList.toggle("disabled", model.disabled)
  }
  box.addEventListener("change", () => { model.value = box.checked })
  model.on("value", show)
  model.on("disabled", show)
  show()
  return label
}
