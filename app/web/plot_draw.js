// Drawing the main plot (second part of its module, app/web/plot.js). Two layers: the axes and
// grid, redrawn only when the view or the size changes, and the scene (regions, lines, arrows,
// points), redrawn for every update. Every shape arrives computed by core; this file only maps
// it to pixels. Points are drawn one path per class, so a thousand points cost a few fills.

const TAU = 2 * Math.PI

// Sizes in CSS pixels, for the number of points and for presentation mode (which scales every
// line, dot, ring and text by the same factor, whatever is selected).
function plotSizes(presentation, dense, scale, text = 11) {
  const s = presentation ? scale : 1
  // The plot's text is never smaller than the page's small text (`text`, in CSS pixels), which
  // grows with the window and in presentation mode; the margin holds the tick labels.
  const tick = Math.max(11 * s, text)
  return {
    s,
    dot: (dense ? 3.5 : 6.5) * s, outline: (dense ? 0.5 : 1.2) * s,
    ring: (dense ? 1 : 2) * s, ringPerLoss: (dense ? 2.5 : 4.5) * s,
    line: 2.5 * s, arrow: 2.5 * s, gradient: 2.2 * s, pull: 1.4 * s, edge: 1,
    head: 11 * s, smallHead: 7 * s,
    label: tick, tick, axis: Math.max(13 * s, 1.15 * text),
    selected: 3 * s, batch: 11 * s,
    margin: Math.round(Math.max(44 * s, 4 * tick)), pad: 10,
  }
}

// The frame (the square the data is drawn in) of a canvas `size` CSS pixels wide and high.
function plotFrame(size, sz) {
  return {left: sz.margin, top: sz.pad, size: Math.max(size - sz.margin - sz.pad, 10)}
}

function ringRadius(loss, sz) {
  return sz.dot + sz.ringPerLoss * Math.sqrt(Math.min(Math.max(loss, 0), 25))
}

function drawAxes(ctx, view, sz, style) {
  const {left, top, size} = view.frame
  const [xmin, xmax, ymin, ymax] = view.box
  ctx.fillStyle = "#fff"
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height)
  const count = Math.max(3, Math.round(size / (70 * sz.s)))
  const xt = ticks(xmin, xmax, count), yt = ticks(ymin, ymax, count)
  ctx.lineWidth = 1
  ctx.strokeStyle = style.grid
  ctx.beginPath()
  for (const x of xt.values) { const px = Math.round(view.sx(x)) + 0.5; ctx.moveTo(px, top); ctx.lineTo(px, top + size) }
  for (const y of yt.values) { const py = Math.round(view.sy(y)) + 0.5; ctx.moveTo(left, py); ctx.lineTo(left + size, py) }
  ctx.stroke()
  ctx.strokeStyle = style.axis
  ctx.strokeRect(left + 0.5, top + 0.5, size - 1, size - 1)
  ctx.beginPath()
  for (const x of xt.values) { const px = Math.round(view.sx(x)) + 0.5; ctx.moveTo(px, top + size); ctx.lineTo(px, top + size + 5) }
  for (const y of yt.values) { const py = Math.round(view.sy(y)) + 0.5; ctx.moveTo(left - 5, py); ctx.lineTo(left, py) }
  ctx.stroke()
  ctx.fillStyle = style.text
  ctx.font = `${sz.tick}px sans-serif`
  ctx.textAlign = "center"
  ctx.textBaseline = "top"
  for (const x of xt.values) ctx.fillText(tickLabel(x, xt.step), view.sx(x), top + size + 7)
  ctx.textAlign = "right"
  ctx.textBaseline = "middle"
  for (const y of yt.values) ctx.fillText(tickLabel(y, yt.step), left - 7, view.sy(y))
  ctx.font = `${sz.axis}px sans-serif`
  ctx.textAlign = "center"
  ctx.textBaseline = "bottom"
  ctx.fillText("x\u2080", left + size / 2, top + size + sz.margin - 2)
  ctx.save()
  ctx.translate(12 * sz.s, top + size / 2)
  ctx.rotate(-Math.PI / 2)
  ctx.textBaseline = "middle"
  ctx.fillText("x\u2081", 0, 0)
  ctx.restore()
}

