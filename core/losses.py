"""Per-point losses of a linear classifier, and their gradients with respect to the scores.

Every loss has the same signature so the objective can swap them freely::

    point_losses, dscores = loss(scores, y, margin=1.0, squared=False)

    scores        (N, C) float   s_i = W x_i + b, one row per point
    y             (N,)   int     correct class of each point, 0 … C-1
    point_losses  (N,)   float   L_i
    dscores       (N, C) float   ∂L_i/∂s_i — per point, *not* divided by N

The three hinge losses (Weston–Watkins, One-vs-All, structured SVM) read ``margin`` (Δ) and
``squared``; softmax accepts both and ignores them. Hinges use the strict indicator: a margin of
exactly 0 contributes no gradient, so the gradient of ``max(0, m)`` is ``1[m > 0]`` and that of the
squared hinge ``max(0, m)²`` is ``2·max(0, m)``.

Layout note: with C = 3 classes and up to millions of points, NumPy is much faster when each
class's N scores sit next to each other in memory (Fortran order) than when each point's 3 scores
do. The objective builds its scores that way; everything here works for either layout and returns
arrays in the layout of its input.
"""

import numpy as np


def _as_arrays(scores, y):
    """Scores as a float array (N, C) and labels as an index array (N,), checked against each other.

    No copy when they already are. A label outside 0 … C-1 is an error rather than silently
    indexing from the end (-1) or matching no class.
    """
    scores, y = np.asarray(scores, dtype=float), np.asarray(y, dtype=np.intp)
    if scores.ndim != 2 or y.shape != scores.shape[:1]:
        raise ValueError(f"expected scores (N, C) and labels (N,), got {scores.shape} and {y.shape}")
    if len(y) and (y.min() < 0 or y.max() >= scores.shape[1]):
        raise ValueError(f"labels must be class indices 0 … {scores.shape[1] - 1}")
    return scores, y


def _one_hot(y, num_classes):
    """(N, C) bool, True exactly at [i, y_i]: the labels as one-hot rows, laid out class-major
    like the objective's scores so that arithmetic between the two streams through memory."""
    return (np.arange(num_classes)[:, None] == y).T


def _hinge_(margins, squared):
    """Σ_j max(0, m_j) per point (or Σ_j max(0, m_j)²), and d hinge / d m for every margin.

    Works **in place**: ``margins`` (N, C) is overwritten with the slopes, 1[m > 0] (strict: 0 at
    m = 0) or 2·max(0, m) for the squared hinge — at a million points, every (N, C) temporary saved
    is a noticeable share of the running time. Returns (sums (N,), slopes (N, C) = ``margins``).
    """
    hinges = np.maximum(margins, 0.0, out=margins)
    if squared:
        sums = np.square(hinges).sum(axis=1)
        hinges *= 2.0
    else:
        sums = hinges.sum(axis=1)
        np.greater(hinges, 0.0, out=hinges)
    return sums, hinges


def _keep_first_true_(mask):
    """Keep only the first True of each row of ``mask`` (N, C), in place; returns ``mask``.

    A loop over the C columns (C is small), never over points: ``np.argmax(axis=1)`` would do the
    same but is several times slower on million-row arrays.
    """
    seen = mask[:, 0].copy()
    for column in mask.T[1:]:
        column &= ~seen
        seen |= column
    return mask


def weston_watkins(scores, y, margin=1.0, squared=False):
    """Multiclass SVM of Weston and Watkins (1999): L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ).

    This is the lecture's "multiclass SVM loss"; with scores 0 everywhere it is (C − 1)·Δ.
    """
    scores, y = _as_arrays(scores, y)
    rows = np.arange(len(y))
    margins = scores - (scores[rows, y] - margin)[:, None]
    # j = y_i would compare the correct class with itself (margin Δ): it is not part of the sum.
    margins *= ~_one_hot(y, scores.shape[1])
    point_losses, dscores = _hinge_(margins, squared)
    # Every violated competitor pushes its own score up and the correct score down by the same
    # amount, so the correct class (0 so far) collects minus the sum of the others.
    dscores[rows, y] = -dscores.sum(axis=1)
    return point_losses, dscores


def one_vs_all(scores, y, margin=1.0, squared=False):
    """One-vs-All: C independent binary hinges, L_i = Σ_j max(0, Δ − t_j s_j).

    t_j = +1 for the correct class and −1 for every other class: each class's score should be above
    Δ on its own points and below −Δ on all others. Unlike the other losses this one looks at
    scores on an absolute scale, so adding a constant to all scores of a point does change it.
    """
    scores, y = _as_arrays(scores, y)
    targets = _one_hot(y, scores.shape[1]) * 2.0
    targets -= 1.0  # +1 for the correct class, −1 for all others
    margins = targets * scores
    np.subtract(margin, margins, out=margins)
    point_losses, dscores = _hinge_(margins, squared)
    dscores *= targets
    np.negative(dscores, out=dscores)  # d(Δ − t_j s_j)/ds_j = −t_j
    return point_losses, dscores


