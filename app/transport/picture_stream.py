"""A page's picture stream: the part of the page a step changes (the plot, the loss readouts, W
and b with their gradients), written as one text and sent on a websocket of the page's own,
beside its Bokeh document.

Through the document, every step costs the server a round of Bokeh's machinery: each changed
property of each model is recorded, serialized into a PATCH-DOC message and sent, and the
browser's "drawn" report comes back the same way. During a Run that is most of the server's work
per step, for a few hundred numbers. On the stream a step is one text (`Picture`), which the
browser sets on its own Scene and Frame without sending it back (app/web/picture_stream.js), and
the report of a painted picture is one short message. Two senders use it:

- a lab's own Run (losslab.transport.pacing.RunTimer): each step's picture goes to its page,
  while the rest of the page (the points' table, the charts, the worked math) follows through
  the document at the readable rates it keeps during a Run anyway;
- a class (losslab.views.class_follow): the picture of the teacher's lab is written once in each
  process and that very text is sent to every student's page that follows it there.

Paced as a Run is: a page is sent the newest picture once it has said it painted the one before
(or that one is stale), so a slow laptop skips pictures and never falls behind. The stream only
shows: a page that sends anything but its report of a painted picture changes nothing.
"""

import base64
import json
import math
import secrets
import time
import urllib.parse
import weakref

import numpy as np
from tornado.ioloop import IOLoop
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from losslab.transport.pacing import STALE_AFTER_S

ROUTE = r"/picture-stream"
"""Where a page opens its stream, beside the page's own address."""

REFUSED = 4404
"""The close code of a stream opened with a key this process does not know."""

OPEN_TRIES = 32
"""How many times a page opens its stream before it leaves the picture to its session: with
`--num-procs N` each try lands on one of the N processes, and only one holds the page (with 4
processes, 32 tries miss it with a chance of 1 in 10,000)."""

MAX_REPORT_CHARS = 64
"""The longest message a page sends on its stream ({"drawn": 123456}); longer ones are dropped."""

served = False
"""Whether this process's server offers the stream at ROUTE (the `losslab` command's does; a
lab served by `panel serve` or `pn.serve`, or shown in a notebook, sends everything on its
document)."""

origins = ()
"""The pages' origins (host:port) the server takes websockets from, as for its sessions
(`--allow-websocket-origin`); a page of the server's own host is always taken."""

STREAMS = weakref.WeakValueDictionary()
"""key → the PageStream a page opens with that key (this process's pages)."""


def plain(value):
    """`value` (dicts, lists, numbers, strings and 1-D NumPy arrays) as JSON can carry it, each
    array as {"dtype", "base64"} of its bytes (as exact as Bokeh's own binary arrays) and each
    non-finite number as {"number": "NaN" | "Infinity" | "-Infinity"}, which JSON has not."""
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value.ravel(), dtype="<f4" if value.dtype == np.float32 else "<f8")
        return {"dtype": "float32" if array.dtype == np.float32 else "float64",
                "base64": base64.b64encode(array.tobytes()).decode("ascii")}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"number": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    return value


class Picture:
    """One picture of a lab as the stream sends it: `light` without the points, `full` with them
    (for a page that has not seen this version of the points)."""

    __slots__ = ("seq", "points_version", "light", "_points_text")

    def __init__(self, seq, points_version, light, points_text):
        self.seq, self.points_version = seq, points_version
        self.light, self._points_text = light, points_text

    @property
    def full(self):
        return f'{self.light[:-1]},"points":{self._points_text}}}'


class PointsText:
    """The points' JSON text, written once per version of them."""

    def __init__(self):
        self.version, self._points, self.text = 0, None, "null"

    def of(self, points, known=False):
        """These points' text; `known`: the page has them already (it moved a dragged point
        itself), so they are no new version to send."""
        if points is not self._points:
            self._points, self.version = points, self.version + (not known)
            self.text = json.dumps(plain(points), separators=(",", ":"))
        return self


def picture(seq, points, shown):
    """The Picture numbered `seq` of `shown` (the Scene's `update` and the Frame's `texts` and
    `parameters`, as a page's own views set them) and of `points` (a PointsText of the Scene's
    points)."""
    light = json.dumps({"seq": seq, **plain(shown)}, separators=(",", ":"))
    return Picture(seq, points.version, light, points.text)


