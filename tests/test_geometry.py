"""Geometry against brute force: many uniformly sampled points and their arg-max class."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from losslab.core.geometry import decision_regions, line_anchors, score_arrows, zero_score_lines
from losslab.core.presets import DEFAULT_B, DEFAULT_BOX, DEFAULT_W

BOXES = [DEFAULT_BOX, (-0.5, 3.0, 1.0, 2.0)]  # the default view, and an off-centre, wide one
SAMPLES = 100_000

# Small grids of values give many exact ties and lines through corners; wide floats test scale.
grid = st.integers(-6, 6).map(lambda v: v / 2)
grid_W = arrays(np.float64, (3, 2), elements=grid)
grid_b = arrays(np.float64, 3, elements=grid)
wide = st.floats(-1e6, 1e6, allow_nan=False)
wide_W = arrays(np.float64, (3, 2), elements=wide)
wide_b = arrays(np.float64, 3, elements=wide)


def area(polygon):
    """Shoelace formula; positive for counter-clockwise vertices."""
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)


def box_corners(box):
    xmin, xmax, ymin, ymax = box
    return np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]])


def box_area(box):
    xmin, xmax, ymin, ymax = box
    return (xmax - xmin) * (ymax - ymin)


def box_size(box):
    xmin, xmax, ymin, ymax = box
    return max(xmax - xmin, ymax - ymin)


def uniform_points(box, n=SAMPLES, seed=0):
    xmin, xmax, ymin, ymax = box
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])


def depth(polygon, points):
    """(M,) signed distance of each point inside a convex CCW polygon (negative outside)."""
    if len(polygon) < 3:
        return np.full(len(points), -np.inf)
    edges = np.roll(polygon, -1, axis=0) - polygon  # (m, 2)
    rel = points[:, None, :] - polygon[None, :, :]  # (M, m, 2)
    cross = edges[:, 0] * rel[..., 1] - edges[:, 1] * rel[..., 0]
    return (cross / np.linalg.norm(edges, axis=1)).min(axis=1)


def in_box(points, box, tol):
    xmin, xmax, ymin, ymax = box
    p = np.atleast_2d(points)
    return bool(np.all((p[:, 0] >= xmin - tol) & (p[:, 0] <= xmax + tol)
                       & (p[:, 1] >= ymin - tol) & (p[:, 1] <= ymax + tol)))


def on_box_boundary(point, box, tol):
    xmin, xmax, ymin, ymax = box
    x, y = point
    return in_box(point, box, tol) and min(abs(x - xmin), abs(x - xmax), abs(y - ymin), abs(y - ymax)) <= tol


def check_tiling(regions, box):
    """Regions are convex CCW polygons in the box, summing to the box, and never overlapping."""
    tol = 1e-9 * box_size(box)
    assert len(regions) == 3
    for region in regions:
        assert region.ndim == 2 and region.shape[1] == 2 and np.isfinite(region).all()
        assert len(region) == 0 or len(region) >= 3
        if len(region):
            assert in_box(region, box, tol)
            assert area(region) > 0
            e = np.roll(region, -1, axis=0) - region
            turn = e[:, 0] * np.roll(e[:, 1], -1) - e[:, 1] * np.roll(e[:, 0], -1)
            assert (turn >= -1e-9 * box_size(box) ** 2).all()  # convex, counter-clockwise
    assert sum(area(r) for r in regions if len(r)) == pytest.approx(box_area(box), rel=1e-9)
    points = uniform_points(box, n=20_000, seed=1)
    depths = np.stack([depth(r, points) for r in regions])  # (3, M)
    assert ((depths > tol).sum(axis=0) <= 1).all()  # no point deep inside two regions
    assert (depths.max(axis=0) >= -tol).all()  # every point is in some region


def check_against_sampling(W, b, box):
    points = uniform_points(box)
    winner = np.argmax(points @ W.T + b, axis=1)  # ties go to the lower class, as promised
    regions = decision_regions(W, b, box)
    for k, region in enumerate(regions):
        fraction = np.mean(winner == k)
        sigma = np.sqrt(max(fraction * (1 - fraction), 1 / SAMPLES) / SAMPLES)
        got = area(region) / box_area(box) if len(region) else 0.0
        assert got == pytest.approx(fraction, abs=5 * sigma + 1e-9)
        # Stronger than areas: a point well inside region k is won by class k.
        inside = depth(region, points) > 1e-9 * box_size(box)
        assert (winner[inside] == k).all()
    return regions


@pytest.mark.parametrize("box", BOXES)
def test_default_regions_against_sampling(box):
    regions = check_against_sampling(DEFAULT_W, DEFAULT_B, box)
    check_tiling(regions, box)


def test_default_regions_meet_where_all_scores_tie():
    # s_0 = s_1 = s_2 = 5/6 at (0.5, 1/6): a vertex of all three regions.
    triple = np.array([0.5, 1 / 6])
    np.testing.assert_allclose(DEFAULT_W @ triple + DEFAULT_B, 5 / 6)
    for region in decision_regions(DEFAULT_W, DEFAULT_B, DEFAULT_BOX):
        assert np.min(np.linalg.norm(region - triple, axis=1)) < 1e-12


@settings(max_examples=60, deadline=None)
@given(W=grid_W, b=grid_b, box=st.sampled_from(BOXES))
def test_random_regions_against_sampling(W, b, box):
    check_tiling(check_against_sampling(W, b, box), box)


@settings(max_examples=100, deadline=None)
@given(W=wide_W, b=wide_b, box=st.sampled_from(BOXES))
def test_regions_tile_the_box_at_any_scale(W, b, box):
    check_tiling(decision_regions(W, b, box), box)


def test_identical_rows_give_the_area_to_the_lower_class():
    W = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]])
    regions = decision_regions(W, np.zeros(3), DEFAULT_BOX)
    assert area(regions[0]) == pytest.approx(box_area(DEFAULT_BOX))
    assert regions[1].shape == regions[2].shape == (0, 2)

    W = np.array([[0.0, 0.0], [1.0, -1.0], [1.0, -1.0]])
    regions = check_against_sampling(W, np.zeros(3), DEFAULT_BOX)
    assert regions[2].shape == (0, 2)
    assert area(regions[0]) == pytest.approx(area(regions[1]))  # split along y = x


@pytest.mark.parametrize("b, winner", [([0, 0, 0], 0), ([0, 1, 0], 1), ([-1, 0, 2], 2), ([0, 3, 3], 1)])
def test_zero_rows_give_the_area_to_the_largest_bias(b, winner):
    regions = decision_regions(np.zeros((3, 2)), np.array(b, float), DEFAULT_BOX)
    for k, region in enumerate(regions):
        if k == winner:
            assert area(region) == pytest.approx(box_area(DEFAULT_BOX))
        else:
            assert region.shape == (0, 2)


def test_region_outside_the_box_is_empty():
    # Class 2 wins only far to the right of the box.
    W = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    regions = decision_regions(W, np.array([0.0, 0.0, -10.0]), DEFAULT_BOX)
    assert regions[2].shape == (0, 2)
    check_tiling(regions, DEFAULT_BOX)


def check_lines(W, b, box):
    tol = 1e-9 * box_size(box)
    corners = box_corners(box)
    lines = zero_score_lines(W, b, box)
    anchors = line_anchors(W, b, box)
    assert len(lines) == len(anchors) == 3
    for k, (line, anchor) in enumerate(zip(lines, anchors)):
        values = corners @ W[k] + b[k]
        scale = np.abs(W[k]).sum() * np.abs(corners).max() + abs(b[k])
        if not W[k].any() or values.min() > 1e-9 * scale or values.max() < -1e-9 * scale:
            assert line is None and anchor is None
            continue
        if values.min() < -1e-9 * scale and values.max() > 1e-9 * scale:
            assert line is not None
        if line is None:
            continue
        assert line.shape == (2, 2) and np.isfinite(line).all()
        for end in line:
            assert on_box_boundary(end, box, tol)
            assert abs(W[k] @ end + b[k]) <= 1e-9 * scale
        assert np.linalg.norm(line[1] - line[0]) > 0
        np.testing.assert_allclose(anchor, line[0] + (k + 1) / 4 * (line[1] - line[0]),
                                   atol=tol)


@pytest.mark.parametrize("box", BOXES)
def test_default_lines(box):
    check_lines(DEFAULT_W, DEFAULT_B, box)


def test_default_line_of_class_0_crosses_the_whole_box():
    # W_0 = (1, 2), b_0 = 0: the line y = -x/2 runs from (-1.5, 0.75) to (1.5, -0.75).
    line = zero_score_lines(DEFAULT_W, DEFAULT_B, DEFAULT_BOX)[0]
    assert sorted(map(tuple, line.round(12))) == [(-1.5, 0.75), (1.5, -0.75)]
    # A quarter of the way along it, from the end where it enters the box.
    np.testing.assert_allclose(line_anchors(DEFAULT_W, DEFAULT_B, DEFAULT_BOX)[0],
                               line[0] + 0.25 * (line[1] - line[0]), atol=1e-15)


def test_the_default_lines_cross_near_the_middle_but_their_arrows_start_apart():
    lines = zero_score_lines(DEFAULT_W, DEFAULT_B, DEFAULT_BOX)
    middles = [line.mean(axis=0) for line in lines]
    anchors = line_anchors(DEFAULT_W, DEFAULT_B, DEFAULT_BOX)
    size = box_size(DEFAULT_BOX)
    pairs = [(i, j) for i in range(3) for j in range(i + 1, 3)]
    assert min(np.linalg.norm(middles[i] - middles[j]) for i, j in pairs) < 0.1 * size
    assert min(np.linalg.norm(anchors[i] - anchors[j]) for i, j in pairs) > 0.2 * size


def test_arrows_take_anchors_computed_once():
    anchors = line_anchors(DEFAULT_W, DEFAULT_B, DEFAULT_BOX)
    for given_, computed in zip(score_arrows(DEFAULT_W, DEFAULT_B, DEFAULT_BOX, anchors=anchors),
                                score_arrows(DEFAULT_W, DEFAULT_B, DEFAULT_BOX)):
        np.testing.assert_array_equal(given_, computed)


@settings(max_examples=100, deadline=None)
@given(W=st.one_of(grid_W, wide_W), b=st.one_of(grid_b, wide_b), box=st.sampled_from(BOXES))
def test_lines_at_any_scale(W, b, box):
    check_lines(W, b, box)


def test_lines_missing():
    W = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    b = np.array([1.0, 5.0, -10.0])  # class 0 has no line; 1 and 2 pass outside the box
    assert zero_score_lines(W, b, DEFAULT_BOX) == [None, None, None]
    assert line_anchors(W, b, DEFAULT_BOX) == [None, None, None]
    assert score_arrows(W, b, DEFAULT_BOX) == [None, None, None]


def test_line_on_the_box_edge_is_that_edge():
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    b = np.array([1.5, -1.5, 3.0])  # x = -1.5; y = 1.5; touches only the corner (-1.5, -1.5)
    lines = zero_score_lines(W, b, DEFAULT_BOX)
    assert sorted(map(tuple, lines[0])) == [(-1.5, -1.5), (-1.5, 1.5)]
    assert sorted(map(tuple, lines[1])) == [(-1.5, 1.5), (1.5, 1.5)]
    assert lines[2] is None


def check_arrows(W, b, box, length=None):
    tol = 1e-9 * box_size(box)
    xmin, xmax, ymin, ymax = box
    full = 0.12 * min(xmax - xmin, ymax - ymin) if length is None else length
    arrows = score_arrows(W, b, box, length=length)
    anchors = line_anchors(W, b, box)
    for k, (arrow, anchor) in enumerate(zip(arrows, anchors)):
        assert (arrow is None) == (anchor is None)
        if arrow is None:
            continue
        start, end = arrow
        assert np.isfinite(arrow).all() and in_box(arrow, box, tol)
        np.testing.assert_allclose(start, anchor, atol=tol)
        step = end - start
        size = np.linalg.norm(step)
        assert size <= full + tol
        # Either full length, or cut short exactly where it would leave the box.
        assert size >= full - tol or on_box_boundary(end, box, tol)
        if size > tol:
            u = W[k] / np.abs(W[k]).max()  # rescaled first, W_k may be subnormal
            u /= np.linalg.norm(u)
            assert step @ u == pytest.approx(size, rel=1e-9)  # along +W_k: the score grows
    return arrows


@pytest.mark.parametrize("box", BOXES)
def test_default_arrows(box):
    check_arrows(DEFAULT_W, DEFAULT_B, box)


def test_default_arrows_have_full_length_and_point_where_the_score_grows():
    arrows = check_arrows(DEFAULT_W, DEFAULT_B, DEFAULT_BOX)
    for k, (start, end) in enumerate(arrows):
        assert np.linalg.norm(end - start) == pytest.approx(0.36)
        assert DEFAULT_W[k] @ end + DEFAULT_B[k] > DEFAULT_W[k] @ start + DEFAULT_B[k]


def test_arrow_is_cut_at_the_box():
    # Line x = 1.4, W points to +x: only 0.1 of room before the right edge.
    W = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    arrows = score_arrows(W, np.array([-1.4, -1.4, -1.4]), DEFAULT_BOX, length=1.0)
    np.testing.assert_allclose(arrows[0], [[1.4, -0.75], [1.5, -0.75]], atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(W=st.one_of(grid_W, wide_W), b=st.one_of(grid_b, wide_b), box=st.sampled_from(BOXES),
       length=st.one_of(st.none(), st.floats(0.0, 10.0)))
def test_arrows_at_any_scale(W, b, box, length):
    check_arrows(W, b, box, length)


def test_finite_for_huge_parameters():
    W = 1e6 * np.array([[1.0, -1.0], [-1.0, 0.999999], [0.5, 1.0]])
    b = np.array([1e6, -1e6, 3.0])
    check_tiling(decision_regions(W, b, DEFAULT_BOX), DEFAULT_BOX)
    check_lines(W, b, DEFAULT_BOX)
    check_arrows(W, b, DEFAULT_BOX)


@pytest.mark.parametrize("box", [(1.0, -1.0, 0.0, 1.0), (0.0, 1.0, 1.0, 1.0), (0.0, np.inf, 0.0, 1.0)])
def test_bad_box(box):
    for f in (decision_regions, zero_score_lines, line_anchors, score_arrows):
        with pytest.raises(ValueError, match="box"):
            f(DEFAULT_W, DEFAULT_B, box)


def test_bad_shapes():
    with pytest.raises(ValueError, match="W"):
        decision_regions(np.zeros((3, 3)), np.zeros(3), DEFAULT_BOX)
    with pytest.raises(ValueError, match="b"):
        zero_score_lines(np.zeros((3, 2)), np.zeros(2), DEFAULT_BOX)
