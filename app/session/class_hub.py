"""Where labs meet: the classes that students follow.

A class has a short code (the students' link), a secret teacher token (the one way to drive it),
the teacher's latest snapshot (what a student sees on joining), the updates since (sent to every
follower as they come), the students' presence, the challenge posed and its submissions.

The teacher's page computes each update once and publishes it; the hub hands the same message to
every follower, who shows it without computing anything. Followers get messages in order: the
snapshot first, then each update whose `seq` is newer than the snapshot's.

`MemoryHub` keeps classes in this process (the default: nothing to install); `RedisHub`
(losslab.session.redis_hub) shares them between processes and hosts through Redis pub/sub. Both
refuse what only a teacher may do without the teacher's token, limit how fast one address may
try class codes, and bound every message.
"""

import asyncio
import hashlib
import hmac
import math
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Class codes use letters and digits that cannot be mistaken for each other when read aloud
or off a projector (no 0/O, 1/I)."""
CODE_LENGTH = 6
GRACE_S = 180.0
"""How long a class outlives its teacher's page: long enough for a reload."""
MAX_MESSAGE_BYTES = 1_000_000
"""Largest message a class passes on (a snapshot with 2000 points is about 200 KB)."""
NICKNAME_CHARS = 24
SUBMIT_EVERY_S = 3.0
"""A student may submit at most this often."""
MAX_SUBMISSIONS = 500
"""Submissions a class keeps; beyond it the oldest go."""
CODE_TRIES_PER_MINUTE = 20
"""Unknown class codes one address may try in a minute before it is told to wait."""
STATUSES = ("following", "exploring", "submitted")


class Refused(Exception):
    """What the hub will not do, in plain words."""


@dataclass(frozen=True)
class ClassKeys:
    code: str
    teacher_token: str


def new_keys():
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return ClassKeys(code, secrets.token_urlsafe(24))


def token_digest(token):
    return hashlib.sha256(str(token).encode()).hexdigest()


def normalized_code(text):
    """A class code as typed (any case, spaces, dashes), or None if it cannot be one."""
    code = "".join(str(text).split()).replace("-", "").upper()
    if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code):
        return code
    return None


def clean_nickname(text):
    """A nickname as shown: plain text, single spaces, at most NICKNAME_CHARS characters."""
    nickname = " ".join("".join(c for c in str(text) if c.isprintable()).split())
    return nickname[:NICKNAME_CHARS] or "anonymous"


class RateLimit:
    """At most `count` events per `window_s` per key (a sliding window)."""

    def __init__(self, count, window_s):
        self.count, self.window_s = count, window_s
        self._events = defaultdict(deque)

    def allow(self, key, now=None):
        now = time.monotonic() if now is None else now
        events = self._events[key]
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if len(events) >= self.count:
            return False
        events.append(now)
        return True


class Subscription:
    """A callback registered with a hub; `close()` takes it back."""

    def __init__(self, close):
        self._close = close
        self.closed = False

    def close(self):
        if not self.closed:
            self.closed = True
            self._close()


def _size(message):
    import json

    return len(json.dumps(message, separators=(",", ":")))


class _Class:
    def __init__(self, keys):
        self.code = keys.code
        self.token_digest = token_digest(keys.teacher_token)
        self.snapshot = None  # {"seq": n, "data": {...}}
        self.followers = []  # callbacks
        self.board_watchers = []
        self.students = {}  # student id → {"status", "nickname"}
        self.submissions = deque(maxlen=MAX_SUBMISSIONS)
        self.next_submission = 1
        self.last_submit = {}
        self.ending = None  # the loop's handle of the end after the grace period


