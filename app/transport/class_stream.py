"""A class's stream: the picture of the teacher's lab, written once in each process and handed
as it is to every student's page that follows the class there, on a websocket of its own.

Each student's page is a Bokeh document of its own, and passing every step of the teacher's
through each of them costs the server more per student than a step of a lab of its own: Bokeh
builds, serializes and sends one message per document. But the part of the page a step changes
(the plot, the loss readouts, W and b with their gradients) is the same for every student of a
class: a process writes it once, as one text (`Picture`), and the stream sends that very text to
each page, whose browser sets it on its own Scene and Frame without sending it back
(app/web/class_stream.js). What a step does not change (settings, the tab shown, the points'
table, the charts) still comes through the student's own document, as often as the followers'
share of the process allows (losslab.transport.pacing).

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
from dataclasses import dataclass

import numpy as np
from tornado.ioloop import IOLoop
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from losslab.transport.pacing import STALE_AFTER_S

ROUTE = r"/class-stream"
"""Where a student's page opens its stream, beside the page's own address."""

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
lab served by `panel serve` or `pn.serve` sends its students everything on their own documents).
"""

origins = ()
"""The pages' origins (host:port) the server takes websockets from, as for its sessions
(`--allow-websocket-origin`); a page of the server's own host is always taken."""

STREAMS = weakref.WeakValueDictionary()
"""key → the FollowerStream a page opens with that key (this process's students)."""


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


@dataclass(frozen=True)
class Picture:
    """One picture of a class's lab as the stream sends it: `light` without the points, `full`
    with them (for a page that has not seen this version of the points)."""

    seq: int
    points_version: int
    light: str
    full: str


def picture(seq, points_version, points, shown):
    """The Picture numbered `seq` of `shown` (the Scene's `update` and the Frame's `texts` and
    `parameters`, as a page's own views set them) and of `points` (the Scene's points)."""
    body = {"seq": seq, **plain(shown)}
    light = json.dumps(body, separators=(",", ":"))
    full = json.dumps({**body, "points": plain(points)}, separators=(",", ":"))
    return Picture(seq, points_version, light, full)


class FollowerStream:
    """One student page's end of its class's stream: the newest picture, when the page may be
    sent it, and the page's websocket once it has opened one with `key`.

    `opened()` and `closed()` are called when the page's websocket opens and closes (on the
    server's loop); the follower then hands the picture to the stream, or takes it back."""

    def __init__(self, opened, closed):
        self.key = secrets.token_urlsafe(18)
        self._opened, self._closed = opened, closed
        self._socket = None
        self._newest = None  # the newest Picture offered
        self._sent = None  # (seq, when) of the last picture sent
        self._drawn = -1  # seq of the last picture the page painted
        self._points_sent = None  # version of the points the page has
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
        pictures offered after it."""
        self.sending = False
        self._newest = None

    def offer(self, picture):
        """A newer picture of the class: sent now, or once the page has painted the last."""
        self._newest = picture
        self._pump()

    def drawn(self, seq, socket):
        """The page reports, on `socket`, that it painted picture `seq`."""
        if socket is self._socket and isinstance(seq, int) and not isinstance(seq, bool) \
                and self._sent is not None and seq == self._sent[0]:
            self._drawn = seq
            self._pump()

    def close(self):
        """The student's page has gone: close its websocket, if open."""
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
        self._points_sent = newest.points_version

    def _wake(self):
        self._waking = None
        self._pump()


class StreamHandler(WebSocketHandler):
    """A student's page's websocket for its class's stream (`ROUTE?key=…`)."""

    stream = None

    def check_origin(self, origin):
        from bokeh.server.util import check_allowlist

        return super().check_origin(origin) or \
            check_allowlist(urllib.parse.urlparse(origin).netloc, origins)

    def open(self):
        stream = STREAMS.get(self.get_argument("key", ""))
        if stream is None:
            self.close(REFUSED, "No class stream with this key in this process.")
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
