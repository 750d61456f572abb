"""Race optimizers against each other: same start, same mini-batches, same step-size schedule.

Every optimizer starts from the same W, b and takes its step t on the same batch
``batch_indices(n, batch_size, seed, t)`` with the step size ``step_size_at(schedule, α, t, …)``,
α being that optimizer's own step size. After every step the parameters are evaluated on all the
points, so the curves compare progress on the whole data set, not on whichever batch was drawn.
"""

from __future__ import annotations

import copy

import numpy as np

from losslab.core.batches import batch_indices, train_step
from losslab.core.divergence import divergence
from losslab.core.objective import evaluate
from losslab.core.optimizers import Optimizer
from losslab.core.schedules import step_size_at


def batch_sequence(n: int, batch_size: int | None, seed: int, steps: int) -> list[np.ndarray]:
    """The batches (each (B,) indices) of steps 0 … steps − 1; ``batch_size=None`` is all n points."""
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    size = max(n, 1) if batch_size is None else batch_size
    batch_indices(n, size, seed, 0)  # checks the settings even when no step is asked for
    return [batch_indices(n, size, seed, t) for t in range(int(steps))]


def compare_optimizers(X, y, W, b, optimizers: dict[str, Optimizer], steps: int, *,
                       batch_size: int | None = None, seed: int = 0, schedule: str = "constant",
                       decay_rate: float = 0.5, decay_every: int = 100,
                       record_batches: bool = False, progress=None,
                       **objective) -> dict[str, dict[str, np.ndarray]]:
    """Run ``steps`` updates of each optimizer from (W (C, 2), b (C,)) on X (N, 2), y (N,).

    ``optimizers`` maps a label to an Optimizer. Each is copied and reset before its run, so every
    run starts with an empty memory and the caller's objects are left as they were. ``objective``
    holds the settings of ``core.evaluate`` (loss, margin, squared, reg, reg_strength, beta).

    Returns ``{label: run}``, each run a dict of
        "data_loss", "reg_loss", "total_loss", "accuracy"   (steps + 1,) on all points: entry 0
                                                            at the start, entry t after t steps
        "step_size"   (steps,)  the step size of each update
        "W" (C, 2), "b" (C,)    the parameters after the run
        "diverged"    bool      True if the run stopped early (see below)
        "reason"      str|None  why it stopped: one of ``core.divergence.REASONS``, or None
        "batches"     (steps, B) int, the indices of each step's batch — only if record_batches
    A run diverges by the lab's one rule (``core.divergence``: a loss or parameter that is not
    finite, a parameter past the limit, a thousandfold growth of the loss from its start): it
    stops there, its remaining entries are NaN and "W", "b" are the last parameters before that.

    ``progress``, if given, is called as ``progress(done, total)`` after every step: the steps
    taken so far over all runs, of ``len(optimizers) * steps``. Whatever it raises stops the
    comparison and reaches the caller (that is how a caller cancels).
    """
    X, y = np.asarray(X, dtype=float).reshape(-1, 2), np.asarray(y, dtype=np.intp)
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    # Computed once, so every run provably sees the same batches, and bad settings fail at once.
    batches = batch_sequence(len(X), batch_size, seed, steps)
    steps = len(batches)
    step_size_at(schedule, 1.0, 0, decay_rate=decay_rate, decay_every=decay_every)  # checks them

    def full_evaluation(params):
        return evaluate(X, y, params["W"], params["b"], **objective)

    runs = {}
    total = len(optimizers) * steps
    for number, (label, original) in enumerate(optimizers.items()):
        optimizer = copy.deepcopy(original)
        optimizer.reset()
        base = optimizer.step_size
        step_sizes = np.array([step_size_at(schedule, base, t, decay_rate=decay_rate,
                                            decay_every=decay_every) for t in range(steps)])
        history = {key: np.full(steps + 1, np.nan)
                   for key in ("data_loss", "reg_loss", "total_loss", "accuracy")}
        params = {"W": W.copy(), "b": b.copy()}
        last_good, reason = params, None
        # A diverging run overflows on its way to inf; that is reported through "reason".
        with np.errstate(over="ignore", invalid="ignore"):
            evaluation = full_evaluation(params)
            start_loss = evaluation.total_loss
            for t in range(steps + 1):
                reason = divergence(evaluation.total_loss, params["W"], params["b"], start_loss)
                if reason is not None:
                    break
                for key in history:
                    history[key][t] = getattr(evaluation, key)
                last_good = params
                if t == steps:
                    break
                optimizer.step_size = step_sizes[t]
                params, _ = train_step(X, y, params, optimizer, batch=batches[t], **objective)
                evaluation = full_evaluation(params)
                if progress is not None:
                    progress(number * steps + t + 1, total)
        run = dict(history, step_size=step_sizes, W=last_good["W"], b=last_good["b"],
                   diverged=reason is not None, reason=reason)
        if record_batches:
            batch_length = len(X) if batch_size is None else min(batch_size, len(X))
            run["batches"] = np.array(batches, dtype=np.intp).reshape(steps, batch_length)
        runs[label] = run
    return runs
