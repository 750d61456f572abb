"""The main picture: data points, decision regions, zero-score lines and the arrows of the next step.

Every glyph reads a ColumnDataSource that is updated in place when the state changes; the figure
itself is built once per session.
"""


import numpy as np
import panel as pn
import param
from bokeh import events
from bokeh.core.property.vectorization import field
from bokeh.models import (
    Arrow,
    ColumnDataSource,
    CustomJS,
    HoverTool,
    NormalHead,
    PanTool,
    Range1d,
    ResetTool,
    SaveTool,
    TapTool,
    VeeHead,
    WheelZoomTool,
)
from bokeh.plotting import figure

from losslab import core
from losslab.palette import (
    CLASS_COLORS,
    GRADIENT_COLOR,
    HIGHLIGHT_COLOR,
    POINT_OUTLINE,
    REGION_ALPHA,
    TEXT_MUTED,
    VELOCITY_COLOR,
    BATCH_COLOR,
)
from losslab.session.training import Training
from losslab.transport.wire import compact, held
from losslab.views.base import View
from losslab.views.presentation import PRESENTATION_SCALE
from losslab.web import script

PLOT_SIZE = 480
LABELLED_POINTS = 60
"""Up to this many points, each shows its loss as a number next to it."""

DOT_SIZE = {False: 13, True: 7}
"""Diameter in pixels of a data point, for few points and (True) for more than LABELLED_POINTS:
a thousand 13-pixel dots would cover the whole picture, and drawing every dot and ring costs the
browser on each update."""

GRAB_RADIUS_PX = 14
"""How close (in screen pixels) the mouse must be to a point to grab it."""

DRAG_SYNC_MS = 25
"""How often a drag in progress reports the point's position to the server."""

GRADIENT_ARROW_SCALE = 0.5
"""Length in data units of the drawn −∂L/∂w_k per unit of gradient (the same for every class)."""

BOX_PADDING = 0.5
"""Geometry is computed for the view box widened by this fraction on every side, so a quick pan
shows regions and lines before the server has caught up with the new view."""

_DRAG_JS = script("plot_drag.js")


def padded(box, fraction):
    """The box widened by `fraction` of its width and height on every side."""
    xmin, xmax, ymin, ymax = box
    dx, dy = fraction * (xmax - xmin), fraction * (ymax - ymin)
    return (xmin - dx, xmax + dx, ymin - dy, ymax + dy)


def _replace(source, data):
    """Set a source's data unless it is empty and stays empty: an update sends nothing for it."""
    if len(next(iter(data.values()))) or len(next(iter(source.data.values()), [])):
        source.data = data


def _segments(items):
    """Columns x0, y0, x1, y1, color for the classes whose item (a (2, 2) array) exists."""
    rows = [(k, seg) for k, seg in enumerate(items) if seg is not None]
    return dict(
        x0=compact([seg[0, 0] for _, seg in rows]),
        y0=compact([seg[0, 1] for _, seg in rows]),
        x1=compact([seg[1, 0] for _, seg in rows]),
        y1=compact([seg[1, 1] for _, seg in rows]),
        color=[CLASS_COLORS[k] for k, _ in rows],
    )


