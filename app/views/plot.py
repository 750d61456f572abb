"""The main picture: data points, decision regions, zero-score lines and the arrows of the next step.

LossLab draws it with its own canvas component (`LabPlot`, app/web/plot*.js): an update of a Run
changes nearly everything in the picture, and a canvas that is told the new shapes draws them in
a couple of milliseconds, where a Bokeh figure's glyph machinery took more than a frame. Every
shape is computed by core on the server (losslab.views.plot_data) and travels on the page's
`Scene`, one property change per update; the browser moves a dragged point, pans and zooms at once
by itself and reports to the Scene what the person did.
"""

import numpy as np
import param
from panel.custom import JSComponent

from losslab import labels
from losslab.palette import (
    AXIS_COLOR,
    BATCH_COLOR,
    CLASS_COLORS,
    GRID_COLOR,
    PLOT_TEXT,
    POINT_OUTLINE,
    REGION_ALPHA,
    REGION_EDGE,
    SELECTED_COLOR,
)
from losslab.session.training import OPTIMIZER_SETTINGS, Training
from losslab.transport.scene import Scene, pack
from losslab.transport.throttle import Throttle
from losslab.transport.wire import held
from losslab.views import plot_data
from losslab.views.base import View
from losslab.web import script_module, stylesheet

MIN_SIZE = 240
"""The drawing never gets smaller than this, whatever box it is given."""

LABELLED_POINTS = 60
"""Up to this many points, each shows its loss as a number next to it (and draws full-size dots:
a thousand of them would cover the whole picture)."""

MARKS_SCALE = 1.5
"""How much thicker and larger presentation mode draws the plot's lines, dots, rings and text:
more than the page's type grows, for they must read from the back of a room."""

DESCRIBE_RUNNING_S = 2.0
"""During a run the text alternative follows at most this often: nobody listens faster."""

STYLE = dict(
    classes=list(CLASS_COLORS), names=list(labels.CLASSES), outline=POINT_OUTLINE,
    selected=SELECTED_COLOR, batch=BATCH_COLOR, text=PLOT_TEXT, grid=GRID_COLOR, axis=AXIS_COLOR,
    edge=REGION_EDGE, region_alpha=REGION_ALPHA, presentation_scale=MARKS_SCALE,
    labelled_points=LABELLED_POINTS, min_size=MIN_SIZE,
    grab_radius=14,  # how close (in pixels) the mouse must be to a point to grab it
    touch_radius=24,  # … and a finger, which covers more of the screen
    sync_ms=25,  # a drag reports the point's position this often, and at its end
)
"""What the browser side of the plot takes from here: colours, names and sizes (one place each)."""


class LabPlot(JSComponent):
    """The plot's browser component: draws the page's Scene and reports back to it."""

    scene = param.ClassSelector(class_=Scene, constant=True, doc="What the plot draws.")
    style = param.Dict(default=STYLE, constant=True, doc="Colours, names and sizes.")

    _esm = script_module("plot_view.js", "plot_draw.js", "plot_input.js", "plot.js")


PLOT_STYLESHEET = stylesheet("plot.css")

_last_packed = (None, None, None)
"""(inputs, carried, update) of the last update packed in this process. The labs following a
class show the very same evaluation (session.classroom): the first of them packs it, the others
take its text (40 followers would otherwise compute the same geometry 40 times)."""


def _packed(state, inputs, carried):
    """The Scene's `update` for `inputs` (evaluation, batch, box, pulls) and `carried`."""
    global _last_packed
    last, last_carried, update = _last_packed
    if last is not None and last[0] is inputs[0] and last[1] is inputs[1] and \
            last[2:] == inputs[2:] and last_carried is carried:
        return update
    update = pack(plot_data.update(state, carried))
    _last_packed = (inputs, carried, update)
    return update


