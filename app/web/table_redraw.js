// Redraws the data table when its rows' values change, at most every `every` ms.
// Arguments: table, every.
if (table._losslab_redraw != null) return
table._losslab_redraw = setTimeout(() => {
  table._losslab_redraw = null
  table.view.change.emit()
}, every)