def structured_svm(scores, y, margin=1.0, squared=False):
    """Structured SVM of Crammer and Singer (2001): L_i = max(0, max_{j≠y_i} s_j − s_{y_i} + Δ).

    Only the strongest competitor (the "rival") counts. When several competitors tie for the highest
    score the gradient goes to the one with the lowest class index (the first arg-max), so it is
    deterministic and still a valid subgradient.
    """
    scores, y = _as_arrays(scores, y)
    is_correct = _one_hot(y, scores.shape[1])
    # max(0, max_{j≠y} m_j) = max_j h_j with h_j = max(0, m_j) and h_y set to 0: the same hinged
    # margins as Weston–Watkins, maximized instead of summed.
    hinges = scores - (scores[np.arange(len(y)), y] - margin)[:, None]
    hinges *= ~is_correct
    np.maximum(hinges, 0.0, out=hinges)
    violation = hinges.max(axis=1)
    if squared:
        point_losses, slope = np.square(violation), 2.0 * violation
    else:
        point_losses, slope = violation, (violation > 0.0).astype(float)
    # Where the loss is positive the rival is the first column attaining it (h_y = 0 never does);
    # where it is 0 the slope is 0 and no column gets a gradient.
    rival = _keep_first_true_(hinges == violation[:, None])
    # +1 at the rival, −1 at the label, written over `hinges`, which is no longer needed
    dscores = np.subtract(rival, is_correct, out=hinges, dtype=float)
    dscores *= slope[:, None]
    return point_losses, dscores


def softmax_probabilities(scores):
    """(N, C) class probabilities e^{s_k} / Σ_j e^{s_j}, row by row.

    Subtracting each row's maximum first changes nothing mathematically (the common factor cancels)
    but keeps every exponent ≤ 0, so nothing overflows for any finite scores.
    """
    scores = np.asarray(scores, dtype=float)
    probabilities = scores - scores.max(axis=1, keepdims=True)
    np.exp(probabilities, out=probabilities)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return probabilities


def _sum_but_largest(values):
    """Σ_j values_ij over every column but one largest, row by row: (N, C) ≥ 0 → (N,).

    Summing all columns and subtracting the largest would keep nothing of terms far below it
    (1 + 10⁻¹⁵ is a float only to within 2×10⁻¹⁶). So each sum "all columns but j" is formed
    without column j, from the running sums before and after it (a loop over the C classes, not
    the points); the smallest of those C sums is the one that leaves out a largest entry.
    """
    columns = values.T
    before = [np.zeros(len(values))]  # before[j] = Σ_{k<j}
    for column in columns[:-1]:
        before.append(before[-1] + column)
    after = [np.zeros(len(values))]  # after[j] = Σ_{k>j}, built from the last column back
    for column in columns[:0:-1]:
        after.append(after[-1] + column)
    after.reverse()
    smallest = before[0] + after[0]
    for sum_before, sum_after in zip(before[1:], after[1:]):
        np.minimum(smallest, sum_before + sum_after, out=smallest)
    return smallest


def softmax(scores, y, margin=1.0, squared=False):
    """Softmax (cross-entropy) loss: L_i = −log(e^{s_{y_i}} / Σ_j e^{s_j}) = log Σ_j e^{s_j} − s_{y_i}.

    Computed with log-sum-exp around each row's maximum m: log Σ_j e^{s_j} = m + log Σ_j e^{s_j − m},
    so it is finite for any finite scores. ``margin`` and ``squared`` are accepted for a uniform
    signature and ignored. The gradient is the familiar "probabilities minus one-hot".
    """
    scores, y = _as_arrays(scores, y)
    shifted = scores - scores.max(axis=1, keepdims=True)
    # −log p_y = log Σ_j e^{s_j − m} − (s_y − m); read s_y − m before `shifted` is exponentiated.
    point_losses = -shifted[np.arange(len(y)), y]
    exps = np.exp(shifted, out=shifted)
    # Σ_j e^{s_j − m} = 1 + r, r the other columns' share. A confident point's loss is log(1 + r)
    # with r below the float resolution next to 1: log1p(r) keeps its digits, log(1 + r) none.
    others = _sum_but_largest(exps)
    point_losses += np.log1p(others)
    dscores = exps
    dscores /= (1.0 + others)[:, None]
    dscores -= _one_hot(y, scores.shape[1])
    return point_losses, dscores


LOSSES = {
    "weston_watkins": weston_watkins,
    "one_vs_all": one_vs_all,
    "structured_svm": structured_svm,
    "softmax": softmax,
}


def score_losses(scores, y, loss, margin=1.0, squared=False):
    """Per-point losses and d loss / d scores for the loss named ``loss`` (a key of ``LOSSES``)."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(map(repr, LOSSES))}")
    return LOSSES[loss](scores, y, margin=margin, squared=squared)
