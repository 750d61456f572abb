"""The loss landscape: total loss over two parameters (or two random directions) with the
optimizer's recent path drawn on it."""

import time
from collections import deque

import numpy as np
import panel as pn
from bokeh.models import ColorBar, ColumnDataSource, LogColorMapper, LogTicker
from bokeh.palettes import Viridis256
from bokeh.plotting import figure

from losslab import core, labels
from losslab.palette import VELOCITY_COLOR
from losslab.session import background
from losslab.transport.throttle import Throttle
from losslab.transport.wire import held
from losslab.views.base import View, sized
from losslab.views.figures import TEXT_SIZES, figure_pane, text_in_em
from losslab.views.number_box import NumberBox

RESOLUTION = 61
"""Grid cells per side (fewer for large data sets, so a grid costs about the same)."""

MAX_GRID_WORK = 1_000_000
"""Cells × points evaluated per landscape, at most."""

LOOP_GRID_WORK = 100_000
"""Cells × points up to which a grid is computed at once (a few milliseconds: the default data's
61 × 61 grid is 33,489); a larger one is computed off the server's loop (at 2000 points a grid
took 250 ms to a second there, and every other lab's Run stood still meanwhile)."""

JOB_ROWS = 100_000
"""(cell, point) rows per chunk of a grid computed as a job: it can be stopped after each."""

GRID_SHARE = 0.2
"""While running, recomputing the loss grid takes at most this share of the time: a new grid
waits until four times the last one's cost has passed. The optimizer's path and position move
on every step; the grid catches up, and is exact again the moment Run stops."""

PATH_LENGTH = 300
"""Steps of the optimizer's path kept on the map."""

MODES = {"Two parameters": "parameters", "Two random directions": "random"}

TITLES = {"parameters": "Total loss over two parameters (log colour scale)",
          "random": "Total loss, random directions (log colour scale)"}

SPAN_BOUNDS = (0.1, 100.0)
"""The map reaches this far either side of the current parameters (on each axis)."""


