"""Charts of the optimizer lab: the loss history of the run, and several optimizers compared."""

import html

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, Legend, LegendItem, LinearAxis, Range1d
from bokeh.plotting import figure

from losslab import core, labels
from losslab.palette import COMPARE_COLORS, LOSS_COLORS
from losslab.session.history import FIELDS
from losslab.session.training import DIVERGED, Training
from losslab.transport.throttle import Throttle
from losslab.transport.wire import held
from losslab.views.base import View

CHART_WIDTH, CHART_HEIGHT = 350, 235

HISTORY_SEND_S = 0.1
"""During a run, new history records go to the browser at most this often, a few at a time."""
SERIES = {"total_loss": "total", "data_loss": "data", "reg_loss": "regularization"}


def _chart(title, y_label):
    fig = figure(width=CHART_WIDTH, height=CHART_HEIGHT, title=title, x_axis_label="step",
                 y_axis_label=y_label, tools="pan,wheel_zoom,box_zoom,reset,save",
                 toolbar_location="above")
    fig.title.text_font_size = "12px"
    return fig


def _compact_legend(fig):
    legend = fig.legend
    legend.location = "top_right"
    legend.label_text_font_size = "9px"
    legend.glyph_width = legend.glyph_height = 12
    legend.spacing = legend.padding = legend.margin = 2
    legend.background_fill_alpha = 0.6


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
        fig.line("step", "batch_loss", source=self.source, color=LOSS_COLORS["batch_loss"],
                 alpha=0.6, legend_label="mini-batch")
        for field, label in SERIES.items():
            fig.line("step", field, source=self.source, color=LOSS_COLORS[field], line_width=2,
                     legend_label=label)
        fig.extra_y_ranges = {"accuracy": Range1d(0, 1.02)}
        fig.add_layout(LinearAxis(y_range_name="accuracy", axis_label="accuracy"), "right")
        fig.line("step", "accuracy", source=self.source, y_range_name="accuracy",
                 color=LOSS_COLORS["accuracy"], line_dash="dashed", legend_label="accuracy")
        _compact_legend(fig)
        fig.legend.click_policy = "hide"
        self.figure = fig
        self.panel = pn.pane.Bokeh(fig)
        # While running, the records of a few steps go together.
        self.refresh = Throttle(self.state, self._send, running_every=HISTORY_SEND_S)
        self.refresh()
        self.state.param.watch(self.refresh, "steps")
        self.training.param.watch(self.refresh, "history_restarted")

    def _send(self):
        history = self.training.history
        version, sent = self._shown
        if version != history.version or sent > len(history):
            self.source.data = history.columns()
        elif sent < len(history):
            self.source.stream(history.columns(start=sent))
        self._shown = (history.version, len(history))


class CompareChart(View):
    """Two to four optimizers run from the current W, b on the same data and the same batches,
    their total losses on one chart."""

    def __init__(self, **params):
        super().__init__(**params)
        self.choice = pn.widgets.MultiChoice(label="Optimizers to compare",
                                             options=labels.choices(labels.OPTIMIZERS),
                                             value=["sgd", "momentum", "adam"],
                                             max_items=len(COMPARE_COLORS), width=260)
        self.steps = pn.widgets.IntInput(label="Steps", value=200, start=1, end=5000, width=90)
        self.button = pn.widgets.Button(label="Compare", color="primary", width=100)
        self.status = pn.pane.HTML("", margin=(0, 6))
        self.figure = _chart("Total loss from the same start", "total loss")
        # One line per optimizer that can be compared, built once on one source: a run only
        # gives them data, so the page never builds a plot's parts while it draws into them.
        self.source = ColumnDataSource(self._columns({}))
        self.lines = [self.figure.line("step", f"loss{i}", source=self.source, color=color,
                                       line_width=2, visible=False)
                      for i, color in enumerate(COMPARE_COLORS)]
        self.figure.add_layout(Legend(items=[]))
        _compact_legend(self.figure)
        self.button.on_click(lambda event: held(self.run))
        self.panel = pn.Column(pn.Row(self.choice, self.steps, margin=0), self.button, self.status,
                               pn.pane.Bokeh(self.figure), margin=0)

    def _columns(self, runs):
        """The source's columns: `step`, and `loss0`, `loss1`, … the total loss of each run (NaN
        where it is not finite, and on lines without a run)."""
        losses = [run["total_loss"] for run in runs.values()]
        steps = len(losses[0]) if losses else 0
        losses += [np.full(steps, np.nan)] * (len(COMPARE_COLORS) - len(losses))
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
        for i, line in enumerate(self.lines):
            line.visible = i < len(runs)
        self.figure.legend.items = [LegendItem(label=label, renderers=[line])
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
