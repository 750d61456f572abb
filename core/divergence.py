"""When a run has diverged: the one rule every run of the lab follows, a Run on the page as much
as a comparison of optimizers.

A run has diverged when, after a step,

- its total loss is not a finite number (``"not_finite"``), or a parameter is not;
- a weight or bias is larger in magnitude than ``PARAMETER_LIMIT`` (``"parameter_limit"``): past
  it, the picture and the numbers no longer mean anything and every share of the lab refuses it;
- its total loss has grown past ``GROWTH_LIMIT`` times the loss the run started from, or 1 if
  that was smaller (``"growth"``).
"""

from __future__ import annotations

import numpy as np

PARAMETER_LIMIT = 1e6
"""Largest magnitude a weight or bias may take (and a coordinate or a view-box edge)."""

GROWTH_LIMIT = 1e3
"""How many times its starting loss a run's total loss may grow to before it has diverged."""

REASONS = ("not_finite", "parameter_limit", "growth")


def divergence(total_loss: float, W, b, start_loss: float | None = None) -> str | None:
    """Why a step that reached (W (C, 2), b (C,)) with ``total_loss`` has diverged — one of
    ``REASONS`` — or None if it has not. ``start_loss``: the total loss the run started from
    (None: no growth check)."""
    largest = max(np.abs(W).max(initial=0.0), np.abs(b).max(initial=0.0))
    if not np.isfinite(total_loss) or not np.isfinite(largest):
        return "not_finite"
    if largest > PARAMETER_LIMIT:
        return "parameter_limit"
    if start_loss is not None and total_loss > GROWTH_LIMIT * max(start_loss, 1.0):
        return "growth"
    return None