class PlotView(View):
    """The figure of one lab, kept in step with its state."""

    training = param.ClassSelector(class_=Training, constant=True,
                                   doc="The lab's training, whose carried direction is drawn.")

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self.points = ColumnDataSource(self._point_columns())
        self._shown_X = np.array(state.X)
        self.regions = ColumnDataSource(dict(xs=[], ys=[], color=[]))
        self.lines = ColumnDataSource(_segments([]))
        self.score_arrows = ColumnDataSource(_segments([]))
        self.gradient_arrows = ColumnDataSource(_segments([]))
        self.pull_arrows = ColumnDataSource(_segments([]))
        self.velocity_arrows = ColumnDataSource(_segments([]))
        self.batch_points = ColumnDataSource(dict(x=[], y=[]))
        self.moved = ColumnDataSource(dict(index=[], x0=[], x1=[]))
        self.figure = self._build_figure()
        self._update_geometry()

        self.moved.on_change("data", self._on_drag)
        self.points.selected.on_change("indices", self._on_select)
        self.figure.on_event(events.RangesUpdate, self._on_view_change)
        self.figure.on_event(events.Tap, self._on_tap)
        state.param.watch(self._on_evaluation, "evaluation")
        state.param.watch(self._on_box, "box")
        state.param.watch(self._on_selected, "selected")
        state.param.watch(self._on_loss, "loss")
        state.param.watch(self._update_pulls, "show_pulls")
        state.param.watch(self._on_presentation, "presentation")
        if state.presentation:
            self._on_presentation()
        self.panel = pn.pane.Bokeh(self.figure, margin=(0, 8))

    # -- building ------------------------------------------------------------------------

    def _build_figure(self):
        xmin, xmax, ymin, ymax = self.state.box
        fig = figure(
            width=PLOT_SIZE,
            height=PLOT_SIZE,
            x_range=Range1d(xmin, xmax),
            y_range=Range1d(ymin, ymax),
            match_aspect=True,
            tools=[],
            toolbar_location="above",
            x_axis_label="x₀",
            y_axis_label="x₁",
            output_backend="canvas",
            name="lab-plot",
        )
        fig.grid.grid_line_alpha = 0.25
        fig.patches("xs", "ys", source=self.regions, fill_color="color",
                    fill_alpha=REGION_ALPHA, line_color=None)
        self._lines = fig.segment("x0", "y0", "x1", "y1", source=self.lines, line_color="color",
                                  line_width=2.5)
        self._score_arrow = Arrow(
            x_start="x0", y_start="y0", x_end="x1", y_end="y1", source=self.score_arrows,
            line_color=field("color"), line_width=2.5,
            end=NormalHead(size=12, fill_color=field("color"), line_color=field("color")),
        )
        fig.add_layout(self._score_arrow)
        fig.add_layout(Arrow(
            x_start="x0", y_start="y0", x_end="x1", y_end="y1", source=self.gradient_arrows,
            line_color=GRADIENT_COLOR, line_width=2, line_dash="dashed",
            end=VeeHead(size=10, line_color=GRADIENT_COLOR, fill_color=GRADIENT_COLOR),
        ))
        fig.add_layout(Arrow(
            x_start="x0", y_start="y0", x_end="x1", y_end="y1", source=self.velocity_arrows,
            line_color=VELOCITY_COLOR, line_width=2.5, line_dash="dotted",
            end=VeeHead(size=10, line_color=VELOCITY_COLOR, fill_color=VELOCITY_COLOR),
        ))
        fig.scatter("x", "y", source=self.batch_points, size=24, fill_color=None,
                    line_color=BATCH_COLOR, line_width=2.5, line_dash="dashed")
        fig.add_layout(Arrow(
            x_start="x0", y_start="y0", x_end="x1", y_end="y1", source=self.pull_arrows,
            line_color=field("color"), line_width=1.5, line_alpha=0.8,
            end=VeeHead(size=7, fill_color=field("color"), line_color=field("color")),
        ))
        self._rings = fig.scatter(
            "x0", "x1", source=self.points, size="ring", fill_color=None, line_color="color",
            line_alpha=0.55, line_width=2, nonselection_line_alpha=0.55)
        self._dots = dots = fig.scatter(
            "x0", "x1", source=self.points, size=DOT_SIZE[False], fill_color="color",
            line_color=POINT_OUTLINE, line_width=1.2,
            selection_line_color=HIGHLIGHT_COLOR, selection_line_width=4,
            nonselection_fill_alpha=0.85, nonselection_line_alpha=0.85,
        )
        # Beyond LABELLED_POINTS the labels read an empty source: a hidden text glyph on the
        # points' source would still measure every label on every update.
        self._no_labels = ColumnDataSource(dict(x0=[], x1=[], label=[]))
        self._labels = fig.text("x0", "x1", text="label", source=self._labels_source(),
                                x_offset=9, y_offset=-9, text_font_size="11px",
                                text_color=TEXT_MUTED, nonselection_text_alpha=1.0)

        pan = PanTool()
        self.hover = HoverTool(renderers=[dots], tooltips=self._tooltips())
        # The save tool writes the picture as a PNG (what the canvas backend can save).
        fig.add_tools(pan, WheelZoomTool(), ResetTool(), SaveTool(filename="losslab"),
                      TapTool(renderers=[dots]), self.hover)
        fig.toolbar.active_drag = None
        fig.toolbar.active_scroll = None
        fig.js_on_event("panstart", self._drag_callback(fig, [pan]))
        fig.js_on_event("pan", self._drag_callback(fig, [pan]))
        fig.js_on_event("panend", self._drag_callback(fig, [pan]))
        return fig

    def _drag_callback(self, fig, drag_tools):
        return CustomJS(
            args=dict(points=self.points, moved=self.moved, plot=fig, drag_tools=drag_tools,
                      radius=GRAB_RADIUS_PX, sync_ms=DRAG_SYNC_MS),
            code=_DRAG_JS,
        )

    def _tooltips(self):
        rows = [("point", "@index"), ("x", "(@x0{0.000}, @x1{0.000})"), ("class", "@y"),
                ("scores", "@s0{0.000}, @s1{0.000}, @s2{0.000}"), ("loss", "@loss{0.0000}")]
        if self.state.loss == "softmax":
            rows.append(("probabilities", "@p0{0.000}, @p1{0.000}, @p2{0.000}"))
        return rows

    # -- columns -------------------------------------------------------------------------

    def _score_columns(self):
        ev = self.state.evaluation
        losses = ev.point_losses
        columns = dict(
            s0=compact(ev.scores[:, 0]), s1=compact(ev.scores[:, 1]), s2=compact(ev.scores[:, 2]),
            loss=compact(losses),
            # A point without loss has a ring no larger than its dot.
            ring=compact(DOT_SIZE[not self._labelled()] + 9 * np.sqrt(np.minimum(losses, 25.0))),
        )
        if self._labelled():
            columns["label"] = [f"{v:.2f}" for v in losses]
        if self.state.loss == "softmax":  # only softmax's hover shows them: others need not send
            probs = core.softmax_probabilities(ev.scores)
            columns.update(p0=compact(probs[:, 0]), p1=compact(probs[:, 1]),
                           p2=compact(probs[:, 2]))
        return columns

    def _labelled(self):
        """Whether each point shows its loss as a number: beyond a few dozen points the numbers
        would cover the picture (the rings stay)."""
        return len(self.state.X) <= LABELLED_POINTS

    def _labels_source(self):
        return self.points if self._labelled() else self._no_labels

    def _point_columns(self):
        X, y = self.state.X, self.state.y
        unknown = np.full(len(X), np.nan)  # probabilities, filled in for softmax
        return dict(
            index=np.arange(len(X)),
            x0=X[:, 0], x1=X[:, 1], y=y,
            color=[CLASS_COLORS[k] for k in y],
            **{"p0": unknown, "p1": unknown, "p2": unknown, **self._score_columns()},
        )

    # -- keeping in step -----------------------------------------------------------------

    def _on_evaluation(self, event=None):
        X = self.state.X
        if X.shape == self._shown_X.shape and np.array_equal(X, self._shown_X) and \
                len(self.points.data["y"]) == len(self.state.y) and \
                np.array_equal(self.points.data["y"], self.state.y):
            # Only scores changed (or the browser already shows the dragged point where it is):
            # send the score columns alone.
            self.points.data.update(self._score_columns())
        else:
            # The labels leave the points' source before it loses its label column, and come
            # back after it has one.
            if not self._labelled():
                self._labels.data_source = self._no_labels
            self.points.data = self._point_columns()
            self._labels.data_source = self._labels_source()
            self._shown_X = np.array(X)
            self._style_points()
        self._update_geometry()

    def _update_geometry(self):
        W, b = self.state.W, self.state.b
        box = padded(self.state.box, BOX_PADDING)
        regions = core.decision_regions(W, b, box)
        shown = [(k, poly) for k, poly in enumerate(regions) if len(poly)]
        self.regions.data = dict(
            xs=[compact(poly[:, 0]) for _, poly in shown],
            ys=[compact(poly[:, 1]) for _, poly in shown],
            color=[CLASS_COLORS[k] for k, _ in shown],
        )
        view = self.state.box
        self.lines.data = _segments(core.zero_score_lines(W, b, box))
        self.score_arrows.data = _segments(core.score_arrows(W, b, view))
        self.gradient_arrows.data = _segments(
            core.gradient_arrows(W, b, self.state.evaluation.dW, view, GRADIENT_ARROW_SCALE))
        velocity = self.training.velocity()
        _replace(self.velocity_arrows, _segments(
            [None] * len(W) if velocity is None
            else core.gradient_arrows(W, b, velocity, view, GRADIENT_ARROW_SCALE)))
        batch = self.state.batch
        marked = self.state.X[batch] if batch is not None else np.zeros((0, 2))
        _replace(self.batch_points, dict(x=marked[:, 0], y=marked[:, 1]))
        self._update_pulls()

    def _update_pulls(self, event=None):
        if not self.state.show_pulls:
            _replace(self.pull_arrows, _segments([]))
            return
        # Scaled by N: each arrow is then −∂L_i/∂w_k, the point's own loss gradient, drawn to the
        # same scale as the class arrows (which show the mean of these plus regularization).
        X = self.state.X
        segments, classes = core.pull_arrows(X, self.state.evaluation.dscores,
                                             GRADIENT_ARROW_SCALE * len(X))
        self.pull_arrows.data = dict(
            x0=segments[:, 0, 0], y0=segments[:, 0, 1], x1=segments[:, 1, 0], y1=segments[:, 1, 1],
            color=[CLASS_COLORS[k] for k in classes],
        )

    def _on_box(self, event):
        xmin, xmax, ymin, ymax = event.new
        x_range, y_range = self.figure.x_range, self.figure.y_range
        if (x_range.start, x_range.end, y_range.start, y_range.end) != (xmin, xmax, ymin, ymax):
            x_range.update(start=xmin, end=xmax)
            y_range.update(start=ymin, end=ymax)
        self._update_geometry()

    def _on_presentation(self, *events):
        """Presentation mode: a larger picture with thicker lines and larger type."""
        big = self.state.presentation
        grow = PRESENTATION_SCALE if big else 1.0
        self.figure.update(width=round(PLOT_SIZE * grow), height=round(PLOT_SIZE * grow))
        self._lines.glyph.line_width = 4 if big else 2.5
        self._score_arrow.line_width = 4 if big else 2.5
        self._style_points()
        self._labels.glyph.text_font_size = "15px" if big else "11px"
        for axis in (*self.figure.xaxis, *self.figure.yaxis):
            axis.major_label_text_font_size = "15px" if big else "11px"
            axis.axis_label_text_font_size = "17px" if big else "13px"

    def _style_points(self):
        """Dot and ring sizes for the number of points and for presentation mode."""
        dense = not self._labelled()
        # In presentation mode the dots grow more than the picture: they must read from the back.
        grow = 1.4 if self.state.presentation else 1.0
        self._dots.glyph.update(size=round(DOT_SIZE[dense] * grow), line_width=0.5 if dense else 1.2)
        self._rings.glyph.line_width = 1 if dense else 2

    def _on_loss(self, event):
        self.hover.tooltips = self._tooltips()

    def _on_drag(self, attr, old, new):
        if not new["index"]:
            return
        i, x0, x1 = int(new["index"][0]), float(new["x0"][0]), float(new["x1"][0])
        if 0 <= i < len(self._shown_X):
            self._shown_X[i] = (x0, x1)
        held(lambda: self.state.move_point(i, x0, x1))

    def _on_tap(self, event):
        if self.state.add_class is not None and None not in (event.x, event.y):
            held(lambda: self.state.add_point(float(event.x), float(event.y), self.state.add_class))

    def _on_select(self, attr, old, new):
        held(lambda: setattr(self.state, "selected", int(new[0]) if new else None))

    def _on_selected(self, event):
        wanted = [] if event.new is None else [event.new]
        if list(self.points.selected.indices) != wanted:
            self.points.selected.indices = wanted

    def _on_view_change(self, event):
        if None in (event.x0, event.x1, event.y0, event.y1):
            return
        box = (float(event.x0), float(event.x1), float(event.y0), float(event.y1))
        held(lambda: setattr(self.state, "box", box))
