"""Unit norms at every magnitude, where scikit-learn's normalize fails."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.preprocessing import normalize as sklearn_normalize

from sklearn_l2 import L2Normalizer, normalize, norms
from tests._testing import reference_norms, relative_norm_error

TOLERANCE = {np.float32: 4e-6, np.float64: 4e-15}
CONTAINERS = [np.asarray, sp.csr_matrix, sp.csc_matrix, sp.csr_array]


def as_dense(Y):
    return Y.toarray() if sp.issparse(Y) else np.asarray(Y)


def assert_unit_rows(Y, dtype, p=2, target=1.0):
    Y = as_dense(Y)
    assert Y.dtype == dtype
    assert np.all(np.isfinite(Y))
    assert np.all(np.any(Y != 0, axis=1)), "a non-zero row became zero"
    assert relative_norm_error(Y, p, target) <= TOLERANCE[dtype]


FAILURES_OF_SCIKIT_LEARN = [
    ([1e155, 1.0], np.float64, np.asarray),
    ([1e20, 1e20], np.float32, np.asarray),
    ([1e-16, 1e-16], np.float64, np.asarray),
    ([3e-23, 4e-23], np.float32, sp.csr_matrix),
]


@pytest.mark.parametrize("row, dtype, container", FAILURES_OF_SCIKIT_LEARN)
def test_scikit_learn_fails_on_these_rows(row, dtype, container):
    X = container(np.array([row], dtype=dtype))
    wrong = reference_norms(as_dense(sklearn_normalize(X)), 2)
    assert abs(wrong[0] - 1.0) > 1e-2


@pytest.mark.parametrize("row, dtype, _", FAILURES_OF_SCIKIT_LEARN)
@pytest.mark.parametrize("container", CONTAINERS)
def test_rows_where_scikit_learn_fails_are_unit(row, dtype, _, container):
    X = np.array([row], dtype=dtype)
    assert_unit_rows(normalize(container(X)), dtype)


def magnitudes(dtype):
    info = np.finfo(dtype)
    exponents = np.linspace(np.log2(info.smallest_subnormal), np.log2(info.max), 97)
    # Stay a little below the largest float so that the random factor in
    # [0.5, 1) cannot round the entries up to infinity.
    return np.exp2(exponents - 0.01)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("norm, p", [("l2", 2), ("l1", 1), ("max", np.inf), (3, 3)])
def test_every_magnitude_gives_unit_rows(dtype, container, norm, p):
    rng = np.random.default_rng(1)
    scale = magnitudes(dtype)
    X = (rng.uniform(0.5, 1.0, (scale.size, 5)) * scale[:, None]).astype(dtype)
    X[::2, 1] = 0.0
    X[1::3] *= -1
    assert np.all(X[:, 0] != 0)
    assert_unit_rows(normalize(container(X), norm), dtype, p)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_largest_float_rows(dtype):
    big = np.finfo(dtype).max
    X = np.array([[big, big, big], [big, -big, 0.0]], dtype=dtype)
    assert_unit_rows(normalize(X), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_subnormal_rows(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    X = np.array([[tiny, 0.0], [tiny, tiny], [3 * tiny, 4 * tiny]], dtype=dtype)
    Y = normalize(X)
    assert_allclose(Y, [[1, 0], [2**-0.5, 2**-0.5], [0.6, 0.8]], rtol=TOLERANCE[dtype])


def test_mixed_magnitudes_in_one_row():
    X = np.array([[1e300, 1e-300, 5e-324, 1e300]])
    Y = normalize(X)
    assert_allclose(Y[0, [0, 3]], 2**-0.5, rtol=4e-15)
    assert_unit_rows(Y, np.float64)


def test_norms_exact_past_float64_overflow_of_squares():
    X = np.array([[3e200, 4e200], [3e-200, 4e-200]])
    assert_allclose(norms(X), [5e200, 5e-200], rtol=4e-16)


@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_max_norm_exact_at_extreme_magnitude(container):
    X = np.array([[1e300, 1e300], [1e-300, 0.0]])
    Y = as_dense(normalize(container(X), max_norm=1e-310))
    assert_allclose(reference_norms(Y, 2), 1e-310, rtol=1e-6)


@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_axis0_exact_for_huge_and_tiny_columns(container):
    X = np.array([[1e300, 1e-300, 3.0], [1e300, 1e-300, 4.0]])
    Y = as_dense(L2Normalizer(axis=0).fit_transform(container(X)))
    assert_allclose(Y, [[2**-0.5, 2**-0.5, 0.6], [2**-0.5, 2**-0.5, 0.8]], rtol=4e-15)


def test_long_float32_row():
    rng = np.random.default_rng(2)
    X = rng.uniform(0.0, 1.0, (1, 10**7)).astype(np.float32)
    Y = normalize(X)
    norm = np.sqrt(np.sum(np.square(Y, dtype=np.float64)))
    assert abs(norm - 1.0) <= TOLERANCE[np.float32]


def test_long_float64_row():
    rng = np.random.default_rng(3)
    X = rng.uniform(0.0, 1.0, (1, 10**6))
    assert_unit_rows(normalize(X), np.float64)
