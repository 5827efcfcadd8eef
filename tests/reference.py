"""A slow, exact reference for norms and normalization, for the tests.

Every vector is scaled by the power of two of its largest entry (exact), its
power sum is added with ``math.fsum`` (correctly rounded), and the result is
scaled back. NaN entries are ignored, as in the package.
"""

import math

import numpy as np


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
