// Runs in the browser on every pan gesture: grab the point under the mouse, move it with the
// mouse at once (no round trip), and report its position to the server a few dozen times a
// second and at the end of the drag.
// Arguments: points, moved, plot, drag_tools, radius, sync_ms; cb_obj is the pan event.
const name = cb_obj.event_name
const data = points.data
if (name === "panstart") {
  points._losslab_drag = null
  if (drag_tools.some(tool => tool.active)) return
  const px = plot.inner_width / (plot.x_range.end - plot.x_range.start)
  const py = plot.inner_height / (plot.y_range.end - plot.y_range.start)
  let best = -1, best_d2 = radius * radius
  for (let i = 0; i < data.x0.length; i++) {
    const dx = (data.x0[i] - cb_obj.x) * px, dy = (data.x1[i] - cb_obj.y) * py
    const d2 = dx * dx + dy * dy
    if (d2 <= best_d2) { best = i; best_d2 = d2 }
  }
  if (best >= 0) points._losslab_drag = {index: best, last: 0}
  return
}
const drag = points._losslab_drag
if (drag == null) return
data.x0[drag.index] = cb_obj.x
data.x1[drag.index] = cb_obj.y
points.change.emit()
const now = Date.now()
if (name === "panend" || now - drag.last >= sync_ms) {
  moved.data = {index: [drag.index], x0: [cb_obj.x], x1: [cb_obj.y]}
  drag.last = now
}
if (name === "panend") points._losslab_drag = null
