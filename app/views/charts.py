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
from losslab.session import background
from losslab.session.history import FIELDS
from losslab.session.training import DIVERGED, Training
from losslab.transport.throttle import Throttle
from losslab.transport.wire import held
from losslab.views.base import View, sized
from losslab.views.figures import TEXT_SIZES, figure_pane, text_in_em
from losslab.views.number_box import NumberBox
from losslab.web import script

CHART_HEIGHT_EM = 17
"""Height of a chart in em of the page's type."""

HISTORY_SEND_S = 0.5
"""During a run, new history records go to the browser at most this often, a few at a time: each
stream makes the browser repaint the chart, and a curve read by eye needs no more."""
SERIES = {"total_loss": "total", "data_loss": "data", "reg_loss": "regularization"}
MIN_STEPS_SHOWN = 10
"""The step axis spans at least this many steps: before the first step it reads 0 … 10."""
COMPARE_MAX_STEPS = 5000
"""The longest comparison, in steps of each optimizer."""
COMPARE_POLL_MS = 200
"""How often a comparison's progress is read and shown while it runs."""


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


LEGEND_COLUMNS = 2
"""Entries in a row of a chart's legend: rows of two fit under a chart in the narrow column
that presentation mode gives it (one row of four ran past the chart, over the table beside it)."""


def _legend_below(fig, items):
    """A legend under the chart, in rows, so that it never covers a curve."""
    legend = Legend(items=items, orientation="horizontal", glyph_width=18, glyph_height=10,
                    spacing=8, padding=2, margin=0, ncols=LEGEND_COLUMNS,
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
    their total losses on one chart.

    Served by `losslab`, a comparison runs off the server's event loop (in a job process of
    losslab.session.background), with a progress bar and Cancel, so it never holds up another
    lab; elsewhere (a notebook) it runs at once."""

    def __init__(self, **params):
        super().__init__(**params)
        # Plain checkboxes, each named by its optimizer: a person sees every choice at once, and
        # assistive technology reads them as it reads any checkbox.
        self.choice = pn.widgets.CheckBoxGroup(
            options=labels.choices(labels.OPTIMIZERS), value=["sgd", "momentum", "adam"],
            inline=True, sizing_mode="stretch_width",
            stylesheets=[".bk-input-group.bk-inline { flex-wrap: wrap; row-gap: 0.3em; }"])
        self.choice.param.watch(self._at_most_one_per_line, "value")
        self.steps = NumberBox(self.state, "Steps", 7, integer=True, value=200,
                               bounds=(1, COMPARE_MAX_STEPS))
        self.button = pn.widgets.Button(label="Compare", color="primary")
        # Cancel and the progress bar stay on the page, idle between comparisons: showing and
        # hiding them would lay the page out again each time (a second on a busy laptop).
        self.cancel = pn.widgets.Button(label="Cancel", disabled=True)
        self.progress = sized(pn.indicators.Progress(value=0, max=1000,
                                                     css_classes=["compare-progress"],
                                                     margin=(14, 8)), 10)
        self.status = pn.pane.HTML("", margin=(0, 6), css_classes=["compare-status"])
        self.figure = _chart("Total loss from the same start", "total loss")
        # One line per optimizer that can be compared, built once on one source: a run only
        # gives them data, so the page never builds a plot's parts while it draws into them.
        self.source = ColumnDataSource(self._columns({}))
        self.lines = [self.figure.line("step", f"loss{i}", source=self.source, color=color,
                                       line_dash=dash, line_width=2.5, visible=False)
                      for i, (color, dash) in enumerate(COMPARE_STYLES)]
        self.legend = _legend_below(self.figure, [])
        self._job = self._poller = None
        self._steps_asked = 0
        self.button.on_click(lambda event: held(self.run))
        self.cancel.on_click(lambda event: held(lambda: self._end("Cancelled.")))
        self.panel = pn.Column(pn.pane.HTML("Optimizers to compare", margin=(6, 10, 0, 10)),
                               self.choice,
                               pn.Row(self.steps.widget, self.button, self.cancel, self.progress,
                                      margin=0, styles={"align-items": "flex-end"}),
                               self.status,
                               figure_pane(text_in_em(self.figure), CHART_HEIGHT_EM), margin=0)

    def _at_most_one_per_line(self, event):
        """A choice past the chart's lines is taken back, and the page says why."""
        if len(event.new) > len(self.lines):
            self.choice.value = event.old
            self.status.object = f"At most {len(self.lines)} optimizers at once: untick one first."

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
        """Start a comparison of the chosen optimizers from the lab as it is now."""
        if self._job is not None:
            return
        names = list(self.choice.value)
        if not 2 <= len(names) <= len(self.lines):
            self.status.object = f"Pick 2 to {len(self.lines)} optimizers."
            return
        state = self.state
        optimizers = {labels.OPTIMIZERS[name]: core.make_optimizer(
                          name, state.step_size, **state.hyperparameters_of(name))
                      for name in names}
        steps = int(self.steps.value)
        args = (state.X, state.y, state.W, state.b, optimizers, steps)
        settings = dict(batch_size=state.batch_size, seed=state.seed, schedule=state.schedule,
                        decay_rate=state.decay_rate, decay_every=state.decay_every,
                        **state.objective)
        doc = pn.state.curdoc
        if not background.available() or doc is None or doc.session_context is None:
            self._show(core.compare_optimizers(*args, **settings), steps)  # a notebook, say
            return
        try:
            self._job = background.Job(core.compare_optimizers, *args, **settings)
        except background.Busy as busy:
            self.status.object = html.escape(str(busy))
            return
        self._steps_asked = steps
        self.button.disabled = True
        self.cancel.disabled = False
        self.progress.value = 0
        self.status.object = html.escape(f"Comparing {len(names)} optimizers over {steps} steps…")
        self._poller = (doc, doc.add_periodic_callback(self._poll, COMPARE_POLL_MS))

    def release(self):
        """The session has ended: stop its comparison, if one runs."""
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def _poll(self):
        if self._job is None:
            return
        outcome = self._job.poll()
        if outcome is None:
            self.progress.value = int(1000 * self._job.fraction)
            return
        kind, result = outcome
        if kind == "ok":
            held(lambda: (self._end(), self._show(result, self._steps_asked)))
        elif kind == "stopped":
            held(lambda: self._end(f"Stopped: {result}."))
        else:
            held(lambda: self._end(f"The comparison failed: {result}."))

    def _end(self, text=None):
        """The comparison is over (`text` says why, if it did not finish)."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        if self._poller is not None:
            doc, callback = self._poller
            self._poller = None
            if doc.session_context is not None:
                doc.remove_periodic_callback(callback)
        self.button.disabled = False
        self.cancel.disabled = True
        self.progress.value = 1000 if text is None else 0  # full: finished
        if text is not None:
            self.status.object = html.escape(f"{text} The chart shows the last comparison "
                                             "that finished.")

    def _show(self, runs, steps):
        self.source.data = self._columns(runs)
        self.figure.x_range.end = max(MIN_STEPS_SHOWN, steps)
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
        self.status.object = html.escape(f"Total loss after {steps} steps: {'; '.join(finals)}")
