"""Charts of the optimizer lab: the loss history of the run, and several optimizers compared."""

import html

import numpy as np
import panel as pn
import param
from bokeh.models import (
    ColumnDataSource,
    CustomJS,
    DataRange1d,
    Label,
    Legend,
    LegendItem,
    LinearAxis,
    Range1d,
)
from bokeh.plotting import figure

from losslab import core, labels
from losslab.palette import COMPARE_STYLES, LOSS_COLORS, TEXT_MUTED
from losslab.session.history import FIELDS
from losslab.session.training import DIVERGED, Training
from losslab.transport.throttle import Throttle
from losslab.transport.wire import held
from losslab.views.base import View, sized
from losslab.views.figures import TEXT_SIZES, figure_pane, text_in_em
from losslab.web import script

CHART_HEIGHT_EM = 17
"""Height of a chart in em of the page's type."""

HISTORY_SEND_S = 0.5
"""During a run, new history records go to the browser at most this often, a few at a time: each
stream makes the browser repaint the chart, and a curve read by eye needs no more."""
SERIES = {"total_loss": "total", "data_loss": "data", "reg_loss": "regularization"}
MIN_STEPS_SHOWN = 10
"""The step axis spans at least this many steps: before the first step it reads 0 … 10."""


def _chart(title, y_label):
    # Losses are never negative and steps start at 0: both axes start there, whatever is drawn.
    fig = figure(title=title, x_axis_label="step",
                 y_axis_label=y_label, tools="pan,wheel_zoom,box_zoom,reset,save",
                 toolbar_location="above",
                 x_range=Range1d(0, MIN_STEPS_SHOWN),
                 y_range=DataRange1d(start=0, range_padding=0.08))
    return fig


_LEGEND_SWATCH = {"step": [np.nan], "value": [np.nan]}


def _proxy(fig, line):
    """A line that only stands for `line` in the legend: drawn in its style, on a source that never
    changes, and shown or hidden (a click on its entry) with it.

    BokehJS 3.9's legend rebuilds all its entries, a canvas each, whenever a source of the lines it
    names changes: a line that was streamed to on every update of a Run cost the browser more than
    the rest of the chart. The proxy finds its line by id, not by reference, which would lead the
    legend back to the streamed source."""
    glyph = line.glyph
    proxy = fig.line("step", "value", source=ColumnDataSource(_LEGEND_SWATCH),
                     line_color=glyph.line_color, line_width=glyph.line_width,
                     line_dash=glyph.line_dash, y_range_name=line.y_range_name)
    proxy.js_on_change("visible", CustomJS(args=dict(line_id=line.id),
                                           code=script("legend_proxy.js")))
    return proxy


def _legend_below(fig, items):
    """A legend under the chart, in rows, so that it never covers a curve."""
    legend = Legend(items=items, orientation="horizontal", glyph_width=18, glyph_height=10,
                    spacing=8, padding=2, margin=0,
                    click_policy="hide")
    fig.add_layout(legend, "below")
    return legend


class HistoryChart(View):
    """Data, regularization and total loss (and the mini-batch's loss) against the step, with
    accuracy on a second axis; new records are streamed, not redrawn."""

    training = param.ClassSelector(class_=Training, constant=True,
                                   doc="The lab's training, whose history is drawn.")

    def __init__(self, **params):
        super().__init__(**params)
        self.source = ColumnDataSource({name: [] for name in FIELDS})
        self._shown = (None, 0)  # (history version, records sent)
        fig = _chart("Loss history", "loss")
        lines = {"batch_loss": fig.line("step", "batch_loss", source=self.source,
                                        color=LOSS_COLORS["batch_loss"], line_width=1.5)}
        for field in SERIES:
            lines[field] = fig.line("step", field, source=self.source, color=LOSS_COLORS[field],
                                    line_width=2)
        fig.extra_y_ranges = {"accuracy": Range1d(0, 1.02)}
        fig.add_layout(LinearAxis(y_range_name="accuracy", axis_label="accuracy"), "right")
        lines["accuracy"] = fig.line("step", "accuracy", source=self.source,
                                     y_range_name="accuracy", color=LOSS_COLORS["accuracy"],
                                     line_dash="dashed", line_width=1.5)
        names = {**SERIES, "batch_loss": "mini-batch", "accuracy": "accuracy"}
        self.legend_items = {field: LegendItem(label=names[field], renderers=[_proxy(fig, line)])
                             for field, line in lines.items()}
        self.legend_items["batch_loss"].visible = False  # until a mini-batch has been drawn
        _legend_below(fig, [self.legend_items[f] for f in (*SERIES, "batch_loss", "accuracy")])
        self.empty = Label(x=10, y=10, x_units="screen", y_units="screen",
                           text="Step or Run to draw the losses",
                           text_font_size=TEXT_SIZES["axis_label"], text_color=TEXT_MUTED)
        fig.add_layout(self.empty)
        self._batches_drawn = False
        self.figure = fig
        self.panel = figure_pane(text_in_em(fig), CHART_HEIGHT_EM)
        # While running, the records of a few steps go together.
        self.refresh = Throttle(self.state, self._send, running_every=HISTORY_SEND_S)
        self.refresh()
        self.state.param.watch(self.refresh, "steps")
        self.training.param.watch(self.refresh, "history_restarted")

    def _send(self):
        history = self.training.history
        version, sent = self._shown
        if version != history.version or sent > len(history):
            new = history.columns()
            self.source.data = new
            self._batches_drawn = False
        elif sent < len(history):
            new = history.columns(start=sent)
            self.source.stream(new)
        else:
            return
        self._shown = (history.version, len(history))
        last = float(history.columns(start=len(history) - 1)["step"][0])
        end = max(MIN_STEPS_SHOWN, last * 1.02)
        if self.figure.x_range.end != end:
            self.figure.x_range.end = end
        # A legend entry for the mini-batch's loss only once there is one to see.
        drawn = self._batches_drawn or bool(np.isfinite(new["batch_loss"]).any())
        if drawn != self.legend_items["batch_loss"].visible:
            self.legend_items["batch_loss"].visible = drawn
        self._batches_drawn = drawn
        empty = len(history) <= 1
        if self.empty.visible != empty:
            self.empty.visible = empty


