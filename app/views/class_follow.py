"""A student's side of a class: follow the teacher's lab, try it yourself, hand in a challenge.

Following, the student's lab shows the class's as it comes: the picture a step changes (the plot,
the readouts, W and b) on the class's stream, made once in the process for all its students
(losslab.transport.picture_stream), and the rest on the student's own document
(`session.classroom.follow`), each paced by the student's own browser. Without a stream (a
server that does not offer one, or before the page has opened it) all of it comes the second
way. Any change the student makes to the lab — a drag, a setting, Step,
Run — or the "Try it yourself" button makes it theirs: the class goes on without them and the
badge says so. "Follow again" returns to the class's current state.
"""

import html
import secrets
import time

import panel as pn
import param
from param.parameterized import discard_events

from losslab.session import challenges
from losslab.session.class_hub import NICKNAME_CHARS, Refused, class_hub
from losslab.session.classroom import FOLLOWED, PICTURED, follow, record_followed
from losslab.session.share_codec import state_to_dict
from losslab.session.training import Training
from losslab.transport import picture_stream
from losslab.transport.picture_stream import PageStream
from losslab.transport.frame import Frame
from losslab.transport.pacing import FOLLOWERS, PacedUpdates
from losslab.transport.scene import Scene
from losslab.transport.wire import held
from losslab.views import class_feeds
from losslab.views.base import WRAPPING, View, sized
from losslab.views.class_tasks import Tasks
from losslab.views.lab_picture import PictureStream
from losslab.web import STYLESHEET

CATCH_UP_S = 1.0
"""While the class's stream draws a follower's picture, the rest of the page (the points' table,
the charts) follows the teacher's steps at most this often: a student reads a table no faster,
and every show through the student's own document costs the server as much as a step of a lab."""

CATCH_UP_SHARE = 0.15
"""… and, in a large class, no more often than all its followers' catching up takes this share
of the process's time: the teacher's page, on the projector, keeps the rest."""


