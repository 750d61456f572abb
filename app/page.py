"""The LossLab page of one lab: its state and training, its views, the layout and the Run timer."""

import panel as pn
import param
from bokeh.models import Spacer

from losslab.session.state import LabState
from losslab.session.training import Training
from losslab.transport.frame import Frame
from losslab.transport.pacing import RunTimer
from losslab.transport.wire import held
from losslab.views.charts import CompareChart, HistoryChart
from losslab.views.data import DataControls
from losslab.views.landscape import LandscapeView
from losslab.views.math import ExplanationView, LossSettings
from losslab.views.optimizer import OptimizerControls
from losslab.views.parameters import ParameterControls
from losslab.views.plot import PlotView
from losslab.views.point_rows import PointRows
from losslab.views.presentation import Presentation
from losslab.views.readouts import LossReadout, data_table
from losslab.views.settings import SettingsControls
from losslab.views.share import ShareControls
from losslab.views.shortcuts import Shortcuts
from losslab.web import STYLESHEET

TABS = ("Points", "Optimizer", "Landscape", "Compare", "Loss", "Data")


class LabPage(pn.viewable.Viewer):
    """Everything one lab shows, built on one `LabState`."""

    state = param.ClassSelector(class_=LabState, constant=True, doc="The lab shown.")

    def __init__(self, **params):
        super().__init__(**{"state": LabState(), **params})
        state = self.state
        self.training = Training(state)
        self.frame = Frame()
        self.plot = PlotView(state=state, training=self.training)
        self.parameters = ParameterControls(state=state, frame=self.frame)
        self.settings = SettingsControls(state=state, training=self.training)
        self.readout = LossReadout(state=state, frame=self.frame)
        self.rows = PointRows(state=state)
        self.table = data_table(self.rows.source)
        self.timer = RunTimer(self.training, self.frame)
        self.optimizer = OptimizerControls(state=state, frame=self.frame)
        self.history = HistoryChart(state=state, training=self.training)
        self.landscape = LandscapeView(state=state)
        self.compare = CompareChart(state=state)
        self.explanation = ExplanationView(state=state)
        self.loss_settings = LossSettings(state=state)
        self.data = DataControls(state=state)
        self.share = ShareControls(state=state)
        self.shortcuts = Shortcuts(state=state, training=self.training)
        self.tabs = pn.Tabs(
            (TABS[0], pn.Column(pn.pane.Bokeh(self.table, margin=(4, 0)), self.explanation,
                                margin=0)),
            (TABS[1], self.optimizer),
            (TABS[2], self.landscape),
            (TABS[3], self.compare),
            (TABS[4], self.loss_settings),
            (TABS[5], pn.Column(self.data, self.share, margin=0)),
            margin=(4, 0), dynamic=False,
        )
        self.tabs.param.watch(self._on_tab, "active")
        self.presentation = pn.widgets.Toggle.from_param(state.param.presentation,
                                                         label="Presentation", width=110)
        self.fit_view = pn.widgets.Button(label="Fit view to the data", width=160)
        self.fit_view.on_click(lambda event: held(state.fit_view))

        header = pn.pane.HTML(
            "<h1>LossLab</h1><span class='muted'>a linear classifier "
            "<i>s = W x + b</i> on 2-D points of 3 classes: its loss, its gradient, its updates</span>",
            css_classes=["header"], sizing_mode="stretch_width", margin=(0, 8),
            stylesheets=[STYLESHEET],
        )
        self.layout = pn.Column(
            pn.Row(header, self.presentation, self.shortcuts.toggle, margin=0,
                   sizing_mode="stretch_width"),
            self.shortcuts,
            pn.Row(
                pn.Column(self.plot,
                          pn.Row(self.fit_view, pn.pane.HTML(
                              "<span class='muted'>Drag a point to move it, the background to "
                              "pan.</span>", stylesheets=[STYLESHEET], margin=(12, 6)),
                              margin=0),
                          margin=0),
                pn.Column(self.parameters, self.history, margin=0),
                pn.Column(self.settings, self.readout, self.tabs, width=410, margin=(0, 4)),
                margin=0,
            ),
            # The frame and the plot's scene reach the page as references of an empty element of
            # the layout (the components that show their numbers refer to them in a way Bokeh does
            # not follow).
            pn.pane.Bokeh(Spacer(width=0, height=0, margin=0, tags=[self.frame, self.plot.scene]),
                          margin=0),
            self.share.address, Presentation(state=state),
            stylesheets=[STYLESHEET], margin=0, name="LossLab",
        )

    def __panel__(self):
        return self.layout

    def _on_tab(self, event):
        """Views on hidden tabs wait: computing and sending what nobody sees would slow the rest."""
        tab = TABS[event.new]
        self.explanation.show(tab == "Points")
        self.landscape.show(tab == "Landscape")
        self.loss_settings.show(tab == "Loss")
        self.data.show(tab == "Data")

    def release(self):
        """Stop what would outlive the page: its Run timer."""
        self.timer.stop()


def create_app(**settings):
    """A new LossLab page with its own lab: one per browser session, or per notebook cell.
    `settings` are the lab's own (`LabState` parameters, say loss="softmax"). Served, it opens
    on the lab its address holds, if any, and stops its Run timer when the session ends."""
    pn.extension("katex")
    page = LabPage(state=LabState(**settings))
    doc = pn.state.curdoc
    if doc is not None and doc.session_context is not None:
        pn.state.on_session_destroyed(lambda session_context: page.release())
        if pn.state.location is not None:
            page.share.open_address(pn.state.location.search)
    return page
