// The W and b sliders of LossLab: one row per parameter with a range slider, an exact number box
// and the parameter's gradient. The numbers come from the page's frame (app/frame.py), so an
// update step changes one property and redraws nothing but the numbers.

const RANGE = 5
// While a person moves a slider, the values the server echoes back are already out of date:
// leave the row they slid alone for this long after their last move.
const HANDS_OFF_MS = 500
// A number as a person types one: decimal, with an optional exponent (not "0x10" or "Infinity",
// which JavaScript's Number would also read).
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

function show(value) {
  return Math.abs(value) < 1e4 ? value.toFixed(3) : value.toExponential(3)
}

export function render({ model, view }) {
  const frame = model.frame
  const root = document.createElement("div")
  root.className = "parameter-panel"
  const rows = []
  let edits = 0  // numbers each edit, so that setting the same value twice is two changes

  model.groups.forEach((group) => {
    const box = document.createElement("div")
    box.className = "class-box"
    box.style.borderLeftColor = group.color
    const title = document.createElement("div")
    title.className = "class-title"
    title.innerHTML = `<b style="color:${group.text_color}">■ ${group.name}</b> <span class="muted">${group.formula}</span>`
    box.appendChild(title)
    for (const i of group.rows) {
      const spec = model.rows[i]
      const row = document.createElement("div")
      row.className = `parameter parameter-${spec.key}`
      const label = document.createElement("label")
      label.textContent = spec.label
      label.htmlFor = `${model.id ?? "p"}-${spec.key}`
      const slider = document.createElement("input")
      Object.assign(slider, {type: "range", min: -RANGE, max: RANGE, step: 0.01, id: label.htmlFor})
      slider.setAttribute("aria-label", spec.label)
      const number = document.createElement("input")
      // A text box, not type=number: a browser empties a number box holding text it cannot
      // read (1e400, 1,5), and the lab could not say what was refused.
      Object.assign(number, {type: "text", inputMode: "decimal", className: "value",
                             autocomplete: "off", spellcheck: false})
      number.setAttribute("aria-label", `${spec.label} value`)
      const gradient = document.createElement("span")
      gradient.className = `gradient gradient-${spec.key}`
      gradient.style.color = model.gradient_color
      row.append(label, slider, number, gradient)
      box.appendChild(row)

      const entry = {slider, number, gradient, touched: -Infinity}
      const send = (value, text) => {
        model.edit = {index: i, value: value, ...(text === undefined ? {} : {text}), seq: ++edits}
      }
      slider.addEventListener("input", () => {
        entry.touched = performance.now()
        number.value = show(Number(slider.value))
        send(Number(slider.value))
      })
      number.addEventListener("change", () => {
        const text = number.value.trim().replace("\u2212", "-")
        if (text === "") { number.value = show(frame.parameters.values[i]); return }
        const value = DECIMAL.test(text) ? Number(text) : NaN
        // The server applies a number within the lab's limit, or says why not, naming what was
        // typed; either way the box and the slider then show the value in force (the server's
        // answer, or at once for a refused one: the state does not change).
        send(Number.isFinite(value) ? value : null, text.slice(0, 40))
        const applied = Number.isFinite(value) && Math.abs(value) <= model.limit
        number.value = show(applied ? value : frame.parameters.values[i])
      })
      rows.push(entry)
    }
    root.appendChild(box)
  })

  const update = () => {
    const now = performance.now()
    const {values, gradients} = frame.parameters
    rows.forEach(({slider, number, gradient, touched}, i) => {
      const grad = gradients[i]
      gradient.textContent = `∂L ${grad >= 0 ? "+" : ""}${Math.abs(grad) < 1e4 ? grad.toFixed(4) : grad.toExponential(3)}`
      if (now - touched < HANDS_OFF_MS) return
      const value = values[i]
      // The range grows with a parameter that leaves it; the value itself is never clipped.
      const reach = Math.min(Math.max(RANGE, Math.abs(value) * 1.25), model.limit)
      if (Math.abs(value) > Number(slider.max)) { slider.min = -reach; slider.max = reach }
      slider.value = value
      slider.title = String(value)
      if (root.getRootNode().activeElement !== number) {  // never overwrite what is being typed
        number.value = show(value)
      }
    })
  }
  update()
  view.connect(frame.properties.parameters.change, update)
  return root
}
