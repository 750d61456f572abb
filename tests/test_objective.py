"""The objective: the reference demo's numbers, regularizers, gradients of the total loss, edge cases."""

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from losslab.core.gradcheck import numerical_gradient, relative_error
from losslab.core.losses import LOSSES
from losslab.core.objective import Evaluation, evaluate, scores
from losslab.core.regularizers import REGULARIZERS, elastic_net, l1, l2, regularization

# The reference demo's opening state (the CS231n linear classification loss visualization),
# written out here so these tests stand on their own.
DEMO_X = np.array([[0.5, 0.4], [0.8, 0.3], [0.3, 0.8], [-0.4, 0.3], [-0.3, 0.7], [-0.7, 0.2],
                   [0.7, -0.4], [0.5, -0.6], [-0.4, -0.5]])
DEMO_Y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
DEMO_W = np.array([[1.0, 2.0], [2.0, -4.0], [3.0, -1.0]])
DEMO_B = np.array([0.0, 0.5, -0.5])

C = 3
SETTINGS = list(itertools.product(LOSSES, [False, True], REGULARIZERS))


# --- the reference demo ------------------------------------------------------------------------

def test_reference_demo_readout():
    # The lecture (transcript 004, 46:59) reads off the demo: "data loss is 2.77, regularization
    # loss for this W is 3.5, and so our total loss is 6.27".
    result = evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B, loss="weston_watkins", reg="l2",
                      reg_strength=0.1)
    assert result.data_loss == pytest.approx(83 / 30, rel=1e-12)    # 2.7667
    assert result.reg_loss == pytest.approx(3.5, rel=1e-12)         # 0.1 · (1+4+4+16+9+1)
    assert result.total_loss == pytest.approx(94 / 15, rel=1e-12)   # 6.2667
    assert round(result.data_loss, 2) == 2.77 and round(result.total_loss, 2) == 6.27


def test_reference_demo_point_losses():
    result = evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B)
    # e.g. the first point: s = (1.3, −0.1, 0.6), label 0 → max(0, −0.1 − 1.3 + 1) + max(0, 0.6 − 1.3 + 1)
    np.testing.assert_allclose(result.scores[0], [1.3, -0.1, 0.6], atol=1e-12)
    # the demo's data table, point by point; their mean is the 83/30 above
    np.testing.assert_allclose(result.point_losses, [0.3, 1.7, 0.0, 3.2, 6.8, 2.4, 2.5, 3.3, 4.7],
                               atol=1e-12)


def test_reference_demo_predictions():
    result = evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B)
    # only the first and third points land in their own class's region
    np.testing.assert_array_equal(result.predictions, [0, 2, 0, 0, 0, 0, 1, 1, 1])
    assert result.accuracy == pytest.approx(2 / 9)


# --- scores and the assembled objective -------------------------------------------------------

@given(arrays(np.float64, st.tuples(st.integers(0, 20), st.just(2)),
              elements=st.floats(-10, 10)),
       arrays(np.float64, (C, 2), elements=st.floats(-10, 10)),
       arrays(np.float64, (C,), elements=st.floats(-10, 10)))
def test_scores_are_x_w_transpose_plus_b(X, W, b):
    s = scores(X, W, b)
    assert s.shape == (len(X), C)
    np.testing.assert_allclose(s, X @ W.T + b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("loss, squared, reg", SETTINGS)
def test_evaluation_is_assembled_from_its_parts(loss, squared, reg):
    X, y, W, b = random_problem(np.random.default_rng(7))
    result = evaluate(X, y, W, b, loss=loss, squared=squared, reg=reg, reg_strength=0.3, beta=0.25)
    point_losses, dscores = LOSSES[loss](X @ W.T + b, y, squared=squared)
    reg_loss, dW_reg = regularization(W, reg, 0.3, beta=0.25)
    np.testing.assert_allclose(result.point_losses, point_losses, rtol=1e-12)
    np.testing.assert_allclose(result.dscores, dscores, rtol=1e-12, atol=1e-15)
    assert result.data_loss == pytest.approx(point_losses.mean(), rel=1e-12)
    assert result.reg_loss == pytest.approx(reg_loss, rel=1e-12)
    assert result.total_loss == pytest.approx(result.data_loss + result.reg_loss, rel=1e-12)
    np.testing.assert_allclose(result.dW, dscores.T @ X / len(X) + dW_reg, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.db, dscores.mean(axis=0), rtol=1e-12, atol=1e-15)
    assert isinstance(result.data_loss, float) and isinstance(result.total_loss, float)


def test_evaluation_is_immutable():
    result = evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B)
    assert isinstance(result, Evaluation)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total_loss = 0.0


