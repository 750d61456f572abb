"""A point's loss step by step: the lecture's worked example, and agreement with core everywhere."""

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab import core
from losslab.core.explain import (
    Explanation,
    explain_point,
    format_number,
    format_setting,
    loss_formula_latex,
    sanity_loss,
)

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
    assert ex.latex_lines[0].endswith(r"\max(0,\ 5.10 - 3.20 + 1) = 2.90")
    assert ex.latex_lines[1].endswith(r"\max(0,\ -1.70 - 3.20 + 1) = 0")
    assert ex.latex_lines[2] == "L_i = 2.90 + 0 = 2.90"


def test_softmax_worked_example_in_natural_log():
    ex = explain_point(LECTURE_SCORES, CAT, "softmax")
    assert ex.exp == pytest.approx(np.exp(LECTURE_SCORES))
    assert ex.probabilities[CAT] == pytest.approx(0.13, abs=0.005)
    assert ex.loss == pytest.approx(2.04, abs=0.005)
    assert ex.neg_log_p == ex.loss
    assert ex.terms == ()
    assert ex.latex_lines[0] == r"e^{s} = [24.53,\ 164.02,\ 0.18]"
    assert r"= [0.13,\ 0.87,\ 9.68 \times 10^{-4}]" in ex.latex_lines[1]
    assert ex.latex_lines[2] == r"L_i = -\log(0.13) = 2.04"


def test_structured_svm_worked_example_counts_only_the_strongest_rival():
    ex = explain_point(LECTURE_SCORES, CAT, "structured_svm")
    (term,) = ex.terms
    assert (term.j, term.value) == (CAR, pytest.approx(2.9))
    assert ex.latex_lines[1] == r"L_i = \max(0,\ 5.10 - 3.20 + 1) = 2.90"


def test_one_vs_all_worked_example_has_a_term_per_class():
    ex = explain_point(LECTURE_SCORES, CAT, "one_vs_all")
    assert [t.t_j for t in ex.terms] == [1, -1, -1]
    assert [t.value for t in ex.terms] == pytest.approx([0.0, 6.1, 0.0])
    assert r"\max(0,\ 1 + 5.10) = 6.10" in ex.latex_lines[1]
    assert r"\max(0,\ 1 + (-1.70)) = 0" in ex.latex_lines[2]


def test_squared_hinge_squares_each_term():
    ex = explain_point(LECTURE_SCORES, CAT, "weston_watkins", squared=True)
    assert [t.value for t in ex.terms] == pytest.approx([2.9 ** 2, 0.0])
    assert ex.latex_lines[0].endswith(r"\max(0,\ 5.10 - 3.20 + 1)^2 = 8.41")


def test_margin_is_shown_as_set():
    ex = explain_point(LECTURE_SCORES, CAT, "weston_watkins", margin=0.5)
    assert ex.latex_lines[0].endswith(r"\max(0,\ 5.10 - 3.20 + 0.5) = 2.40")


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
        assert line.endswith(f"= {format_number(term.value)}")
        assert format_number(abs(term.s_j)) in line
    assert ex.latex_lines[-2].endswith(f"= {format_number(ex.loss)}")
    if loss == "structured_svm" and ex.loss > 0:  # the rival shown is the one core's gradient uses
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
        assert f"-\\log({format_number(ex.probabilities[y])})" in ex.latex_lines[2]
    assert ex.latex_lines[2].endswith(f"= {format_number(ex.loss)}")


def test_huge_scores_are_shown_shifted():
    ex = explain_point([1000.0, 5.1, -1.7], 1, "softmax")
    assert ex.exp_shift == 1000.0
    assert ex.latex_lines[0].startswith("e^{s - 1000.00} = [1.00,")
    assert ex.loss == pytest.approx(994.9)


# -- display, formula, sanity check ---------------------------------------------------------------


@pytest.mark.parametrize("x, text", [
    (2.9, "2.90"), (-1.7, "-1.70"), (0.0, "0"), (-0.0, "0"), (0.126, "0.13"),
    (0.001234, r"1.23 \times 10^{-3}"), (123456.0, r"1.23 \times 10^{5}"),
    (99999.999, r"1.00 \times 10^{5}"),
])
def test_format_number(x, text):
    assert format_number(x) == text


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
