// What the page-layout tests measure in the page (tests/browser/test_layout.py), in one call:
// the page's scroll width, where the main view's parts are, the plot's drawn square, and the
// font size of every visible text (shadow roots included; a form control's value counts as text).
() => {
  const elements = []
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      elements.push(el)
      if (el.shadowRoot) walk(el.shadowRoot)
    }
  }
  walk(document)
  const visible = (el) => {
    const r = el.getBoundingClientRect()
    if (r.width === 0 || r.height === 0) return false
    const cs = getComputedStyle(el)
    return cs.visibility !== "hidden" && cs.display !== "none" && Number(cs.opacity) !== 0
  }
  const where = (el) => {
    const host = el.getRootNode().host
    return (host ? `${host.tagName.toLowerCase()}.${String(host.className).split(" ").join(".")} ` : "") +
      `${el.tagName.toLowerCase()}.${String(el.className).split(" ").join(".")}`
  }
  const texts = []
  for (const el of elements) {
    if (["SCRIPT", "STYLE", "LINK"].includes(el.tagName)) continue
    const control = (el.tagName === "INPUT" && !["hidden", "checkbox", "radio", "range", "color"].includes(el.type)) ||
      el.tagName === "SELECT" || el.tagName === "TEXTAREA"
    let text = control ? String(el.value ?? "") : ""
    if (!control) {
      for (const node of el.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue
        const range = document.createRange()
        range.selectNodeContents(node)
        const rect = range.getBoundingClientRect()
        if (rect.width > 0 && rect.height > 0) { text = node.textContent.trim(); break }
      }
    }
    if (!text || !visible(el)) continue
    texts.push({px: parseFloat(getComputedStyle(el).fontSize), text: text.slice(0, 40), where: where(el)})
  }
  texts.sort((a, b) => a.px - b.px)
  const rect = (el) => {
    if (el == null) return null
    const r = el.getBoundingClientRect()
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height}
  }
  const button = (name) => elements.find((el) => el.tagName === "BUTTON" && el.textContent.trim() === name)
  const byClass = (name) => elements.find((el) => el.classList?.contains(name))
  const canvas = byClass("plot-scene")
  const cell = (name) => elements.find((el) => el.tagName === "TD" && el.classList.contains(name))
  return {
    innerWidth, innerHeight,
    scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    plot: rect(canvas),
    main: {
      plot: rect(canvas), parameters: rect(byClass("parameter-panel")),
      "Weston–Watkins": rect(button("Weston–Watkins")), Softmax: rect(button("Softmax")),
      Step: rect(button("Step")), Run: rect(button("Run")),
      "Data loss": rect(cell("data-loss")), Steps: rect(cell("steps")),
    },
    // The page's grid cells, each as tall as its content: none may overlap another.
    cells: Object.fromEntries(["lab-header", "lab-plot-cell", "lab-settings", "lab-readouts", "lab-wb",
                               "lab-tabs", "lab-history"].map((name) => [name, rect(byClass(name))])),
    texts,
  }
}
