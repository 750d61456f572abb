"""Step-size schedules: the step size α_t of update t (t = 0 for the first update).

    constant      α_t = α
    step          α_t = α · γ^⌊t / k⌋      drops by the factor γ every k steps
    exponential   α_t = α · γ^(t / k)      the smooth version of the same decay

γ is ``decay_rate`` (0 < γ ≤ 1; γ = 1 never decays) and k is ``decay_every`` (a whole number of
steps ≥ 1). Both decays agree at t = 0, k, 2k, …; in between, the exponential one slides down
from one level of the step decay to the next.
"""

from __future__ import annotations

import math
import numbers

SCHEDULES = ("constant", "step", "exponential")

# The smallest positive float. A long decay (say γ = 0.01 every step for 200 steps) would
# underflow to 0, which no optimizer accepts as a step size; stopping just above 0 keeps the
# run going with steps too small to move anything, which is what the decay means.
_SMALLEST_STEP = math.ulp(0.0)


def _whole_number(name: str, value, least: int) -> int:
    # bool is an Integral too, but True steps are surely a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
    return int(value)


def step_size_at(schedule: str, base: float, step: int, *, decay_rate: float = 0.5,
                 decay_every: int = 100) -> float:
    """The step size of update ``step`` (0, 1, 2, …) under ``schedule`` (one of ``SCHEDULES``).

    ``base`` (α > 0) is the step size of the first update. Unknown schedules, a base that is not
    a finite number > 0, a decay rate outside (0, 1], a ``decay_every`` or ``step`` that is not a
    whole number (≥ 1 and ≥ 0) raise ``ValueError`` — for every schedule, so that a bad setting
    is caught when it is made, not only once a decay is switched on.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(map(repr, SCHEDULES))}")
    base, decay_rate = float(base), float(decay_rate)
    if not (math.isfinite(base) and base > 0):
        raise ValueError(f"the base step size must be a finite number > 0, got {base!r}")
    if not (0.0 < decay_rate <= 1.0):
        raise ValueError(f"decay_rate must satisfy 0 < decay_rate <= 1, got {decay_rate!r}")
    decay_every = _whole_number("decay_every", decay_every, 1)
    step = _whole_number("step", step, 0)

    if schedule == "constant":
        return base
    if schedule == "step":
        exponent = float(step // decay_every)
    else:
        # At multiples of k, step / k is the exact whole number, so both decays give the same
        # float there (Python's float ** int converts the int to float anyway).
        exponent = step / decay_every
    return max(base * decay_rate**exponent, _SMALLEST_STEP)
