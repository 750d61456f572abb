// The main plot's input (third part of its module, app/web/plot.js): mouse, touch, wheel and keys,
// turned into what the plot does (`ctl`, made in plot.js).
//
// - Press on a point and move: the point follows, its centre under the pointer, kept inside the
//   view; a press and release without moving is a click (select, or add a point in add mode).
// - Mouse on the background: drag to pan; a click clears the selection (or adds a point).
// - Touch: one finger on a point drags it; on the background it pans when Pan/zoom is on, and
//   otherwise scrolls the page as usual; two fingers pan and zoom (pinch) at any time.
// - Wheel: zooms about the pointer when Pan/zoom is on, or with Ctrl (a touchpad's pinch).
// - Keys, with the plot focused: arrows move the selected point (or pan without one), [ and ]
//   select the previous and next point, Escape clears the selection, + and − zoom. Those keys
//   stop here; every other key goes on to the page's shortcuts.
// A cancelled gesture (the browser took the touch over) leaves a dragged point where it was last
// reported to the server.

const MOVE_THRESHOLD_PX = {mouse: 3, pen: 4, touch: 8}

function attachInput(canvas, stage, ctl) {
  const pointers = new Map()   // pointerId → [x, y] in the canvas's CSS pixels
  let gesture = null
  const at = (event) => {
    const rect = canvas.getBoundingClientRect()
    return [event.clientX - rect.left, event.clientY - rect.top]
  }
  const moved = (a, b, type) => Math.hypot(a[0] - b[0], a[1] - b[1]) > (MOVE_THRESHOLD_PX[type] ?? 4)
  const pinchOf = (ids) => {
    const [a, b] = ids.map((id) => pointers.get(id))
    return {mid: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], dist: Math.max(Math.hypot(a[0] - b[0], a[1] - b[1]), 1)}
  }
  // Whether a touch starting at `pos` is the plot's (the page must not scroll for it).
  const claims = (pos, type) => type !== "touch" || pointers.size >= 2 || ctl.panMode() ||
    ctl.hit(pos[0], pos[1], type) >= 0

  const dragTo = (g, pos) => {
    const view = ctl.view()
    const [x, y] = keepInside(view.box, view.x(pos[0]), view.y(pos[1]), 0.004)
    g.at = [x, y]
    ctl.movePoint(g.index, x, y)
    ctl.reportMove(g.index, x, y, false)
  }

  const down = (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) return
    const pos = at(event)
    pointers.set(event.pointerId, pos)
    if (event.pointerType !== "touch") stage.focus({preventScroll: true})  // for the keys
    if (pointers.size === 2 && (gesture == null || gesture.kind !== "drag")) {
      const ids = [...pointers.keys()]
      const {mid, dist} = pinchOf(ids)
      const view = ctl.view()
      gesture = {kind: "pinch", ids, dist, mid: [view.x(mid[0]), view.y(mid[1])], span: boxSpan(view.box)}
      for (const id of ids) canvas.setPointerCapture?.(id)
      ctl.hover(-1)
      return
    }
    if (pointers.size > 1) return
    const index = ctl.hit(pos[0], pos[1], event.pointerType)
    const claimed = claims(pos, event.pointerType)
    gesture = {kind: index >= 0 ? "press" : "background", id: event.pointerId, type: event.pointerType,
               start: pos, index, claimed, box: ctl.view().box, panned: false}
    if (claimed) canvas.setPointerCapture?.(event.pointerId)
  }

  const move = (event) => {
    const pos = at(event)
    if (!pointers.has(event.pointerId)) {
      if (event.pointerType === "mouse" && gesture == null) {
        ctl.hover(ctl.hit(pos[0], pos[1], "mouse"), pos)
      }
      return
    }
    pointers.set(event.pointerId, pos)
    const g = gesture
    if (g == null) return
    if (g.kind === "pinch") {
      if (!g.ids.every((id) => pointers.has(id))) return
      const {mid, dist} = pinchOf(g.ids)
      const view = ctl.view()
      const span = g.span * g.dist / dist, perPixel = span / view.frame.size
      const xmin = g.mid[0] - (mid[0] - view.frame.left) * perPixel
      const ymax = g.mid[1] + (mid[1] - view.frame.top) * perPixel
      ctl.setView([xmin, xmin + span, ymax - span, ymax], false)
      return
    }
    if (event.pointerId !== g.id) return
    if (g.kind === "press" && moved(pos, g.start, g.type)) {
      g.kind = "drag"
      ctl.setDragging(true)
    }
    if (g.kind === "drag") dragTo(g, pos)
    else if (g.kind === "background" && g.claimed && (g.panned || moved(pos, g.start, g.type))) {
      g.panned = true
      const perPixel = boxSpan(g.box) / ctl.view().frame.size
      ctl.setView(panBox(g.box, -(pos[0] - g.start[0]) * perPixel, (pos[1] - g.start[1]) * perPixel), false)
    }
  }

  const up = (event) => {
    const pos = at(event)
    const g = gesture
    pointers.delete(event.pointerId)
    if (g == null) return
    if (g.kind === "pinch") {
      if (!g.ids.includes(event.pointerId)) return
      ctl.setView(ctl.view().box, true)
      gesture = null
      return
    }
    if (event.pointerId !== g.id) return
    gesture = null
    const view = ctl.view()
    if (g.kind === "drag") {
      dragTo(g, pos)
      ctl.reportMove(g.index, g.at[0], g.at[1], true)
      ctl.setDragging(false)
    } else if (g.kind === "background" && g.panned) {
      ctl.setView(view.box, true)
    } else if (view.inside(pos[0], pos[1])) {
      ctl.click(g.kind === "press" ? g.index : null, view.x(pos[0]), view.y(pos[1]))
    }
  }

  const cancel = (event) => {
    const g = gesture
    pointers.delete(event.pointerId)
    if (g == null || (g.kind !== "pinch" && event.pointerId !== g.id)) return
    gesture = null
    if (g.kind === "drag") {
      ctl.cancelMove(g.index)
      ctl.setDragging(false)
    } else if (g.kind === "pinch" || g.panned) {
      ctl.setView(ctl.view().box, true)
    }
  }

  // Touches the plot claims do not scroll or zoom the page (a pointerdown comes first).
  const touchStart = (event) => {
    if (event.touches.length >= 2 || (gesture != null && gesture.claimed !== false)) event.preventDefault()
  }

  let wheelEnd = null
  const wheel = (event) => {
    if (!(ctl.panMode() || event.ctrlKey)) return
    event.preventDefault()
    const pos = at(event)
    const view = ctl.view()
    const lines = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1
    const factor = Math.exp(-event.deltaY * lines * 0.002)
    ctl.setView(zoomBox(view.box, view.x(pos[0]), view.y(pos[1]), factor), false)
    clearTimeout(wheelEnd)
    wheelEnd = setTimeout(() => ctl.setView(ctl.view().box, true), 150)
  }

  const key = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return
    const view = ctl.view(), span = boxSpan(view.box)
    const selected = ctl.selected(), count = ctl.count()
    const arrows = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1]}
    let handled = true
    if (event.key in arrows) {
      const [ux, uy] = arrows[event.key]
      if (selected != null && selected < count) {
        const step = (event.shiftKey ? 0.05 : 0.01) * span
        const [px, py] = ctl.pointAt(selected)
        const [x, y] = keepInside(view.box, px + ux * step, py + uy * step, 0.004)
        ctl.movePoint(selected, x, y)
        ctl.reportMove(selected, x, y, true)
      } else {
        const step = (event.shiftKey ? 0.5 : 0.1) * span
        ctl.setView(panBox(view.box, ux * step, uy * step), true)
      }
    } else if ((event.key === "]" || event.key === "[") && count > 0) {
      const forward = event.key === "]"
      const next = selected == null || selected >= count ? (forward ? 0 : count - 1)
        : (selected + (forward ? 1 : count - 1)) % count
      ctl.choose(next)
    } else if (event.key === "Escape" && selected != null) {
      ctl.choose(null)
    } else if (event.key === "+" || event.key === "=" || event.key === "-" || event.key === "_") {
      const [cx, cy] = [(view.box[0] + view.box[1]) / 2, (view.box[2] + view.box[3]) / 2]
      ctl.setView(zoomBox(view.box, cx, cy, event.key === "-" || event.key === "_" ? 0.8 : 1.25), true)
    } else {
      handled = false
    }
    if (handled) { event.preventDefault(); event.stopPropagation() }
  }

  canvas.addEventListener("pointerdown", down)
  canvas.addEventListener("pointermove", move)
  canvas.addEventListener("pointerup", up)
  canvas.addEventListener("pointercancel", cancel)
  canvas.addEventListener("pointerleave", (event) => { if (event.pointerType === "mouse" && gesture == null) ctl.hover(-1) })
  canvas.addEventListener("touchstart", touchStart, {passive: false})
  canvas.addEventListener("wheel", wheel, {passive: false})
  stage.addEventListener("keydown", key)
}
