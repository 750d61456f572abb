"""One point's loss worked out step by step, with the current numbers, the way the slides do it.

    explanation = explain_point(scores_i, y_i, "weston_watkins")
    explanation.latex_lines   # ['j = 1:\\quad \\max(0,\\ 5.10 - 3.20 + 1) = 2.90', …]

The loss and its gradient are core's own (``score_losses`` on that one point); the terms, the
exponentials and the probabilities are the intermediate values of the same formulas, shown with
``format_number`` (2 decimals, or 3 significant digits in scientific form for very small or large
magnitudes). Only the display is rounded.
"""

from dataclasses import dataclass
from typing import Optional

import numpy as np

from losslab.core.losses import LOSSES, score_losses, softmax_probabilities
from losslab.core.presets import NUM_CLASSES

HINGE_LOSSES = ("weston_watkins", "one_vs_all", "structured_svm")

_EXP_LIMIT = 700.0
"""Largest |max s| shown as plain e^s (e^710 overflows); beyond it e^{s − max s} is shown."""


@dataclass(frozen=True)
class Term:
    """One ``max(0, m)`` (or ``max(0, m)²``) of a hinge loss.

    j: the class of the term; s_j: its score; s_y: the label's score (None for One-vs-All,
    whose terms look at one score each); t_j: One-vs-All's target, +1 for the label and −1 for
    the others (None for the other losses); delta: the margin Δ; m: the value inside the hinge
    (s_j − s_y + Δ, or Δ − t_j s_j); value: max(0, m), squared for the squared hinge.
    """

    j: int
    s_j: float
    s_y: Optional[float]
    t_j: Optional[int]
    delta: float
    m: float
    value: float


# eq=False: the fields are arrays, so field-by-field equality would be ambiguous.
@dataclass(frozen=True, eq=False)
class Explanation:
    """A point's loss step by step.

    loss_name, scores (C,), label, margin, squared: what was explained. terms: the hinge terms
    (Weston–Watkins: every j ≠ y; One-vs-All: every j; structured SVM: the strongest rival only;
    softmax: none). Softmax only, else None: exp (C,) = e^{s − exp_shift} (exp_shift is 0 unless
    the scores are too large or small for e^s to be a float), probabilities (C,), neg_log_p = −log
    p_y. loss (float) and dscores (C,) = ∂L_i/∂s are core's. latex_lines: the steps as LaTeX.
    """

    loss_name: str
    scores: np.ndarray
    label: int
    margin: float
    squared: bool
    terms: tuple
    exp: Optional[np.ndarray]
    exp_shift: float
    probabilities: Optional[np.ndarray]
    neg_log_p: Optional[float]
    loss: float
    dscores: np.ndarray
    latex_lines: tuple


# -- numbers as LaTeX -----------------------------------------------------------------------------


def _scientific(x, digits):
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def format_number(x):
    """A number for display: 2 decimals (``5.10``), ``0`` for exactly zero, and 3 significant
    digits in scientific form (``1.23 \\times 10^{-5}``) below 0.01 or from 10⁵ up, so nothing
    small reads as 0.00."""
    x = float(x)
    if x == 0.0:
        return "0"
    if not np.isfinite(x):
        return "\\text{NaN}" if np.isnan(x) else ("-" if x < 0 else "") + "\\infty"
    if 0.01 <= abs(x) < 1e5 and f"{abs(x):.2f}" != "100000.00":
        return f"{x:.2f}"
    return _scientific(x, 2)


def format_setting(x):
    """A setting the user chose (Δ, λ, β), as short as it reads: up to 4 significant digits
    (``1``, ``0.1``, ``0.0001``, ``1 \\times 10^{-5}``)."""
    text = f"{float(x):.4g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def _term(x, formatter=format_number):
    """``x`` formatted to follow a − or + sign: negative numbers go in parentheses."""
    text = formatter(x)
    return f"({text})" if text.startswith("-") else text


