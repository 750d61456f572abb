"""The LossLab page of one lab: its state and training, its views, the layout and the Run timer;
and `create_app`, which makes one, served or in a notebook."""

import numpy as np
import panel as pn
import param
from bokeh.models import Spacer

from losslab import core
from losslab.session.share_codec import SHARED, ShareError, state_from_dict
from losslab.session.state import LabState
from losslab.session.training import Training
from losslab.transport import notebook
from losslab.transport.frame import Frame
from losslab.transport.pacing import RunTimer
from losslab.transport.wire import held
from losslab.views.charts import CompareChart, HistoryChart
from losslab.views.classroom import ClassRoom
from losslab.views.connection import ConnectionWatch
from losslab.views.data import DataControls
from losslab.views.lab_picture import LabStream
from losslab.views.landscape import LandscapeView
from losslab.views.math import ExplanationView, LossSettings
from losslab.views.optimizer import OptimizerControls
from losslab.views.parameters import ParameterControls
from losslab.views.layout import PAGE_STYLESHEET, PAGE_TEMPLATE, PageLayout, show_presentation
from losslab.views.plot import PlotView
from losslab.views.point_rows import PointRows
from losslab.views.points_table import points_table
from losslab.views.readouts import LossReadout
from losslab.views.settings import SettingsControls
from losslab.views.share import ShareControls
from losslab.views.shortcuts import Shortcuts
from losslab.web import STYLESHEET, WIDGET_STYLESHEET

TABS = ("Points", "Optimizer", "Landscape", "Compare", "Loss", "Data", "Class")

TABS_STYLESHEET = """
/* Six titles in large type are wider than the column: they wrap. */
.bk-headers-wrapper { flex-wrap: wrap !important; }
.bk-tab { padding: 0.3em 0.55em; }
/* Bokeh's track is minmax(auto, 1fr): the widest content of any tab (a long formula) would widen
   the column. Wide content scrolls in its tab instead. */
:host(.bk-above) { grid-template: "header" max-content "stack" 1fr / minmax(0, 1fr) !important; }
/* As tall as its content: the flex basis of 0 its Column gives it would be 0 in a grid row. */
:host { min-width: 0 !important; flex: 0 0 auto !important; }
"""
ROW_STYLESHEET = ":host { flex-wrap: wrap !important; min-width: 0 !important; }"
"""Rows of widgets wrap when their column is narrower than they are (a phone, large type)."""


TITLE = "LossLab"
"""The served page's title."""

DEFAULT_TITLES = (None, "", "Panel Application", "Bokeh Application")
"""The titles Panel and Bokeh give a page that was given none (`pn.serve`, `panel serve`)."""


class LabColumn(pn.Column):
    """The lab's outermost layout. Served, its page is titled LossLab unless the server was given
    a title of its own; in a notebook output, every stylesheet it draws with is a local one."""

    def server_doc(self, doc=None, title=None, location=True):
        return super().server_doc(doc, title=TITLE if title in DEFAULT_TITLES else title,
                                  location=location)

    def get_root(self, doc=None, comm=None, preprocess=True):
        if comm is not None and doc is not None:  # a notebook output: before any model is made
            notebook.keep_stylesheets_local(doc)
        return super().get_root(doc, comm, preprocess)


