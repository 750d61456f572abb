"""The numerical gradient and the relative error used to compare gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from losslab.core.gradcheck import numerical_gradient, relative_error

finite = st.floats(-1e3, 1e3, allow_nan=False)


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 2, 2)])
def test_gradient_of_a_quadratic(shape):
    x = np.arange(np.prod(shape, dtype=int), dtype=float).reshape(shape) - 1.5
    grad = numerical_gradient(lambda v: np.sum(v**2), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, 2 * x, atol=1e-8)


def test_gradient_of_a_smooth_function():
    x = np.array([[0.3, -1.2], [2.0, 0.0]])
    grad = numerical_gradient(lambda v: np.sum(np.sin(v)) + v[0, 0] * v[1, 1], x)
    expected = np.cos(x) + np.array([[x[1, 1], 0.0], [0.0, x[0, 0]]])
    np.testing.assert_allclose(grad, expected, rtol=1e-8, atol=1e-10)


@given(arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=3), elements=finite))
def test_x_is_left_unchanged(x):
    before = x.copy()
    numerical_gradient(lambda v: float(np.sum(v * v * v)), x)
    np.testing.assert_array_equal(x, before)


def test_x_is_left_unchanged_even_when_f_fails():
    x = np.array([1.0, 2.0])
    with pytest.raises(ZeroDivisionError):
        numerical_gradient(lambda v: 1 / 0, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_integer_input_gives_a_float_gradient():
    grad = numerical_gradient(lambda v: float(np.sum(v**2)), np.array([1, 2, 3]))
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [2.0, 4.0, 6.0], atol=1e-8)


def test_step_size_is_used():
    # centred differences are exact for a quadratic at any step: a large h makes no difference
    x = np.array([0.5, -2.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), x, h=0.5), 2 * x)
    # and for |v| straddling the kink, the step decides the answer
    assert numerical_gradient(lambda v: np.abs(v).sum(), np.array([0.1]), h=0.2)[0] == \
        pytest.approx(0.5)


def test_relative_error_basics():
    np.testing.assert_array_equal(relative_error([1.0, 0.0, -2.0], [1.0, 0.0, -2.0]), [0, 0, 0])
    np.testing.assert_allclose(relative_error([2.0, 1.0, 1.0, 0.0], [1.0, -1.0, 0.0, -3.0]),
                               [0.5, 2.0, 1.0, 1.0])
    np.testing.assert_allclose(relative_error(1e-8, 1.0000001e-8), 1e-7, rtol=1e-6)


def test_relative_error_shapes_and_nans():
    err = relative_error(np.ones((2, 3)), 1.0)
    assert isinstance(err, np.ndarray) and err.shape == (2, 3)
    assert np.isnan(relative_error(np.nan, 1.0))  # a broken gradient must never look fine
    assert relative_error(np.zeros(0), np.zeros(0)).shape == (0,)


@given(arrays(np.float64, 5, elements=finite), arrays(np.float64, 5, elements=finite))
def test_relative_error_is_symmetric_and_bounded(a, b):
    err = relative_error(a, b)
    np.testing.assert_array_equal(err, relative_error(b, a))
    assert np.all((err >= 0.0) & (err <= 2.0))
    assert np.all(err[a == b] == 0.0)
