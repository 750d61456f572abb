"""The rows of the data table: one per point, on a ColumnDataSource the table reads.

Selecting a row selects the point (the state's `selected` is the one source of the selection,
which the plot draws too), and selecting the point selects its row. During a Run the rows follow
at most `RUNNING_EVERY_S` apart: numbers that change faster cannot be read, and the table's
redraw costs the browser more than the plot's.
"""

import numpy as np
import param
from bokeh.models import ColumnDataSource

from losslab.palette import CLASS_COLORS
from losslab.session.state import LabState
from losslab.transport.throttle import Throttle
from losslab.transport.wire import compact, held

RUNNING_EVERY_S = 0.25
"""Shortest time between two updates of the rows during a Run."""


class PointRows(param.Parameterized):
    """The data table's source, kept in step with the state."""

    state = param.ClassSelector(class_=LabState, constant=True, doc="The lab whose points these are.")

    def __init__(self, **params):
        super().__init__(**params)
        self.source = ColumnDataSource(self._columns())
        self._rows = (np.array(self.state.X), np.array(self.state.y))
        self.refresh = Throttle(self.state, self._send, running_every=RUNNING_EVERY_S)
        self.state.param.watch(self.refresh, "evaluation")
        self.state.param.watch(self._on_selected, "selected")
        self.source.selected.on_change("indices", self._on_select)

    def _score_columns(self):
        ev = self.state.evaluation
        return dict(s0=compact(ev.scores[:, 0]), s1=compact(ev.scores[:, 1]),
                    s2=compact(ev.scores[:, 2]), loss=compact(ev.point_losses))

    def _columns(self):
        X, y = self.state.X, self.state.y
        return dict(index=np.arange(len(X)), x0=compact(X[:, 0]), x1=compact(X[:, 1]),
                    y=y.tolist(), color=[CLASS_COLORS[k] for k in y], **self._score_columns())

    def _send(self):
        X, y = self.state.X, self.state.y
        rows_X, rows_y = self._rows
        if X.shape == rows_X.shape and np.array_equal(y, rows_y):
            # The same rows: only the moved positions and the new numbers.
            moved = {} if np.array_equal(X, rows_X) else dict(x0=compact(X[:, 0]), x1=compact(X[:, 1]))
            self.source.data.update(**moved, **self._score_columns())
        else:
            self.source.data = self._columns()
        self._rows = (np.array(X), np.array(y))

    def _on_select(self, attr, old, new):  # Bokeh requires exactly this signature
        held(lambda: setattr(self.state, "selected", int(new[0]) if new else None))

    def _on_selected(self, event):
        wanted = [] if event.new is None else [event.new]
        if list(self.source.selected.indices) != wanted:
            self.source.selected.indices = wanted