def _vector(values):
    return "[" + ",\\ ".join(format_number(v) for v in values) + "]"


# -- the terms of each loss -----------------------------------------------------------------------


def _hinge(m, squared):
    h = max(0.0, m)
    return h * h if squared else h


def _weston_watkins_terms(s, y, delta, squared):
    # m is computed as core computes it, s_j − (s_y − Δ), so the terms add up to core's loss.
    return tuple(Term(j, float(s[j]), float(s[y]), None, delta, m, _hinge(m, squared))
                 for j in range(len(s)) if j != y
                 for m in [float(s[j] - (s[y] - delta))])


def _one_vs_all_terms(s, y, delta, squared):
    terms = []
    for j in range(len(s)):
        t = 1 if j == y else -1
        m = float(delta - t * s[j])
        terms.append(Term(j, float(s[j]), None, t, delta, m, _hinge(m, squared)))
    return tuple(terms)


def _structured_terms(s, y, delta, squared):
    """The one term of the strongest rival: the first j ≠ y with the largest score, as in core."""
    margins = {j: float(s[j] - (s[y] - delta)) for j in range(len(s)) if j != y}
    rival = max(margins, key=lambda j: (margins[j], -j))
    m = margins[rival]
    return (Term(rival, float(s[rival]), float(s[y]), None, delta, m, _hinge(m, squared)),)


_TERMS = {
    "weston_watkins": _weston_watkins_terms,
    "one_vs_all": _one_vs_all_terms,
    "structured_svm": _structured_terms,
}


def _term_latex(term, squared):
    """``\\max(0,\\ 5.10 - 3.20 + 1) = 2.90`` for one term, with the current numbers."""
    if term.t_j is None:  # s_j − s_y + Δ
        inside = f"{format_number(term.s_j)} - {_term(term.s_y)} + " \
                 f"{_term(term.delta, format_setting)}"
    else:  # Δ − t_j s_j, read as Δ − s_j (t_j = +1) or Δ + s_j (t_j = −1)
        sign = "-" if term.t_j > 0 else "+"
        inside = f"{format_setting(term.delta)} {sign} {_term(term.s_j)}"
    power = "^2" if squared else ""
    return f"\\max(0,\\ {inside}){power} = {format_number(term.value)}"


def _hinge_lines(loss, terms, squared, total):
    if loss == "structured_svm":
        (term,) = terms
        return [f"\\max_{{j \\ne y}} s_j = s_{{{term.j}}} = {format_number(term.s_j)}",
                f"L_i = {_term_latex(term, squared)}"]
    lines = []
    for term in terms:
        target = "" if term.t_j is None else f",\\ t_j = {term.t_j:+d}"
        lines.append(f"j = {term.j}{target}:\\quad {_term_latex(term, squared)}")
    values = " + ".join(format_number(term.value) for term in terms)
    lines.append(f"L_i = {values} = {format_number(total)}")
    return lines


def _softmax_lines(exp, shift, probabilities, p_y, total):
    power = "s" if shift == 0.0 else f"s - {_term(shift)}"
    minus_log = f"-\\log({format_number(p_y)})" if p_y > 0.0 else \
        f"-\\log(e^{{-{format_number(total)}}})"  # p_y is below the smallest float
    return [f"e^{{{power}}} = {_vector(exp)}",
            f"p = e^{{s}} / \\textstyle\\sum_j e^{{s_j}} = {_vector(probabilities)}",
            f"L_i = {minus_log} = {format_number(total)}"]


# -- the public functions -------------------------------------------------------------------------


