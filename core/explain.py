"""One point's loss worked out step by step, with the current numbers, the way the slides do it.

    explanation = explain_point(scores_i, y_i, "weston_watkins")
    explanation.latex_lines   # ['j = 1:\\quad \\max(0,\\ 5.1 - 3.2 + 1) = 2.9', …]

The loss and its gradient are core's own (``score_losses`` on that one point); the terms, the
exponentials and the probabilities are the intermediate values of the same formulas. Only the
display is rounded, in one format for the whole explanation (``losslab.core.numbers``): at least
3 significant digits, and as many more as it takes for each line's arithmetic to hold as printed
(``−log p`` of the ``p`` shown gives the loss shown; the printed terms add up to the printed sum).
"""

from dataclasses import dataclass
from functools import partial
from typing import Optional

import numpy as np

from losslab.core.losses import LOSSES, score_losses, softmax_probabilities
from losslab.core.numbers import (
    agrees,
    as_text,
    digits_to_unit,
    format_number,
    format_setting,
    rounded,
    unit,
)
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
    p_y. loss (float) and dscores (C,) = ∂L_i/∂s are core's. digits: the significant digits of
    every number shown; latex_lines: the steps as LaTeX.
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
    digits: int
    latex_lines: tuple

    def number(self, x):
        """A number in this explanation's format, as LaTeX."""
        return format_number(x, self.digits)

    def text(self, x):
        """A number in this explanation's format, as plain text (a true minus, ×10⁻⁵)."""
        return as_text(format_number(x, self.digits))


MIN_DIGITS, MAX_DIGITS = 3, 10
"""Significant digits of an explanation's numbers: at least MIN_DIGITS, more (up to MAX_DIGITS)
where fewer would make a printed line's arithmetic come out differently."""


def _term(text):
    """A formatted number to follow a − or + sign: negative numbers go in parentheses."""
    return f"({text})" if text.startswith("-") else text


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


def _setting_unit(x):
    """The size of the last digit of a setting as `format_setting` prints it (0: exactly)."""
    return 0.0 if float(f"{x:.4g}") == x else unit(x, 4)


def _value_digits(term, digits):
    """Significant digits of a term's value: as many as its printed inputs carry. A sum carries
    the last digit of its coarsest term (5.1 − 3.25 + 1 = 2.9, not 2.85), and a square the
    significant digits of what is squared."""
    sizes = [unit(term.s_j, digits), _setting_unit(term.delta)]
    if term.s_y is not None:
        sizes.append(unit(term.s_y, digits))
    return min(digits, digits_to_unit(term.m, max(sizes)))


def _sum_digits(terms, total, digits):
    """Significant digits of the sum of the printed term values (with their own digits)."""
    sizes = [unit(term.value, _value_digits(term, digits)) for term in terms]
    return min(digits, digits_to_unit(total, max(sizes, default=0.0)))


def _term_holds(term, squared, digits):
    """Whether the term worked out from its printed numbers gives its printed value (to within
    the rounding of the value's last digit), with MIN_DIGITS significant digits of its own."""
    if term.value == 0.0 and term.m <= 0.0:
        shown_m = term.delta - term.t_j * rounded(term.s_j, digits) if term.t_j is not None else \
            rounded(term.s_j, digits) - rounded(term.s_y, digits) + float(f"{term.delta:.4g}")
        return shown_m <= 0.0
    value_digits = _value_digits(term, digits)
    if value_digits < MIN_DIGITS:
        return False
    if term.t_j is None:
        m = rounded(term.s_j, digits) - rounded(term.s_y, digits) + float(f"{term.delta:.4g}")
    else:
        m = float(f"{term.delta:.4g}") - term.t_j * rounded(term.s_j, digits)
    return agrees(_hinge(m, squared), term.value, value_digits, slack=0.5 * unit(term.value, value_digits))


def _hinge_digits(terms, squared, total):
    """The fewest digits, from MIN_DIGITS, at which every term worked out from its printed
    numbers gives its printed value, and the printed loss keeps MIN_DIGITS significant digits
    (more digits where a term nearly cancels, or a square magnifies what is rounded)."""
    for digits in range(MIN_DIGITS, MAX_DIGITS + 1):
        if all(_term_holds(term, squared, digits) for term in terms) \
                and (total == 0.0 or _sum_digits(terms, total, digits) >= MIN_DIGITS):
            return digits
    return MAX_DIGITS