def test_evaluate_leaves_its_inputs_alone():
    X, y, W, b = DEMO_X.copy(), DEMO_Y.copy(), DEMO_W.copy(), DEMO_B.copy()
    for loss in LOSSES:
        evaluate(X, y, W, b, loss=loss, reg="elastic_net")
    for a, original in zip((X, y, W, b), (DEMO_X, DEMO_Y, DEMO_W, DEMO_B)):
        np.testing.assert_array_equal(a, original)


def test_evaluate_accepts_lists():
    result = evaluate(DEMO_X.tolist(), DEMO_Y.tolist(), DEMO_W.tolist(), DEMO_B.tolist())
    assert result.total_loss == pytest.approx(94 / 15, rel=1e-12)


# --- gradients of the total loss against a numerical gradient ---------------------------------

def random_problem(rng, n=12):
    """Random points, labels and parameters, all well away from every kink of every loss."""
    while True:
        X = rng.uniform(-1.5, 1.5, size=(n, 2))
        y = rng.integers(0, C, size=n)
        W = rng.normal(size=(C, 2))
        b = rng.normal(size=C)
        if distance_to_kinks(X @ W.T + b, y) > 1e-3 and np.abs(W).min() > 1e-3:  # |W| kink of L1
            return X, y, W, b


def distance_to_kinks(s, y, margin=1.0):
    """Smallest distance of any hinge argument (of any of the losses) to 0, or of two competitors
    of the structured SVM to each other."""
    is_correct = np.arange(C) == y[:, None]
    one_vs_all = margin - np.where(is_correct, 1.0, -1.0) * s
    margins = s - s[is_correct][:, None] + margin
    competitors = np.sort(margins[~is_correct].reshape(len(y), C - 1), axis=1)
    switch = competitors[:, -1] - competitors[:, -2]
    return min(np.abs(one_vs_all).min(), np.abs(competitors).min(), switch.min())


@pytest.mark.parametrize("loss, squared, reg", SETTINGS)
@pytest.mark.parametrize("seed", range(3))
def test_gradients_match_the_numerical_gradient(loss, squared, reg, seed):
    X, y, W, b = random_problem(np.random.default_rng(seed))
    settings = dict(loss=loss, squared=squared, reg=reg, reg_strength=0.1, beta=0.5)
    result = evaluate(X, y, W, b, **settings)
    numeric_dW = numerical_gradient(lambda W_: evaluate(X, y, W_, b, **settings).total_loss, W)
    numeric_db = numerical_gradient(lambda b_: evaluate(X, y, W, b_, **settings).total_loss, b)
    assert relative_error(numeric_dW, result.dW).max() < 1e-6
    assert relative_error(numeric_db, result.db).max() < 1e-6


