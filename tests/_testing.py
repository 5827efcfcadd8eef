"""Shared test helpers: exact references, the documented tolerances and
container builders.

``reference_norms`` and ``reference_normalize`` scale every vector by the
power of two of its largest entry (exact), add its power sum with
``math.fsum`` (correctly rounded) and scale back. ``assert_faithful`` checks
l1 and l2 norms against the exact rational value. NaN entries are ignored,
as in the package.
"""

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

# The documented bound on |norm(output) - 1| for every non-zero vector.
UNIT_TOLERANCE = {np.dtype(np.float32): 4e-6, np.dtype(np.float64): 4e-15}

SPARSE_CONTAINERS = [
    getattr(sp, f"{fmt}_{kind}")
    for fmt in ("csr", "csc", "coo", "bsr", "lil", "dok", "dia")
    for kind in ("matrix", "array")
]


def sparse_random(rng, shape, density=0.3, dtype=np.float64):
    """A random CSR matrix with some empty rows and negative values."""
    X = sp.random(*shape, density=density, format="csr", dtype=dtype, random_state=rng)
    X.data -= 0.5
    return X


def scaled_norm(vector, p):
    """``(e, ns)`` with ``2**e * ns`` the norm of ``vector``; NaN ignored."""
    values = [abs(float(v)) for v in vector if not math.isnan(float(v))]
    largest = max(values, default=0.0)
    if largest == 0.0:
        return 0, 0.0
    exponent = math.frexp(largest)[1]
    scaled = [math.ldexp(v, -exponent) for v in values]
    if p == math.inf:
        return exponent, max(scaled)
    return exponent, math.fsum(s**p for s in scaled) ** (1.0 / p)


def vector_norm(vector, p):
    exponent, ns = scaled_norm(vector, p)
    try:
        return math.ldexp(ns, exponent)
    except OverflowError:
        return math.inf


def reference_norms(X, p, axis=1):
    """Norm of every row (axis=1) or column (axis=0) of dense ``X``."""
    X = np.asarray(X, dtype=np.float64)
    vectors = X if axis == 1 else X.T
    return np.array([vector_norm(v, p) for v in vectors])


def reference_normalize(X, p, axis=1, eps=0.0, max_norm=None):
    """``X`` scaled vector by vector, each entry divided in scaled space."""
    X = np.asarray(X, dtype=np.float64)
    vectors = X if axis == 1 else X.T
    out = np.array(vectors, dtype=np.float64)
    for i, v in enumerate(vectors):
        exponent, ns = scaled_norm(v, p)
        if ns == 0.0:
            continue
        scaled = [math.ldexp(x, -exponent) for x in v]
        if max_norm is not None:
            if vector_norm(v, p) > max_norm:
                out[i] = [s / ns * max_norm for s in scaled]
            continue
        if eps and vector_norm(v, p) < eps:
            # Divided by eps itself: one correctly rounded division (eps in
            # the scaled space may overflow for a tiny vector).
            out[i] = [x / eps for x in v]
            continue
        out[i] = [s / ns for s in scaled]
    return out if axis == 1 else out.T


def relative_norm_error(Y, p, target=1.0):
    """Largest relative deviation from ``target`` of the non-zero row norms."""
    n = reference_norms(Y, p)
    nonzero = n > 0
    return np.max(np.abs(n[nonzero] - target) / target, initial=0.0)


def to_dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def containers(X):
    """``X`` as a C-ordered, an F-ordered array, a CSR and a CSC matrix."""
    X = np.asarray(X)
    return {
        "dense": np.ascontiguousarray(X),
        "fortran": np.asfortranarray(X),
        "csr": sp.csr_matrix(X),
        "csc": sp.csc_matrix(X),
    }


def _exact_power_sum(vector, p):
    return sum(
        (Fraction(float(v)) ** p for v in np.abs(vector) if not math.isnan(v)),
        Fraction(0),
    )


def is_faithful(value, vector, p):
    """Whether ``value`` is one of the two doubles around the exact norm."""
    s = _exact_power_sum(np.asarray(vector, dtype=np.float64), p)
    if s == 0:
        return value == 0.0
    if math.isinf(value):
        below = Fraction(np.finfo(np.float64).max)
        return below**p < s
    below = Fraction(float(np.nextafter(value, 0.0)))
    above = Fraction(float(np.nextafter(value, np.inf)))
    return below**p < s < above**p


def assert_faithful(norms, vectors, p):
    """Every norm of ``norms`` is faithfully rounded (p = 1 or 2)."""
    pairs = enumerate(zip(norms, vectors, strict=True))
    bad = [i for i, (n, v) in pairs if not is_faithful(n, v, p)]
    assert not bad, f"not faithfully rounded: vectors {bad[:10]} of {len(norms)}"


def ulp_error(value, vector, p):
    """How many units in the last place ``value`` is from the exact norm."""
    s = _exact_power_sum(np.asarray(vector, dtype=np.float64), p)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(s.numerator) / Decimal(s.denominator)
        exact = exact.sqrt() if p == 2 else exact
        return float(
            abs(Decimal(float(value)) - exact) / Decimal(float(np.spacing(value)))
        )
