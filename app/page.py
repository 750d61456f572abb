"""The LossLab page of one browser session: the state, its views, the layout and the Run timer."""

import panel as pn

from app.assets import STYLESHEET
from app.charts import CompareChart, HistoryChart
from app.controls import ParameterControls, SettingsControls
from app.landscape_view import LandscapeView
from app.optimizer_controls import OptimizerControls
from app.pacing import RunTimer
from app.plot import PlotView
from app.readouts import LossReadout, data_table
from app.state import LabState

class LabPage:
    """Everything one session shows, built on one `LabState`."""

    def __init__(self, state=None):
        self.state = state or LabState()
        self.plot = PlotView(self.state)
        self.parameters = ParameterControls(self.state)
        self.settings = SettingsControls(self.state)
        self.readout = LossReadout(self.state)
        self.table = data_table(self.plot.points)
        self.timer = RunTimer(self.state)
        self.optimizer = OptimizerControls(self.state)
        self.history = HistoryChart(self.state)
        self.landscape = LandscapeView(self.state)
        self.compare = CompareChart(self.state)
        self.tabs = pn.Tabs(
            ("Points", pn.pane.Bokeh(self.table, margin=(4, 0))),
            ("Optimizer", self.optimizer.panel),
            ("Landscape", self.landscape.panel),
            ("Compare", self.compare.panel),
            margin=(4, 0), dynamic=False,
        )
        self.tabs.param.watch(self._on_tab, "active")

        header = pn.pane.HTML(
            "<h1>LossLab</h1><span class='muted'>a linear classifier "
            "<i>s = W x + b</i> on 2-D points of 3 classes: its loss, its gradient, its updates</span>",
            css_classes=["header"], sizing_mode="stretch_width", margin=(0, 8),
            stylesheets=[STYLESHEET],
        )
        self.layout = pn.Column(
            header,
            pn.Row(
                pn.pane.Bokeh(self.plot.figure, margin=(0, 8)),
                pn.Column(self.parameters.panel, self.history.panel, margin=0),
                pn.Column(self.settings.panel, self.readout.panel, self.tabs,
                          width=410, margin=(0, 4)),
                margin=0,
            ),
            self.timer.clock,
            stylesheets=[STYLESHEET], margin=0, name="LossLab",
        )

    def _on_tab(self, event):
        self.landscape.show(self.tabs._names[event.new] == "Landscape")

    def servable(self):
        return self.layout.servable(title="LossLab")


def create_app():
    """A new LossLab page with its own state: one per browser session, or per notebook cell."""
    page = LabPage()
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        pn.state.on_session_destroyed(page.timer.stop)
    return page.layout