class PageStream:
    """One page's end of a stream: the newest picture, when the page may be sent it, and the
    page's websocket once it has opened one with `key`.

    `opened()` and `closed()` are called when the page's websocket opens and closes, and
    `drawn()` when the page has painted a picture (on the server's loop): the sender then hands
    the picture to the stream, takes it back, or makes the next."""

    def __init__(self, opened, closed, drawn=lambda: None):
        self.key = secrets.token_urlsafe(18)
        self._opened, self._closed, self._on_drawn = opened, closed, drawn
        self._socket = None
        self._newest = None  # the newest Picture offered
        self._sent = None  # (seq, when) of the last picture sent
        self._drawn = -1  # seq of the last picture the page painted
        self._points_sent = None  # version of the points the page has
        self.last_sent = 0  # the highest number of a picture sent to the page
        self._waking = None  # the loop's timeout that sends on past a stale picture
        self.sending = False
        STREAMS[self.key] = self

    @property
    def connected(self):
        return self._socket is not None

    def attach(self, socket):
        """The page opened its websocket. A page draws a component anew now and then (its layout
        changed) and the new drawing opens a websocket of its own: the newest is the page's, and
        the stream goes on there from the newest picture."""
        replaced, self._socket = self._socket, socket
        self._sent, self._points_sent = None, None
        if replaced is not None:
            replaced.close()
        if self.sending:
            self._pump()
        else:
            self._opened()

    def detach(self, socket):
        if socket is self._socket:
            self._socket = None
            self._sent, self._points_sent, self._newest, self.sending = None, None, None, False
            self._closed()

    def start(self):
        """Send pictures from now on (the page leaves the picture to the stream)."""
        self.sending = True
        self._pump()

    def stop(self):
        """Send no more (the page draws its own picture again); a start later sends only
        pictures offered after it, the first at once."""
        self.sending = False
        self._newest, self._sent = None, None

    def offer(self, picture):
        """A newer picture: sent now, or once the page has painted the last."""
        self._newest = picture
        self._pump()

    def drawn(self, seq, socket):
        """The page reports, on `socket`, that it painted picture `seq`."""
        if socket is self._socket and isinstance(seq, int) and not isinstance(seq, bool) \
                and self._sent is not None and seq == self._sent[0]:
            self._drawn = seq
            self._pump()
            self._on_drawn()

    def holding_s(self):
        """How long the newest picture offered may still wait for the page to paint the one sent
        before it: 0 once it has gone (or nothing waits), else the seconds until that one is
        stale."""
        newest, sent = self._newest, self._sent
        if newest is None or sent is None or newest.seq == sent[0] or sent[0] == self._drawn:
            return 0.0
        return max(STALE_AFTER_S - (time.monotonic() - sent[1]), 0.0)

    def close(self):
        """The page has gone (or left its class): close its websocket, if open."""
        self.sending = False
        if self._waking is not None:
            IOLoop.current().remove_timeout(self._waking)
            self._waking = None
        STREAMS.pop(self.key, None)
        socket, self._socket = self._socket, None
        if socket is not None:
            socket.close()

    def _pump(self):
        newest, socket = self._newest, self._socket
        if not self.sending or newest is None or socket is None:
            return
        if self._sent is not None:
            seq, at = self._sent
            if newest.seq == seq:
                return
            waited = time.monotonic() - at
            if seq != self._drawn and waited < STALE_AFTER_S:  # the page is painting the last
                if self._waking is None:
                    self._waking = IOLoop.current().call_later(STALE_AFTER_S - waited, self._wake)
                return
        text = newest.light if self._points_sent == newest.points_version else newest.full
        try:
            socket.write_message(text)
        except WebSocketClosedError:
            self.detach(socket)
            return
        self._sent = (newest.seq, time.monotonic())
        self.last_sent = max(self.last_sent, newest.seq)
        self._points_sent = newest.points_version

    def _wake(self):
        self._waking = None
        self._pump()


class StreamHandler(WebSocketHandler):
    """A page's websocket for one of its streams (`ROUTE?key=…`)."""

    stream = None

    def check_origin(self, origin):
        from bokeh.server.util import check_allowlist

        return super().check_origin(origin) or \
            check_allowlist(urllib.parse.urlparse(origin).netloc, origins)

    def open(self):
        # A picture is one small message, answered by the page's report: with Nagle's algorithm
        # on, the next would wait for the report's delayed acknowledgement (losslab.server.hooks).
        self.set_nodelay(True)
        stream = STREAMS.get(self.get_argument("key", ""))
        if stream is None:
            self.close(REFUSED, "No stream with this key in this process.")
            return
        self.stream = stream
        stream.attach(self)

    def on_message(self, message):
        if self.stream is None or not isinstance(message, str) or len(message) > MAX_REPORT_CHARS:
            return
        try:
            report = json.loads(message)
        except ValueError:
            return
        if isinstance(report, dict):
            self.stream.drawn(report.get("drawn"), self)

    def on_close(self):
        if self.stream is not None:
            self.stream.detach(self)
