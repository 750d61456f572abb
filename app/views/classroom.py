"""The page's Class tab: start a class, join one by its code, or be in one (teacher or student).

A page's address says its part: `?class=CODE` follows the class, `?class=CODE&teacher=TOKEN`
drives it, `?class=new` starts one (what `losslab --class` opens). The address keeps that, not
the lab, while the page is in a class: a reload goes back into the class.
"""

import html
import urllib.parse

import panel as pn
import param

from losslab.session.class_hub import ClassKeys, class_hub, classes_shared, normalized_code
from losslab.session.training import Training
from losslab.transport.frame import Frame
from losslab.transport.scene import Scene
from losslab.views.base import WRAPPING, View, sized
from losslab.views.class_follow import ClassFollower
from losslab.views.class_tasks import Tasks
from losslab.views.class_teach import ClassTeacher
from losslab.web import STYLESHEET

CLASS_KEYS = ("class", "teacher")
"""The keys of a class address's query."""


def class_address(query):
    """(code, teacher token or None) of a class address's query, or None if it names no class.
    A class address holds nothing else."""
    pairs = urllib.parse.parse_qsl((query or "").lstrip("?"), keep_blank_values=True)
    keys = dict(pairs)
    if "class" not in keys:
        return None
    if len(pairs) != len(keys) or set(keys) - set(CLASS_KEYS):
        raise ValueError("A class link holds only class= and teacher=.")
    return keys["class"], keys.get("teacher")


class ClassRoom(View):
    """The Class tab, and the part this page plays in a class."""

    training = param.ClassSelector(class_=Training, constant=True)
    frame = param.ClassSelector(class_=Frame, constant=True)
    scene = param.ClassSelector(class_=Scene, constant=True, doc="The page's plot's Scene.")
    tab = param.Integer(0, doc="The tab the page shows (kept in step with the class).")
    query = param.String(None, allow_None=True,
                         doc="What the page's address holds while in a class (None: the lab).")

    def __init__(self, tabs, host="localhost", address="", **params):
        super().__init__(**params)
        self.tabs = tabs
        self.host = host
        self.address = address
        self.tasks = Tasks()
        self.role = None  # a ClassTeacher or a ClassFollower
        self.badge = pn.pane.HTML("", css_classes=["class-badge"], stylesheets=[STYLESHEET],
                                  margin=(6, 8))
        self.start_button = sized(pn.widgets.Button(label="Start a class", color="primary"), 11)
        self.code = sized(pn.widgets.TextInput(label="Class code", placeholder="ABC234",
                                               max_length=12), 9)
        self.join = sized(pn.widgets.Button(label="Join"), 6)
        self.said = pn.pane.HTML("", stylesheets=[STYLESHEET], sizing_mode="stretch_width")
        self.start_button.on_click(lambda event: self.tasks.start(self.start_class()))
        self.join.on_click(lambda event: self.join_class(self.code.value))
        intro = ("<b>Class</b> <span class='muted'>Start a class and your students follow this "
                 "lab live on their own screens, try it themselves and answer a challenge; or "
                 "join your teacher's class with its code.</span>")
        if not classes_shared():
            intro += ("<p class='notice'>This server runs several processes without a class "
                      "hub: a class needs one process, or <code>--class-hub redis://…</code>.</p>")
            self.start_button.disabled = self.join.disabled = True
        self.panel = pn.Column(
            pn.pane.HTML(intro, stylesheets=[STYLESHEET], sizing_mode="stretch_width",
                         margin=(8, 6, 0, 6)),
            self.start_button, pn.Row(self.code, self.join, align="end", **WRAPPING), self.said,
            margin=0,
        )

    def open_arguments(self, arguments):
        """`open_address` of the address's fields as the server parsed them ({name: [bytes]})."""
        pairs = [(name, value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
                 for name, values in arguments.items() for value in values]
        return self.open_address(urllib.parse.urlencode(pairs))

    def open_address(self, query):
        """Take the part a class address gives this page; returns whether it names a class."""
        try:
            named = class_address(query)
        except ValueError as error:
            self.state.message = f"This link could not be opened: {error}"
            return True
        if named is None:
            return False
        code, token = named
        if code == "new":
            self.tasks.start(self.start_class())
        elif token is not None:
            self.tasks.start(self._resume(code, token))
        else:
            self.join_class(code)
        return True

    # -- teaching -----------------------------------------------------------------------------

    async def start_class(self):
        if self.role is not None:
            return
        keys = await class_hub().open_class()
        self.tasks.on_page(self._teach, keys, resumed=False)

    async def _resume(self, code, token):
        if not await class_hub().is_teacher(normalized_code(code) or "", token):
            self.tasks.on_page(self._say, "This teacher link is not (or no longer) the link "
                               "of a class. Start a new class here.")
            return
        self.tasks.on_page(self._teach, ClassKeys(normalized_code(code), token), resumed=True)

    def _teach(self, keys, resumed):
        self.role = ClassTeacher(keys, self.host, self.tabs, state=self.state,
                                 training=self.training)
        self.role.tab = self.tab
        self.param.watch(lambda event: setattr(self.role, "tab", event.new), "tab")
        self.role.param.watch(lambda event: setattr(self, "tab", event.new), "tab")
        self.query = urllib.parse.urlencode({"class": keys.code, "teacher": keys.teacher_token})
        self.badge.object = f"<span class='class-teaching'>Teaching class {keys.code}</span>"
        self.panel[:] = [self.role]
        self.tasks.start(self.role.start(resumed))

    # -- following ----------------------------------------------------------------------------

    def join_class(self, text):
        code = normalized_code(text or "")
        if code is None:
            self._say("A class code is six letters and digits, as the teacher's page shows it.")
            return
        self.role = ClassFollower(code, self.tabs, self.address, state=self.state,
                                  training=self.training, frame=self.frame, scene=self.scene)
        self.role.param.watch(lambda event: setattr(self, "tab", event.new), "tab")
        self.role.param.watch(self._show_badge, "status")
        self.query = urllib.parse.urlencode({"class": code})
        self.panel[:] = [self.role]
        self._show_badge()
        self.role.start()

    def _show_badge(self, *events):
        self.badge.object = self.role.badge.object

    def _say(self, text):
        self.said.object = f"<span class='error'>{html.escape(text)}</span>"
        self.state.message = text

    def release(self):
        if self.role is not None:
            self.role.release()