def _term_latex(term, squared, digits):
    """``\\max(0,\\ 5.1 - 3.2 + 1) = 2.9`` for one term, with the current numbers."""
    fmt = partial(format_number, digits=digits)
    if term.t_j is None:  # s_j − s_y + Δ
        inside = f"{fmt(term.s_j)} - {_term(fmt(term.s_y))} + {_term(format_setting(term.delta))}"
    else:  # Δ − t_j s_j, read as Δ − s_j (t_j = +1) or Δ + s_j (t_j = −1)
        sign = "-" if term.t_j > 0 else "+"
        inside = f"{format_setting(term.delta)} {sign} {_term(fmt(term.s_j))}"
    power = "^2" if squared else ""
    value = format_number(term.value, _value_digits(term, digits))
    return f"\\max(0,\\ {inside}){power} = {value}"


def _hinge_lines(loss, terms, squared, total, digits):
    if loss == "structured_svm":
        (term,) = terms
        return [f"\\max_{{j \\ne y}} s_j = s_{{{term.j}}} = {format_number(term.s_j, digits)}",
                f"L_i = {_term_latex(term, squared, digits)}"]
    lines = []
    for term in terms:
        target = "" if term.t_j is None else f",\\ t_j = {term.t_j:+d}"
        lines.append(f"j = {term.j}{target}:\\quad {_term_latex(term, squared, digits)}")
    values = " + ".join(format_number(term.value, _value_digits(term, digits)) for term in terms)
    lines.append(f"L_i = {values} = {format_number(total, _sum_digits(terms, total, digits))}")
    return lines


CONFIDENT = 0.9
"""From this probability of the label up, −log p_y is written −log(1 − q), q the others' share:
a p_y near 1 would need many digits for its −log to come out right, q needs no more than any."""


TINY = 1e-300
"""Below this probability of the label, −log p_y is written −log(e^{−L}): a float so small
holds too few digits to be printed, or is 0."""


def _rest(probabilities, y):
    """q = Σ_{j≠y} p_j: 1 − p_y without the cancellation."""
    return float(np.sum(np.delete(probabilities, y)))


def _softmax_lines(exp, shift, probabilities, y, total, fmt):
    power = "s" if shift == 0.0 else f"s - {_term(fmt(shift))}"
    p_y = probabilities[y]
    if p_y >= CONFIDENT:
        minus_log = f"-\\log(1 - {fmt(_rest(probabilities, y))})"
    elif p_y >= TINY:
        minus_log = f"-\\log({fmt(p_y)})"
    else:  # p_y is below what a float holds to the digits shown
        minus_log = f"-\\log(e^{{-{fmt(total)}}})"
    return [f"e^{{{power}}} = {_vector(exp, fmt)}",
            f"p = e^{{s}} / \\textstyle\\sum_j e^{{s_j}} = {_vector(probabilities, fmt)}",
            f"L_i = {minus_log} = {fmt(total)}"]


def _softmax_holds(exp, probabilities, y, total, digits):
    """Whether the printed probabilities are the printed exponentials normalized (as closely as
    numbers rounded to `digits` can divide), and −log of the printed p_y (or of 1 − q) is the
    printed loss."""
    shown_exp = [rounded(e, digits) for e in exp]
    total_exp = sum(shown_exp)
    relative = 10.0 ** (1 - digits)  # of a quotient of two numbers rounded to `digits`
    if total_exp > 0 and not all(agrees(e / total_exp, p, digits, slack=relative * p)
                                 for e, p in zip(shown_exp, probabilities)):
        return False
    if probabilities[y] >= CONFIDENT:
        return agrees(-np.log1p(-rounded(_rest(probabilities, y), digits)), total, digits)
    p_y = rounded(probabilities[y], digits)
    return probabilities[y] < TINY or agrees(-np.log(p_y), total, digits)


def _vector(values, fmt):
    return "[" + ",\\ ".join(fmt(v) for v in values) + "]"


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
        digits = next((d for d in range(MIN_DIGITS, MAX_DIGITS)
                       if _softmax_holds(exp, probabilities, y, total, d)), MAX_DIGITS)
        fmt = partial(format_number, digits=digits)
        lines = _softmax_lines(exp, shift, probabilities, y, total, fmt)
    else:
        terms = _TERMS[loss](s, y, float(margin), squared)
        digits = _hinge_digits(terms, squared, total)
        fmt = partial(format_number, digits=digits)
        lines = _hinge_lines(loss, terms, squared, total, digits)
    lines.append(f"\\partial L_i / \\partial s = {_vector(dscores, fmt)}")
    return Explanation(loss_name=loss, scores=s, label=y, margin=float(margin),
                       squared=bool(squared), terms=terms, exp=exp, exp_shift=shift,
                       probabilities=probabilities, neg_log_p=neg_log_p, loss=total,
                       dscores=dscores, digits=digits, latex_lines=tuple(lines))


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
