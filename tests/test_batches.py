"""Mini-batch selection and the training step."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from losslab.core.batches import batch_indices, train_step
from losslab.core.objective import evaluate
from losslab.core.optimizers import OPTIMIZERS, SGD, make_optimizer
from losslab.core.presets import DEFAULT_B, DEFAULT_LABELS, DEFAULT_POINTS, DEFAULT_W

LOSS_NAMES = ["weston_watkins", "one_vs_all", "structured_svm", "softmax"]


def default_params():
    return {"W": DEFAULT_W.copy(), "b": DEFAULT_B.copy()}


# batch_indices

def test_same_seed_and_step_give_the_same_batch():
    np.testing.assert_array_equal(batch_indices(100, 10, seed=3, step=7), batch_indices(100, 10, seed=3, step=7))


def test_it_is_numpys_generator_seeded_with_seed_and_step():
    expected = np.sort(np.random.default_rng([3, 7]).choice(100, size=10, replace=False))
    np.testing.assert_array_equal(batch_indices(100, 10, seed=3, step=7), expected)


def test_different_steps_and_seeds_give_different_batches():
    batches = [tuple(batch_indices(100, 10, seed=0, step=t)) for t in range(20)]
    assert len(set(batches)) == 20
    other_seed = [tuple(batch_indices(100, 10, seed=1, step=t)) for t in range(20)]
    assert all(a != b for a, b in zip(batches, other_seed))


@pytest.mark.parametrize("n, batch_size", [(9, 9), (9, 10), (9, 1000), (1, 1), (0, 1), (0, 5)])
def test_batch_at_least_n_is_every_point_in_order(n, batch_size):
    for step in range(3):
        np.testing.assert_array_equal(batch_indices(n, batch_size, seed=0, step=step), np.arange(n))


@given(n=st.integers(1, 60), data=st.data(), seed=st.integers(0, 2**32), step=st.integers(0, 10**6))
def test_sizes_1_to_n_give_distinct_sorted_indices(n, data, seed, step):
    batch_size = data.draw(st.integers(1, n))
    idx = batch_indices(n, batch_size, seed, step)
    assert idx.shape == (batch_size,) and np.issubdtype(idx.dtype, np.integer)
    assert len(np.unique(idx)) == batch_size
    assert (np.diff(idx) > 0).all()  # sorted, hence distinct
    assert idx.min() >= 0 and idx.max() < n


def test_every_point_is_visited():
    seen = np.concatenate([batch_indices(9, 1, seed=0, step=t) for t in range(200)])
    assert set(seen.tolist()) == set(range(9))


@pytest.mark.parametrize("n, batch_size, seed, step", [(9, 0, 0, 0), (9, -1, 0, 0), (-1, 1, 0, 0),
                                                       (9, 3, -1, 0), (9, 3, 0, -2)])
def test_invalid_arguments(n, batch_size, seed, step):
    with pytest.raises(ValueError):
        batch_indices(n, batch_size, seed, step)


# train_step

@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_small_step_lowers_the_total_loss(loss, name):
    params = default_params()
    new, before = train_step(DEFAULT_POINTS, DEFAULT_LABELS, params, make_optimizer(name, 1e-3), loss=loss)
    after = evaluate(DEFAULT_POINTS, DEFAULT_LABELS, new["W"], new["b"], loss=loss)
    assert after.total_loss < before.total_loss


def test_full_batch_descent_reduces_the_loss_step_after_step():
    # Far from the minimum, where the hinges' kinks do not yet make gradient descent zigzag.
    params, optimizer, losses = default_params(), SGD(0.05), []
    for _ in range(30):
        params, evaluation = train_step(DEFAULT_POINTS, DEFAULT_LABELS, params, optimizer)
        losses.append(evaluation.total_loss)
    assert (np.diff(losses) < 0).all()
    assert losses[-1] < 0.6 * losses[0]


@pytest.mark.parametrize("settings", [{}, {"loss": "softmax", "reg": "l1", "reg_strength": 0.3},
                                      {"loss": "structured_svm", "margin": 2.0, "squared": True}])
def test_full_batch_sgd_is_theta_minus_alpha_gradient(settings):
    alpha = 0.1
    params = default_params()
    new, evaluation = train_step(DEFAULT_POINTS, DEFAULT_LABELS, params, SGD(alpha), **settings)
    ref = evaluate(DEFAULT_POINTS, DEFAULT_LABELS, DEFAULT_W, DEFAULT_B, **settings)
    np.testing.assert_allclose(new["W"], DEFAULT_W - alpha * ref.dW, rtol=1e-15, atol=0)
    np.testing.assert_allclose(new["b"], DEFAULT_B - alpha * ref.db, rtol=1e-15, atol=0)
    # The evaluation handed back is the one *before* the step, with the settings forwarded.
    assert evaluation.total_loss == ref.total_loss
    np.testing.assert_array_equal(evaluation.dW, ref.dW)


def test_default_data_gives_the_lecture_loss_before_the_first_step():
    _, evaluation = train_step(DEFAULT_POINTS, DEFAULT_LABELS, default_params(), SGD(0.1))
    assert round(evaluation.total_loss, 4) == 6.2667


def test_mini_batch_step_uses_only_the_batch():
    batch = batch_indices(9, 4, seed=5, step=0)
    new, evaluation = train_step(DEFAULT_POINTS, DEFAULT_LABELS, default_params(), SGD(0.1), batch=batch)
    ref = evaluate(DEFAULT_POINTS[batch], DEFAULT_LABELS[batch], DEFAULT_W, DEFAULT_B)
    assert evaluation.scores.shape == (4, 3)
    assert evaluation.data_loss == pytest.approx(ref.data_loss)
    np.testing.assert_allclose(new["W"], DEFAULT_W - 0.1 * ref.dW)


def test_train_step_leaves_data_and_params_alone():
    X, y, params = DEFAULT_POINTS.copy(), DEFAULT_LABELS.copy(), default_params()
    train_step(X, y, params, make_optimizer("adam", 0.1), batch=np.array([0, 4, 8]))
    np.testing.assert_array_equal(X, DEFAULT_POINTS)
    np.testing.assert_array_equal(y, DEFAULT_LABELS)
    np.testing.assert_array_equal(params["W"], DEFAULT_W)
    np.testing.assert_array_equal(params["b"], DEFAULT_B)


def test_a_seeded_mini_batch_run_replays_exactly():
    def run():
        params, optimizer, totals = default_params(), make_optimizer("momentum", 0.05), []
        for step in range(10):
            batch = batch_indices(9, 3, seed=11, step=step)
            params, evaluation = train_step(DEFAULT_POINTS, DEFAULT_LABELS, params, optimizer, batch=batch)
            totals.append(evaluation.total_loss)
        return params, totals

    (p1, t1), (p2, t2) = run(), run()
    assert t1 == t2
    np.testing.assert_array_equal(p1["W"], p2["W"])
    np.testing.assert_array_equal(p1["b"], p2["b"])
