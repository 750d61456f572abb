// The table of points (losslab.views.points_table): one row per point, read from the rows'
// ColumnDataSource (losslab.views.point_rows), whose selection is the lab's selected point.
//
// A plain HTML table in the page's type, so it grows with it; it shows up to `rows` rows
// (more on a tall window) and scrolls beyond them, drawing only the rows in view (a lab may hold 2000 points). A click
// or a tap on a row selects its point; with the table focused, ↑ and ↓ move the selection,
// Home and End go to the first and last point, Escape clears it. New numbers are drawn at most
// once per animation frame.

const COLUMNS = [
  {field: "index", title: "#", label: "point", kind: "index"},
  {field: "x0", title: "x\u2080", label: "x0", kind: "number", digits: 3},
  {field: "x1", title: "x\u2081", label: "x1", kind: "number", digits: 3},
  {field: "y", title: "y", label: "class", kind: "class"},
  {field: "s0", title: "s\u2080", label: "score 0", kind: "number", digits: 3},
  {field: "s1", title: "s\u2081", label: "score 1", kind: "number", digits: 3},
  {field: "s2", title: "s\u2082", label: "score 2", kind: "number", digits: 3},
  {field: "loss", title: "L", label: "loss", kind: "number", digits: 4},
]
const EXTRA_ROWS = 4   // drawn above and below the rows in view, so that scrolling shows no gap
const PIXELS_PER_ROW = 72   // a taller window shows more rows: one per this many of its pixels

function numberText(value, digits) {
  if (value == null || Number.isNaN(value)) return ""
  const text = Math.abs(value) < 1e5 ? value.toFixed(digits) : value.toExponential(2)
  return text.replace("-", "\u2212")
}

export function render({ model, view }) {
  const source = model.source
  const root = document.createElement("div")
  root.className = "points-table"
  const scroller = document.createElement("div")
  scroller.className = "points-scroll"
  scroller.tabIndex = 0
  scroller.setAttribute("role", "region")
  scroller.setAttribute("aria-label", "Data points: click a row to select its point; \u2191 and \u2193 move the selection")
  const table = document.createElement("table")
  const head = table.createTHead().insertRow()
  for (const column of COLUMNS) {
    const th = document.createElement("th")
    th.scope = "col"
    th.textContent = column.title
    th.title = column.label
    th.className = `col-${column.field}`
    head.appendChild(th)
  }
  const body = table.createTBody()
  scroller.appendChild(table)
  root.appendChild(scroller)

  let rowHeight = 0, requested = false
  const count = () => (source.data.index ?? []).length
  const selected = () => (source.selected.indices.length ? source.selected.indices[0] : null)

  const cellText = (column, i) => {
    const value = source.data[column.field][i]
    if (column.kind === "index") return String(value)
    if (column.kind === "class") return `\u25cf ${value}`
    return numberText(value, column.digits)
  }
  const spacer = (height) => {
    const tr = document.createElement("tr")
    tr.className = "spacer"
    tr.setAttribute("aria-hidden", "true")
    tr.style.height = `${height}px`
    return tr
  }
  const shown = () => Math.max(model.rows, Math.floor(window.innerHeight / PIXELS_PER_ROW))
  const draw = () => {
    requested = false
    const n = count()
    root.style.setProperty("--rows", String(Math.max(1, Math.min(n, shown()))))
    if (rowHeight === 0) rowHeight = head.getBoundingClientRect().height || 24
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - EXTRA_ROWS)
    const last = Math.min(n, first + shown() + 2 * EXTRA_ROWS)
    const chosen = selected()
    const rows = []
    if (first > 0) rows.push(spacer(first * rowHeight))
    for (let i = first; i < last; i++) {
      const tr = document.createElement("tr")
      tr.dataset.index = String(i)
      const label = source.data.y[i]
      tr.className = `row class-${label}` + (i % 2 ? " odd" : "") + (i === chosen ? " selected" : "")
      if (i === chosen) tr.setAttribute("aria-selected", "true")
      for (const column of COLUMNS) {
        const td = tr.insertCell()
        td.className = `col-${column.field}`
        td.textContent = cellText(column, i)
      }
      rows.push(tr)
    }
    if (last < n) rows.push(spacer((n - last) * rowHeight))
    body.replaceChildren(...rows)
    const firstRow = body.querySelector("tr.row")
    if (firstRow != null) rowHeight = firstRow.getBoundingClientRect().height || rowHeight
  }
  const redraw = () => {
    if (!requested) { requested = true; requestAnimationFrame(draw) }
  }
  const select = (i) => {
    const n = count()
    if (i != null && (i < 0 || i >= n)) return
    source.selected.indices = i == null ? [] : [i]
  }
  const reveal = () => {
    const i = selected()
    if (i == null || rowHeight === 0) return
    const top = i * rowHeight, bottom = top + rowHeight, header = head.getBoundingClientRect().height
    if (top < scroller.scrollTop) scroller.scrollTop = top
    else if (bottom + header > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = bottom + header - scroller.clientHeight
  }

  body.addEventListener("click", (event) => {
    const tr = event.target.closest("tr.row")
    if (tr != null) select(Number(tr.dataset.index))
  })
  scroller.addEventListener("keydown", (event) => {
    const n = count(), i = selected()
    const next = {ArrowDown: i == null ? 0 : Math.min(i + 1, n - 1), ArrowUp: i == null ? n - 1 : Math.max(i - 1, 0),
                  Home: 0, End: n - 1, Escape: null}[event.key]
    if (next === undefined || n === 0) return
    event.preventDefault()
    event.stopPropagation()
    select(next)
  })
  scroller.addEventListener("scroll", redraw, {passive: true})
  view.connect(source.properties.data.change, redraw)
  view.connect(source.selected.properties.indices.change, () => { redraw(); requestAnimationFrame(reveal) })
  const resizer = new ResizeObserver(() => { rowHeight = 0; redraw() })
  resizer.observe(root)
  model.on("remove", () => resizer.disconnect())
  draw()
  return root
}