// An arrow from (x0, y0) to (x1, y1) in pixels: `head` "filled" (a triangle) or "open" (a V).
function arrowPath(ctx, x0, y0, x1, y1, headSize, head) {
  const dx = x1 - x0, dy = y1 - y0, length = Math.hypot(dx, dy)
  if (!(length > 0.5)) return
  const h = Math.min(headSize, 0.7 * length), ux = dx / length, uy = dy / length
  const bx = x1 - ux * h, by = y1 - uy * h, wx = -uy * h * 0.45, wy = ux * h * 0.45
  ctx.beginPath()
  ctx.moveTo(x0, y0)
  ctx.lineTo(head === "filled" ? bx : x1, head === "filled" ? by : y1)
  ctx.stroke()
  ctx.setLineDash([])
  ctx.beginPath()
  ctx.moveTo(bx + wx, by + wy)
  ctx.lineTo(x1, y1)
  ctx.lineTo(bx - wx, by - wy)
  if (head === "filled") { ctx.closePath(); ctx.fill() } else ctx.stroke()
}

function drawArrows(ctx, view, arrows, sz, colors, kind) {
  if (!arrows) return
  const dash = {score: [], gradient: [7 * sz.s, 4 * sz.s], carried: [0.1, 4.5 * sz.s]}[kind]
  ctx.lineWidth = kind === "gradient" ? sz.gradient : sz.arrow
  ctx.lineCap = kind === "carried" ? "round" : "butt"
  arrows.forEach((a, k) => {
    if (a == null) return
    ctx.strokeStyle = ctx.fillStyle = colors[k]
    ctx.setLineDash(dash)
    arrowPath(ctx, view.sx(a[0]), view.sy(a[1]), view.sx(a[2]), view.sy(a[3]), sz.head,
              kind === "score" ? "filled" : "open")
  })
  ctx.setLineDash([])
  ctx.lineCap = "butt"
}

function drawRegions(ctx, view, regions, sz, style) {
  regions.forEach((poly, k) => {
    if (!poly || poly.length < 6) return
    ctx.beginPath()
    ctx.moveTo(view.sx(poly[0]), view.sy(poly[1]))
    for (let i = 2; i < poly.length; i += 2) ctx.lineTo(view.sx(poly[i]), view.sy(poly[i + 1]))
    ctx.closePath()
    ctx.globalAlpha = style.region_alpha
    ctx.fillStyle = style.classes[k]
    ctx.fill()
    ctx.globalAlpha = 1
    ctx.lineWidth = sz.edge
    ctx.strokeStyle = style.edge
    ctx.stroke()
  })
}

function drawPulls(ctx, view, pulls, sz, colors) {
  const seg = pulls.segments, cls = pulls.classes
  ctx.lineWidth = sz.pull
  ctx.globalAlpha = 0.8
  for (let m = 0; m < cls.length; m++) {
    ctx.strokeStyle = ctx.fillStyle = colors[cls[m]]
    arrowPath(ctx, view.sx(seg[4 * m]), view.sy(seg[4 * m + 1]), view.sx(seg[4 * m + 2]),
              view.sy(seg[4 * m + 3]), sz.smallHead, "open")
  }
  ctx.globalAlpha = 1
}

