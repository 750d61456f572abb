"""A point's loss step by step: the lecture's worked example, and agreement with core everywhere."""

import dataclasses
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from losslab import core
from losslab.core.explain import (
    MAX_DIGITS,
    MIN_DIGITS,
    Explanation,
    explain_point,
    loss_formula_latex,
    sanity_loss,
)
from losslab.core.numbers import as_text, format_number, format_setting

HINGES = ("weston_watkins", "one_vs_all", "structured_svm")
LOSSES = HINGES + ("softmax",)

# The lecture's example: an image of a cat with scores cat 3.2, car 5.1, frog −1.7.
CAT, CAR, FROG = 0, 1, 2
LECTURE_SCORES = [3.2, 5.1, -1.7]


# -- the lecture's worked example -----------------------------------------------------------------


def test_weston_watkins_worked_example():
    ex = explain_point(LECTURE_SCORES, CAT, "weston_watkins")
    assert [t.j for t in ex.terms] == [CAR, FROG]
    assert [t.value for t in ex.terms] == pytest.approx([2.9, 0.0])
    assert [t.m for t in ex.terms] == pytest.approx([2.9, -3.9])
    assert ex.loss == pytest.approx(2.9)
    assert ex.latex_lines[0].endswith(r"\max(0,\ 5.1 - 3.2 + 1) = 2.9")
    assert ex.latex_lines[1].endswith(r"\max(0,\ -1.7 - 3.2 + 1) = 0")
    assert ex.latex_lines[2] == "L_i = 2.9 + 0 = 2.9"


def test_softmax_worked_example_in_natural_log():
    ex = explain_point(LECTURE_SCORES, CAT, "softmax")
    assert ex.exp == pytest.approx(np.exp(LECTURE_SCORES))
    assert ex.probabilities[CAT] == pytest.approx(0.13, abs=0.005)
    assert ex.loss == pytest.approx(2.04, abs=0.005)
    assert ex.neg_log_p == ex.loss
    assert ex.terms == ()
    assert ex.latex_lines[0] == r"e^{s} = [24.5,\ 164,\ 0.183]"
    assert r"= [0.13,\ 0.869,\ 0.000968]" in ex.latex_lines[1]
    assert ex.latex_lines[2] == r"L_i = -\log(0.13) = 2.04"


def test_structured_svm_worked_example_counts_only_the_strongest_rival():
    ex = explain_point(LECTURE_SCORES, CAT, "structured_svm")
    (term,) = ex.terms
    assert (term.j, term.value) == (CAR, pytest.approx(2.9))
    assert ex.latex_lines[1] == r"L_i = \max(0,\ 5.1 - 3.2 + 1) = 2.9"


def test_one_vs_all_worked_example_has_a_term_per_class():
    ex = explain_point(LECTURE_SCORES, CAT, "one_vs_all")
    assert [t.t_j for t in ex.terms] == [1, -1, -1]
    assert [t.value for t in ex.terms] == pytest.approx([0.0, 6.1, 0.0])
    assert r"\max(0,\ 1 + 5.1) = 6.1" in ex.latex_lines[1]
    assert r"\max(0,\ 1 + (-1.7)) = 0" in ex.latex_lines[2]


def test_squared_hinge_squares_each_term():
    ex = explain_point(LECTURE_SCORES, CAT, "weston_watkins", squared=True)
    assert [t.value for t in ex.terms] == pytest.approx([2.9 ** 2, 0.0])
    assert ex.latex_lines[0].endswith(r"\max(0,\ 5.1 - 3.2 + 1)^2 = 8.41")


def test_margin_is_shown_as_set():
    ex = explain_point(LECTURE_SCORES, CAT, "weston_watkins", margin=0.5)
    assert ex.latex_lines[0].endswith(r"\max(0,\ 5.1 - 3.2 + 0.5) = 2.4")


# -- agreement with core on random scores ---------------------------------------------------------

# Small integers make ties (and margins of exactly 0) common; large floats test overflow.
score = st.one_of(st.integers(-3, 3).map(float),
                  st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False))


@st.composite
def points(draw):
    C = draw(st.integers(2, 5))
    scores = np.array(draw(st.lists(score, min_size=C, max_size=C)))
    return scores, draw(st.integers(0, C - 1)), draw(st.sampled_from([0.0, 0.5, 1.0, 2.5]))


@settings(max_examples=300, deadline=None)
@given(points(), st.sampled_from(LOSSES), st.booleans())
def test_loss_and_gradient_are_cores(point, loss, squared):
    scores, y, margin = point
    ex = explain_point(scores, y, loss, margin=margin, squared=squared)
    losses, dscores = core.score_losses(scores[None, :], [y], loss, margin=margin, squared=squared)
    assert ex.loss == losses[0]
    np.testing.assert_array_equal(ex.dscores, dscores[0])
    assert np.isfinite(ex.loss)
    assert all("NaN" not in line and r"\infty" not in line for line in ex.latex_lines)


