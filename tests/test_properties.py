"""Property-based tests: what must hold for every finite input."""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from sklearn_l2 import normalize
from tests._testing import relative_norm_error

TOLERANCE = {np.float32: 4e-6, np.float64: 4e-15}


@st.composite
def finite_matrices(draw, dtype=None):
    dtype = dtype or draw(st.sampled_from([np.float32, np.float64]))
    shape = draw(st.tuples(st.integers(1, 12), st.integers(1, 12)))
    elements = st.floats(
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=True,
        width=np.finfo(dtype).bits,
    )
    return draw(arrays(dtype, shape, elements=elements))


containers = st.sampled_from([np.asarray, sp.csr_matrix, sp.csc_matrix])
p_norms = st.sampled_from([("l2", 2), ("l1", 1), ("max", np.inf), (3, 3)])


def dense(Y):
    return Y.toarray() if sp.issparse(Y) else Y


@settings(max_examples=200, deadline=None)
@given(finite_matrices(), containers, p_norms)
def test_unit_norm(X, container, norm_p):
    norm, p = norm_p
    Y = dense(normalize(container(X), norm))
    assert Y.dtype == X.dtype
    assert np.all(np.isfinite(Y))
    nonzero = np.any(X != 0, axis=1)
    assert np.all(np.any(Y[nonzero] != 0, axis=1))
    assert np.all(Y[~nonzero] == 0)
    assert relative_norm_error(Y, p) <= TOLERANCE[X.dtype.type]


@settings(max_examples=200, deadline=None)
@given(finite_matrices(np.float64), containers)
def test_direction_kept(X, container):
    Y = dense(normalize(container(X)))
    # Same signs, zeros kept: every output entry is a positive multiple of
    # the input entry (up to underflow of the tiny ones).
    assert np.all(np.sign(Y) * np.sign(X) >= 0)
    assert np.all(Y[X == 0] == 0)


@settings(max_examples=200, deadline=None)
@given(finite_matrices(), containers)
def test_idempotent(X, container):
    once = normalize(container(X))
    twice = normalize(once)
    tolerance = TOLERANCE[X.dtype.type]
    assert_allclose(dense(twice), dense(once), rtol=4 * tolerance, atol=4 * tolerance)


@settings(max_examples=200, deadline=None)
@given(finite_matrices(np.float64), st.integers(-60, 60), containers)
def test_invariant_to_positive_scaling(X, shift, container):
    X = np.clip(X, -1e250, 1e250)
    X[np.abs(X) < 1e-250] = 0.0
    scaled = np.ldexp(X, shift)
    assert_allclose(
        dense(normalize(container(scaled))),
        dense(normalize(container(X))),
        rtol=1e-14,
        atol=1e-15,
    )
