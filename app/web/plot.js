// The main plot of LossLab (losslab.views.plot), drawn on LossLab's own canvases: the numbers come
// from the page's Scene (losslab.transport.scene), every shape computed by core on the server.
// This last part of the module (after plot_view.js, plot_draw.js and plot_input.js) builds the
// component: toolbar, the two canvases, the tooltip, the legend and the text alternative; it keeps
// the drawing in step with the Scene and reports drags, clicks, keys and the view back to it.
//
// The plot fills the box it is given and draws the largest square that fits (with a minimum
// size); it draws only while on screen, at most once per animation frame, and the axes only when
// the view or the size changes. It writes only the Scene's report properties.

function pointSet(points, count) {
  const label = Array.from(points.label ?? [])
  const n = count ?? label.length
  const byClass = []
  for (let i = 0; i < n; i++) (byClass[label[i]] ??= []).push(i)
  return {count: n, x0: Float64Array.from(points.x0 ?? []), x1: Float64Array.from(points.x1 ?? []),
          label, byClass}
}

// An update as the Scene carries it (losslab.transport.scene.pack): its short numbers in one JSON
// text, its long columns binary under their paths.
function unpackUpdate(packed) {
  if (packed == null || packed.text == null) return null
  const update = JSON.parse(packed.text)
  for (const [path, array] of Object.entries(packed)) {
    if (path === "text") continue
    const keys = path.split("."), last = keys.pop()
    let place = update
    for (const key of keys) place = place[key]
    place[last] = array
  }
  return update
}