// Every point of one class in one path per kind of mark: rings, then dots with their outline.
function drawPoints(ctx, view, pts, loss, sz, style, far) {
  const {left, top, size} = view.frame
  const visible = (px, py, r) => px > left - r && px < left + size + r && py > top - r && py < top + size + r
  pts.byClass.forEach((members, k) => {
    if (loss) {
      ctx.beginPath()
      for (const i of members) {
        const px = view.sx(pts.x0[i]), py = view.sy(pts.x1[i]), r = ringRadius(loss[i], sz)
        if (!visible(px, py, r) || r <= sz.dot + 0.5) continue
        ctx.moveTo(px + r, py)
        ctx.arc(px, py, r, 0, TAU)
      }
      ctx.globalAlpha = 0.6
      ctx.lineWidth = sz.ring
      ctx.strokeStyle = style.classes[k]
      ctx.stroke()
      ctx.globalAlpha = 1
    }
    ctx.beginPath()
    for (const i of members) {
      const px = view.sx(pts.x0[i]), py = view.sy(pts.x1[i])
      if (!visible(px, py, sz.dot + far)) continue
      ctx.moveTo(px + sz.dot, py)
      ctx.arc(px, py, sz.dot, 0, TAU)
    }
    ctx.fillStyle = style.classes[k]
    ctx.fill()
    ctx.lineWidth = sz.outline
    ctx.strokeStyle = style.outline
    ctx.stroke()
  })
}

function drawRing(ctx, px, py, r, width, color, dash) {
  ctx.beginPath()
  ctx.arc(px, py, r, 0, TAU)
  ctx.setLineDash(dash)
  ctx.lineWidth = width
  ctx.strokeStyle = color
  ctx.stroke()
  ctx.setLineDash([])
}

// The scene: everything that changes with an update, clipped to the frame.
function drawScene(ctx, view, pts, upd, selected, sz, style, labelled) {
  const {left, top, size} = view.frame
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height)
  ctx.save()
  ctx.beginPath()
  ctx.rect(left, top, size, size)
  ctx.clip()
  const colors = style.classes
  if (upd) {
    drawRegions(ctx, view, upd.regions, sz, style)
    ctx.lineWidth = sz.line
    upd.lines.forEach((l, k) => {
      if (l == null) return
      ctx.strokeStyle = colors[k]
      ctx.beginPath()
      ctx.moveTo(view.sx(l[0]), view.sy(l[1]))
      ctx.lineTo(view.sx(l[2]), view.sy(l[3]))
      ctx.stroke()
    })
    if (upd.pulls) drawPulls(ctx, view, upd.pulls, sz, colors)
    drawArrows(ctx, view, upd.carried, sz, colors, "carried")
    drawArrows(ctx, view, upd.gradient, sz, colors, "gradient")
    drawArrows(ctx, view, upd.score, sz, colors, "score")
    if (upd.batch) for (const i of upd.batch) {
      if (i < pts.count) drawRing(ctx, view.sx(pts.x0[i]), view.sy(pts.x1[i]), sz.batch + sz.dot,
                                  2 * sz.s, style.batch, [4 * sz.s, 3 * sz.s])
    }
  }
  const loss = upd && upd.loss && upd.loss.length === pts.count ? upd.loss : null
  drawPoints(ctx, view, pts, loss, sz, style, 0)
  if (labelled && loss) {
    ctx.fillStyle = style.text
    ctx.font = `${sz.label}px sans-serif`
    ctx.textAlign = "left"
    ctx.textBaseline = "middle"
    for (let i = 0; i < pts.count; i++) {
      ctx.fillText(loss[i].toFixed(2), view.sx(pts.x0[i]) + sz.dot + 3 * sz.s,
                   view.sy(pts.x1[i]) - sz.dot - 2 * sz.s)
    }
  }
  if (selected != null && selected < pts.count) {
    const px = view.sx(pts.x0[selected]), py = view.sy(pts.x1[selected])
    drawRing(ctx, px, py, sz.dot + 1.5 * sz.s, 2 * sz.s, "#fff", [])
    drawRing(ctx, px, py, sz.dot + 3.5 * sz.s, sz.selected, style.selected, [])
  }
  ctx.restore()
}
