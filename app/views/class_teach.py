"""A teacher's side of a class: the link and QR code for students, the lab published as it
changes, the challenge posed and the board of what the students hand in.

The teacher's page holds the class's secret token in its address (`?class=CODE&teacher=TOKEN`):
that address is the teacher link, the only way to drive the class, and reopening it within the
grace period takes the class back with its lab.
"""

import html
import time

import numpy as np
import panel as pn
import param
import segno

from losslab.session import challenges
from losslab.session.class_hub import GRACE_S, Refused, class_hub
from losslab.session.classroom import ALSO, FOLLOWED, ClassFeed, TeacherLab
from losslab.session.share_codec import ShareError, apply_shared, state_to_dict
from losslab.session.training import Training
from losslab.views.base import WRAPPING, View, sized
from losslab.views.class_tasks import Tasks
from losslab.web import STYLESHEET

CHALLENGES = {
    "by_hand": "Total loss below a target, by hand",
    "smallest_w": "100% accuracy with the smallest ‖W‖",
    "fix_the_lab": "Fix this lab (its settings, in 200 steps)",
}
"""The challenges offered, by `challenges.KINDS`."""

BOARD_ROWS = 10
"""Best results the board lists."""
HISTOGRAM_BINS = 8


def student_link(host, code):
    return f"http://{host}/?class={code}"


def qr_svg(text, pixels):
    """A QR code of `text` as inline SVG, `pixels` wide: dark on white with its quiet zone, so a
    phone reads it off a projector."""
    svg = segno.make(text, error="m").svg_inline(scale=1, omitsize=True, dark="#000",
                                                  light="#fff")
    return svg.replace("<svg ", f'<svg width="{pixels}" height="{pixels}" role="img" '
                       f'aria-label="QR code of the class link" ', 1)


def histogram(scores, bins=HISTOGRAM_BINS):
    """Counts of `scores` in `bins` equal bins, and the bins' edges."""
    scores = np.asarray(scores, dtype=float)
    if not len(scores):
        return np.zeros(0, int), np.zeros(0)
    low, high = float(scores.min()), float(scores.max())
    if high <= low:
        high = low + 1.0
    return np.histogram(scores, bins=bins, range=(low, high))


def board_html(board):
    """The board as HTML: every name and result is the students' text, shown as plain text."""
    counts = (f"<b>{board['connected']}</b> connected · <b>{board['following']}</b> following · "
              f"<b>{board['exploring']}</b> exploring · <b>{board['submitted']}</b> handed in")
    ranked = challenges.ranked(board["submissions"])
    rows = "".join(
        f"<tr><td>{i}</td><td>{html.escape(entry['nickname'])}</td>"
        f"<td>{html.escape(entry['result']['text'])}</td>"
        f"<td>{'✓' if entry['result']['valid'] else '✗'}</td><td>#{entry['id']}</td></tr>"
        for i, entry in enumerate(ranked[:BOARD_ROWS], 1))
    table = (f"<table class='board'><tr><th></th><th>Name</th><th>Result</th><th>Goal</th>"
             f"<th>Lab</th></tr>{rows}</table>" if rows else "<p class='muted'>Nothing handed in yet.</p>")
    counts_by_bin, edges = histogram([e["result"]["score"] for e in ranked if e["result"]["valid"]])
    bars = ""
    if len(counts_by_bin):
        tallest = max(int(counts_by_bin.max()), 1)
        bars = "<div class='histogram' aria-label='Results of the valid labs'>" + "".join(
            f"<div class='bar' title='{lo:.4g} – {hi:.4g}: {n}' "
            f"style='height:{4 + 56 * n / tallest:.0f}px'></div>"
            for n, lo, hi in zip(counts_by_bin.tolist(), edges[:-1], edges[1:])) + \
            f"</div><div class='muted'>{edges[0]:.4g} … {edges[-1]:.4g} (lower is better)</div>"
    return f"<div class='board-counts'>{counts}</div>{table}{bars}"