function numberText(v) {
  if (v == null || !Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  return (a === 0 || (a >= 1e-3 && a < 1e5) ? v.toFixed(3) : v.toExponential(2)).replace("-", "\u2212")
}

function element(tag, className, text) {
  const el = document.createElement(tag)
  if (className) el.className = className
  if (text != null) el.textContent = text
  return el
}

const LEGEND_MARKS = {
  solid: '<line x1="2" y1="8" x2="20" y2="8" stroke="#333" stroke-width="2.5"/><path d="M20 8 l-6 -4 v8 z" fill="#333"/>',
  dashed: '<line x1="2" y1="8" x2="19" y2="8" stroke="#333" stroke-width="2" stroke-dasharray="5 3"/><path d="M14 4 l6 4 l-6 4" fill="none" stroke="#333" stroke-width="2"/>',
  dotted: '<line x1="3" y1="8" x2="19" y2="8" stroke="#333" stroke-width="2.5" stroke-linecap="round" stroke-dasharray="0.1 4.5"/><path d="M14 4 l6 4 l-6 4" fill="none" stroke="#333" stroke-width="2"/>',
  ring: '<circle cx="11" cy="8" r="3.5" fill="#777"/><circle cx="11" cy="8" r="7" fill="none" stroke="#777" stroke-width="1.5"/>',
  batch: '<circle cx="11" cy="8" r="3" fill="#777"/><circle cx="11" cy="8" r="7" fill="none" stroke="#111" stroke-width="1.5" stroke-dasharray="3 2"/>',
  selected: '<circle cx="11" cy="8" r="4" fill="#777"/><circle cx="11" cy="8" r="6.5" fill="none" stroke="#111" stroke-width="2.5"/>',
  pull: '<line x1="3" y1="12" x2="17" y2="4" stroke="#333" stroke-width="1.4"/><path d="M12 4 l5 0 l-2 4" fill="none" stroke="#333" stroke-width="1.4"/>',
}

function legendItem(mark, text) {
  const item = element("span", "plot-legend-item")
  item.innerHTML = `<svg width="22" height="16" viewBox="0 0 22 16" aria-hidden="true">${mark}</svg>`
  item.append(element("span", null, text))
  return item
}

export function render({model, el, view}) {
  const scene = model.scene, style = model.style
  const root = element("div", "losslab-plot")
  const toolbar = element("div", "plot-toolbar")
  toolbar.setAttribute("role", "toolbar")
  toolbar.setAttribute("aria-label", "Plot tools")
  const tool = (text, title) => {
    const b = element("button", "plot-tool", text)
    b.type = "button"
    b.title = title
    toolbar.append(b)
    return b
  }
  const panButton = tool("Pan/zoom", "Pan with one finger or the mouse, zoom with the wheel (two fingers always pan and zoom)")
  panButton.setAttribute("aria-pressed", "false")
  const resetButton = tool("Reset view", "Back to the view the lab opened with")
  const saveButton = tool("Save PNG", "Download the plot as a PNG image")
  const stage = element("div", "plot-stage")
  stage.tabIndex = 0
  stage.setAttribute("role", "img")
  const help = element("span", "plot-help", "Drag a point to move it. With the plot focused, the arrow keys move the selected point (or pan), [ and ] select the previous or next point, Escape clears the selection, + and \u2212 zoom.")
  help.id = `plot-help-${Math.random().toString(36).slice(2)}`
  stage.setAttribute("aria-describedby", help.id)
  const axesCanvas = element("canvas", "plot-axes"), sceneCanvas = element("canvas", "plot-scene")
  const tip = element("div", "plot-tooltip")
  tip.setAttribute("aria-hidden", "true")
  stage.append(axesCanvas, sceneCanvas, tip)
  const legend = element("div", "plot-legend")
  style.classes.forEach((color, k) => {
    legend.append(legendItem(`<circle cx="11" cy="8" r="5.5" fill="${color}" stroke="#222" stroke-width="1"/>`, style.names[k]))
  })
  const marks = {
    score: legendItem(LEGEND_MARKS.solid, "score grows"),
    gradient: legendItem(LEGEND_MARKS.dashed, "\u2212\u2202L/\u2202w: the next step"),
    carried: legendItem(LEGEND_MARKS.dotted, "carried by the optimizer"),
    pulls: legendItem(LEGEND_MARKS.pull, "each point's pull"),
    ring: legendItem(LEGEND_MARKS.ring, "ring: the point's loss"),
    batch: legendItem(LEGEND_MARKS.batch, "in the mini-batch"),
    selected: legendItem(LEGEND_MARKS.selected, "selected"),
  }
  legend.append(...Object.values(marks))
  legend.append(element("span", "plot-legend-note", "Arrows take their class's colour."))
  root.append(toolbar, stage, help, legend)
  // The component's own element follows the box the page gives it (its size may change after
  // the first render: presentation mode, a resized window).
  el.style.width = el.style.height = "100%"

  // -- what is drawn --------------------------------------------------------------------------
  let pts = pointSet(scene.points)
  let upd = unpackUpdate(scene.update)
  let box = clampSpan(squareBox(scene.box))
  const home = box
  let size = 0, dpr = 1, sz = null, frameBox = null, text
  let panMode = false, dragging = false, onScreen = true, hovered = -1
  let dirtyAxes = true, dirtyScene = true, requested = false, draws = 0
  const axes = axesCanvas.getContext("2d"), ctx = sceneCanvas.getContext("2d")

  const dense = () => pts.count > style.labelled_points
  const currentView = () => makeView(box, frameBox)
  const restyle = () => {
    text = parseFloat(getComputedStyle(root).fontSize) || undefined  // the page's small text
    sz = plotSizes(scene.presentation, dense(), style.presentation_scale, text)
    frameBox = plotFrame(size, sz)
  }
  restyle()
  const paint = () => {
    requested = false
    if (!onScreen || size === 0) return
    const v = currentView()
    if (dirtyAxes) {
      axes.setTransform(dpr, 0, 0, dpr, 0, 0)
      drawAxes(axes, v, sz, style)
      dirtyAxes = false
    }
    if (dirtyScene) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
      drawScene(ctx, v, pts, upd, scene.selected, sz, style, !dense())
      dirtyScene = false
      draws += 1
      showTip()
    }
  }
  const redraw = (all) => {
    dirtyScene = true
    if (all) dirtyAxes = true
    if (!requested) { requested = true; requestAnimationFrame(paint) }
  }
  const resize = () => {
    const rect = stage.getBoundingClientRect()
    const fit = Math.max(style.min_size, Math.floor(Math.min(rect.width, rect.height)))
    const ratio = window.devicePixelRatio || 1
    if (fit === size && ratio === dpr && parseFloat(getComputedStyle(root).fontSize) === text) return
    size = fit
    dpr = ratio
    for (const c of [axesCanvas, sceneCanvas]) {
      c.width = Math.round(size * dpr)
      c.height = Math.round(size * dpr)
      c.style.width = c.style.height = `${size}px`
      c.style.left = `${Math.max((rect.width - size) / 2, 0)}px`
    }
    restyle()
    redraw(true)
  }

  // -- the tooltip: off while dragging and in presentation mode, never over its point ---------
  const showTip = () => {
    if (hovered < 0 || hovered >= pts.count || dragging || scene.presentation) {
      tip.style.display = "none"
      return
    }
    const i = hovered, k = pts.label[i], rows = []
    rows.push(`point ${i} \u00b7 ${style.names[k]}`)
    rows.push(`x = (${numberText(pts.x0[i])}, ${numberText(pts.x1[i])})`)
    if (upd && upd.loss && upd.loss.length === pts.count) {
      const s = upd.scores, C = style.classes.length
      rows.push(`scores ${Array.from({length: C}, (_, j) => numberText(s[C * i + j])).join(", ")}`)
      rows.push(`loss ${numberText(upd.loss[i])}`)
      const p = upd.probabilities
      if (p) rows.push(`probabilities ${Array.from({length: C}, (_, j) => numberText(p[C * i + j])).join(", ")}`)
    }
    const text = rows.join("\n")
    if (tip.textContent !== text) tip.textContent = text
    tip.style.display = "block"
    const v = currentView()
    const px = v.sx(pts.x0[i]), py = v.sy(pts.x1[i])
    const r = upd && upd.loss && upd.loss.length === pts.count ? ringRadius(upd.loss[i], sz) : sz.dot
    const w = tip.offsetWidth, h = tip.offsetHeight, gap = r + 8
    const offsetLeft = sceneCanvas.offsetLeft, offsetTop = sceneCanvas.offsetTop
    let left = px + gap, top = py - gap - h
    if (left + w > size) left = px - gap - w
    if (top < 0) top = py + gap
    tip.style.left = `${offsetLeft + Math.max(left, 0)}px`
    tip.style.top = `${offsetTop + top}px`
  }

  // -- reports to the server (only these properties are ever set here) ------------------------
  let seq = 0, lastMove = 0, moveTimer = null, viewTimer = null, lastView = -Infinity, sentView = null
  const reported = new Map()   // point index → [x, y] last reported
  const sendMove = (i, x, y) => {
    clearTimeout(moveTimer)
    moveTimer = null
    lastMove = performance.now()
    reported.set(i, [x, y])
    scene.moved = {index: i, x0: x, x1: y, seq: ++seq}
  }
  const sendView = () => {
    clearTimeout(viewTimer)
    viewTimer = null
    lastView = performance.now()
    sentView = [...box]
    scene.view = sentView
  }
  // The data table's copy plugin (SlickGrid's) takes the keyboard focus into a hidden element of
  // its own whenever its selected row changes or its rows are redrawn, which a point selected or
  // moved here does; when the person's last key or press was on the plot, the plot takes it back,
  // so the arrow keys go on moving the point.
  let inputOnPlot = false, asked = undefined
  const noteInput = (event) => { inputOnPlot = event.composedPath().includes(root) }
  for (const type of ["pointerdown", "keydown"]) window.addEventListener(type, noteInput, true)
  const deepFocus = () => {
    let active = document.activeElement
    while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement
    return active
  }
  stage.addEventListener("blur", () => setTimeout(() => {
    const taken = deepFocus()
    if (inputOnPlot && taken && taken.hasAttribute("hidefocus")) stage.focus({preventScroll: true})
  }, 0))
  const ctl = {
    view: currentView,
    count: () => pts.count,
    // The selection asked for last (keys pressed quickly go on from it, not from the server's).
    selected: () => (asked !== undefined ? asked : scene.selected),
    panMode: () => panMode,
    pointAt: (i) => [pts.x0[i], pts.x1[i]],
    hit(px, py, type) {
      const v = currentView(), reach = (type === "touch" ? style.touch_radius : style.grab_radius) * sz.s
      let best = -1, bestD = reach * reach
      for (let i = 0; i < pts.count; i++) {
        const dx = v.sx(pts.x0[i]) - px, dy = v.sy(pts.x1[i]) - py, d = dx * dx + dy * dy
        if (d <= bestD) { best = i; bestD = d }
      }
      return best
    },
    movePoint(i, x, y) {
      if (!reported.has(i)) reported.set(i, [pts.x0[i], pts.x1[i]])
      pts.x0[i] = x
      pts.x1[i] = y
      redraw(false)
    },
    reportMove(i, x, y, final) {
      const wait = style.sync_ms - (performance.now() - lastMove)
      if (final || wait <= 0) sendMove(i, x, y)
      else if (moveTimer == null) moveTimer = setTimeout(() => sendMove(i, pts.x0[i], pts.x1[i]), wait)
    },
    cancelMove(i) {
      clearTimeout(moveTimer)
      moveTimer = null
      const [x, y] = reported.get(i) ?? [pts.x0[i], pts.x1[i]]
      pts.x0[i] = x
      pts.x1[i] = y
      redraw(false)
    },
    click: (i, x, y) => { asked = undefined; scene.clicked = {index: i, x0: x, x1: y, seq: ++seq} },
    choose: (i) => { asked = i; scene.chosen = {index: i, seq: ++seq} },
    setView(next, final) {
      box = clampSpan(squareBox(next))
      redraw(true)
      const wait = 100 - (performance.now() - lastView)
      if (final || wait <= 0) sendView()
      else if (viewTimer == null) viewTimer = setTimeout(sendView, wait)
    },
    hover(i) {
      if (i !== hovered) { hovered = i; showTip() }
      sceneCanvas.style.cursor = scene.add_class != null ? "crosshair" : i >= 0 ? "grab" : panMode ? "move" : "default"
    },
    setDragging(on) {
      dragging = on
      sceneCanvas.style.cursor = on ? "grabbing" : "default"
      if (on) hovered = -1
      showTip()
    },
  }
  attachInput(sceneCanvas, stage, ctl)

  panButton.addEventListener("click", () => {
    panMode = !panMode
    panButton.setAttribute("aria-pressed", String(panMode))
    root.classList.toggle("pan-mode", panMode)
  })
  resetButton.addEventListener("click", () => ctl.setView(home, true))
  saveButton.addEventListener("click", () => {
    paint()
    const out = element("canvas")
    out.width = axesCanvas.width
    out.height = axesCanvas.height
    const c = out.getContext("2d")
    c.drawImage(axesCanvas, 0, 0)
    c.drawImage(sceneCanvas, 0, 0)
    out.toBlob((blob) => {
      const link = element("a")
      link.href = URL.createObjectURL(blob)
      link.download = "losslab.png"
      document.body.append(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
    }, "image/png")
  })

  // -- in step with the Scene -----------------------------------------------------------------
  const showMarks = () => {
    marks.carried.hidden = !(upd && upd.carried)
    marks.pulls.hidden = !(upd && upd.pulls)
    marks.batch.hidden = !(upd && upd.batch)
  }
  const describe = () => stage.setAttribute("aria-label", scene.description || "LossLab plot")
  view.connect(scene.properties.points.change, () => {
    const wasDense = dense()
    pts = pointSet(scene.points)
    reported.clear()
    if (dense() !== wasDense) restyle()
    redraw(false)
  })
  view.connect(scene.properties.update.change, () => { upd = unpackUpdate(scene.update); showMarks(); redraw(false) })
  view.connect(scene.properties.box.change, () => {
    // The view being changed here wins over the server's echo of an earlier report.
    const next = clampSpan(squareBox(scene.box))
    const echo = performance.now() - lastView < 1000 && !next.every((v, j) => v === sentView[j])
    if (viewTimer != null || echo) return
    if (next.some((v, j) => v !== box[j])) { box = next; redraw(true) }
  })
  view.connect(scene.properties.selected.change, () => {
    if (scene.selected === asked) asked = undefined
    redraw(false)
  })
  view.connect(scene.properties.presentation.change, () => { restyle(); redraw(true) })
  view.connect(scene.properties.description.change, describe)
  view.connect(scene.properties.add_class.change, () => root.classList.toggle("add-mode", scene.add_class != null))
  showMarks()
  describe()

  const resizer = new ResizeObserver(resize)
  resizer.observe(stage)
  resizer.observe(legend)  // its size follows the page's text, which the plot's text follows too
  const watcher = new IntersectionObserver((entries) => {
    onScreen = entries[entries.length - 1].isIntersecting
    if (onScreen && (dirtyScene || dirtyAxes)) redraw(dirtyAxes)
  })
  watcher.observe(stage)
  model.on("remove", () => {
    resizer.disconnect()
    watcher.disconnect()
    for (const type of ["pointerdown", "keydown"]) window.removeEventListener(type, noteInput, true)
  })

  // A read-only view of the drawing, for tests and benchmarks: where things are on the screen.
  const onScreenAt = (x, y) => {
    const rect = sceneCanvas.getBoundingClientRect(), v = currentView()
    return [rect.left + v.sx(x), rect.top + v.sy(y)]
  }
  root.losslab = Object.freeze({
    pointOnScreen: (i) => onScreenAt(pts.x0[i], pts.x1[i]),
    dataOnScreen: onScreenAt,
    screenToData(cx, cy) {
      const rect = sceneCanvas.getBoundingClientRect(), v = currentView()
      return [v.x(cx - rect.left), v.y(cy - rect.top)]
    },
    point: (i) => [pts.x0[i], pts.x1[i]],
    loss: (i) => (upd && upd.loss ? upd.loss[i] : null),
    count: () => pts.count,
    view: () => [...box],
    labBox: () => [...scene.box],
    updateBox: () => (upd ? [...upd.box] : null),
    selected: () => scene.selected,
    presentation: () => scene.presentation,
    // How many of each mark the last drawing has.
    marks: () => {
      const present = (items) => (items ? items.filter((item) => item != null && item.length).length : 0)
      return {points: pts.count, regions: upd ? present(upd.regions) : 0, lines: upd ? present(upd.lines) : 0,
              score: upd ? present(upd.score) : 0, gradient: upd ? present(upd.gradient) : 0,
              carried: upd ? present(upd.carried) : 0, batch: upd && upd.batch ? upd.batch.length : 0,
              pulls: upd && upd.pulls ? upd.pulls.classes.length : 0}
    },
    sizes: () => ({...sz, size, dpr}),
    draws: () => draws,
    panMode: () => panMode,
    tooltip() {
      if (tip.style.display !== "block") return null
      const r = tip.getBoundingClientRect()
      return {text: tip.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom}
    },
  })
  return root
}