class LabPage(pn.viewable.Viewer):
    """Everything one lab shows, built on one `LabState`. Displayed in a notebook it is one view:
    each `create_app()` is a lab of its own (one lab cannot be drawn in two outputs)."""

    state = param.ClassSelector(class_=LabState, constant=True, doc="The lab shown.")
    served = param.Boolean(False, constant=True, doc=(
        "The lab is a page of its own, served (not embedded in a notebook's page): it keeps the "
        "page's address in step with the lab, and takes the keys pressed with nothing focused."))

    def __init__(self, host="localhost", address="", **params):
        """`host`: this server as the page's browser reached it (for a class's student link);
        `address`: the browser's network address (a class limits the codes tried from one)."""
        super().__init__(**{"state": LabState(), **params})
        state = self.state
        self.training = Training(state)
        self.frame = Frame()
        self.plot = PlotView(state=state, training=self.training)
        self.parameters = ParameterControls(state=state, frame=self.frame)
        self.settings = SettingsControls(state=state, training=self.training)
        self.readout = LossReadout(state=state, frame=self.frame)
        self.rows = PointRows(state=state)
        self.table = points_table(self.rows.source)
        self.optimizer = OptimizerControls(state=state, frame=self.frame)
        self.stream = LabStream(self.plot, self.readout, self.parameters, self.optimizer)
        self.timer = RunTimer(self.training, self.frame, self.stream)
        self.history = HistoryChart(state=state, training=self.training)
        self.landscape = LandscapeView(state=state)
        self.compare = CompareChart(state=state)
        self.explanation = ExplanationView(state=state)
        self.loss_settings = LossSettings(state=state)
        self.data = DataControls(state=state)
        self.share = ShareControls(state=state, writes_address=self.served)
        self.shortcuts = Shortcuts(state=state, training=self.training)
        # Served, the page is the lab: a key pressed with nothing focused is the lab's too.
        self.shortcuts.keys.scope = "page" if self.served else "lab"
        self.connection = ConnectionWatch(width=0, height=0, margin=0)
        self.classroom = ClassRoom(TABS, host, address, state=state, training=self.training,
                                   frame=self.frame, scene=self.plot.scene)
        self.tabs = pn.Tabs(
            (TABS[0], pn.Column(self.table, self.explanation, margin=0)),
            (TABS[1], self.optimizer),
            (TABS[2], self.landscape),
            (TABS[3], self.compare),
            (TABS[4], self.loss_settings),
            (TABS[5], pn.Column(self.data, self.share, margin=0)),
            (TABS[6], self.classroom),
            # Every tab's models are made with the page. Panel's dynamic tabs (made when first
            # shown) would open a page a third sooner, but on Panel 1.9 the browser throws on
            # returning to a tab and a notebook's output stops taking the readouts' updates.
            # stretch_both, as a tab whose content stretches both ways makes it in any case.
            margin=(4, 0), dynamic=False, sizing_mode="stretch_both",
            stylesheets=[TABS_STYLESHEET],
        )
        self.tabs.param.watch(self._on_tab, "active")
        # A class shows every student the teacher's tab.
        self.tabs.link(self.classroom, active="tab", bidirectional=True)
        self.classroom.param.watch(lambda event: setattr(self.share, "pinned", event.new),
                                   "query")
        self.presentation = pn.widgets.Toggle.from_param(state.param.presentation,
                                                         label="Presentation")
        self.fit_view = pn.widgets.Button(label="Fit view", description="Fit the view to the data")
        self.fit_view.on_click(lambda event: held(state.fit_view))

        header = pn.pane.HTML(
            "<h1>LossLab</h1><span class='muted'>a linear classifier <i>s = W x + b</i> on 2-D "
            "points of 3 classes: drag a point, change W and b, step the optimizer</span>",
            css_classes=["header"], sizing_mode="stretch_width", margin=0,
            stylesheets=[STYLESHEET],
        )
        # In a notebook, whatever a change leaves unsent (a cell that sets the state) goes out as
        # soon as the kernel is free. (Served, the server sends it: one watcher less per change.)
        if not self.served:
            state.param.watch(lambda *events: notebook.flush_soon(self.frame.document),
                              [name for name in state.param if name != "name"])
        column = dict(margin=0, stylesheets=[PAGE_STYLESHEET])
        self.grid = pn.Column(
            pn.Row(header, self.classroom.badge, self.fit_view, self.presentation, self.shortcuts.toggle,
                   css_classes=["lab-header"], margin=0, sizing_mode="stretch_width",
                   stylesheets=[PAGE_STYLESHEET]),
            pn.Column(self.plot, css_classes=["lab-plot-cell"], margin=0),
            pn.Column(pn.Column(self.parameters, css_classes=["lab-wb"], margin=0),
                      pn.Column(self.readout, css_classes=["lab-readouts"], margin=0),
                      pn.Column(self.history, css_classes=["lab-history"], margin=0),
                      css_classes=["lab-column", "lab-b"], **column),
            pn.Column(pn.Column(self.settings, css_classes=["lab-settings"], margin=0),
                      pn.Column(self.tabs, css_classes=["lab-tabs"], margin=0),
                      css_classes=["lab-column", "lab-c"], **column),
            css_classes=["lab-grid"], **column,
        )
        self.layout = LabColumn(
            self.grid,
            # The frame, the plot's scene and the table's rows reach the page as references of an
            # empty element of the layout (the components that show them refer to them in a way
            # Bokeh does not follow: without this they would not be in the document at all).
            pn.Column(
                pn.pane.Bokeh(Spacer(width=0, height=0, margin=0,
                                     tags=[self.frame, self.plot.scene, self.rows.source]), margin=0),
                self.share.address, self.shortcuts.keys, PageLayout(width=0, height=0, margin=0),
                notebook.EchoGuard(width=0, height=0, margin=0), self.connection,
                self.stream.view,
                css_classes=["lab-helper"], margin=0),
            self.shortcuts.help,
            stylesheets=[STYLESHEET, PAGE_STYLESHEET], margin=0, name="LossLab",
            css_classes=["lab-page"], sizing_mode="stretch_both",
        )
        for widget in self.layout.select(pn.widgets.Widget):
            widget.stylesheets = [*widget.stylesheets, WIDGET_STYLESHEET]
        for row in self.layout.select(pn.Row):
            if row is not self.grid[0]:
                row.param.update(sizing_mode="stretch_width",
                                 stylesheets=[*row.stylesheets, ROW_STYLESHEET])
        styled = [self.layout, self.grid, *self.grid[2:4]]
        show_presentation(styled, state.presentation)
        state.param.watch(lambda event: show_presentation(styled, event.new), "presentation")

    def __panel__(self):
        return self.layout

    def _on_tab(self, event):
        """Views on hidden tabs wait: computing and sending what nobody sees would slow the rest."""
        tab = TABS[event.new]
        self.explanation.show(tab == "Points")
        self.landscape.show(tab == "Landscape")
        self.stream.every_step = tab == "Landscape"
        self.loss_settings.show(tab == "Loss")
        self.data.show(tab == "Data")

    def release(self):
        """Stop what would outlive the page: its Run timer and stream, any comparison it started,
        its part in a class."""
        self.timer.stop()
        self.stream.release()
        self.compare.release()
        self.landscape.release()
        self.classroom.release()