@settings(max_examples=300, deadline=None)
@given(points(), st.sampled_from(HINGES), st.booleans())
def test_hinge_terms_add_up_to_the_loss_and_are_shown(point, loss, squared):
    scores, y, margin = point
    ex = explain_point(scores, y, loss, margin=margin, squared=squared)
    C = len(scores)
    assert len(ex.terms) == {"weston_watkins": C - 1, "one_vs_all": C, "structured_svm": 1}[loss]
    assert sum(t.value for t in ex.terms) == pytest.approx(ex.loss, rel=1e-12, abs=1e-12)
    term_lines = ex.latex_lines[1:2] if loss == "structured_svm" else ex.latex_lines[:C]
    for term, line in zip(ex.terms, term_lines):
        assert term.value == pytest.approx(max(0.0, term.m) ** (2 if squared else 1))
        assert ex.number(abs(term.s_j)) in line
    if ex.loss > 0 and loss == "structured_svm":  # the rival shown is the one core's gradient uses
        assert ex.dscores[ex.terms[0].j] > 0


@settings(max_examples=300, deadline=None)
@given(points())
def test_softmax_steps_are_consistent(point):
    scores, y, _ = point
    ex = explain_point(scores, y, "softmax")
    assert ex.probabilities.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(ex.exp / ex.exp.sum(), ex.probabilities, rtol=1e-9, atol=1e-300)
    assert np.all(np.isfinite(ex.exp))
    if ex.probabilities[y] > 0:
        assert ex.loss == pytest.approx(-np.log(ex.probabilities[y]), rel=1e-9, abs=1e-12)
    assert ex.latex_lines[2].endswith(f"= {ex.number(ex.loss)}")


# -- every line as printed -------------------------------------------------------------------------

NUMBER = r"\(?-?[\d.]+(?: \\times 10\^\{-?\d+\})?\)?"


def read(text):
    """A printed number (``1.5``, ``(-2)``, ``4.54 \\times 10^{-5}``) as a float."""
    text = text.strip("()")
    if "times" in text:
        mantissa, exponent = re.match(r"(-?[\d.]+) \\times 10\^\{(-?\d+)\}", text).groups()
        return float(f"{mantissa}e{exponent}")
    return float(text)


def last_digit(text):
    """The size of the last printed digit of a number."""
    text = text.strip("()")
    if "times" in text:
        mantissa, exponent = re.match(r"(-?[\d.]+) \\times 10\^\{(-?\d+)\}", text).groups()
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return float(f"1e{int(exponent) - decimals}")
    return 10.0 ** -(len(text.split(".")[1]) if "." in text else 0)


def holds(computed, printed, slack=1.5):
    """A result computed from the printed numbers reads as the printed one, to within the
    rounding of its last digit."""
    return abs(computed - read(printed)) <= slack * last_digit(printed) * (1 + 1e-9) + 1e-300


moderate = st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 6))


@settings(max_examples=400, deadline=None)
@given(st.lists(moderate, min_size=3, max_size=3), st.integers(0, 2),
       st.sampled_from(LOSSES), st.booleans(), st.sampled_from([0.5, 1.0, 1.25]))
@example([0.0, 34.0, 0.0], 1, "softmax", False, 1.0)  # a loss far below 1 − p_y's float rounding
def test_each_line_holds_as_printed(scores, y, loss, squared, margin):
    ex = explain_point(scores, y, loss, margin=margin, squared=squared)
    assert MIN_DIGITS <= ex.digits <= MAX_DIGITS
    power = 2 if squared else 1
    for line in ex.latex_lines:
        assert "e-" not in line and "e+" not in line  # never Python's own scientific form
        hinge = re.search(rf"\\max\(0,\\ ({NUMBER}) ([-+]) ({NUMBER})(?: \+ ({NUMBER}))?\)(\^2)? = ({NUMBER})$", line)
        if hinge:
            a, sign, b, c, _, value = hinge.groups()
            m = read(a) - read(b) + read(c) if c is not None else \
                (read(a) - read(b) if sign == "-" else read(a) + read(b))
            assert holds(max(0.0, m) ** power, value), line
        total = re.fullmatch(rf"L_i = ((?:{NUMBER} \+ )+{NUMBER}) = ({NUMBER})", line)
        if total:
            parts = total.group(1).split(" + ")
            assert holds(sum(read(v) for v in parts), total.group(2), slack=0.5 * len(parts) + 1), line
        log = re.fullmatch(rf"L_i = -\\log\((1 - )?({NUMBER})\) = ({NUMBER})", line)
        if log:
            q, p, value = log.groups()
            computed = -np.log1p(-read(p)) if q else -np.log(read(p))
            assert holds(computed, value, slack=1.0), line  # −log p of the p that is printed
        probabilities = re.fullmatch(r"p = e\^\{s\} / .* = \[(.*)\]", line)
        if probabilities and np.abs(scores).max() < 700:
            exps = [read(v) for v in ex.latex_lines[0].split(" = [")[1].rstrip("]").split(",\\ ")]
            for e, printed in zip(exps, probabilities.group(1).split(",\\ ")):
                assert abs(e / sum(exps) - read(printed)) <= 0.01 * read(printed) + \
                    last_digit(printed) + 1e-300, line


