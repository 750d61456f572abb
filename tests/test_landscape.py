"""The loss landscape: grids against core.evaluate, directions, chunking, axes, coordinates."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab.core.landscape import (
    PARAMETER_NAMES,
    flatten,
    grid_axes,
    loss_grid,
    parameter_direction,
    parameter_names,
    random_directions,
    slice_coordinates,
    unflatten,
)
from losslab.core.losses import LOSSES
from losslab.core.objective import evaluate
from losslab.core.presets import DEFAULT_B, DEFAULT_LABELS, DEFAULT_POINTS, DEFAULT_W, preset
from losslab.core.regularizers import REGULARIZERS

X, Y, W, B = DEFAULT_POINTS, DEFAULT_LABELS, DEFAULT_W, DEFAULT_B
SETTINGS = list(itertools.product(LOSSES, [False, True], REGULARIZERS))


def evaluate_at(theta, u, v, du, dv, X=X, y=Y, **objective):
    W_cell, b_cell = unflatten(theta + u * du + v * dv, len(theta) // 3)
    return evaluate(X, y, W_cell, b_cell, **objective).total_loss


# --- parameter vectors and names --------------------------------------------------------------

def test_flatten_order_and_round_trip():
    theta = flatten(W, B)
    np.testing.assert_array_equal(theta, [1, 2, 2, -4, 3, -1, 0, 0.5, -0.5])
    W2, b2 = unflatten(theta)
    np.testing.assert_array_equal(W2, W)
    np.testing.assert_array_equal(b2, B)
    W2[0, 0] = 99.0  # a copy: editing it leaves θ alone
    assert theta[0] == 1


def test_unflatten_checks_the_length():
    with pytest.raises(ValueError, match=r"\(9,\)"):
        unflatten(np.zeros(8))


def test_parameter_names_follow_flatten():
    assert PARAMETER_NAMES == ("W00", "W01", "W10", "W11", "W20", "W21", "b0", "b1", "b2")
    assert parameter_names(3) == PARAMETER_NAMES
    assert parameter_names(2) == ("W00", "W01", "W10", "W11", "b0", "b1")


@pytest.mark.parametrize("index, name", list(enumerate(PARAMETER_NAMES)))
def test_parameter_direction_is_one_hot(index, name):
    direction = parameter_direction(name)
    assert direction.shape == (9,)
    np.testing.assert_array_equal(direction, np.eye(9)[index])
    # Moving along it changes exactly that entry of W or b.
    W2, b2 = unflatten(flatten(W, B) + 0.25 * direction)
    assert (flatten(W2, b2) != flatten(W, B)).sum() == 1


def test_unknown_parameter_names_the_choices():
    with pytest.raises(ValueError, match="W00, W01"):
        parameter_direction("W30")


# --- the grid against core.evaluate -------------------------------------------------------------

@pytest.mark.parametrize("loss, squared, reg", SETTINGS)
def test_grid_equals_evaluate_at_sampled_cells(loss, squared, reg):
    objective = dict(loss=loss, squared=squared, reg=reg, reg_strength=0.3, margin=1.5, beta=0.7)
    du, dv = random_directions(W, B, seed=1)
    us, vs = np.linspace(-2, 1.5, 13), np.linspace(-1, 3, 11)
    grid = loss_grid(X, Y, W, B, du, dv, us, vs, **objective)
    assert grid.shape == (11, 13)
    theta = flatten(W, B)
    for i, j in [(0, 0), (10, 12), (3, 7), (10, 0), (0, 12), (5, 6)]:
        want = evaluate_at(theta, us[j], vs[i], du, dv, **objective)
        assert grid[i, j] == pytest.approx(want, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
def test_every_cell_on_a_one_parameter_slice(loss):
    du, dv = parameter_direction("W01"), parameter_direction("b2")
    us, vs = grid_axes(0, 0, 2.0, 7)
    grid = loss_grid(X, Y, W, B, du, dv, us, vs, loss=loss)
    theta = flatten(W, B)
    want = [[evaluate_at(theta, u, v, du, dv, loss=loss) for u in us] for v in vs]
    np.testing.assert_allclose(grid, want, rtol=1e-12, atol=1e-12)
    # The centre cell is the current parameters: the lecture's 6.2667 for Weston–Watkins.
    assert grid[3, 3] == evaluate(X, Y, W, B, loss=loss).total_loss


def test_default_objective_is_evaluates():
    du, dv = random_directions(W, B, seed=0)
    grid = loss_grid(X, Y, W, B, du, dv, [0.0], [0.0])
    assert grid.shape == (1, 1)
    assert round(grid[0, 0], 4) == 6.2667


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data_seed=st.integers(0, 100),
       name=st.sampled_from(["separable_blobs", "overlapping", "outlier", "single_point_class"]),
       setting=st.sampled_from(SETTINGS))
def test_grid_equals_evaluate_on_other_data(seed, data_seed, name, setting):
    loss, squared, reg = setting
    Xp, yp = preset(name, data_seed)
    rng = np.random.default_rng(seed)
    W0, b0 = rng.normal(size=(3, 2)), rng.normal(size=3)
    du, dv = random_directions(W0, b0, seed)
    us, vs = rng.uniform(-3, 3, size=4), rng.uniform(-3, 3, size=3)
    grid = loss_grid(Xp, yp, W0, b0, du, dv, us, vs, loss=loss, squared=squared, reg=reg)
    theta = flatten(W0, b0)
    for i, j in itertools.product(range(3), range(4)):
        want = evaluate_at(theta, us[j], vs[i], du, dv, Xp, yp, loss=loss, squared=squared, reg=reg)
        assert grid[i, j] == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_no_points_leaves_the_regularization():
    du, dv = parameter_direction("W00"), parameter_direction("b0")
    grid = loss_grid(np.zeros((0, 2)), np.zeros(0, int), W, B, du, dv, [0.0, 1.0], [5.0])
    np.testing.assert_allclose(grid, [[3.5, 3.5 + 0.1 * (4 - 1)]])  # λ Σ W², W00 = 1 → 2


@pytest.mark.parametrize("max_rows", [1, 8, 9, 10, 100, 1000])
@pytest.mark.parametrize("loss", LOSSES)
def test_chunking_gives_the_same_answer(max_rows, loss):
    du, dv = random_directions(W, B, seed=4)
    us, vs = grid_axes(0.5, -0.5, 1.5, 9)
    whole = loss_grid(X, Y, W, B, du, dv, us, vs, loss=loss, max_rows=10**9)
    np.testing.assert_array_equal(loss_grid(X, Y, W, B, du, dv, us, vs, loss=loss, max_rows=max_rows),
                                  whole)


def test_max_rows_must_be_positive():
    du, dv = random_directions(W, B, seed=0)
    with pytest.raises(ValueError, match="max_rows"):
        loss_grid(X, Y, W, B, du, dv, [0.0], [0.0], max_rows=0)


def test_unknown_settings_are_rejected():
    du, dv = random_directions(W, B, seed=0)
    with pytest.raises(ValueError, match="regularizer"):
        loss_grid(X, Y, W, B, du, dv, [0.0], [0.0], reg="l3")
    with pytest.raises(ValueError, match="loss"):
        loss_grid(X, Y, W, B, du, dv, [0.0], [0.0], loss="hinge")
    with pytest.raises(ValueError, match=r"\(9,\)"):
        loss_grid(X, Y, W, B, du[:6], dv, [0.0], [0.0])


@pytest.mark.parametrize("loss, squared, reg", SETTINGS)
def test_finite_and_exact_for_big_values(loss, squared, reg):
    W_big, b_big = 1e5 * W, 1e5 * B
    du, dv = random_directions(W_big, b_big, seed=2)  # norms of 1e5 as well
    us, vs = grid_axes(0, 0, 30.0, 5)
    grid = loss_grid(X, Y, W_big, b_big, du, dv, us, vs, loss=loss, squared=squared, reg=reg)
    assert np.isfinite(grid).all() and (grid >= 0).all()
    theta = flatten(W_big, b_big)
    assert grid[4, 0] == pytest.approx(
        evaluate_at(theta, us[0], vs[4], du, dv, loss=loss, squared=squared, reg=reg), rel=1e-9)


# --- random directions --------------------------------------------------------------------------

def test_random_directions_are_seeded():
    a, b = random_directions(W, B, seed=7), random_directions(W, B, seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = random_directions(W, B, seed=8)
    assert not np.allclose(a[0], c[0])


@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(1e-3, 1e3),
       zero_bias=st.booleans())
def test_random_directions_are_orthogonal_and_filter_normalized(seed, scale, zero_bias):
    rng = np.random.default_rng(seed)
    W0, b0 = scale * rng.normal(size=(3, 2)), scale * rng.normal(size=3)
    if zero_bias:
        b0 = np.zeros(3)
    du, dv = random_directions(W0, b0, seed)
    assert du.shape == dv.shape == (9,)
    size = np.linalg.norm(du) * np.linalg.norm(dv)
    assert abs(du @ dv) <= 1e-12 * size
    for d in (du, dv):
        Wd, bd = unflatten(d)
        # Each class's weight row as long as that class's row of W; b as long as b (1 if b = 0).
        np.testing.assert_allclose(np.linalg.norm(Wd, axis=1), np.linalg.norm(W0, axis=1), rtol=1e-12)
        assert np.linalg.norm(bd) == pytest.approx(1.0 if zero_bias else np.linalg.norm(b0), rel=1e-12)
    # Orthogonal group by group, not only as a whole (so the rescaling cannot spoil it).
    for group in (slice(0, 2), slice(2, 4), slice(4, 6), slice(6, 9)):
        assert abs(du[group] @ dv[group]) <= 1e-12 * np.linalg.norm(du[group]) ** 2


def test_random_directions_at_the_origin_still_span_a_map():
    du, dv = random_directions(np.zeros((3, 2)), np.zeros(3), seed=0)
    np.testing.assert_allclose([np.linalg.norm(du[g]) for g in (slice(0, 2), slice(2, 4), slice(4, 6),
                                                                slice(6, 9))], 1.0)
    grid = loss_grid(X, Y, np.zeros((3, 2)), np.zeros(3), du, dv, *grid_axes(0, 0, 1, 5))
    assert grid[2, 2] == pytest.approx(2.0)  # C − 1 at W = 0, b = 0
    assert np.ptp(grid) > 0.1


# --- axes and map coordinates ---------------------------------------------------------------------

@given(cu=st.floats(-100, 100), cv=st.floats(-100, 100), half=st.floats(1e-3, 1e3),
       n=st.integers(2, 200))
def test_grid_axes_are_even_and_centred(cu, cv, half, n):
    us, vs = grid_axes(cu, cv, half, n)
    assert us.shape == vs.shape == (n,)
    assert us[0] == cu - half and us[-1] == cu + half
    assert vs[0] == cv - half and vs[-1] == cv + half
    np.testing.assert_allclose(np.diff(us), 2 * half / (n - 1), rtol=1e-6, atol=1e-9)
    if n % 2:
        assert us[n // 2] == cu and vs[n // 2] == cv


@pytest.mark.parametrize("half, n", [(0.0, 5), (-1.0, 5), (np.inf, 5), (1.0, 1), (1.0, 2.5)])
def test_grid_axes_validation(half, n):
    with pytest.raises(ValueError):
        grid_axes(0, 0, half, n)


def test_slice_coordinates_recover_u_and_v():
    du, dv = random_directions(W, B, seed=3)
    theta = flatten(W, B)
    uv = np.array([[0.0, 0.0], [1.0, -2.0], [0.3, 0.7]])
    path = theta + uv[:, :1] * du + uv[:, 1:] * dv
    u, v = slice_coordinates(path, theta, du, dv)
    np.testing.assert_allclose(np.stack([u, v], axis=1), uv, atol=1e-12)
    # One parameter per axis: the coordinates are that parameter's change.
    u, v = slice_coordinates(flatten(W + 1.0, B - 2.0), theta, parameter_direction("W11"),
                             parameter_direction("b0"))
    np.testing.assert_allclose([u[0], v[0]], [1.0, -2.0])
