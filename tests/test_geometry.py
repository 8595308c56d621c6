"""Vectorised geometry against hand-checked cases (y grows downwards, as in images)."""

from __future__ import annotations

import numpy as np
import pytest

from anfang.analytics.geometry import points_in_polygon, segments_intersect, side_of_line, within_segment_extent

SQUARE = [(0, 0), (10, 0), (10, 10), (0, 10)]
CONCAVE_U = [(0, 0), (3, 0), (3, 7), (7, 7), (7, 0), (10, 0), (10, 10), (0, 10)]  # U open at the top


@pytest.mark.parametrize(
    "polygon, point, expected",
    [
        (SQUARE, (5, 5), True),
        (SQUARE, (-1, 5), False),
        (SQUARE, (5, 11), False),
        (SQUARE[::-1], (5, 5), True),  # winding does not matter
        (CONCAVE_U, (5, 3), False),  # in the notch of the U
        (CONCAVE_U, (1, 3), True),
        (CONCAVE_U, (5, 9), True),
    ],
)
def test_point_in_polygon(polygon: list, point: tuple, expected: bool) -> None:
    assert points_in_polygon(np.array([point]), polygon).tolist() == [expected]


def test_point_in_polygon_is_vectorised() -> None:
    pts = np.random.default_rng(0).uniform(-5, 15, (1000, 2))
    got = points_in_polygon(pts, SQUARE)
    want = (pts[:, 0] > 0) & (pts[:, 0] < 10) & (pts[:, 1] > 0) & (pts[:, 1] < 10)
    assert np.array_equal(got, want)
    assert points_in_polygon(np.zeros((0, 2)), SQUARE).shape == (0,)


def test_side_of_line_right_is_positive_on_screen() -> None:
    d = side_of_line(np.array([[5, 3], [5, -4], [5, 0]]), (0, 0), (10, 0))  # a→b points right
    assert d.tolist() == [3.0, -4.0, 0.0]  # below (screen right of a→b) is positive, distances in px
    assert side_of_line(np.array([[5, 3]]), (10, 0), (0, 0)).tolist() == [-3.0]


def test_within_segment_extent() -> None:
    pts = np.array([[0, 5], [10, -5], [5, 100], [-0.1, 0], [10.1, 0]])
    assert within_segment_extent(pts, (0, 0), (10, 0)).tolist() == [True, True, True, False, False]


@pytest.mark.parametrize(
    "p1, p2, expected",
    [
        ((5, -5), (5, 5), True),  # crosses
        ((5, 1), (5, 5), False),  # stays on one side
        ((11, -5), (11, 5), False),  # passes beside the segment
        ((5, 0), (5, 5), True),  # touches
        ((2, 0), (8, 0), True),  # collinear overlap
        ((12, 0), (15, 0), False),  # collinear, disjoint
    ],
)
def test_segments_intersect(p1: tuple, p2: tuple, expected: bool) -> None:
    assert segments_intersect(np.array([p1]), np.array([p2]), (0, 0), (10, 0)).tolist() == [expected]
