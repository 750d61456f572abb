"""The challenges a teacher can pose a class, and how a student's lab is scored on them.

A challenge is a goal, a time limit and, for some, the lab it starts from. A student works in
their own lab and hands it in; their own session scores it here (nothing the browser says is
taken for a result), and the board ranks the valid results, the best first.

    by_hand       total loss below a target, moving W, b and the points by hand: no Step or Run
    smallest_w    every point classified correctly, with the smallest ‖W‖
    fix_the_lab   the posed lab diverges or crawls: change its settings (not its data) so that
                  FIX_STEPS steps of its optimizer bring the total loss lowest
"""

from dataclasses import dataclass, field

import numpy as np

from losslab import core

KINDS = ("by_hand", "smallest_w", "fix_the_lab")
FIX_STEPS = 200
"""Steps a fixed lab is run for when it is scored."""
MINUTES = (1, 2, 3, 5, 10)
"""Time limits a teacher can choose."""


@dataclass(frozen=True)
class Challenge:
    """kind: one of KINDS; minutes: the time limit; target: the loss to go below (by_hand);
    lab: the share-codec dict of the lab to fix (fix_the_lab); posed_at: when (time.time())."""

    kind: str
    minutes: int
    posed_at: float
    target: float = 1.0
    lab: dict = field(default_factory=dict)

    def as_dict(self):
        return {"kind": self.kind, "minutes": self.minutes, "posed_at": self.posed_at,
                "target": self.target, "lab": self.lab}

    @classmethod
    def from_dict(cls, data):
        return cls(kind=data["kind"], minutes=int(data["minutes"]),
                   posed_at=float(data["posed_at"]), target=float(data.get("target", 1.0)),
                   lab=dict(data.get("lab") or {}))

    def ends_at(self):
        return self.posed_at + 60.0 * self.minutes


@dataclass(frozen=True)
class Result:
    """valid: whether the lab meets the goal; score: lower is better; text: what it shows."""

    valid: bool
    score: float
    text: str

    def as_dict(self):
        return {"valid": self.valid, "score": self.score, "text": self.text}


def goal(challenge):
    """The challenge's goal, in plain words, as the students read it."""
    if challenge.kind == "by_hand":
        return (f"Bring the total loss below {challenge.target:g} by hand: move W, b or the "
                "points, without Step or Run.")
    if challenge.kind == "smallest_w":
        return "Classify every point correctly with the smallest ‖W‖ you can."
    return (f"This lab goes wrong. Change its settings (not its points) so that {FIX_STEPS} "
            "steps bring the total loss as low as you can.")


def score(challenge, state, stepped):
    """The Result of `state` (a LabState) on `challenge`; `stepped`: whether Step or Run moved
    this lab since the challenge was posed."""
    ev = state.evaluation
    if challenge.kind == "by_hand":
        if stepped:
            return Result(False, float(ev.total_loss), "Step or Run was used: by hand only.")
        valid = bool(ev.total_loss < challenge.target)
        return Result(valid, float(ev.total_loss), f"total loss {ev.total_loss:.4f}")
    if challenge.kind == "smallest_w":
        norm = float(np.linalg.norm(state.W))
        if ev.accuracy < 1.0:
            return Result(False, norm, f"accuracy {100 * ev.accuracy:.0f}%: not every point")
        return Result(True, norm, f"‖W‖ = {norm:.4f} at 100% accuracy")
    return _fixed(challenge, state)


def _fixed(challenge, state):
    """Run the posed lab's data and W, b with the student's settings for FIX_STEPS steps."""
    posed = challenge.lab
    if "X" in posed and not np.array_equal(np.asarray(posed["X"], dtype=float).reshape(-1, 2),
                                           state.X):
        return Result(False, float("inf"), "The points were changed: fix the settings only.")
    W = np.asarray(posed.get("W", state.W), dtype=float)
    b = np.asarray(posed.get("b", state.b), dtype=float)
    optimizer = core.make_optimizer(state.optimizer, state.step_size,
                                    **state.hyperparameters_of(state.optimizer))
    run = core.compare_optimizers(
        state.X, state.y, W, b, {"fix": optimizer}, FIX_STEPS, batch_size=state.batch_size,
        seed=state.seed, schedule=state.schedule, decay_rate=state.decay_rate,
        decay_every=state.decay_every, **state.objective)["fix"]
    if run["diverged"]:
        return Result(False, float("inf"), f"still diverges ({run['reason']})")
    final = float(run["total_loss"][-1])
    return Result(True, final, f"total loss {final:.4f} after {FIX_STEPS} steps")


def ranked(submissions):
    """Submissions (dicts with a "result") with the valid ones first, best score first, and
    each student's best only."""
    best = {}
    for entry in submissions:
        result = entry["result"]
        key = entry.get("student", entry["id"])
        rank = (not result["valid"], result["score"], entry["id"])
        if key not in best or rank < best[key][0]:
            best[key] = (rank, entry)
    return [entry for _, entry in sorted(best.values(), key=lambda pair: pair[0])]
