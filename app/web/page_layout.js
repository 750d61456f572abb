// What the page's grid (page.css) cannot know by itself: how tall the plot's toolbar and legend
// are (they wrap, and follow the type scale). Set as style on the page's root, never sent to the
// server:
// - `--plot-chrome`: their height now; the plot's box is its square plus this;
// - `--plot-reserve`: what the square leaves them when it takes the window's height. In normal
//   mode that is the larger of now and what they need in presentation mode (a copy of them laid
//   out in the presentation type, at the same width, out of sight), so that switching to
//   presentation mode never makes the plot smaller: it keeps its size, and only the type grows.

function pageRoot(el) {
  for (let node = el; node != null; node = node.parentNode ?? node.host) {
    if (node.classList?.contains("lab-page")) return node
  }
  return null
}

function find(root, selector) {
  const hit = root.querySelector(selector)
  if (hit != null) return hit
  for (const el of root.querySelectorAll("*")) {
    if (el.shadowRoot == null) continue
    const inner = find(el.shadowRoot, selector)
    if (inner != null) return inner
  }
  return null
}

export function render({ model, el }) {
  // Where the plot's toolbar and legend are laid out again in presentation type, out of sight,
  // with the plot's own stylesheets.
  const holder = document.createElement("span")
  const shadow = holder.attachShadow({mode: "open"})
  let page = null, plot = null, stage = null, observer = null, tries = 0

  const presentationChrome = () => {
    const parts = [".plot-toolbar", ".plot-legend"].map((name) => plot.querySelector(name))
    if (parts.includes(null)) return 0
    const copy = document.createElement("div")
    copy.className = plot.className
    copy.style.cssText = `position: absolute; visibility: hidden; left: 0; top: 0; height: auto;
      width: ${plot.getBoundingClientRect().width}px; --lab-small: var(--lab-small-presentation)`
    copy.append(...parts.map((part) => part.cloneNode(true)))
    const styles = [...plot.getRootNode().querySelectorAll("style")].map((style) => style.cloneNode(true))
    shadow.replaceChildren(...styles, copy)
    const height = copy.getBoundingClientRect().height
    shadow.replaceChildren()
    return height
  }
  const set = (name, px) => {
    const now = parseFloat(page.style.getPropertyValue(name))
    if (!(Math.abs(px - now) < 1)) page.style.setProperty(name, `${Math.ceil(px)}px`)
  }
  const measure = () => {
    const chrome = plot.getBoundingClientRect().height - stage.getBoundingClientRect().height
    if (!(chrome > 0)) return
    set("--plot-chrome", chrome)
    const presenting = page.classList.contains("presentation")
    set("--plot-reserve", presenting ? chrome : Math.max(chrome, presentationChrome()))
  }
  const attach = () => {
    page ??= pageRoot(el)
    plot = page && find(page.shadowRoot ?? page, ".losslab-plot")
    stage = plot && plot.querySelector(".plot-stage")
    if (stage == null) {
      if (++tries < 200) setTimeout(attach, 50)   // the plot renders after this component
      return
    }
    observer = new ResizeObserver(measure)
    observer.observe(plot)
    for (const part of plot.children) if (part !== stage) observer.observe(part)
    measure()
  }
  setTimeout(attach, 0)
  model.on("remove", () => observer?.disconnect())
  return holder
}
