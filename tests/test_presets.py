"""Data presets and the reference demo's defaults."""

import numpy as np
import pytest

from losslab.core.presets import (
    DEFAULT_B,
    DEFAULT_BOX,
    DEFAULT_LABELS,
    DEFAULT_POINTS,
    DEFAULT_W,
    PRESETS,
    preset,
)

NAMES = ["default", "separable_blobs", "overlapping", "outlier", "single_point_class"]
SEEDS = [0, 1, 7, 12345]


def test_registry_names_in_order():
    assert list(PRESETS) == NAMES


def test_defaults_are_the_reference_demo():
    assert DEFAULT_POINTS.shape == (9, 2) and DEFAULT_POINTS.dtype == float
    assert DEFAULT_LABELS.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert np.issubdtype(DEFAULT_LABELS.dtype, np.integer)
    assert DEFAULT_W.tolist() == [[1, 2], [2, -4], [3, -1]]
    assert DEFAULT_B.tolist() == [0, 0.5, -0.5]
    assert DEFAULT_BOX == (-1.5, 1.5, -1.5, 1.5)


def test_defaults_give_the_lecture_numbers():
    # Worked out here without core.objective: Weston–Watkins with Δ = 1, L2 with λ = 0.1.
    scores = DEFAULT_POINTS @ DEFAULT_W.T + DEFAULT_B
    correct = scores[np.arange(9), DEFAULT_LABELS][:, None]
    margins = np.maximum(0, scores - correct + 1)
    data_loss = (margins.sum(axis=1) - 1).mean()  # the j = y term is max(0, 1) = 1
    reg_loss = 0.1 * np.sum(DEFAULT_W**2)
    assert round(data_loss, 4) == 2.7667
    assert reg_loss == pytest.approx(3.5)
    assert round(data_loss + reg_loss, 4) == 6.2667


@pytest.mark.parametrize("array", [DEFAULT_POINTS, DEFAULT_LABELS, DEFAULT_W, DEFAULT_B])
def test_defaults_are_read_only(array):
    assert not array.flags.writeable
    with pytest.raises(ValueError):
        array[0] = 99


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", SEEDS)
def test_shapes_labels_and_box(name, seed):
    X, y = preset(name, seed)
    assert X.ndim == 2 and X.shape[1] == 2 and X.dtype == float
    assert y.shape == (len(X),) and np.issubdtype(y.dtype, np.integer)
    assert set(y.tolist()) == {0, 1, 2}
    xmin, xmax, ymin, ymax = DEFAULT_BOX
    assert np.isfinite(X).all()
    assert ((X[:, 0] > xmin) & (X[:, 0] < xmax) & (X[:, 1] > ymin) & (X[:, 1] < ymax)).all()


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_for_a_seed(name):
    for seed in SEEDS:
        X1, y1 = preset(name, seed)
        X2, y2 = PRESETS[name](seed)
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("name", ["separable_blobs", "overlapping", "outlier", "single_point_class"])
def test_random_presets_depend_on_the_seed(name):
    assert not np.array_equal(preset(name, 0)[0], preset(name, 1)[0])


def test_default_preset_is_the_default_data():
    X, y = preset("default", seed=3)
    np.testing.assert_array_equal(X, DEFAULT_POINTS)
    np.testing.assert_array_equal(y, DEFAULT_LABELS)


@pytest.mark.parametrize("name", NAMES)
def test_preset_returns_fresh_writable_copies(name):
    X, y = preset(name)
    assert X.flags.writeable and y.flags.writeable
    X[:] = 42.0
    y[:] = 2
    X2, y2 = preset(name)
    assert not (X2 == 42.0).any()
    assert set(y2.tolist()) == {0, 1, 2}
    assert DEFAULT_POINTS[0].tolist() == [0.5, 0.4]


@pytest.mark.parametrize("name", NAMES)
def test_preset_functions_never_hand_out_the_shared_defaults(name):
    X, y = PRESETS[name](0)
    assert X.flags.writeable and y.flags.writeable
    assert not np.shares_memory(X, DEFAULT_POINTS) and not np.shares_memory(y, DEFAULT_LABELS)


@pytest.mark.parametrize("seed", SEEDS)
def test_separable_blobs_are_linearly_separable(seed):
    X, y = preset("separable_blobs", seed)
    angles = np.deg2rad([90, 210, 330])
    W = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # nearest-centre classifier
    scores = X @ W.T
    assert (scores.argmax(axis=1) == y).all()
    # Not just right but with room to spare: the winning score leads by a clear margin.
    runner_up = np.sort(scores, axis=1)[:, -2]
    assert (scores[np.arange(len(y)), y] - runner_up > 0.1).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_class_sizes(seed):
    assert np.bincount(preset("separable_blobs", seed)[1]).tolist() == [8, 8, 8]
    assert np.bincount(preset("overlapping", seed)[1]).tolist() == [10, 10, 10]
    assert np.bincount(preset("single_point_class", seed)[1]).tolist() == [8, 8, 1]


@pytest.mark.parametrize("seed", SEEDS)
def test_outlier_is_a_class_0_point_on_class_2_side(seed):
    X, y = preset("outlier", seed)
    blobs, blob_labels = preset("separable_blobs", seed)
    np.testing.assert_array_equal(X[:-1], blobs)
    np.testing.assert_array_equal(y[:-1], blob_labels)
    assert y[-1] == 0
    centres = np.array([X[y == k].mean(axis=0) for k in range(3)])
    assert np.argmin(np.linalg.norm(centres - X[-1], axis=1)) == 2


def test_overlapping_is_not_separable_by_the_centres():
    # Some points sit closer to another class's centre than to their own.
    X, y = preset("overlapping", 0)
    centres = np.array([X[y == k].mean(axis=0) for k in range(3)])
    nearest = np.argmin(np.linalg.norm(X[:, None] - centres[None], axis=2), axis=1)
    assert (nearest != y).any()


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="separable_blobs"):
        preset("spirals")
