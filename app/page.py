"""The LossLab page of one browser session: the state, its views, the layout and the Run timer."""

import panel as pn
from bokeh.models import Spacer

from losslab.web import STYLESHEET
from losslab.views.charts import CompareChart, HistoryChart
from losslab.views.parameters import ParameterControls, SettingsControls
from losslab.views.data import DataControls
from losslab.transport.frame import Frame
from losslab.views.landscape import LandscapeView
from losslab.views.math import ExplanationView, LossSettings
from losslab.views.optimizer import OptimizerControls
from losslab.transport.pacing import RunTimer
from losslab.views.plot import PlotView
from losslab.views.readouts import LossReadout, data_table
from losslab.views.share import ShareControls
from losslab.views.shortcuts import Shortcuts, presentation_scale
from losslab.session.state import LabState
from losslab.transport.wire import held

TABS = ("Points", "Optimizer", "Landscape", "Compare", "Loss", "Data")


class LabPage:
    """Everything one session shows, built on one `LabState`."""

    def __init__(self, state=None):
        self.state = state or LabState()
        self.frame = Frame()
        self.plot = PlotView(self.state)
        self.parameters = ParameterControls(self.state, self.frame)
        self.settings = SettingsControls(self.state)
        self.readout = LossReadout(self.state, self.frame)
        self.table = data_table(self.plot.points)
        self.timer = RunTimer(self.state, self.frame)
        self.optimizer = OptimizerControls(self.state, self.frame)
        self.history = HistoryChart(self.state)
        self.landscape = LandscapeView(self.state)
        self.compare = CompareChart(self.state)
        self.explanation = ExplanationView(self.state)
        self.loss_settings = LossSettings(self.state)
        self.data = DataControls(self.state)
        self.share = ShareControls(self.state)
        self.shortcuts = Shortcuts(self.state)
        self.tabs = pn.Tabs(
            (TABS[0], pn.Column(pn.pane.Bokeh(self.table, margin=(4, 0)), self.explanation.panel,
                                margin=0)),
            (TABS[1], self.optimizer.panel),
            (TABS[2], self.landscape.panel),
            (TABS[3], self.compare.panel),
            (TABS[4], self.loss_settings.panel),
            (TABS[5], pn.Column(self.data.panel, self.share.panel, margin=0)),
            margin=(4, 0), dynamic=False,
        )
        self.tabs.param.watch(self._on_tab, "active")
        self.presentation = pn.widgets.Toggle.from_param(self.state.param.presentation,
                                                         label="Presentation", width=110)
        self.fit_view = pn.widgets.Button(label="Fit view to the data", width=160)
        self.fit_view.on_click(lambda event: held(self.state.fit_view))

        header = pn.pane.HTML(
            "<h1>LossLab</h1><span class='muted'>a linear classifier "
            "<i>s = W x + b</i> on 2-D points of 3 classes: its loss, its gradient, its updates</span>",
            css_classes=["header"], sizing_mode="stretch_width", margin=(0, 8),
            stylesheets=[STYLESHEET],
        )
        self.layout = pn.Column(
            pn.Row(header, self.presentation, self.shortcuts.toggle, margin=0,
                   sizing_mode="stretch_width"),
            self.shortcuts.help_table,
            pn.Row(
                pn.Column(pn.pane.Bokeh(self.plot.figure, margin=(0, 8)),
                          pn.Row(self.fit_view, pn.pane.HTML(
                              "<span class='muted'>Drag a point to move it; pan and zoom with "
                              "the toolbar.</span>", stylesheets=[STYLESHEET], margin=(12, 6)),
                              margin=0),
                          margin=0),
                pn.Column(self.parameters.panel, self.history.panel, margin=0),
                pn.Column(self.settings.panel, self.readout.panel, self.tabs,
                          width=410, margin=(0, 4)),
                margin=0,
            ),
            # The frame reaches the page as a reference of an empty element of the layout (the
            # components that show its numbers refer to it in a way Bokeh does not follow).
            pn.pane.Bokeh(Spacer(width=0, height=0, margin=0, tags=[self.frame]), margin=0),
            self.share.address, self.shortcuts.keys, presentation_scale(self.state),
            stylesheets=[STYLESHEET], margin=0, name="LossLab",
        )

    def _on_tab(self, event):
        """Views on hidden tabs wait: computing and sending what nobody sees would slow the rest."""
        tab = TABS[event.new]
        self.explanation.show(tab == "Points")
        self.landscape.show(tab == "Landscape")
        self.loss_settings.show(tab == "Loss")
        self.data.show(tab == "Data")


def forget_js_links(layout):
    """Drop Panel's registry entries of the JS links inside `layout`.

    Panel keeps every JS link in a class-level registry keyed weakly by its source widget, but an
    entry's value can refer back to that widget, so neither ever becomes garbage: without this a
    session would leave its widgets, and through their watchers its whole LabState, behind.
    """
    from panel.links import Callback

    for obj in layout.select():
        Callback.registry.pop(obj, None)


def forget_session_callbacks(doc):
    """Drop the callbacks an ended session's document still lists (a Run step, an address write
    that were waiting).

    The server no longer runs them, but Bokeh's `Document.destroy` leaves the list in place, and
    Panel's server-wide tasks can keep a dead document alive (in the context they were started
    from), and with it, through those callbacks, a whole lab.
    """
    doc.callbacks._session_callbacks.clear()


def release(page, doc):
    """Let go of everything that would keep an ended session's page alive."""
    forget_js_links(page.layout)
    page.timer.stop()
    forget_session_callbacks(doc)


def create_app():
    """A new LossLab page with its own state: one per browser session, or per notebook cell.
    Served, it opens on the state its address holds, if any, and is released when the session
    ends."""
    pn.extension("katex")
    page = LabPage()
    doc = pn.state.curdoc
    if doc is not None and doc.session_context is not None:
        def on_session_destroyed(session_context):  # Bokeh requires exactly this signature
            release(page, doc)

        pn.state.on_session_destroyed(on_session_destroyed)
        if pn.state.location is not None:
            page.share.open_address(pn.state.location.search)
    return page.layout