class MemoryHub:
    """The classes of this process."""

    def __init__(self):
        self._classes = {}
        self._code_tries = RateLimit(CODE_TRIES_PER_MINUTE, 60.0)

    # -- the teacher -------------------------------------------------------------------------

    async def open_class(self):
        keys = new_keys()
        while keys.code in self._classes:
            keys = new_keys()
        self._classes[keys.code] = _Class(keys)
        return keys

    def _teachers(self, code, token):
        klass = self._classes.get(code)
        if klass is None or not hmac.compare_digest(klass.token_digest, token_digest(token)):
            raise Refused("Only the teacher's own link can drive this class.")
        return klass

    async def is_teacher(self, code, token):
        try:
            self._teachers(code, token)
            return True
        except Refused:
            return False

    async def publish(self, code, token, seq, update, snapshot=None):
        """Send `update` (a dict) to every follower; keep `snapshot` (the whole view at `seq`)
        for those who join later."""
        klass = self._teachers(code, token)
        message = {"kind": "update", "seq": seq, "data": update}
        if _size(message) > MAX_MESSAGE_BYTES:
            raise Refused("This update is too large to send to the class.")
        if snapshot is not None:
            klass.snapshot = {"kind": "snapshot", "seq": seq, "data": snapshot}
        for deliver in list(klass.followers):
            deliver(message)

    async def end(self, code, token, grace_s=GRACE_S):
        """End the class after `grace_s` (0: now), unless the teacher comes back (`resume`)."""
        klass = self._teachers(code, token)
        if klass.ending is not None:
            klass.ending.cancel()
        loop = asyncio.get_running_loop()
        klass.ending = loop.call_later(max(grace_s, 0.0), self._close, code)

    async def resume(self, code, token):
        klass = self._teachers(code, token)
        if klass.ending is not None:
            klass.ending.cancel()
            klass.ending = None

    def _close(self, code):
        klass = self._classes.pop(code, None)
        if klass is None:
            return
        for deliver in list(klass.followers):
            deliver({"kind": "ended", "seq": math.inf, "data": {}})
        klass.followers.clear()
        klass.board_watchers.clear()

    # -- the students ------------------------------------------------------------------------

    async def find(self, code, address):
        """The class a student asks for by `code` from `address`, or Refused (unknown code,
        or too many tries)."""
        klass = self._classes.get(normalized_code(code) or "")
        if klass is None:
            if not self._code_tries.allow(address):
                raise Refused("Too many class codes tried from here: wait a minute.")
            raise Refused("There is no class with this code (has it ended?).")
        return klass.code

    async def follow(self, code, deliver):
        """Call `deliver(message)` with the class's snapshot, then with every update."""
        klass = self._classes.get(code)
        if klass is None:
            raise Refused("This class has ended.")
        if klass.snapshot is not None:
            deliver(klass.snapshot)
        klass.followers.append(deliver)
        return Subscription(lambda: deliver in klass.followers and klass.followers.remove(deliver))

    async def set_status(self, code, student, status, nickname=None):
        """Say what a student is doing (one of STATUSES), or that they left (None)."""
        klass = self._classes.get(code)
        if klass is None:
            return
        if status is None:
            klass.students.pop(student, None)
        elif status in STATUSES:
            entry = klass.students.setdefault(student, {"nickname": "anonymous"})
            entry["status"] = status
            if nickname is not None:
                entry["nickname"] = clean_nickname(nickname)
        self._board_changed(klass)

    async def submit(self, code, student, nickname, lab, result):
        """Hand in a student's lab (a share-codec dict) and its `result` (a dict of numbers the
        student's own session computed); returns the submission's number."""
        klass = self._classes.get(code)
        if klass is None:
            raise Refused("This class has ended.")
        now = time.monotonic()
        if now - klass.last_submit.get(student, -math.inf) < SUBMIT_EVERY_S:
            raise Refused(f"Wait a few seconds between two submissions ({SUBMIT_EVERY_S:g} s).")
        entry = {"id": klass.next_submission, "student": student,
                 "nickname": clean_nickname(nickname), "lab": lab, "result": result,
                 "at": time.time()}
        if _size(entry) > MAX_MESSAGE_BYTES:
            raise Refused("This lab is too large to hand in.")
        klass.last_submit[student] = now
        klass.next_submission += 1
        klass.submissions.append(entry)
        klass.students.setdefault(student, {})["status"] = "submitted"
        klass.students[student]["nickname"] = entry["nickname"]
        self._board_changed(klass)
        return entry["id"]

    # -- the board ---------------------------------------------------------------------------

    def _board(self, klass):
        counts = {status: 0 for status in STATUSES}
        for student in klass.students.values():
            if student.get("status") in counts:
                counts[student["status"]] += 1
        submissions = [{key: entry[key] for key in ("id", "student", "nickname", "result", "at")}
                       for entry in klass.submissions]
        return {"connected": len(klass.students), **counts, "submissions": submissions}

    async def board(self, code, token):
        return self._board(self._teachers(code, token))

    async def watch_board(self, code, token, deliver):
        klass = self._teachers(code, token)
        klass.board_watchers.append(deliver)
        deliver(self._board(klass))
        return Subscription(lambda: deliver in klass.board_watchers and
                            klass.board_watchers.remove(deliver))

    async def submission(self, code, token, number):
        """The lab (share-codec dict) of submission `number`, for the teacher to show."""
        klass = self._teachers(code, token)
        for entry in klass.submissions:
            if entry["id"] == number:
                return entry["lab"]
        raise Refused(f"There is no submission {number}.")

    def _board_changed(self, klass):
        if klass.board_watchers:
            board = self._board(klass)
            for deliver in list(klass.board_watchers):
                deliver(board)


_HUB = None
_HUB_URL = None
_PROCESSES = 1


def configure(url=None, processes=1):
    """How this server keeps its classes: in each of its `processes` (`url` None), or in the
    Redis server at `url` (redis://HOST:PORT), shared by every process that uses it."""
    global _HUB, _HUB_URL, _PROCESSES
    _HUB, _HUB_URL, _PROCESSES = None, url, processes


def classes_shared():
    """Whether a student reaches a class on whichever process serves them."""
    return _HUB_URL is not None or _PROCESSES == 1


def class_hub():
    """This process's hub: the one place where labs meet (made on first use, in the process
    that uses it)."""
    global _HUB
    if _HUB is None:
        if _HUB_URL is not None:
            from losslab.session.redis_hub import RedisHub

            _HUB = RedisHub(_HUB_URL)
        else:
            _HUB = MemoryHub()
    return _HUB


def use_hub(hub):
    """Make `hub` (a RedisHub, say) this process's hub; returns it."""
    global _HUB
    _HUB = hub
    return hub