def explain_point(scores_i, y_i, loss, margin=1.0, squared=False):
    """Explain the loss of one point with scores ``scores_i`` (C,) and label ``y_i``.

    ``loss`` is a key of ``core.LOSSES``; margin (Δ) and squared apply to the hinge losses.
    """
    s = np.array(scores_i, dtype=float)
    if s.ndim != 1 or len(s) < 2:
        raise ValueError(f"expected one point's scores, shape (C,) with C ≥ 2, got {s.shape}")
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(map(repr, LOSSES))}")
    losses, dscores = score_losses(s[None, :], [y_i], loss, margin=margin, squared=squared)
    y, total, dscores = int(y_i), float(losses[0]), np.array(dscores[0])
    s.setflags(write=False)
    dscores.setflags(write=False)

    terms, exp, shift, probabilities, neg_log_p = (), None, 0.0, None, None
    if loss == "softmax":
        shift = 0.0 if abs(s.max()) <= _EXP_LIMIT else float(s.max())
        exp = np.exp(s - shift)
        probabilities = softmax_probabilities(s[None, :])[0]
        exp.setflags(write=False)
        probabilities.setflags(write=False)
        neg_log_p = total
        lines = _softmax_lines(exp, shift, probabilities, probabilities[y], total)
    else:
        terms = _TERMS[loss](s, y, float(margin), squared)
        lines = _hinge_lines(loss, terms, squared, total)
    lines.append(f"\\partial L_i / \\partial s = {_vector(dscores)}")
    return Explanation(loss_name=loss, scores=s, label=y, margin=float(margin),
                       squared=bool(squared), terms=terms, exp=exp, exp_shift=shift,
                       probabilities=probabilities, neg_log_p=neg_log_p, loss=total,
                       dscores=dscores, latex_lines=tuple(lines))


_DATA_LOSS_LATEX = {
    "weston_watkins": "\\sum_{{j \\ne y_i}} \\max(0,\\ s_j - s_{{y_i}} + {delta}){power}",
    "one_vs_all": "\\sum_j \\max(0,\\ {delta} - t_j s_j){power}",
    "structured_svm": "\\max(0,\\ \\max_{{j \\ne y_i}} s_j - s_{{y_i}} + {delta}){power}",
    "softmax": "-\\log \\frac{{e^{{s_{{y_i}}}}}}{{\\sum_j e^{{s_j}}}}",
}

_REG_LATEX = {
    "l2": "{strength} \\sum W^2",
    "l1": "{strength} \\sum |W|",
    "elastic_net": "{strength} \\sum ({beta} W^2 + |W|)",
}


def loss_formula_latex(loss, reg, margin=1.0, reg_strength=0.1, beta=0.5, squared=False):
    """The full objective of these settings as LaTeX, with Δ, λ and β filled in, e.g. ::

        L = \\frac{1}{N} \\sum_i \\sum_{j \\ne y_i} \\max(0,\\ s_j - s_{y_i} + 1) + 0.1 \\sum W^2
    """
    if loss not in _DATA_LOSS_LATEX or reg not in _REG_LATEX:
        raise ValueError(f"unknown loss {loss!r} or regularizer {reg!r}")
    data = _DATA_LOSS_LATEX[loss].format(delta=format_setting(margin),
                                         power="^2" if squared and loss != "softmax" else "")
    penalty = _REG_LATEX[reg].format(strength=format_setting(reg_strength),
                                     beta=format_setting(beta))
    return f"L = \\frac{{1}}{{N}} \\sum_i {data} + {penalty}"


def sanity_loss(loss, C=NUM_CLASSES, margin=1.0, squared=False):
    """The loss at W = 0, b = 0, where every score is 0: the lecture's sanity check.

    Weston–Watkins (C − 1)·h, One-vs-All C·h, structured SVM h, with h = max(0, Δ) (or its
    square for the squared hinge); softmax log C (every class gets probability 1/C).
    """
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(map(repr, LOSSES))}")
    if loss == "softmax":
        return float(np.log(C))
    h = _hinge(float(margin), squared)
    return {"weston_watkins": (C - 1) * h, "one_vs_all": C * h, "structured_svm": h}[loss]
