// One setting of the lab as a slider (linear, or over log10 of the value) with an exact number
// box beside it (losslab.views.setting_slider). A typed value goes to the server, which sets it
// or refuses it with a message; either way the box then shows the value in force.
// Enter takes the typed value and Escape drops it; both give the keys back to the page.

function show(value, log) {
  if (value === 0) return "0"
  const magnitude = Math.abs(value)
  if (magnitude >= 1e-4 && magnitude < 1e6) return String(Number(value.toPrecision(log ? 3 : 4)))
  return value.toExponential(2)
}

export function render({ model, el }) {
  const root = document.createElement("div")
  root.className = `setting-slider setting-${model.key}`
  const label = document.createElement("label")
  label.textContent = model.label
  const id = `setting-${model.key}-${Math.random().toString(36).slice(2)}`
  label.htmlFor = id
  const slider = document.createElement("input")
  const toSlider = (v) => (model.log ? Math.log10(v) : v)
  const fromSlider = (s) => (model.log ? 10 ** s : s)
  Object.assign(slider, {type: "range", id, min: toSlider(model.start), max: toSlider(model.end),
                         step: model.step})
  slider.setAttribute("aria-label", model.label)
  const number = document.createElement("input")
  Object.assign(number, {type: "text", className: "value", inputMode: "decimal",
                         autocomplete: "off", spellcheck: false})
  number.setAttribute("aria-label", `${model.label} value`)
  const note = document.createElement("div")
  note.className = "setting-message"
  note.setAttribute("role", "status")
  note.setAttribute("aria-live", "polite")
  root.append(label, slider, number, note)

  let edits = 0
  const send = (value) => { model.edit = {value: value, seq: ++edits} }
  const showValue = () => {
    slider.value = toSlider(model.value)
    slider.setAttribute("aria-valuetext", show(model.value, model.log))
    if (root.getRootNode().activeElement !== number) number.value = show(model.value, model.log)
  }
  slider.addEventListener("input", () => {
    const value = Number(fromSlider(Number(slider.value)).toPrecision(model.log ? 3 : 6))
    number.value = show(value, model.log)
    send(value)
  })
  const commit = () => {
    const text = number.value.trim().replace("\u2212", "-")
    const value = Number(text)
    if (text === "" || !Number.isFinite(value)) {
      note.textContent = `${model.label}: “${number.value}” is not a number; it stays ${show(model.value, model.log)}.`
      number.value = show(model.value, model.log)
      return
    }
    send(value)
  }
  number.addEventListener("change", commit)
  number.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { commit(); number.blur() }
    else if (event.key === "Escape") { number.value = show(model.value, model.log); number.blur() }
  })
  model.on("value", () => { note.textContent = model.message; showValue() })
  model.on("refused", () => {
    note.textContent = model.message
    number.value = show(model.value, model.log)
  })
  model.on("message", () => { note.textContent = model.message })
  showValue()
  note.textContent = model.message
  return root
}