class PlotView(View):
    """The plot of one lab, kept in step with its state."""

    training = param.ClassSelector(class_=Training, constant=True,
                                   doc="The lab's training, whose carried direction is drawn.")

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self._points = self._scene_points = plot_data.points(state.X, state.y)
        self.scene = Scene(points=self._points, box=list(state.box),
                           selected=state.selected, presentation=state.presentation,
                           add_class=state.add_class)
        self._shown = (np.array(state.X), np.array(state.y))  # the data as the browser has it
        self._compared = (state.X, state.y)  # the state's arrays last compared with it
        self._drawn = None  # what the last update was computed from
        self.refresh()
        self.describe = Throttle(state, self._describe, running_every=DESCRIBE_RUNNING_S)
        self.describe()
        # It fills the box the page's layout gives it (losslab.views.layout).
        self.panel = LabPlot(scene=self.scene, stylesheets=[PLOT_STYLESHEET], margin=0,
                             sizing_mode="stretch_both")

        for report, handler in (("moved", self._on_moved), ("clicked", self._on_clicked),
                                ("chosen", self._on_chosen), ("view", self._on_view)):
            self.scene.on_change(report, handler)
        state.param.watch(self.refresh, ["evaluation", "box", "batch", "show_pulls"])
        state.param.watch(self._start_over, ["restarted", *OPTIMIZER_SETTINGS])
        state.param.watch(self.describe, ["evaluation", "selected"])
        state.param.watch(self._on_state, ["box", "selected", "presentation", "add_class"])
        state.param.watch(self._on_streamed, "streamed")

    # -- keeping in step -----------------------------------------------------------------

    def refresh(self, *events, again=False):
        """Send what the state draws now, unless it was sent already (a step changes the
        evaluation and the batch together: one update). While the page's stream draws the
        picture, it is the stream's."""
        if self.state.streamed:
            return
        points = self.points()
        if points is not self._scene_points:
            self._scene_points = points
            # Sent even if equal to the Scene's own value: that is older than the browser's
            # when a point was dragged there.
            self.scene.resend(points=points)
        # The evaluation and the batch are replaced, never changed: their identity says enough.
        inputs = self._inputs()
        drawn = self._drawn
        if not again and drawn is not None and inputs[0] is drawn[0] and inputs[1] is drawn[1] \
                and inputs[2:] == drawn[2:]:
            return
        self._drawn = inputs
        self.scene.update = self.update()

    def points(self):
        """The Scene's points for the data as it is now: the same dict until the data differs
        from what the browser has (a point dragged there is already where it was dropped)."""
        X, y = self.state.X, self.state.y
        shown_X, shown_y = self._shown
        # The state's arrays are replaced, never changed: the same arrays need no comparing.
        same = X is self._compared[0] and y is self._compared[1]
        if not same and not (
                X.shape == shown_X.shape and np.array_equal(X, shown_X) and np.array_equal(y, shown_y)):
            self._points = plot_data.points(X, y)
            self._shown = (np.array(X), np.array(y))
        self._compared = (X, y)
        return self._points

    def browser_has(self, points):
        """Whether the browser has these points through the page's document, or moved them there
        itself (a drag)."""
        return points is self._scene_points

    def _inputs(self):
        state = self.state
        return (state.evaluation, state.batch, state.box, state.show_pulls)

    def update(self):
        """The Scene's `update` for the lab as it is now."""
        return _packed(self.state, self._inputs(), self.training.velocity())

    def _on_streamed(self, event):
        if not event.new:  # the page draws the picture again: the state as it is now
            self.refresh(again=True)
            # The browser has the stream's points and picture, which this side never saw: what
            # this side has goes again, even where it did not change here.
            self._scene_points = self.points()
            self.scene.resend(points=self._scene_points, update=self.scene.update)

    def _start_over(self, *events):
        """The optimizer's memory was cleared: its carried arrow goes."""
        self.refresh(again=True)

    def _describe(self):
        text = plot_data.description(self.state)
        if text != self.scene.description:
            self.scene.description = text

    def _on_state(self, *events):
        state, scene = self.state, self.scene
        for event in events:
            if event.name == "box":
                scene.box = list(state.box)
            elif event.name == "selected":
                scene.selected = state.selected
            elif event.name == "presentation":
                scene.presentation = state.presentation
            elif event.name == "add_class":
                scene.add_class = state.add_class

    # -- what the browser reports --------------------------------------------------------

    def _on_moved(self, attr, old, new):  # Bokeh requires exactly this signature
        i, x0, x1 = (new or {}).get("index"), _number(new, "x0"), _number(new, "x1")
        if not isinstance(i, int) or None in (x0, x1) or not 0 <= i < len(self.state.X):
            return
        # The browser already draws the point there: the update need not send the points, but
        # what this side holds as the browser's points (for the page's stream, and to send again
        # when the stream ends) has it there too. Those are first brought up to the data: a
        # class's stream may have brought the browser points this side has not drawn.
        self.points()
        self._shown[0][i] = (x0, x1)
        # A copy: a long column is the array itself, which the next drag would change in place.
        self._points = self._scene_points = plot_data.points(self._shown[0].copy(), self._shown[1])
        held(lambda: self.state.move_point(i, x0, x1))

    def _on_clicked(self, attr, old, new):
        state = self.state
        i, x0, x1 = (new or {}).get("index"), _number(new, "x0"), _number(new, "x1")
        if state.add_class is not None:
            if None not in (x0, x1):
                held(lambda: state.add_point(x0, x1, state.add_class))
        else:
            self._select(i)

    def _on_chosen(self, attr, old, new):
        self._select((new or {}).get("index"))

    def _select(self, i):
        if i is None or (isinstance(i, int) and 0 <= i < len(self.state.X)):
            held(lambda: setattr(self.state, "selected", i))

    def _on_view(self, attr, old, new):
        if not isinstance(new, list) or len(new) != 4:
            return
        box = tuple(float(v) if isinstance(v, (int, float)) else np.nan for v in new)

        def show():
            # The state keeps the view within the lab's limits: a pan or zoom past them goes
            # back to the box it kept, even when that box did not change.
            self.scene.box = list(self.state.set_box(box))
        held(show)


def _number(report, key):
    """A finite number the browser reported under `key`, or None."""
    value = (report or {}).get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    return None