class LandscapeView(View):
    """A heat map of the total loss on a plane through parameter space; recomputed only when
    something it depends on has changed, and only while it is shown."""

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        options = labels.choices(labels.PARAMETERS)
        self.mode = pn.widgets.RadioButtonGroup(options=MODES, value="parameters",
                                                sizing_mode="stretch_width")
        self.x_param = sized(pn.widgets.Select(label="x axis", options=options, value="W00"), 8)
        self.y_param = sized(pn.widgets.Select(label="y axis", options=options, value="W01"), 8)
        self.span = NumberBox(state, "± span", 7, value=3.0, bounds=SPAN_BOUNDS, step=0.5)
        self.seed = NumberBox(state, "Directions seed", 8.5, integer=True, value=0,
                              bounds=(0, 2**31 - 1))
        self.grid = ColumnDataSource(dict(image=[np.zeros((2, 2))], x=[0.0], y=[0.0], dw=[1.0], dh=[1.0]))
        self.path = ColumnDataSource(dict(x=[], y=[]))
        self.here = ColumnDataSource(dict(x=[0.0], y=[0.0]))
        self.mapper = LogColorMapper(palette=Viridis256)
        self.figure = self._build_figure()
        self._trail = deque(maxlen=PATH_LENGTH)
        self._key = None
        self._plane = None  # (origin θ0, du, dv) of the random plane
        self._grid_cost = 0.0  # what the last grid cost (s)
        self._job = None  # the grid being computed off the loop: (job, key, axes, started)
        # Drawn only while shown; the grid, while running, at most GRID_SHARE of the time.
        self.refresh = Throttle(state, self._draw, shown=False)
        self._grid = Throttle(state, self._draw_grid, shown=False,
                              running_every=lambda: self._grid_cost * (1 / GRID_SHARE - 1))

        for widget in (self.mode, self.x_param, self.y_param, self.span, self.seed):
            widget.param.watch(self._on_setting, "value")
        state.param.watch(self._on_step, "steps")
        # (While it is shown, a Run goes through the document: losslab.views.lab_picture.)
        state.param.watch(self.refresh, "evaluation")
        self._show_mode_widgets()
        self._trail.append(core.flatten(state.W, state.b))
        self.panel = pn.Column(self.mode, pn.Row(self.x_param, self.y_param, self.seed.widget,
                                                 self.span.widget, margin=0),
                               figure_pane(text_in_em(self.figure), 21), margin=0)

    def _build_figure(self):
        fig = figure(tools="pan,wheel_zoom,reset,save", toolbar_location="above",
                     title=TITLES["parameters"], match_aspect=False)
        fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.grid,
                  color_mapper=self.mapper)
        # The scale the colours stand for: the map's colours are a log scale of the total loss.
        fig.add_layout(ColorBar(color_mapper=self.mapper, ticker=LogTicker(), width=10,
                                title="total loss", title_text_font_size=TEXT_SIZES["tick"],
                                major_label_text_font_size=TEXT_SIZES["tick"], padding=4), "right")
        fig.line("x", "y", source=self.path, color="white", line_width=2, alpha=0.9)
        fig.scatter("x", "y", source=self.path, color="white", size=3, alpha=0.6)
        fig.scatter("x", "y", source=self.here, marker="circle_cross", size=14,
                    fill_color=VELOCITY_COLOR, line_color="white", line_width=2)
        return fig

    # -- what is drawn -------------------------------------------------------------------

    def show(self, shown):
        self._grid.forget()  # just shown: a grid at once
        self._grid.show(shown)
        self.refresh.show(shown)

    def _on_setting(self, event):
        if event.obj in (self.mode, self.seed):
            self._plane = None
        self._show_mode_widgets()
        self._key = None
        self._grid.forget()  # another plane: its grid at once, even while running
        self.refresh()

    def _on_step(self, event):
        if event.new < event.old:  # reset or randomize: a new start
            self._trail.clear()
            self._plane = None
        self._trail.append(core.flatten(self.state.W, self.state.b))

    def _show_mode_widgets(self):
        by_parameters = self.mode.value == "parameters"
        self.x_param.visible = self.y_param.visible = by_parameters
        self.seed.widget.visible = not by_parameters
        self.figure.title.text = TITLES[self.mode.value]

    def _axes(self):
        """(origin θ0, du, dv, coordinates of θ0 on the axes) of the plane drawn."""
        state, C = self.state, self.state.num_classes
        theta = core.flatten(state.W, state.b)
        if self.mode.value == "parameters":
            du = core.parameter_direction(self.x_param.value, C)
            dv = core.parameter_direction(self.y_param.value, C)
            return theta, du, dv, (float(theta @ du), float(theta @ dv))
        if self._plane is None:
            du, dv = core.random_directions(state.W, state.b, int(self.seed.value))
            self._plane = (theta, du, dv)
        return (*self._plane, (0.0, 0.0))

    @staticmethod
    def _coordinates(thetas, origin, du, dv, at_origin):
        """Where parameter vectors (M, P) fall on the plane's axes."""
        us, vs = core.slice_coordinates(thetas, origin, du, dv)
        return us + at_origin[0], vs + at_origin[1]

    def _grid_key(self, origin, du, dv):
        state = self.state
        return (origin.tobytes(), du.tobytes(), dv.tobytes(), float(self.span.value),
                state.X.tobytes(), state.y.tobytes(), tuple(sorted(state.objective.items())))

    def _draw_grid(self):
        state = self.state
        origin, du, dv, at = self._axes()
        key = self._grid_key(origin, du, dv)
        if key == self._key or self._job is not None:
            return  # drawn, or being computed (the next is asked for when it is done)
        started = time.perf_counter()
        span = float(self.span.value)
        n_points = max(1, len(state.X))
        cells = int(min(RESOLUTION, max(11, np.sqrt(MAX_GRID_WORK / n_points))))
        us, vs = core.grid_axes(0.0, 0.0, span, cells)
        W, b = core.unflatten(origin, state.num_classes)
        arguments = (state.X, state.y, W, b, du, dv, us, vs)
        doc = pn.state.curdoc
        if cells * cells * n_points > LOOP_GRID_WORK and background.available() and \
                doc is not None and doc.session_context is not None:
            try:
                job = background.Job(core.loss_grid, *arguments, max_rows=JOB_ROWS,
                                     **state.objective)
            except background.Busy:
                return  # asked for again with the next change
            self._job = (job, key, (at, span), started)
            job.when_done(lambda: doc.add_next_tick_callback(self._grid_computed))
            return
        self._show_grid(core.loss_grid(*arguments, **state.objective), key, at, span, started)

    def _grid_computed(self):
        """On the session's loop: the grid computed off it has come (or failed)."""
        if self._job is None:
            return
        (job, key, (at, span), started), self._job = self._job, None
        kind, losses = job.poll() or ("stopped", None)
        if kind == "ok":
            held(lambda: self._show_grid(losses, key, at, span, started))
        self._grid()  # the lab may have moved on meanwhile: its grid next

    def _show_grid(self, losses, key, at, span, started):
        cu, cv = at
        positive = losses[losses > 0]
        self.mapper.update(low=float(positive.min()) if positive.size else 1e-3,
                           high=float(max(losses.max(), 1e-3)))
        self.grid.data = dict(image=[np.maximum(losses, 1e-12)], x=[cu - span], y=[cv - span],
                              dw=[2 * span], dh=[2 * span])
        self.figure.x_range.update(start=cu - span, end=cu + span)
        self.figure.y_range.update(start=cv - span, end=cv + span)
        self._key = key
        self._grid_cost = time.perf_counter() - started

    def release(self):
        """The session has ended: stop its grid, if one is being computed."""
        if self._job is not None:
            self._job[0].cancel()
            self._job = None

    def _draw(self):
        state = self.state
        origin, du, dv, (cu, cv) = self._axes()
        if self._grid_key(origin, du, dv) != self._key:
            self._grid()
        xs, ys = self._coordinates(np.array(self._trail), origin, du, dv, (cu, cv))
        self.path.data = dict(x=xs, y=ys)
        here_x, here_y = self._coordinates(core.flatten(state.W, state.b)[None], origin, du, dv,
                                           (cu, cv))
        self.here.data = dict(x=here_x, y=here_y)
        by_parameters = self.mode.value == "parameters"
        self.figure.xaxis.axis_label = (labels.parameter_label(self.x_param.value) if by_parameters
                                        else "direction 1")
        self.figure.yaxis.axis_label = (labels.parameter_label(self.y_param.value) if by_parameters
                                        else "direction 2")
