"""Per-point losses: the lecture's worked examples, a plain-loop reference, gradients, invariants."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from losslab.core.gradcheck import numerical_gradient, relative_error
from losslab.core.losses import (
    LOSSES,
    one_vs_all,
    score_losses,
    softmax,
    softmax_probabilities,
    structured_svm,
    weston_watkins,
)

C = 3

# The lecture's three training images and their scores (slides 002, "Multiclass SVM loss").
# The slide prints classes as rows and images as columns; here each row is one image.
#                    cat   car   frog    <- class scores
CAT_CAR_FROG = np.array([
    [3.2, 5.1, -1.7],   # image of a cat   (label 0)
    [1.3, 4.9, 2.0],    # image of a car   (label 1)
    [2.2, 2.5, -3.1],   # image of a frog  (label 2)
])
CAT_CAR_FROG_LABELS = np.array([0, 1, 2])


# --- a reference written as plainly as possible, straight from the formulas ---------------------

def reference_loss(name, s, y, margin=1.0, squared=False):
    """L_i for one point, with Python loops: the table of DESIGN §4, read literally."""
    def hinge(m):
        return max(0.0, m) ** 2 if squared else max(0.0, m)

    others = [j for j in range(len(s)) if j != y]
    if name == "weston_watkins":
        return sum(hinge(s[j] - s[y] + margin) for j in others)
    if name == "one_vs_all":
        return sum(hinge(margin - (1.0 if j == y else -1.0) * s[j]) for j in range(len(s)))
    if name == "structured_svm":
        return hinge(max(s[j] for j in others) - s[y] + margin)
    if name == "softmax":
        top = max(s)
        return top + math.log(sum(math.exp(v - top) for v in s)) - s[y]
    raise AssertionError(name)


def kink_distance(name, scores, y, margin=1.0):
    """How close any hinge of these points is to a kink (∞ for softmax, which has none)."""
    if name == "softmax":
        return np.inf
    is_correct = np.arange(C) == y[:, None]
    if name == "one_vs_all":
        return np.abs(margin - np.where(is_correct, 1.0, -1.0) * scores).min()
    margins = scores - scores[is_correct][:, None] + margin
    competitors = np.sort(margins[~is_correct].reshape(len(y), C - 1), axis=1)
    if name == "weston_watkins":
        return np.abs(competitors).min()
    # structured SVM: the top competitor's hinge, and the switch from one top competitor to another
    return min(np.abs(competitors[:, -1]).min(), (competitors[:, -1] - competitors[:, -2]).min())


labels = st.integers(0, C - 1)


@st.composite
def score_batches(draw, max_points=12, bound=1e3):
    """(scores (N, 3), y (N,)) with 1 ≤ N ≤ max_points and |scores| ≤ bound."""
    n = draw(st.integers(1, max_points))
    scores = draw(arrays(np.float64, (n, C),
                         elements=st.floats(-bound, bound, allow_nan=False, allow_subnormal=False)))
    y = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    return scores, y


# --- the lecture's worked examples --------------------------------------------------------------

def test_multiclass_svm_losses_of_the_cat_car_frog_table():
    losses, _ = weston_watkins(CAT_CAR_FROG, CAT_CAR_FROG_LABELS)
    # cat:  max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1) = 2.9 + 0
    # car:  max(0, 1.3 − 4.9 + 1) + max(0, 2.0 − 4.9 + 1) = 0 + 0
    # frog: max(0, 2.2 − (−3.1) + 1) + max(0, 2.5 − (−3.1) + 1) = 6.3 + 6.6 = 12.9
    # The slide prints 5.3 + 5.6 = 10.9 for the frog (an arithmetic slip: 2.2 + 3.1 + 1 = 6.3).
    np.testing.assert_allclose(losses, [2.9, 0.0, 12.9], atol=1e-12)


def test_multiclass_svm_mean_loss_of_the_cat_car_frog_table():
    losses, _ = weston_watkins(CAT_CAR_FROG, CAT_CAR_FROG_LABELS)
    # (2.9 + 0 + 12.9) / 3 = 5.27; the slide's (2.9 + 0 + 10.9) / 3 = 4.6 inherits its frog slip.
    assert losses.mean() == pytest.approx(15.8 / 3, abs=1e-12)
    assert losses.mean() == pytest.approx(5.27, abs=5e-3)


def test_multiclass_svm_gradient_of_the_cat_image():
    _, dscores = weston_watkins(CAT_CAR_FROG[:1], CAT_CAR_FROG_LABELS[:1])
    # only "car" violates the margin: its score should go down, the cat score up
    np.testing.assert_array_equal(dscores, [[-1.0, 1.0, 0.0]])


def test_other_hinges_on_the_cat_car_frog_table():
    ova, _ = one_vs_all(CAT_CAR_FROG, CAT_CAR_FROG_LABELS)
    # cat:  max(0, 1 − 3.2) + max(0, 1 + 5.1) + max(0, 1 − 1.7)  = 0 + 6.1 + 0
    # car:  max(0, 1 + 1.3) + max(0, 1 − 4.9) + max(0, 1 + 2.0)  = 2.3 + 0 + 3.0
    # frog: max(0, 1 + 2.2) + max(0, 1 + 2.5) + max(0, 1 + 3.1)  = 3.2 + 3.5 + 4.1
    np.testing.assert_allclose(ova, [6.1, 5.3, 10.8], atol=1e-12)
    crammer_singer, _ = structured_svm(CAT_CAR_FROG, CAT_CAR_FROG_LABELS)
    # only the strongest competitor: car for the cat image, car for the frog image
    np.testing.assert_allclose(crammer_singer, [2.9, 0.0, 6.6], atol=1e-12)
    squared, _ = weston_watkins(CAT_CAR_FROG, CAT_CAR_FROG_LABELS, squared=True)
    np.testing.assert_allclose(squared, [2.9**2, 0.0, 6.3**2 + 6.6**2], atol=1e-12)


def test_softmax_of_the_cat_image():
    cat = CAT_CAR_FROG[:1]
    # exp: 24.5, 164.0, 0.18 → normalize: 0.13, 0.87, 0.00, as on the slide
    np.testing.assert_allclose(np.exp(cat[0]), [24.5, 164.0, 0.18], atol=0.05)
    probabilities = softmax_probabilities(cat)
    np.testing.assert_allclose(probabilities[0], [0.13, 0.87, 0.00], atol=5e-3)
    losses, _ = softmax(cat, [0])
    # −ln(0.1296) = 2.04. The slide's "−log(0.13) = 0.89" used a base-10 logarithm
    # (−log10(0.13) = 0.886); the cross-entropy loss is the natural log.
    assert losses[0] == pytest.approx(-math.log(probabilities[0, 0]), rel=1e-12)
    assert losses[0] == pytest.approx(2.0404, abs=1e-4)
    assert -math.log10(0.13) == pytest.approx(0.89, abs=5e-3)


def test_hinge_versus_softmax_on_one_point():
    # slides 000/002: scores [−2.85, 0.86, 0.28], correct class 2
    scores, y = np.array([[-2.85, 0.86, 0.28]]), np.array([2])
    hinge, _ = weston_watkins(scores, y)
    # max(0, −2.85 − 0.28 + 1) + max(0, 0.86 − 0.28 + 1) = 0 + 1.58
    assert hinge[0] == pytest.approx(1.58, abs=1e-12)
    cross_entropy, _ = softmax(scores, y)
    assert cross_entropy[0] == pytest.approx(1.04, abs=5e-3)
    assert cross_entropy[0] == pytest.approx(
        -math.log(math.exp(0.28) / (math.exp(-2.85) + math.exp(0.86) + math.exp(0.28))), rel=1e-12)


# --- agreement with the plain reference ---------------------------------------------------------

@pytest.mark.parametrize("name", list(LOSSES))
@given(batch=score_batches(bound=50.0), margin=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
       squared=st.booleans())
def test_matches_the_reference(name, batch, margin, squared):
    scores, y = batch
    losses, dscores = LOSSES[name](scores, y, margin=margin, squared=squared)
    expected = [reference_loss(name, s, label, margin, squared) for s, label in zip(scores, y)]
    np.testing.assert_allclose(losses, expected, rtol=1e-12, atol=1e-9)
    assert losses.shape == (len(y),) and dscores.shape == scores.shape


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_dscores_match_the_numerical_gradient(name, squared, seed):
    rng = np.random.default_rng(seed)
    while True:  # stay clear of the kinks, where a finite difference straddles two slopes
        scores = rng.normal(scale=2.0, size=(8, C))
        y = rng.integers(0, C, size=8)
        if kink_distance(name, scores, y) > 1e-3:
            break
    _, dscores = LOSSES[name](scores, y, squared=squared)
    numeric = numerical_gradient(lambda s: LOSSES[name](s, y, squared=squared)[0].sum(), scores)
    nonzero = (np.abs(dscores) > 0) | (np.abs(numeric) > 1e-9)
    assert relative_error(numeric, dscores)[nonzero].max(initial=0.0) < 1e-6
    np.testing.assert_allclose(numeric[~nonzero], 0.0, atol=1e-9)


@pytest.mark.parametrize("name", list(LOSSES))
@given(batch=score_batches())
def test_class_major_and_row_major_scores_agree(name, batch):
    # the objective hands the losses Fortran-ordered scores; tests and callers may pass C order
    scores, y = batch
    row_major = LOSSES[name](np.ascontiguousarray(scores), y)
    class_major = LOSSES[name](np.asfortranarray(scores), y)
    for a, b in zip(row_major, class_major):
        np.testing.assert_array_equal(a, b)


# --- invariants ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(LOSSES))
@given(batch=score_batches(bound=1e6), squared=st.booleans())
def test_losses_are_non_negative_and_finite(name, batch, squared):
    scores, y = batch
    losses, dscores = LOSSES[name](scores, y, squared=squared)
    assert np.all(np.isfinite(losses)) and np.all(losses >= 0.0)
    assert np.all(np.isfinite(dscores))


@pytest.mark.parametrize("name", list(LOSSES))
@given(batch=score_batches())
def test_losses_leave_their_inputs_alone(name, batch):
    scores, y = batch
    before = scores.copy(), y.copy()
    LOSSES[name](scores, y)
    np.testing.assert_array_equal(scores, before[0])
    np.testing.assert_array_equal(y, before[1])


@given(batch=score_batches(bound=1e5))
def test_softmax_stays_finite_for_huge_scores(batch):
    scores, y = batch
    losses, dscores = softmax(scores, y)
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(dscores))
    probabilities = softmax_probabilities(scores)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)


def test_softmax_at_plus_and_minus_1e5():
    scores = np.array([[1e5, -1e5, 0.0], [-1e5, -1e5, -1e5], [1e5, 1e5, 1e5]])
    losses, dscores = softmax(scores, np.array([1, 0, 2]))
    np.testing.assert_allclose(losses, [2e5, math.log(3), math.log(3)], rtol=1e-12)
    np.testing.assert_allclose(dscores[0], [1.0, -1.0, 0.0], atol=1e-12)


@pytest.mark.parametrize("gap", [20.0, 34.0, 700.0])
def test_a_confident_points_softmax_loss_keeps_its_digits(gap):
    # L = log(1 + 2e^{−gap}): 1 + 2e^{−34} rounded to a float has lost a few percent of the loss.
    scores = np.array([[0.0, gap, 0.0], [gap, 0.0, gap]])
    losses, _ = softmax(scores, np.array([1, 0]))
    assert losses[0] == pytest.approx(math.log1p(2 * math.exp(-gap)), rel=1e-14)
    # two columns at the maximum: the other one counts in full
    assert losses[1] == pytest.approx(math.log(2 + math.exp(-gap)), rel=1e-14)


@given(batch=score_batches())
def test_softmax_gradient_is_probabilities_minus_one_hot(batch):
    scores, y = batch
    _, dscores = softmax(scores, y)
    one_hot = np.eye(C)[y]
    np.testing.assert_allclose(dscores, softmax_probabilities(scores) - one_hot, atol=1e-12)


@pytest.mark.parametrize("name", ["weston_watkins", "structured_svm", "softmax"])
@given(batch=score_batches(bound=100.0), shift=st.floats(-100.0, 100.0))
def test_adding_a_constant_to_a_points_scores_changes_nothing(name, batch, shift):
    scores, y = batch
    before, _ = LOSSES[name](scores, y)
    after, _ = LOSSES[name](scores + shift, y)
    np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-9)


def test_one_vs_all_is_not_shift_invariant():
    # it judges every score on its own against ±Δ, so a common shift moves the loss
    scores, y = np.array([[0.0, 0.0, 0.0]]), np.array([0])
    assert one_vs_all(scores, y)[0][0] == pytest.approx(3.0)        # 1 + 1 + 1
    assert one_vs_all(scores + 2.0, y)[0][0] == pytest.approx(6.0)  # 0 + 3 + 3
    assert one_vs_all(scores - 2.0, y)[0][0] == pytest.approx(3.0)  # 3 + 0 + 0


@pytest.mark.parametrize("margin", [1.0, 0.5, 2.0])
def test_all_scores_zero(margin):
    # W = 0, b = 0 gives every point the scores (0, 0, 0): the lecture's sanity check
    scores, y = np.zeros((3, C)), np.array([0, 1, 2])
    np.testing.assert_allclose(weston_watkins(scores, y, margin)[0], (C - 1) * margin)  # 2 at Δ=1
    np.testing.assert_allclose(softmax(scores, y, margin)[0], math.log(C))              # log 3
    np.testing.assert_allclose(structured_svm(scores, y, margin)[0], margin)            # 1 at Δ=1
    # One-vs-All: Σ_j max(0, Δ − t_j·0) = C·Δ, i.e. 3 at Δ = 1
    np.testing.assert_allclose(one_vs_all(scores, y, margin)[0], C * margin)


def test_structured_svm_tie_goes_to_the_first_competitor():
    scores, y = np.zeros((3, C)), np.array([0, 1, 2])
    _, dscores = structured_svm(scores, y)
    np.testing.assert_array_equal(dscores, [[-1.0, 1.0, 0.0],    # rivals 1, 2 tie: 1 wins
                                            [1.0, -1.0, 0.0],    # rivals 0, 2 tie: 0 wins
                                            [1.0, 0.0, -1.0]])   # rivals 0, 1 tie: 0 wins


@pytest.mark.parametrize("squared", [False, True])
def test_hinge_at_exactly_zero_margin_has_no_gradient(squared):
    # s_j − s_y + Δ = 0 exactly for both competitors
    scores, y = np.array([[1.0, 0.0, 0.0]]), np.array([0])
    for loss in (weston_watkins, structured_svm):
        losses, dscores = loss(scores, y, squared=squared)
        assert losses[0] == 0.0
        np.testing.assert_array_equal(dscores, 0.0)
    # Δ − t_j s_j = 0 exactly for every class
    losses, dscores = one_vs_all(np.array([[1.0, -1.0, -1.0]]), y, squared=squared)
    assert losses[0] == 0.0
    np.testing.assert_array_equal(dscores, 0.0)


def test_hinge_just_past_zero_margin_has_a_gradient():
    scores, y = np.array([[1.0, 0.0, -1.0]]), np.array([0])
    _, dscores = weston_watkins(scores, y, margin=1.0 + 1e-9)
    np.testing.assert_array_equal(dscores, [[-1.0, 1.0, 0.0]])


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("squared", [False, True])
def test_no_points(name, squared):
    losses, dscores = LOSSES[name](np.zeros((0, C)), np.zeros(0, dtype=int), squared=squared)
    assert losses.shape == (0,) and dscores.shape == (0, C)
    assert softmax_probabilities(np.zeros((0, C))).shape == (0, C)


def test_losses_keep_their_order():
    assert list(LOSSES) == ["weston_watkins", "one_vs_all", "structured_svm", "softmax"]


@pytest.mark.parametrize("name", list(LOSSES))
def test_score_losses_dispatches(name):
    scores, y = CAT_CAR_FROG, CAT_CAR_FROG_LABELS
    for a, b in zip(score_losses(scores, y, name, margin=0.5, squared=True),
                    LOSSES[name](scores, y, margin=0.5, squared=True)):
        np.testing.assert_array_equal(a, b)


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError) as error:
        score_losses(CAT_CAR_FROG, CAT_CAR_FROG_LABELS, "hinge")
    message = str(error.value)
    assert "'hinge'" in message
    assert all(name in message for name in LOSSES)


def test_softmax_ignores_margin_and_squared():
    plain = softmax(CAT_CAR_FROG, CAT_CAR_FROG_LABELS)
    varied = softmax(CAT_CAR_FROG, CAT_CAR_FROG_LABELS, margin=3.0, squared=True)
    for a, b in zip(plain, varied):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("bad", [[0, 3, 1], [0, -1, 1]])
def test_labels_outside_the_classes_are_rejected(name, bad):
    with pytest.raises(ValueError, match="labels"):
        LOSSES[name](CAT_CAR_FROG, bad)


@pytest.mark.parametrize("name", list(LOSSES))
def test_mismatched_shapes_are_rejected(name):
    with pytest.raises(ValueError, match="expected scores"):
        LOSSES[name](CAT_CAR_FROG, [0, 1])
