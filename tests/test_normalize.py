"""Behaviour of ``normalize`` and ``norms`` on every kind of input."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_l2 import normalize, norms
from tests._testing import (
    SPARSE_CONTAINERS,
    reference_normalize,
    reference_norms,
    sparse_random,
)

NORMS = [("l2", 2), ("l1", 1), ("max", np.inf), (3, 3), (1.5, 1.5), (np.inf, np.inf)]


@pytest.mark.parametrize("norm, p", NORMS)
@pytest.mark.parametrize("axis", [0, 1])
def test_dense_matches_reference(rng, norm, p, axis):
    X = rng.standard_normal((30, 7))
    X[3] = 0.0
    expected = reference_normalize(X, p, axis=axis)
    assert_allclose(normalize(X, norm, axis=axis), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("norm, p", NORMS)
@pytest.mark.parametrize("axis", [0, 1])
def test_norms_match_reference(rng, norm, p, axis):
    X = rng.standard_normal((20, 6)) * 10.0 ** rng.integers(-200, 200, (20, 1))
    assert_allclose(norms(X, norm, axis=axis), reference_norms(X, p, axis), rtol=1e-14)


@pytest.mark.parametrize("container", SPARSE_CONTAINERS)
@pytest.mark.parametrize("norm, p", NORMS)
@pytest.mark.parametrize("axis", [0, 1])
def test_sparse_matches_reference(rng, container, norm, p, axis):
    X = sparse_random(rng, (25, 9))
    dense = X.toarray()
    result = normalize(container(X), norm, axis=axis)
    assert sp.issparse(result)
    assert_allclose(
        result.toarray(), reference_normalize(dense, p, axis=axis), rtol=1e-14
    )


@pytest.mark.parametrize("container", SPARSE_CONTAINERS)
@pytest.mark.parametrize("axis", [0, 1])
def test_sparse_norms_match_dense(rng, container, axis):
    X = sparse_random(rng, (25, 9))
    assert_allclose(
        norms(container(X), axis=axis), norms(X.toarray(), axis=axis), rtol=1e-15
    )


@pytest.mark.parametrize("container", SPARSE_CONTAINERS)
def test_sparse_format_and_kind(rng, container):
    X = container(sparse_random(rng, (10, 5)))
    result = normalize(X)
    expected_format = X.format if X.format in ("csr", "csc") else "csr"
    assert result.format == expected_format
    assert isinstance(result, sp.sparray) == isinstance(X, sp.sparray)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("axis", [0, 1])
def test_sparse_structure_kept_with_explicit_zeros(fmt, axis):
    X = sp.csr_matrix(
        (
            np.array([3.0, 0.0, 4.0, 0.0]),
            np.array([0, 1, 2, 0]),
            np.array([0, 3, 4, 4]),
        ),
        shape=(3, 3),
    ).asformat(fmt)
    result = normalize(X, axis=axis)
    assert result.nnz == X.nnz == 4
    assert_array_equal(result.indices, X.indices)
    assert_array_equal(result.indptr, X.indptr)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_duplicates_are_summed(fmt):
    # Row [4, 1 + 2] with the second entry stored twice, columns unsorted.
    if fmt == "csr":
        X = sp.csr_matrix(([1.0, 2.0, 4.0], [1, 1, 0], [0, 3]), shape=(1, 2))
    else:
        X = sp.csc_matrix(([4.0, 1.0, 2.0], [0, 0, 0], [0, 1, 3]), shape=(1, 2))
    assert not X.has_canonical_format
    result = normalize(X)
    assert result.has_canonical_format
    assert_allclose(result.toarray(), [[0.8, 0.6]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_kept(rng, dtype):
    X = rng.standard_normal((5, 3)).astype(dtype)
    assert normalize(X).dtype == dtype
    assert normalize(sp.csr_matrix(X)).dtype == dtype


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_])
def test_integers_and_booleans_become_float64(dtype):
    X = np.array([[3, 4], [0, 1]]).astype(dtype)
    result = normalize(X)
    assert result.dtype == np.float64
    assert_allclose(result, reference_normalize(X.astype(float), 2))


def test_float16_computed_in_float32_and_returned_as_float16():
    X = np.array([[3.0, 4.0], [60000.0, 60000.0]], dtype=np.float16)
    result = normalize(X)
    assert result.dtype == np.float16
    assert_allclose(
        result.astype(np.float64), [[0.6, 0.8], [0.7071, 0.7071]], rtol=1e-3
    )


def test_order_kept(rng):
    X = np.asfortranarray(rng.standard_normal((6, 4)))
    result = normalize(X)
    assert result.flags.f_contiguous
    assert_allclose(result, reference_normalize(X, 2), rtol=1e-14)


def test_non_contiguous_view(rng):
    X = rng.standard_normal((10, 8))[::-2, ::3]
    assert_allclose(normalize(X), reference_normalize(X, 2), rtol=1e-14)


@pytest.mark.parametrize("axis", [0, 1])
def test_missing_values_pass_through(axis):
    X = np.array([[3.0, np.nan, 4.0], [np.nan, np.nan, np.nan], [1.0, 0.0, np.nan]])
    result = normalize(X, axis=axis)
    assert_array_equal(np.isnan(result), np.isnan(X))
    assert_allclose(result, reference_normalize(X, 2, axis=axis))


def test_missing_values_ignored_by_norms():
    X = np.array([[3.0, np.nan, 4.0], [np.nan, np.nan, np.nan]])
    assert_array_equal(norms(X), [5.0, 0.0])


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_missing_values_pass_through(fmt):
    X = sp.csr_matrix(np.array([[3.0, np.nan, 4.0], [0.0, 2.0, 0.0]])).asformat(fmt)
    result = normalize(X).toarray()
    assert_allclose(result, [[0.6, np.nan, 0.8], [0.0, 1.0, 0.0]])


@pytest.mark.parametrize("value", [np.inf, -np.inf])
@pytest.mark.parametrize("sparse", [False, True])
def test_infinity_is_an_error(value, sparse):
    X = np.array([[1.0, value]])
    with pytest.raises(ValueError, match="infinity"):
        normalize(sp.csr_matrix(X) if sparse else X)


@pytest.mark.parametrize(
    "X, match",
    [
        ([["a", "b"]], "could not convert|dtype"),
        (np.array([[1 + 1j, 2.0]]), "Complex data not supported"),
        (np.ones((2, 2, 2)), "Found array with dim 3"),
        (np.ones((0, 3)), "0 sample"),
        (np.ones((3, 0)), "0 feature"),
    ],
)
def test_bad_input_is_an_error(X, match):
    with pytest.raises(ValueError, match=match):
        normalize(X)


@pytest.mark.parametrize(
    "params",
    [
        {"norm": "l3"},
        {"norm": 0.5},
        {"axis": 2},
        {"eps": -1.0},
        {"max_norm": 0.0},
        {"copy": "yes"},
    ],
)
def test_invalid_parameters(params):
    with pytest.raises(InvalidParameterError):
        normalize([[1.0, 2.0]], **params)


def test_eps_and_max_norm_together_is_an_error():
    with pytest.raises(ValueError, match=r"eps=0\.5 has no effect when max_norm"):
        normalize([[1.0, 2.0]], eps=0.5, max_norm=1.0)


def test_zero_vector_stays_zero_without_warning():
    result = normalize(np.zeros((2, 3)))
    assert_array_equal(result, np.zeros((2, 3)))


def test_eps_bounds_the_divisor():
    X = np.array([[3.0, 4.0], [0.03, 0.04]])
    assert_allclose(normalize(X, eps=1.0), [[0.6, 0.8], [0.03, 0.04]])


def test_max_norm_shortens_only_long_vectors():
    X = np.array([[3.0, 4.0], [0.3, 0.4]])
    result = normalize(X, max_norm=2.0)
    assert_allclose(result, [[1.2, 1.6], [0.3, 0.4]])


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_max_norm(fmt):
    X = sp.csr_matrix(np.array([[3.0, 4.0], [0.3, 0.4]])).asformat(fmt)
    assert_allclose(normalize(X, max_norm=2.0).toarray(), [[1.2, 1.6], [0.3, 0.4]])


def test_numeric_norm_equals_named_norm(rng):
    X = rng.standard_normal((5, 4))
    assert_array_equal(normalize(X, 2), normalize(X, "l2"))
    assert_array_equal(normalize(X, 1.0), normalize(X, "l1"))
    assert_array_equal(normalize(X, np.inf), normalize(X, "max"))


@pytest.mark.parametrize("axis", [0, 1])
def test_return_norm(rng, axis):
    X = rng.standard_normal((6, 3))
    result, n = normalize(X, return_norm=True, axis=axis)
    assert n.dtype == np.float64
    assert_allclose(n, reference_norms(X, 2, axis))
    assert_allclose(result, reference_normalize(X, 2, axis=axis))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_sparse_return_norm(rng, fmt, norm):
    X = sparse_random(rng, (8, 5)).asformat(fmt)
    _, n = normalize(X, norm, return_norm=True)
    assert_allclose(n, norms(X.toarray(), norm))


def test_norms_of_huge_vectors_overflow_only_past_float64_range():
    X = np.array([[1e300, 1e300], [1.7e308, 1.7e308]])
    assert_allclose(norms(X), [np.sqrt(2) * 1e300, np.inf])


def test_copy_true_leaves_input_unchanged(rng):
    X = rng.standard_normal((5, 3))
    before = X.copy()
    result = normalize(X)
    assert result is not X
    assert_array_equal(X, before)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_copy_false_works_in_place_on_dense(rng, order, dtype):
    X = np.asarray(rng.standard_normal((5, 3)), dtype=dtype, order=order)
    expected = normalize(X)
    result = normalize(X, copy=False)
    assert result is X
    assert_allclose(X, expected)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_copy_false_works_in_place_on_sparse(rng, fmt):
    X = sparse_random(rng, (6, 4)).asformat(fmt)
    expected = normalize(X).toarray()
    result = normalize(X, copy=False)
    assert result is X
    assert_allclose(X.toarray(), expected)


def test_copy_true_leaves_sparse_input_unchanged(rng):
    X = sparse_random(rng, (6, 4))
    before = X.copy()
    normalize(X)
    assert_array_equal(X.data, before.data)


def test_copy_false_on_read_only_input_returns_a_normalized_copy(rng):
    X = rng.standard_normal((4, 3))
    original = X.copy()
    X.flags.writeable = False
    result = normalize(X, copy=False)
    assert result is not X
    assert_array_equal(X, original)
    assert_array_equal(result, normalize(original))


def test_read_only_input_with_copy_true(rng):
    X = rng.standard_normal((4, 3))
    X.flags.writeable = False
    assert_allclose(normalize(X), reference_normalize(X, 2))


def test_copy_false_on_integers_returns_new_float_array():
    X = np.array([[3, 4]])
    result = normalize(X, copy=False)
    assert result.dtype == np.float64
    assert_array_equal(X, [[3, 4]])