SETTINGS = ("preset", *SHARED)
"""What `create_app` takes: a data preset (core.PRESETS), or the lab's own shared settings."""


def lab_state(preset=None, **settings):
    """A new LabState with `settings` (the names in SETTINGS), checked as a shared link's values
    are: an unknown name, or a value outside what the lab declares, raises and says why."""
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise TypeError(f"create_app() got unknown setting{'s' * (len(unknown) > 1)} "
                        f"{', '.join(map(repr, unknown))}; the lab's settings are: "
                        f"{', '.join(SETTINGS)}.")
    if preset is not None and preset not in core.PRESETS:
        raise ValueError(f"'preset' must be one of {', '.join(map(repr, core.PRESETS))}, "
                         f"not {preset!r}.")
    if preset is not None and ("X" in settings or "y" in settings):
        raise ValueError("Give the points either as a preset or as X and y, not both.")
    # Python's own values (arrays, NumPy numbers) in the form a link's values take.
    plain = {key: value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value
             for key, value in settings.items()}
    try:
        values = state_from_dict(plain)
    except ShareError as error:
        raise ValueError(str(error)) from None
    state = LabState(**values)
    if preset is not None:
        state.load_preset(preset)
    return state


def create_app(**settings):
    """A new lab: its page, one per browser session, or shown in a notebook cell's output.

    `settings` open a prepared view: `preset` (a data set of core.PRESETS) and any of the lab's
    own settings (`loss`, `optimizer`, `step_size`, `presentation`, …, as a shared link holds
    them; see SETTINGS). Served, it opens on the lab its address holds, if any, and stops its Run
    timer when the session ends. The page returned shows itself in a notebook and holds the lab:
    `.state` (LabState), `.training` (Step: `.training.step()`; Run: `.state.running = True`).
    """
    state = lab_state(**settings)
    notebook.load_extension()
    doc = pn.state.curdoc
    served = doc is not None and doc.session_context is not None
    request = doc.session_context.request if served else None
    host = request.headers.get("Host", "localhost") if served else "localhost"
    address = (getattr(request, "remote_ip", None) or "") if served else ""
    page = LabPage(state=state, served=served, host=host, address=address)
    if settings.get("preset") is not None:
        page.data.preset.value = settings["preset"]
    if served:
        doc.template = PAGE_TEMPLATE
        pn.state.on_session_destroyed(lambda session_context: page.release())
        page.connection.served = True
        # The lab reads its address itself, as the server parsed it (for a session its
        # websocket opened, from the session's token): Panel's own reading of it fails on some
        # addresses and hands some values to a Python-literal parser.
        request = doc.session_context.request
        arguments = request.arguments if request is not None else {}
        if not page.classroom.open_arguments(arguments):
            page.share.open_arguments(arguments)
    return page