class ClassFollower(View):
    """Follows one class in one student's lab."""

    training = param.ClassSelector(class_=Training, constant=True)
    frame = param.ClassSelector(class_=Frame, constant=True)
    scene = param.ClassSelector(class_=Scene, constant=True, doc="The page's plot's Scene.")
    tab = param.Integer(0, doc="The tab the page shows (the teacher's, while following).")
    status = param.Selector(objects=["joining", "following", "exploring", "ended"],
                            default="joining", doc="What the student is doing.")

    def __init__(self, code, tabs, address="", **params):
        """`address`: the student's network address, which the hub limits the codes tried from."""
        super().__init__(**params)
        self.code = code
        self.tabs = tabs
        self.address = address
        self.student = secrets.token_hex(8)
        self.tasks = Tasks()
        self.feed = None
        self.entry = None  # this process's ProcessFeed of the class
        self.challenge = None
        self._applying = False
        self.pictured = False  # whether the class's stream draws the page's picture
        self._stepped = False  # whether Step or Run moved the lab since the challenge
        self.submitted = False
        self.paced = PacedUpdates(self.frame, self._show_class)
        self._quiet = set()  # the lab's values set since the views last heard of them
        self._history_restarted = False  # … and whether the loss history started over quietly
        self.stream = PageStream(opened=lambda: self.tasks.on_page(self._stream_opened),
                                 closed=lambda: self.tasks.on_page(self._stream_closed))
        # Its key is set while the student follows (and the server offers streams): the page
        # opens the stream then, and closes it, ignoring what is still on its way, when the key
        # goes.
        self.stream_view = PictureStream(scene=self.scene, frame=self.frame, width=0, height=0,
                                         margin=0)
        self.badge = pn.pane.HTML("", css_classes=["class-badge"], stylesheets=[STYLESHEET],
                                  margin=(6, 8))
        # Widths in em of the page's type, never wider than their place.
        self.follow_again = sized(pn.widgets.Button(label="Follow again", color="primary",
                                                    visible=False), 11)
        self.fork = sized(pn.widgets.Button(label="Try it yourself"), 11)
        self.nickname = sized(pn.widgets.TextInput(label="Your nickname (shown on the board)",
                                                   max_length=NICKNAME_CHARS), 16)
        self.goal = pn.pane.HTML("", stylesheets=[STYLESHEET], sizing_mode="stretch_width")
        self.submit = sized(pn.widgets.Button(label="Hand in my lab", color="success",
                                              visible=False), 11)
        self.said = pn.pane.HTML("", stylesheets=[STYLESHEET], sizing_mode="stretch_width")
        self.follow_again.on_click(lambda event: self.tasks.start(self._follow()))
        self.fork.on_click(lambda event: self.explore("You are trying it yourself."))
        self.submit.on_click(lambda event: self.tasks.start(self._submit()))
        self.nickname.param.watch(lambda event: self.tasks.start(self._say_status()), "value")
        self.param.watch(self._show_status, "status")
        # The board hears of every status once it is the page's: a status set by a task's result
        # comes to the page after the task has moved on.
        self.param.watch(lambda event: self.tasks.start(self._say_status()), "status")
        self.state.param.watch(self._on_own_change, [*FOLLOWED, "running", "selected"])
        self.state.param.watch(self._on_step, "steps")
        self.panel = pn.Column(
            pn.pane.HTML(f"<b>Class {html.escape(code)}</b>", stylesheets=[STYLESHEET],
                         margin=(8, 6, 0, 6)),
            self.badge, pn.Row(self.fork, self.follow_again, **WRAPPING), self.nickname,
            self.goal, self.submit, self.said,
            self.stream_view,
            margin=0,
        )
        self._show_status()

    # -- following ----------------------------------------------------------------------------

    def start(self):
        self.tasks.start(self._follow())

    async def _follow(self):
        try:
            code = await class_hub().find(self.code, self.address or self.student)
            self.entry = await class_feeds.feed(code, self.tabs)
        except Refused as error:
            self.tasks.on_page(self._refused, str(error))
            return
        self.feed = self.entry.feed
        self.entry.followers.add(self)
        self.tasks.on_page(self._following)

    def _following(self):
        # The class's lab takes the place of the student's, and of a Run of the student's own
        # (which may be streaming the page's picture).
        self._applying = True
        try:
            self.state.running = False
        finally:
            self._applying = False
        self.status = "following"
        self.said.object = ""
        self.class_changed()
        if picture_stream.served:
            self.stream_view.key = self.stream.key

    def _refused(self, text):
        self.status = "ended"
        self.said.object = f"<span class='error'>{html.escape(text)}</span>"

    def class_changed(self):
        """The class's lab changed (called by the feed, from any session)."""
        feed = self.feed
        if self.status == "following" and self.stream.sending and not feed.ended:
            self.stream.offer(self.entry.picture())
            self._take_quietly()
            if feed.changed <= PICTURED:  # the picture shows it: the rest of the page may wait
                catch_up_s = max(CATCH_UP_S, FOLLOWERS.spacing_within(CATCH_UP_SHARE))
                self.paced.request(after_s=catch_up_s)
                return
        if self.status in ("following", "joining") or feed.ended:
            self.paced.request()

    def _take_quietly(self):
        """Keep the lab current without a word to its views (the stream draws the picture): a
        student who takes the lab over takes it as the class has it."""
        feed, state, training = self.feed, self.state, self.training
        # Only what this message changed: the lab was current after the one before (a page's
        # stream starts on a lab just shown in full).
        values = {key: getattr(feed.lab, key) for key in feed.changed if key in FOLLOWED}
        state.take_quietly({**values, "steps": feed.extras["steps"]}, feed.lab.evaluation)
        self._quiet.update(values, ("steps", "evaluation"))
        version = training.history.version
        with discard_events(training):
            record_followed(training, feed)
        self._history_restarted |= training.history.version != version

    def _catch_up(self):
        """Tell the views what was set quietly since they last heard."""
        quiet, self._quiet = self._quiet, set()
        if quiet:
            self.state.param.trigger(*sorted(quiet))
        if self._history_restarted:
            self._history_restarted = False
            self.training.param.trigger("history_restarted")

    def _stream_opened(self):
        """The page has opened the class's stream: the picture is the stream's from now on, on
        the lab as the class has it now."""
        if self.status == "following" and not self.feed.ended:
            # Streamed first: what the page's own session sends now is only the rest of the page,
            # and nothing older can follow the stream's first picture.
            self.pictured = True
            self.state.streamed = True
            held(self._show_class)
            self.stream.start()
            self.stream.offer(self.entry.picture())

    def _stream_closed(self):
        """The page's stream closed (the page keeps its key and may open it again)."""
        if self.pictured:
            self._take_back_picture(close=False)

    def _take_back_picture(self, close=True):
        """The page draws its own picture again (the student took the lab over, the class ended,
        the stream closed): every view catches up with the lab as it is now. With `close`, the
        page closes its stream and ignores what is still on its way."""
        self.stream.stop()
        if close:
            self.stream_view.key = ""
        if not self.pictured:  # the page's own Run may stream its picture now: that stays
            return
        self.pictured = False
        self._applying = True
        try:
            self.state.streamed = False
            self._catch_up()
        finally:
            self._applying = False

    def _show_class(self):
        feed = self.feed
        if feed.ended:
            self.status = "ended"
            self._take_back_picture()
            self.said.object = "The class has ended. The lab stays as it was: it is yours now."
            return
        if self.status != "following":
            return
        self._applying = True
        try:
            follow(self.state, self.training, feed)
            self._catch_up()
            self.tab = feed.extras["tab"]
        finally:
            self._applying = False
        self._show_challenge(feed.extras["challenge"])

    # -- exploring ----------------------------------------------------------------------------

    def _on_own_change(self, *events):
        if not self._applying and self.status == "following":
            self.explore("You changed the lab: it is yours now; the class goes on without you.")

    def _on_step(self, event):
        if not self._applying and event.new > event.old:
            self._stepped = True

    def explore(self, why):
        if self.status != "following":
            return
        self.status = "exploring"
        self._take_back_picture()
        self.said.object = html.escape(why)

    async def _say_status(self):
        if self.feed is not None and not self.feed.ended:
            status = "submitted" if self.submitted else self.status
            if status in ("following", "exploring", "submitted"):
                await class_hub().set_status(self.code, self.student, status,
                                             self.nickname.value or None)

    def _show_status(self, *events):
        words = {"joining": "Joining the class…",
                 "following": "● Following the teacher's lab",
                 "exploring": "✎ Exploring on your own",
                 "ended": "The class has ended"}
        self.badge.object = f"<span class='class-{self.status}'>{words[self.status]}</span>"
        self.follow_again.visible = self.status == "exploring"
        self.fork.visible = self.status == "following"

    # -- a challenge --------------------------------------------------------------------------

    def _show_challenge(self, challenge):
        if challenge == self.challenge:
            return
        self.challenge = challenge
        self._stepped = False
        self.submitted = False
        self.submit.visible = challenge is not None
        if challenge is None:
            self.goal.object = ""
            return
        ends = time.strftime("%H:%M", time.localtime(challenge.ends_at()))
        self.goal.object = (f"<b>Challenge</b> ({challenge.minutes} min, until {ends}): "
                            f"{html.escape(challenges.goal(challenge))} "
                            "<span class='muted'>Try it yourself, then hand in your lab.</span>")

    async def _submit(self):
        challenge = self.challenge
        if challenge is None:
            return
        if time.time() > challenge.ends_at():
            self.tasks.on_page(setattr, self.said, "object", "The time for this challenge is up.")
            return
        result = challenges.score(challenge, self.state, self._stepped)
        try:
            number = await class_hub().submit(self.code, self.student, self.nickname.value,
                                              state_to_dict(self.state), result.as_dict())
        except Refused as error:
            self.tasks.on_page(setattr, self.said, "object",
                               f"<span class='error'>{html.escape(str(error))}</span>")
            return
        self.submitted = True
        verdict = "meets the goal" if result.valid else "does not meet the goal yet"
        self.tasks.on_page(setattr, self.said, "object",
                           f"Handed in (number {number}): {html.escape(result.text)}, "
                           f"{verdict}. You may hand in again.")

    # -- leaving ------------------------------------------------------------------------------

    def release(self):
        self.paced.stop()
        self.stream.close()
        class_feeds.leave(self.code, self)
        hub = class_hub()
        self.tasks.start(hub.set_status(self.code, self.student, None))

