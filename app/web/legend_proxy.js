// A legend entry's stand-in line was shown or hidden (a click on the entry): show or hide the
// line it stands for (losslab.views.charts). Argument: line_id; cb_obj is the stand-in.
const line = cb_obj.document.get_model_by_id(line_id)
if (line != null) line.visible = cb_obj.visible
