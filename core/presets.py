"""Data sets the lab opens with, and the default parameters.

The defaults are the reference demo's: 9 points, 3 per class, and W, b such that the
Weston–Watkins data loss is 2.7667, the L2 regularization loss at λ = 0.1 is 3.5 and the total
6.2667 — the numbers read off the demo in the lecture. They are read-only arrays, so no session
can change what another session starts from; ``preset`` hands out writable copies.

Every preset is ``(X (N, 2) float, y (N,) int)`` with 3 classes, lies inside ``DEFAULT_BOX``
and is a deterministic function of its seed.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from losslab.core.arrays import read_only


NUM_CLASSES = 3
"""Classes of the lab's classifier, as in the reference demo: W is (3, 2), b is (3,)."""

DEFAULT_POINTS = read_only(
    [[0.5, 0.4], [0.8, 0.3], [0.3, 0.8],
     [-0.4, 0.3], [-0.3, 0.7], [-0.7, 0.2],
     [0.7, -0.4], [0.5, -0.6], [-0.4, -0.5]],
    float,
)
DEFAULT_LABELS = read_only([0, 0, 0, 1, 1, 1, 2, 2, 2], np.int64)
DEFAULT_W = read_only([[1, 2], [2, -4], [3, -1]], float)
DEFAULT_B = read_only([0, 0.5, -0.5], float)

DEFAULT_BOX = (-1.5, 1.5, -1.5, 1.5)

# Class centres 120° apart on a circle, class 0 at the top: the symmetric layout makes each
# class's region a wedge, easy to read when projected.
_ANGLES = np.deg2rad([90.0, 210.0, 330.0])
_CENTRES = np.stack([np.cos(_ANGLES), np.sin(_ANGLES)], axis=1)  # (3, 2) unit vectors
_INNER = 1.4  # keep every point a little inside DEFAULT_BOX so none sits on its edge


def _labels(counts) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts).astype(np.int64)


def _disc_blobs(seed: int, counts, radius: float, spread: float):
    """Points uniform in a disc of radius ``spread`` around each class centre (at ``radius``)."""
    rng = np.random.default_rng(seed)
    y = _labels(counts)
    r = spread * np.sqrt(rng.uniform(size=len(y)))  # sqrt: uniform over the disc's area
    phi = rng.uniform(0, 2 * np.pi, size=len(y))
    X = radius * _CENTRES[y] + r[:, None] * np.stack([np.cos(phi), np.sin(phi)], axis=1)
    return X, y


def default_points(seed: int = 0):
    """The reference demo's 9 points (the seed is not used)."""
    return DEFAULT_POINTS.copy(), DEFAULT_LABELS.copy()


def separable_blobs(seed: int = 0):
    """3 × 8 points in well separated discs: some W separates them with a margin, for any seed.

    Centres are 0.8 from the origin (1.39 apart) and the discs have radius 0.3, so the
    nearest-centre classifier ``s_k = c_k · x`` gets every point right.
    """
    return _disc_blobs(seed, (8, 8, 8), radius=0.8, spread=0.3)


def overlapping(seed: int = 0):
    """3 × 10 points from Gaussians that overlap: no linear classifier gets all of them right."""
    rng = np.random.default_rng(seed)
    y = _labels((10, 10, 10))
    X = 0.45 * _CENTRES[y] + 0.35 * rng.standard_normal((len(y), 2))
    return np.clip(X, -_INNER, _INNER), y


def outlier(seed: int = 0):
    """Separable blobs plus one class-0 point far inside class 2's side.

    Shows how a single point drags the hinge losses (linear penalty) and the softmax loss.
    """
    X, y = separable_blobs(seed)
    far = 1.6 * 0.8 * _CENTRES[2]  # beyond class 2's disc, still inside the box
    return np.vstack([X, far]), np.append(y, 0).astype(np.int64)


def single_point_class(seed: int = 0):
    """Separable blobs where class 2 has a single point (8 + 8 + 1)."""
    return _disc_blobs(seed, (8, 8, 1), radius=0.8, spread=0.3)


PRESETS: dict[str, Callable[[int], tuple[np.ndarray, np.ndarray]]] = {
    "default": default_points,
    "separable_blobs": separable_blobs,
    "overlapping": overlapping,
    "outlier": outlier,
    "single_point_class": single_point_class,
}


def preset(name: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Fresh, writable ``(X (N, 2), y (N,))`` of the preset ``name``; unknown names raise ValueError."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    X, y = PRESETS[name](seed)
    return np.array(X, dtype=float), np.array(y, dtype=np.int64)