class CompareChart(View):
    """Two to four optimizers run from the current W, b on the same data and the same batches,
    their total losses on one chart."""

    def __init__(self, **params):
        super().__init__(**params)
        self.choice = sized(pn.widgets.MultiChoice(label="Optimizers to compare",
                                                   options=labels.choices(labels.OPTIMIZERS),
                                                   value=["sgd", "momentum", "adam"],
                                                   max_items=len(COMPARE_STYLES)), 20)
        self.steps = sized(pn.widgets.IntInput(label="Steps", value=200, start=1, end=5000), 7)
        self.button = pn.widgets.Button(label="Compare", color="primary")
        self.status = pn.pane.HTML("", margin=(0, 6))
        self.figure = _chart("Total loss from the same start", "total loss")
        # One line per optimizer that can be compared, built once on one source: a run only
        # gives them data, so the page never builds a plot's parts while it draws into them.
        self.source = ColumnDataSource(self._columns({}))
        self.lines = [self.figure.line("step", f"loss{i}", source=self.source, color=color,
                                       line_dash=dash, line_width=2.5, visible=False)
                      for i, (color, dash) in enumerate(COMPARE_STYLES)]
        self.legend = _legend_below(self.figure, [])
        self.button.on_click(lambda event: held(self.run))
        self.panel = pn.Column(pn.Row(self.choice, self.steps, margin=0), self.button, self.status,
                               figure_pane(text_in_em(self.figure), CHART_HEIGHT_EM), margin=0)

    def _columns(self, runs):
        """The source's columns: `step`, and `loss0`, `loss1`, … the total loss of each run (NaN
        where it is not finite, and on lines without a run)."""
        losses = [run["total_loss"] for run in runs.values()]
        steps = len(losses[0]) if losses else 0
        losses += [np.full(steps, np.nan)] * (len(COMPARE_STYLES) - len(losses))
        return {"step": np.arange(steps),
                **{f"loss{i}": np.where(np.isfinite(loss), loss, np.nan)
                   for i, loss in enumerate(losses)}}

    def run(self, event=None):
        names = list(self.choice.value)
        if not 2 <= len(names) <= len(self.lines):
            self.status.object = f"Pick 2 to {len(self.lines)} optimizers."
            return
        state = self.state
        optimizers = {labels.OPTIMIZERS[name]: core.make_optimizer(
                          name, state.step_size, **state.hyperparameters_of(name))
                      for name in names}
        runs = core.compare_optimizers(
            state.X, state.y, state.W, state.b, optimizers, int(self.steps.value),
            batch_size=state.batch_size, seed=state.seed, schedule=state.schedule,
            decay_rate=state.decay_rate, decay_every=state.decay_every, **state.objective,
        )
        self.source.data = self._columns(runs)
        self.figure.x_range.end = max(MIN_STEPS_SHOWN, int(self.steps.value))
        for i, line in enumerate(self.lines):
            line.visible = i < len(runs)
        self.legend.items = [LegendItem(label=label, renderers=[line])
                             for line, label in zip(self.lines, runs)]
        finals = []
        for label, run in runs.items():
            if run["reason"] is None:
                finals.append(f"{label} {run['total_loss'][-1]:.4f}")
            else:  # entry t is the loss after t steps: the step after the last finite entry stopped it
                stopped_at = int(np.isfinite(run["total_loss"]).sum())
                finals.append(f"{label} stopped at step {stopped_at}: {DIVERGED[run['reason']]}")
        self.status.object = html.escape(
            f"Total loss after {int(self.steps.value)} steps: {'; '.join(finals)}")
