"""A class: the teacher's lab as the messages its followers read, and those messages read back.

The teacher's lab is published as *changes*: the shared values that changed since the last
message (as the share codec writes them), with the step count, the selected point, the tab shown,
whether it runs, its message and the challenge posed. A snapshot (every value) goes with each
message, for those who join later. The hub passes both on (losslab.session.class_hub).

A process's followers of one class read the messages through one `ClassFeed`: it checks each
message once, keeps the class's lab in a `LabState` of its own and so evaluates it once, and
every follower takes those very values and that evaluation (`LabState.take`), however many
students follow in this process.
"""

import math

import numpy as np

from losslab.session import challenges
from losslab.session.share_codec import ARRAYS, SHARED, ShareError, state_from_dict
from losslab.session.state import LabState

FOLLOWED = tuple(key for key in SHARED if key != "presentation")
"""The values a follower takes from the class. Presentation mode is each screen's own: the
projector's large type is not what a laptop needs."""

ALSO = ("steps", "selected", "running", "message")
"""The state's parameters a follower sees besides the shared ones."""

PICTURED = frozenset({"X", "y", "W", "b", "steps", "batch_loss"})
"""What a message may change that a follower's page shows, all but the points' table and the
charts, in the class stream's picture alone (losslab.transport.picture_stream): the points, W and
b, and the step count. A message that changes anything else (a setting, the tab, the selected
point, Run or Stop) reaches each follower's own document too."""


def _json(key, value):
    if key in ARRAYS:
        return np.asarray(value, dtype=np.int64 if key == "y" else float).tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


class TeacherLab:
    """The messages of one teacher's lab: `changes()` since the last, `snapshot()` of it all."""

    def __init__(self, state):
        self.state = state
        self.seq = 0
        self._sent = {}  # key → the value (the very array) last sent
        self._encoded = {}  # key → (value, its JSON form): arrays are encoded once each
        self.tab = 0
        self.challenge = None  # a challenges.Challenge, or None
        self.batch_loss = None

    def _encode(self, key, value):
        known = self._encoded.get(key)
        if known is None or known[0] is not value:
            known = self._encoded[key] = (value, _json(key, value))
        return known[1]

    def _extras(self):
        state = self.state
        return {"steps": state.steps, "selected": state.selected, "running": state.running,
                "message": state.message, "tab": self.tab, "batch_loss": self.batch_loss,
                "challenge": self.challenge.as_dict() if self.challenge else None}

    def changes(self):
        """The next message: {"lab": the changed shared values, and the extras}, numbered `seq`."""
        lab = {}
        for key in FOLLOWED:
            value = getattr(self.state, key)
            old = self._sent.get(key, self)
            same = old is value if key in ARRAYS else old == value
            if not same:
                lab[key] = self._encode(key, value)
                self._sent[key] = value
        if ("X" in lab) != ("y" in lab):  # the points and their labels travel together
            lab.update({key: self._encode(key, getattr(self.state, key)) for key in ("X", "y")})
        self.seq += 1
        return {"lab": lab, **self._extras()}

    def snapshot(self):
        """Every followed value and the extras, as of the last `changes()`."""
        lab = {key: self._encode(key, getattr(self.state, key)) for key in FOLLOWED}
        return {"lab": lab, **self._extras()}


def _int(data, key, low, high, allow_none=False):
    value = data.get(key)
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ShareError(f"'{key}' must be a whole number from {low} to {high}.")
    return value


class ClassFeed:
    """One class as this process's followers see it: the latest lab, evaluated once.

    `receive(message)` takes the hub's messages in order (a snapshot, then updates); `lab` is a
    LabState holding the class's lab and its evaluation, and `extras` the rest (step count,
    selected point, tab, running, message, challenge, the batch loss of the last step)."""

    def __init__(self, tabs):
        self.tabs = tabs
        self.lab = LabState()
        self.seq = -1
        self.extras = {"steps": 0, "selected": None, "running": False, "message": "", "tab": 0,
                       "batch_loss": None, "challenge": None}
        self.ended = False
        self.error = ""
        self.changed = frozenset()
        """What the last message taken changed: names of the lab's values and of the extras."""

    def receive(self, message):
        """Take one message from the hub; returns whether the lab shown changed."""
        kind, seq = message.get("kind"), message.get("seq")
        if kind == "ended":
            self.ended = True
            return True
        if kind not in ("snapshot", "update") or not isinstance(seq, (int, float)):
            return False
        if seq <= self.seq or (kind == "update" and self.seq < 0):
            return False  # older than what is shown, or an update before any snapshot
        data = message.get("data") or {}
        try:
            values = state_from_dict(data.get("lab") or {})
            extras = self._extras(data, len(values.get("X", self.lab.X)))
        except (ShareError, TypeError, ValueError) as error:
            self.error = f"A message of the class could not be read: {error}"
            return False
        self.seq = seq
        values = {key: value for key, value in values.items()
                  if not _same(getattr(self.lab, key), value)}
        with np.errstate(over="ignore", invalid="ignore"):
            self.lab.param.update(**values, steps=extras["steps"], selected=extras["selected"])
        self.changed = frozenset(values).union(
            key for key, value in extras.items() if value != self.extras[key])
        self.extras = extras
        return True

    def _extras(self, data, num_points):
        extras = {
            "steps": _int(data, "steps", 0, 2**62),
            "selected": _int(data, "selected", 0, max(num_points - 1, 0), allow_none=True),
            "tab": _int(data, "tab", 0, len(self.tabs) - 1),
            "running": bool(data.get("running")),
            "message": str(data.get("message") or "")[:500],
            "batch_loss": None,
            "challenge": None,
        }
        batch_loss = data.get("batch_loss")
        if isinstance(batch_loss, (int, float)) and math.isfinite(batch_loss):
            extras["batch_loss"] = float(batch_loss)
        if data.get("challenge"):
            extras["challenge"] = challenges.Challenge.from_dict(data["challenge"])
            if extras["challenge"].kind not in challenges.KINDS:
                raise ValueError("unknown challenge")
        return extras

    def values(self):
        """The class's followed values as set on its lab (the very arrays)."""
        return {key: getattr(self.lab, key) for key in FOLLOWED}


def _same(old, new):
    if isinstance(old, np.ndarray) or isinstance(new, np.ndarray):
        return isinstance(old, np.ndarray) and isinstance(new, np.ndarray) and \
            old.shape == new.shape and np.array_equal(old, new)
    return old == new


def follow(state, training, feed):
    """Show `feed`'s lab on `state` (a follower's own lab) without evaluating it again; the
    follower's history records the class's steps."""
    values = {key: value for key, value in feed.values().items()
              if not (getattr(state, key) is value)}
    extras = feed.extras
    record_followed(training, feed)
    state.take({**values, "steps": extras["steps"], "selected": extras["selected"],
                "message": extras["message"], "batch": None}, feed.lab.evaluation)


def record_followed(training, feed):
    """Record the class's latest step in a follower's loss history."""
    batch_loss = feed.extras["batch_loss"]
    training.record_followed(feed.extras["steps"], feed.lab.evaluation,
                             np.nan if batch_loss is None else batch_loss)