@pytest.mark.parametrize("loss", list(LOSSES))
def test_gradients_at_the_reference_demo(loss):
    # the demo's own state is also clear of every kink
    result = evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B, loss=loss)
    total = lambda W_, b_: evaluate(DEMO_X, DEMO_Y, W_, b_, loss=loss).total_loss  # noqa: E731
    numeric_dW = numerical_gradient(lambda W_: total(W_, DEMO_B), DEMO_W)
    numeric_db = numerical_gradient(lambda b_: total(DEMO_W, b_), DEMO_B)
    np.testing.assert_allclose(result.dW, numeric_dW, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(result.db, numeric_db, rtol=1e-6, atol=1e-9)


# --- edge cases -------------------------------------------------------------------------------

def test_zero_parameters_give_the_lecture_sanity_values():
    W, b = np.zeros((C, 2)), np.zeros(C)
    expected = {"weston_watkins": C - 1, "one_vs_all": C, "structured_svm": 1.0,
                "softmax": math.log(C)}
    for loss, value in expected.items():
        result = evaluate(DEMO_X, DEMO_Y, W, b, loss=loss)
        assert result.data_loss == pytest.approx(value, rel=1e-12)
        assert result.reg_loss == 0.0 and result.total_loss == result.data_loss


@pytest.mark.parametrize("loss, squared, reg", SETTINGS)
def test_no_points(loss, squared, reg):
    result = evaluate(np.zeros((0, 2)), np.zeros(0, dtype=int), DEMO_W, DEMO_B,
                      loss=loss, squared=squared, reg=reg, reg_strength=0.1)
    reg_loss, dW_reg = regularization(DEMO_W, reg, 0.1)
    assert result.data_loss == 0.0
    assert result.reg_loss == pytest.approx(reg_loss) and result.total_loss == pytest.approx(reg_loss)
    np.testing.assert_array_equal(result.dW, dW_reg)
    np.testing.assert_array_equal(result.db, np.zeros(C))
    assert result.scores.shape == (0, C) and result.point_losses.shape == (0,)
    assert result.predictions.shape == (0,) and result.accuracy == 0.0


def test_no_points_given_as_empty_lists():
    result = evaluate([], [], DEMO_W, DEMO_B)
    assert result.data_loss == 0.0 and result.total_loss == pytest.approx(3.5)


def test_biases_are_never_regularized():
    weak = evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B, reg_strength=0.0)
    for reg in REGULARIZERS:
        strong = evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B * 100, reg=reg, reg_strength=10.0)
        unbiased = evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B * 0, reg=reg, reg_strength=10.0)
        assert strong.reg_loss == unbiased.reg_loss
    np.testing.assert_array_equal(
        evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B, reg_strength=5.0).db, weak.db)


def test_unknown_settings_name_the_choices():
    with pytest.raises(ValueError, match="weston_watkins.*one_vs_all.*structured_svm.*softmax"):
        evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B, loss="svm")
    with pytest.raises(ValueError, match="l2.*l1.*elastic_net"):
        evaluate(DEMO_X, DEMO_Y, DEMO_W, DEMO_B, reg="l3")


# --- regularizers ----------------------------------------------------------------------------

W_SAMPLE = np.array([[1.0, -2.0], [0.0, 0.5], [-3.0, 0.0]])


def test_l2():
    loss, dW = l2(W_SAMPLE, 0.1)
    assert loss == pytest.approx(0.1 * (1 + 4 + 0 + 0.25 + 9 + 0))
    np.testing.assert_allclose(dW, 0.2 * W_SAMPLE)


def test_l1_has_zero_gradient_at_zero():
    loss, dW = l1(W_SAMPLE, 0.1)
    assert loss == pytest.approx(0.1 * (1 + 2 + 0 + 0.5 + 3 + 0))
    np.testing.assert_allclose(dW, [[0.1, -0.1], [0.0, 0.1], [-0.1, 0.0]])


def test_elastic_net_is_l1_plus_beta_l2():
    loss, dW = elastic_net(W_SAMPLE, 0.1, beta=0.25)
    l1_loss, l1_dW = l1(W_SAMPLE, 0.1)
    l2_loss, l2_dW = l2(W_SAMPLE, 0.1)
    assert loss == pytest.approx(l1_loss + 0.25 * l2_loss)
    np.testing.assert_allclose(dW, l1_dW + 0.25 * l2_dW)


@given(arrays(np.float64, (C, 2), elements=st.floats(-1e3, 1e3)), st.floats(0.0, 10.0),
       st.sampled_from(list(REGULARIZERS)))
def test_penalties_are_non_negative_and_zero_at_zero_strength(W, strength, reg):
    loss, dW = regularization(W, reg, strength)
    assert loss >= 0.0 and dW.shape == W.shape and isinstance(loss, float)
    assert regularization(W, reg, 0.0)[0] == 0.0


def test_regularization_dispatches_beta_only_to_the_elastic_net():
    assert regularization(W_SAMPLE, "elastic_net", 0.1, beta=0.25)[0] == pytest.approx(
        elastic_net(W_SAMPLE, 0.1, beta=0.25)[0])
    assert regularization(W_SAMPLE, "l2", 0.1, beta=0.25)[0] == pytest.approx(l2(W_SAMPLE, 0.1)[0])


def test_regularizers_keep_their_order():
    assert list(REGULARIZERS) == ["l2", "l1", "elastic_net"]
