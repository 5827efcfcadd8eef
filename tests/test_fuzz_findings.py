"""Regression tests for the bugs that tests/test_fuzz.py found."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_l2 import L2Normalizer, normalize, norms

# Largest floats of both signs in the order that makes NumPy's pairwise sum
# (eight accumulators) add inf to -inf: scikit-learn's finiteness check sums
# the whole input first.
ROW = np.array([1.0] * 4 + [-1.0] * 4 + [1.0] * 4 + [-1.0] * 4) * 1e308

CALLS = {
    "normalize": lambda X: normalize(X),
    "norms": lambda X: norms(X),
    "L2Normalizer axis=1": lambda X: L2Normalizer().fit_transform(X),
    "L2Normalizer axis=0": lambda X: L2Normalizer(axis=0).fit_transform(X),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix])
def test_largest_floats_of_both_signs_raise_no_warning(call, container):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call(container(ROW[None, :]))


def _duplicates_summing_past_the_largest_float():
    """A CSR row whose two stored values for column 0 add up to inf."""
    data = np.array([1e308, 1e308, 1.0])
    return sp.csr_matrix((data, np.array([0, 0, 1]), np.array([0, 3])), shape=(1, 2))


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_duplicates_summing_to_infinity_are_an_error(call):
    X = _duplicates_summing_past_the_largest_float()
    with pytest.raises(ValueError, match="Input contains infinity once its dupl"):
        call(X)


def test_duplicates_summing_to_infinity_leave_a_copy_unchanged():
    X = _duplicates_summing_past_the_largest_float()
    with pytest.raises(ValueError):
        normalize(X)
    assert X.nnz == 3
    assert not np.isinf(X.data).any()


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("axis", [0, 1])
def test_max_norm_of_sparse_vectors_with_missing_values_raises_no_warning(fmt, axis):
    # The max-norm of the minor vectors (CSR columns, CSC rows) takes
    # np.maximum.at over data holding NaN; NumPy's warning is silenced there.
    X = sp.csr_matrix(np.array([[np.nan, 1.0], [2.0, 0.0]])).asformat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = norms(X, "max", axis=axis)
    np.testing.assert_array_equal(result, [2.0, 1.0] if axis == 0 else [1.0, 2.0])


# With eps far above a tiny vector's norm, eps in the vector's scaled space
# (np.ldexp(eps, -e)) overflowed to inf and the gain 1/inf = 0 zeroed the
# vector; scale_parts now compares mantissas and exponents.
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_tiny_vector_divided_by_a_much_larger_eps_is_not_zeroed(axis, container):
    X = container(np.array([[1e-300]]))
    result = normalize(X, eps=1e10, axis=axis)
    result = result.toarray() if sp.issparse(result) else result
    np.testing.assert_array_equal(result, [[1e-300 / 1e10]])


def test_eps_far_above_a_tiny_feature_norm_gives_a_finite_scale():
    # The same overflow made L2Normalizer(axis=0).fit divide by a zero gain
    # for scale_.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = L2Normalizer(axis=0, eps=4.0).fit([[1.68e-308]])
    np.testing.assert_array_equal(scaler.scale_, [4.0])


# The l1 and max norms of a vector of the largest floats come from the fast
# path unscaled (exponent 0); dividing max_norm by that huge norm in float64
# gave a subnormal gain that had lost its precision, and the shortened
# vector missed max_norm by 17 %.
@pytest.mark.parametrize("norm", ["l1", "max"])
@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_max_norm_far_below_a_huge_norm_is_reached(norm, container):
    X = container(np.array([[1.67e308, 0.0]]))
    result = normalize(X, norm, max_norm=1e-15)
    result = result.toarray() if sp.issparse(result) else result
    np.testing.assert_allclose(result, [[1e-15, 0.0]], rtol=4e-15)


# Found by the long profile: validation hands a canonical CSR/CSC matrix back
# as it is, but its empty data array "shares no memory" with the input's, so
# a read-only matrix with no stored value was taken for a private copy and
# written to (copy=True) or accepted (copy=False).
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_read_only_matrix_without_stored_values_is_not_written(fmt):
    X = sp.csr_matrix((1, 1), dtype=np.float32).asformat(fmt)
    X.data.flags.writeable = False
    scaler = L2Normalizer(axis=0).fit(X)
    assert scaler.transform(X).nnz == 0
    result = normalize(X, copy=False)
    assert result is not X and result.nnz == 0
    assert not X.data.flags.writeable
