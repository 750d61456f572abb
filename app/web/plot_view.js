// The main plot's view (first part of its module, app/web/plot.js): which part of the plane is
// shown, where it lies on the canvas, and the ticks of its axes. A box is [xmin, xmax, ymin, ymax]
// in data units; the frame is the square of the canvas the data is drawn in, in CSS pixels.

const MIN_SPAN = 1e-6   // the narrowest and widest view a zoom may reach (the geometry is exact
const MAX_SPAN = 1e8    // at any scale; beyond these nothing useful can be seen)

// The box with equal units on both axes, about the same centre: the frame is square.
function squareBox(box) {
  const [xmin, xmax, ymin, ymax] = box
  const cx = (xmin + xmax) / 2, cy = (ymin + ymax) / 2
  const half = Math.max(xmax - xmin, ymax - ymin) / 2
  return [cx - half, cx + half, cy - half, cy + half]
}

function boxSpan(box) { return box[1] - box[0] }

// A box whose span stays within [MIN_SPAN, MAX_SPAN], about the same centre.
function clampSpan(box) {
  const span = boxSpan(box)
  if (span >= MIN_SPAN && span <= MAX_SPAN && box.every(Number.isFinite)) return box
  const safe = Number.isFinite(span) ? Math.min(Math.max(span, MIN_SPAN), MAX_SPAN) : 3
  const cx = (box[0] + box[1]) / 2, cy = (box[2] + box[3]) / 2
  const [x, y] = [Number.isFinite(cx) ? cx : 0, Number.isFinite(cy) ? cy : 0]
  return [x - safe / 2, x + safe / 2, y - safe / 2, y + safe / 2]
}

// The box zoomed by `factor` (> 1: closer) about the data point (fx, fy), which stays in place.
function zoomBox(box, fx, fy, factor) {
  const zoomed = [fx + (box[0] - fx) / factor, fx + (box[1] - fx) / factor,
                  fy + (box[2] - fy) / factor, fy + (box[3] - fy) / factor]
  const span = boxSpan(zoomed)
  return span < MIN_SPAN || span > MAX_SPAN ? box : zoomed
}

function panBox(box, dx, dy) {
  return [box[0] + dx, box[1] + dx, box[2] + dy, box[3] + dy]
}

// The mapping between data and CSS pixels of the canvas, for a box in a square frame.
function makeView(box, frame) {
  const {left, top, size} = frame
  const kx = size / (box[1] - box[0]), ky = size / (box[3] - box[2])
  return {
    box, frame,
    sx: (x) => left + (x - box[0]) * kx,
    sy: (y) => top + (box[3] - y) * ky,
    x: (px) => box[0] + (px - left) / kx,
    y: (py) => box[3] - (py - top) / ky,
    perPixel: 1 / kx,
    inside: (px, py) => px >= left && px <= left + size && py >= top && py <= top + size,
  }
}

// The point (x, y) moved into the box, `margin` of its span inside every edge.
function keepInside(box, x, y, margin) {
  const mx = margin * (box[1] - box[0]), my = margin * (box[3] - box[2])
  return [Math.min(Math.max(x, box[0] + mx), box[1] - mx),
          Math.min(Math.max(y, box[2] + my), box[3] - my)]
}

// Tick values from lo to hi, about `target` of them, at 1, 2 or 5 times a power of ten.
function ticks(lo, hi, target) {
  const raw = (hi - lo) / target
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power
  const out = []
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(k * step)
  return {values: out, step}
}

function tickLabel(value, step) {
  if (Math.abs(value) < step * 1e-6) return "0"
  const magnitude = Math.max(Math.abs(value), step)
  if (magnitude >= 1e5 || step < 1e-4) return value.toExponential(Math.max(0, Math.round(Math.log10(magnitude / step))))
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9))
  return value.toFixed(decimals).replace("-", "\u2212")
}