def test_the_softmax_example_of_the_issue_reads_right():
    # p₁ = 0.0173 must not print as 0.02, whose −log is 3.91, beside a loss of 4.06.
    scores = core.scores(core.DEFAULT_POINTS[:1], core.DEFAULT_W, core.DEFAULT_B)[0] * 0 + \
        np.array([3.0, -1.0, 0.0])
    ex = explain_point(scores, 1, "softmax")
    p_1 = ex.probabilities[1]
    assert f"-\\log({ex.number(p_1)})" in ex.latex_lines[2]
    assert abs(-np.log(float(ex.number(p_1))) - float(ex.number(ex.loss))) <= 0.01


# -- display, formula, sanity check ---------------------------------------------------------------


@pytest.mark.parametrize("x, digits, text", [
    (2.9, 3, "2.9"), (-1.7, 3, "-1.7"), (0.0, 3, "0"), (-0.0, 3, "0"), (0.126, 2, "0.13"),
    (0.0173, 3, "0.0173"), (0.001234, 3, "0.00123"), (0.0001, 3, "0.0001"),
    (0.00009876, 3, r"9.88 \times 10^{-5}"), (123456.0, 3, "123456"), (99999.999, 3, "100000"),
    (1234567.0, 3, r"1.23 \times 10^{6}"), (164.0219, 3, "164"), (24.5325, 4, "24.53"),
])
def test_format_number(x, digits, text):
    assert format_number(x, digits) == text


def test_text_numbers_use_a_true_minus_and_superscripts():
    assert as_text(format_number(-1.7)) == "\u22121.7"
    assert as_text(format_number(-0.00001234)) == "\u22121.23×10⁻⁵"


@pytest.mark.parametrize("x, text", [(1.0, "1"), (0.1, "0.1"), (0.0001, "0.0001"),
                                     (1e-5, r"1 \times 10^{-5}"), (2.5, "2.5")])
def test_format_setting(x, text):
    assert format_setting(x) == text


def test_loss_formula_of_the_lecture():
    assert loss_formula_latex("weston_watkins", "l2", 1.0, 0.1, 0.5, False) == (
        r"L = \frac{1}{N} \sum_i \sum_{j \ne y_i} \max(0,\ s_j - s_{y_i} + 1) + 0.1 \sum W^2")


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("reg, penalty", [("l2", r"0.3 \sum W^2"), ("l1", r"0.3 \sum |W|"),
                                          ("elastic_net", r"0.3 \sum (0.25 W^2 + |W|)")])
@pytest.mark.parametrize("squared", [False, True])
def test_loss_formula_fills_in_the_settings(loss, reg, penalty, squared):
    formula = loss_formula_latex(loss, reg, margin=2.5, reg_strength=0.3, beta=0.25,
                                 squared=squared)
    assert formula.startswith(r"L = \frac{1}{N} \sum_i ")
    assert formula.endswith(" + " + penalty)
    assert ("+ 2.5)" in formula or "2.5 - t_j" in formula) == (loss != "softmax")
    assert (")^2" in formula) == (squared and loss != "softmax")
    assert (r"\log" in formula) == (loss == "softmax")


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("margin", [0.0, 0.5, 1.0, 2.0])
def test_sanity_loss_is_the_loss_at_zero_weights(loss, squared, margin):
    X, y = core.DEFAULT_POINTS, core.DEFAULT_LABELS
    ev = core.evaluate(X, y, np.zeros((3, 2)), np.zeros(3), loss=loss, margin=margin,
                       squared=squared, reg_strength=0.1)
    assert sanity_loss(loss, C=3, margin=margin, squared=squared) == pytest.approx(ev.total_loss)


def test_sanity_values_the_lecture_asks_for():
    assert sanity_loss("weston_watkins") == 2.0
    assert sanity_loss("softmax") == pytest.approx(np.log(3))
    assert sanity_loss("structured_svm", margin=2.0, squared=True) == 4.0
    assert sanity_loss("one_vs_all", C=10) == 10.0


# -- contract -------------------------------------------------------------------------------------


def test_explanation_is_immutable():
    ex = explain_point(LECTURE_SCORES, CAT, "softmax")
    assert isinstance(ex, Explanation)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ex.loss = 0.0
    for array in (ex.scores, ex.dscores, ex.exp, ex.probabilities):
        assert not array.flags.writeable


@pytest.mark.parametrize("args", [
    ([1.0, 2.0, 3.0], 3, "softmax"), ([1.0, 2.0, 3.0], -1, "softmax"),
    ([[1.0, 2.0, 3.0]], 0, "softmax"), ([1.0], 0, "weston_watkins"), ([1.0, 2.0], 0, "hinge"),
])
def test_bad_input_is_refused(args):
    with pytest.raises(ValueError):
        explain_point(*args)
    with pytest.raises(ValueError):
        sanity_loss("hinge")
    with pytest.raises(ValueError):
        loss_formula_latex("softmax", "l3")