class ClassTeacher(View):
    """Drives one class from the teacher's lab."""

    training = param.ClassSelector(class_=Training, constant=True)
    tab = param.Integer(0, doc="The tab the teacher's page shows: the students' pages follow.")

    def __init__(self, keys, host, tabs, **params):
        super().__init__(**params)
        self.keys = keys
        self.tabs = tabs
        self.tasks = Tasks()
        self.lab = TeacherLab(self.state)
        self._dirty = False
        self._sending = None
        self.ended = False
        link = student_link(host, keys.code)
        local = host.split(":")[0] in ("localhost", "127.0.0.1", "[::1]")
        network = ("<p class='notice'>Students cannot reach <i>localhost</i>: start LossLab with "
                   "<code>--address 0.0.0.0</code> and open it at this computer's network "
                   "address.</p>" if local else "")
        self.invite = pn.pane.HTML(
            f"<div class='class-code'>Class <b>{keys.code}</b></div>"
            f"<div>Students open <a href='{html.escape(link)}' target='_blank'>"
            f"{html.escape(link)}</a></div>{network}"
            f"<div class='qr'>{qr_svg(link, 240)}</div>",
            stylesheets=[STYLESHEET], sizing_mode="stretch_width")
        self.note = pn.pane.HTML(
            "<span class='muted'>This page's address is your teacher link, the only way to drive "
            "the class: keep it to yourself (present in full screen, so it is not shown).</span>",
            stylesheets=[STYLESHEET], sizing_mode="stretch_width")
        # Widths in em of the page's type (never wider than their place): they grow with it on a
        # projector and fit a phone.
        self.end_class = sized(pn.widgets.Button(label="End the class", color="danger"), 11)
        self.kind = sized(pn.widgets.Select(
            label="Challenge", options={label: kind for kind, label in CHALLENGES.items()}), 21)
        self.target = sized(pn.widgets.FloatInput(label="Target total loss", value=1.0, start=0.0,
                                                  step=0.1), 10)
        self.minutes = sized(pn.widgets.Select(
            label="Time limit", options={f"{m} min": m for m in challenges.MINUTES}, value=3), 9)
        self.pose = sized(pn.widgets.Button(label="Pose the challenge", color="primary"), 12)
        self.stop_challenge = sized(pn.widgets.Button(label="End the challenge", visible=False), 12)
        self.board = pn.pane.HTML("", stylesheets=[STYLESHEET], sizing_mode="stretch_width")
        self.shown = sized(pn.widgets.Select(label="Lab handed in", options={}), 16)
        self.project = sized(pn.widgets.Button(label="Show it here", disabled=True), 11)
        self.said = pn.pane.HTML("", stylesheets=[STYLESHEET], sizing_mode="stretch_width")
        self.end_class.on_click(lambda event: self.tasks.start(self._end(0.0)))
        self.pose.on_click(lambda event: self._pose())
        self.stop_challenge.on_click(lambda event: self._end_challenge())
        self.project.on_click(lambda event: self.tasks.start(self._project()))
        self.kind.param.watch(lambda event: setattr(self.target, "visible",
                                                    event.new == "by_hand"), "value")
        self.state.param.watch(self._changed, [*FOLLOWED, *ALSO])
        self.param.watch(self._changed, "tab")
        self.panel = pn.Column(
            self.invite, self.note, self.end_class,
            pn.pane.HTML("<b>Challenge</b>", stylesheets=[STYLESHEET], margin=(8, 6, 0, 6)),
            self.kind, pn.Row(self.target, self.minutes, **WRAPPING),
            pn.Row(self.pose, self.stop_challenge, **WRAPPING),
            pn.pane.HTML("<b>Board</b>", stylesheets=[STYLESHEET], margin=(8, 6, 0, 6)),
            self.board, pn.Row(self.shown, self.project, **WRAPPING), self.said, margin=0,
        )

    async def start(self, resumed):
        """Publish the lab (a resumed class first takes back its last lab), then watch the board."""
        hub = class_hub()
        if resumed:
            await hub.resume(self.keys.code, self.keys.teacher_token)
            await self._take_back(hub)
        self._changed()
        await hub.watch_board(self.keys.code, self.keys.teacher_token,
                              lambda board: self.tasks.on_page(self._show_board, board))

    async def _take_back(self, hub):
        feed = ClassFeed(self.tabs)
        subscription = await hub.follow(self.keys.code, feed.receive)
        subscription.close()
        if feed.seq >= 0:
            self.lab.seq = feed.seq
            values = feed.values()
            self.tasks.on_page(self._reopen, values, feed.extras)

    def _reopen(self, values, extras):
        self.state.param.update(**values)
        self.state.param.update(steps=extras["steps"], selected=extras["selected"])
        self.tab = extras["tab"]
        self.lab.challenge = extras["challenge"]
        self._show_challenge()

    # -- publishing ---------------------------------------------------------------------------

    def _changed(self, *events):
        if self.ended:
            return
        self._dirty = True
        if self._sending is None or self._sending.done():
            self._sending = self.tasks.start(self._send())

    async def _send(self):
        hub = class_hub()
        while self._dirty and not self.ended:
            self._dirty = False
            self.lab.tab = self.tab
            history = self.training.history
            last = history.columns(len(history) - 1)["batch_loss"] if len(history) else ()
            self.lab.batch_loss = float(last[0]) if len(last) and np.isfinite(last[0]) else None
            update = self.lab.changes()
            try:
                await hub.publish(self.keys.code, self.keys.teacher_token, self.lab.seq, update,
                                  self.lab.snapshot())
            except Refused as error:
                self.tasks.on_page(setattr, self.said, "object",
                                   f"<span class='error'>{html.escape(str(error))}</span>")

    # -- the challenge ------------------------------------------------------------------------

    def _pose(self):
        kind = self.kind.value
        lab = state_to_dict(self.state) if kind == "fix_the_lab" else {}
        self.lab.challenge = challenges.Challenge(
            kind=kind, minutes=int(self.minutes.value), posed_at=time.time(),
            target=float(self.target.value or 0.0), lab=lab)
        self._show_challenge()
        self._changed()

    def _end_challenge(self):
        self.lab.challenge = None
        self._show_challenge()
        self._changed()

    def _show_challenge(self):
        challenge = self.lab.challenge
        self.stop_challenge.visible = challenge is not None
        self.said.object = ("" if challenge is None else
                            f"Posed: {html.escape(challenges.goal(challenge))}")

    # -- the board ----------------------------------------------------------------------------

    def _show_board(self, board):
        self.board.object = board_html(board)
        ranked = challenges.ranked(board["submissions"])
        self.shown.options = {f"#{e['id']} {e['nickname']}"[:40]: e["id"] for e in ranked}
        self.project.disabled = not ranked

    async def _project(self):
        number = self.shown.value
        if number is None:
            return
        try:
            lab = await class_hub().submission(self.keys.code, self.keys.teacher_token, number)
        except Refused as error:
            self.tasks.on_page(setattr, self.said, "object", html.escape(str(error)))
            return
        self.tasks.on_page(self._open_submission, number, lab)

    def _open_submission(self, number, lab):
        try:
            apply_shared(self.state, lab)
        except ShareError as error:
            self.said.object = f"Lab #{number} could not be opened: {html.escape(str(error))}"
            return
        self.said.object = f"Showing lab #{number}: every student following sees it too."

    # -- the end ------------------------------------------------------------------------------

    async def _end(self, grace_s):
        if self.ended:
            return
        self.ended = grace_s == 0.0
        await class_hub().end(self.keys.code, self.keys.teacher_token, grace_s)
        if self.ended:
            self.tasks.on_page(self._show_ended)

    def _show_ended(self):
        self.panel[:] = [pn.pane.HTML(f"The class {self.keys.code} has ended.",
                                      stylesheets=[STYLESHEET])]

    def release(self):
        """The teacher's page has gone: the class ends after the grace period, unless the
        teacher link is opened again."""
        if not self.ended:
            self.tasks.start(self._end(GRACE_S))
