"""Fuzzing: generated inputs of every kind, checked against the exact reference.

A strategy draws a *case*: the values of a matrix (any float, integer or
boolean dtype; magnitudes from subnormal to the largest finite float, mixed
within a row; zeros, empty rows and columns, missing values) and the
container they are handed over in (dense in C or F order, strided and
reversed views, read-only arrays, ``numpy.memmap``, nested lists, and every
scipy.sparse format as matrix and array, with int32 or int64 indices,
explicit zeros, duplicate entries and unsorted indices). Every result is
compared with the slow ``math.fsum`` reference of ``tests/reference.py``.

The number of examples comes from the hypothesis profile chosen in
``tests/conftest.py``: ``ci`` by default (seconds), ``long`` with
``HYPOTHESIS_PROFILE=long`` (minutes). Add ``--hypothesis-show-statistics``
to see how many examples ran.
"""

import contextlib
import pickle
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_l2 import L2Normalizer, normalize, norms
from tests._testing import reference_normalize, reference_norms, to_dense

FLOATS = (np.float16, np.float32, np.float64)
NON_FLOATS = (np.int8, np.uint8, np.int32, np.int64, np.bool_)
DENSE_LAYOUTS = ("C", "F", "strided", "reversed", "read-only", "memmap", "list")
SPARSE_FORMATS = ("csr", "csc", "coo", "bsr", "lil", "dok", "dia")
# The formats the package keeps (the others come back as CSR), and so the only
# sparse formats it may normalize in place.
KEPT_FORMATS = ("csr", "csc")
# Non-contiguous views, cut from a parent array twice as tall, thrice as wide.
VIEWS = {
    "strided": lambda parent: parent[::2, ::3],
    "reversed": lambda parent: parent[::-2, ::-3],
}

# Largest relative error of an output entry and of a norm, by output dtype.
# The float64 and float32 bounds are the documented unit-norm guarantee
# (README, "Exactness"); float16 results are float32 results rounded to
# float16 (2**-11 relative).
OUTPUT_RTOL = {np.float64: 4e-15, np.float32: 4e-6, np.float16: 1e-3}
# float64 norms of float64 data; float32 data are summed in float64 in an
# order that may differ from pairwise summation.
NORMS_RTOL = {np.float64: 4e-15, np.float32: 1e-13, np.float16: 1e-13}

NORMS = {"l2": 2, "l1": 1, "max": np.inf, 3: 3, 1.5: 1.5}


@dataclass
class Case:
    """A matrix and the container it is handed to the package in."""

    values: np.ndarray  # C-ordered, in the input dtype
    layout: str  # a dense layout or a sparse format
    sparse_kind: str = "matrix"  # "matrix" or "array"
    index_dtype: type = np.int32
    explicit_zeros: np.ndarray | None = None  # stored although zero
    duplicates: bool = False  # some entries stored as two halves
    unsorted: bool = False  # CSR/CSC indices not sorted within a vector
    read_only: bool = False  # sparse: data not writable
    seed: int = 0

    @property
    def is_sparse(self):
        return self.layout in SPARSE_FORMATS

    @property
    def dtype(self):
        return self.values.dtype


def _exponent_range(dtype, magnitude):
    """Binary exponents ``[lo, hi)`` of the values of one magnitude class."""
    info = np.finfo(dtype)
    lowest = info.minexp - info.nmant  # the smallest subnormal is 2**(lowest-1)
    return {
        "unit": (-3, 4),
        "huge": (info.maxexp - 6, info.maxexp + 1),
        "tiny": (info.minexp, info.minexp + 6),
        "subnormal": (lowest + 1, info.minexp + 1),
        "anywhere": (lowest + 1, info.maxexp + 1),
    }[magnitude]


def _float_values(rng, dtype, shape, magnitudes):
    """Random floats whose rows each take one of the magnitude classes."""
    info = np.finfo(dtype)
    mantissas = rng.uniform(0.5, 1.0, shape) * rng.choice([-1.0, 1.0], shape)
    row_classes = rng.choice(magnitudes, shape[0])
    exponents = np.empty(shape, dtype=np.int64)
    for i, magnitude in enumerate(row_classes):
        lo, hi = _exponent_range(dtype, magnitude)
        exponents[i] = rng.integers(lo, hi, shape[1])
    with np.errstate(over="ignore", under="ignore"):
        values = np.ldexp(mantissas, exponents)
    limit = float(info.max)
    return np.clip(values, -limit, limit).astype(dtype)


def _integer_values(rng, dtype, shape, full_range):
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    info = np.iinfo(dtype)
    lo, hi = (info.min, info.max) if full_range else (max(info.min, -3), 3)
    return rng.integers(lo, hi, shape, dtype=dtype, endpoint=True)


small_shapes = st.tuples(st.integers(1, 12), st.integers(1, 12))


@st.composite
def large_shapes(draw):
    n_cols = draw(st.integers(1, 300))
    return draw(st.integers(1, max(1, 4000 // n_cols))), n_cols


shapes = st.one_of(small_shapes, small_shapes, small_shapes, large_shapes())


@st.composite
def matrices(draw, dtypes=FLOATS + NON_FLOATS, shape=shapes):
    """Values of a matrix: every magnitude, zeros, empty vectors, NaN."""
    dtype = np.dtype(draw(st.sampled_from(dtypes))).type
    shape = draw(shape)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if dtype in FLOATS:
        magnitudes = draw(
            st.lists(
                st.sampled_from(["unit", "huge", "tiny", "subnormal", "anywhere"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        values = _float_values(rng, dtype, shape, magnitudes)
    else:
        values = _integer_values(rng, dtype, shape, draw(st.booleans()))
    if values.size == 0:
        return values
    density = draw(st.sampled_from([0.0, 0.05, 0.3, 1.0]))
    values[rng.random(shape) >= density] = 0
    empty_share = draw(st.sampled_from([0.0, 0.0, 0.2]))
    values[rng.random(shape[0]) < empty_share, :] = 0
    values[:, rng.random(shape[1]) < empty_share] = 0
    if dtype in FLOATS:
        # A few hand-picked entries: hypothesis favours the extremes of the
        # format (largest finite, smallest subnormal, -0.0).
        specials = st.floats(
            allow_nan=False, allow_infinity=False, width=np.finfo(dtype).bits
        )
        for _ in range(draw(st.integers(0, 3))):
            i = draw(st.integers(0, shape[0] - 1))
            j = draw(st.integers(0, shape[1] - 1))
            values[i, j] = draw(specials)
        missing = draw(st.sampled_from(["none", "none", "some", "row", "column"]))
        if missing == "some":
            values[rng.random(shape) < 0.2] = np.nan
        elif missing == "row":
            values[rng.integers(shape[0])] = np.nan
        elif missing == "column":
            values[:, rng.integers(shape[1])] = np.nan
    return values


@st.composite
def cases(draw, layouts=DENSE_LAYOUTS + SPARSE_FORMATS, values=None):
    """A matrix in one of the containers the package accepts."""
    layout = draw(st.sampled_from(layouts))
    if values is None:
        # scipy.sparse has no float16.
        sparse = layout in SPARSE_FORMATS
        values = matrices(FLOATS[1:] + NON_FLOATS) if sparse else matrices()
    values = draw(values)
    case = Case(values=values, layout=layout, seed=draw(st.integers(0, 2**32 - 1)))
    if case.is_sparse:
        case.sparse_kind = draw(st.sampled_from(["matrix", "array"]))
        case.index_dtype = draw(st.sampled_from([np.int32, np.int64]))
        rng = np.random.default_rng(case.seed)
        share = draw(st.sampled_from([0.0, 0.3]))
        case.explicit_zeros = (values == 0) & (rng.random(values.shape) < share)
        if layout in ("csr", "csc", "coo"):
            case.duplicates = draw(st.booleans())
        if layout in KEPT_FORMATS:
            case.unsorted = draw(st.booleans())
            case.read_only = draw(st.booleans())
    return case


def _halves(values):
    """Two arrays that add up to ``values`` exactly (in any order)."""
    if values.dtype == np.bool_:
        return values, np.zeros_like(values)
    if values.dtype.kind in "iu":
        half = values // 2
        return values - half, half
    info = np.finfo(values.dtype)
    # Halving is exact down to twice the smallest normal number.
    halvable = np.abs(values) >= 2 * info.tiny
    half = np.where(halvable, values / 2, 0).astype(values.dtype)
    return np.where(halvable, half, values).astype(values.dtype), half


def _entries(case, rng):
    """Row, column and value of every stored entry, duplicates included."""
    stored = (case.values != 0) | case.explicit_zeros
    rows, cols = np.nonzero(stored)
    data = case.values[rows, cols]
    if case.duplicates and data.size:
        split = rng.random(data.size) < 0.5
        first, second = _halves(data[split])
        data = np.concatenate([data[~split], first, second])
        rows = np.concatenate([rows[~split], rows[split], rows[split]])
        cols = np.concatenate([cols[~split], cols[split], cols[split]])
    return rows, cols, data


def _set_index_dtype(X, dtype):
    for name in ("indices", "indptr", "row", "col"):
        if hasattr(X, name):
            setattr(X, name, getattr(X, name).astype(dtype))
    return X


def _compressed(case, rows, cols, data, rng):
    """A CSR or CSC container built from its arrays, sorted or not."""
    n_rows, n_cols = case.values.shape
    if case.layout == "csr":
        major, minor, n_major = rows, cols, n_rows
    else:
        major, minor, n_major = cols, rows, n_cols
    within = rng.random(major.size) if case.unsorted else minor
    order = np.lexsort((within, major))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(major, minlength=n_major))])
    container = getattr(sp, f"{case.layout}_{case.sparse_kind}")
    return container((data[order], minor[order], indptr), shape=(n_rows, n_cols))


def _sparse(case):
    rng = np.random.default_rng(case.seed)
    rows, cols, data = _entries(case, rng)
    shape = case.values.shape
    if case.layout in KEPT_FORMATS:
        X = _compressed(case, rows, cols, data, rng)
    else:
        coo = getattr(sp, f"coo_{case.sparse_kind}")((data, (rows, cols)), shape=shape)
        if case.layout == "coo":
            X = coo
        elif case.layout == "bsr":
            divisors = [
                [d for d in range(1, n + 1) if n % d == 0] or [1]
                for n in case.values.shape
            ]
            blocksize = tuple(int(rng.choice(d)) for d in divisors)
            X = coo.tobsr(blocksize=blocksize)
        else:
            with warnings.catch_warnings():
                # DIA with many diagonals is inefficient, and is what we want.
                warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
                X = coo.asformat(case.layout)
    X = _set_index_dtype(X, case.index_dtype)
    if case.read_only:
        X.data.flags.writeable = False
    return X


@contextlib.contextmanager
def built(case):
    """The input object of ``case``, and the object that owns its memory.

    Views are cut from a larger parent array filled with a sentinel, so that
    writes outside the view show up in the parent.
    """
    values = case.values
    if case.is_sparse:
        X = _sparse(case)
        yield X, X
        return
    if case.layout == "memmap":
        with tempfile.TemporaryDirectory() as tmp:
            X = np.memmap(
                Path(tmp) / "X.bin", dtype=values.dtype, mode="w+", shape=values.shape
            )
            X[:] = values
            yield X, X
            del X
        return
    if case.layout in VIEWS:
        parent = np.full((2 * values.shape[0], 3 * values.shape[1]), 7, values.dtype)
        X = VIEWS[case.layout](parent)
        X[...] = values
        yield X, parent
        return
    if case.layout == "list":
        X = values.tolist()
        yield X, X
        return
    X = np.array(values, order="F" if case.layout == "F" else "C")
    if case.layout == "read-only":
        X.flags.writeable = False
    yield X, X


def snapshot(obj):
    """Every byte of the data, structure, shape and dtype of ``obj``."""
    if isinstance(obj, list):
        return pickle.dumps(obj)
    if not sp.issparse(obj):
        return obj.dtype.str, obj.shape, obj.strides, obj.tobytes(order="A")
    if obj.format == "lil":
        parts = (obj.rows, obj.data)
    elif obj.format == "dok":
        parts = sorted(obj.items())
    else:
        parts = [
            getattr(obj, name).tobytes()
            for name in ("data", "indices", "indptr", "row", "col", "offsets")
            if hasattr(obj, name)
        ]
    return obj.format, obj.shape, obj.dtype.str, pickle.dumps(parts)


def dense_values(case):
    """The float64 matrix the input stands for (duplicates added up)."""
    with built(case) as (X, _):
        if sp.issparse(X):
            return X.toarray().astype(np.float64)
        return np.array(X, dtype=np.float64)


def output_dtype(case):
    if case.layout == "list":
        return np.float64
    return case.dtype.type if case.dtype.type in FLOATS else np.float64


def as_array(Y):
    return Y.toarray() if sp.issparse(Y) else np.asarray(Y)


def in_place_case(case):
    """Whether ``copy=False`` is documented to overwrite this input."""
    # float16 too, as scikit-learn's normalize(copy=False) does.
    if case.dtype.type not in (np.float16, np.float32, np.float64) or case.read_only:
        return False
    if case.is_sparse:
        return case.layout in KEPT_FORMATS
    return case.layout not in ("list", "read-only")


def read_only_kept(case):
    """Read-only input the package would keep as it is (no conversion)."""
    if case.dtype.type not in FLOATS:
        return False
    if case.is_sparse:
        return case.read_only
    return case.layout == "read-only"


norm_names = st.sampled_from(list(NORMS))
axes = st.sampled_from([0, 1])


@st.composite
def scalings(draw):
    """``(eps, max_norm)``: unit norm, a floor on the divisor, or a cap."""
    positive = st.floats(1e-300, 1e300)
    mode = draw(st.sampled_from(["unit", "unit", "eps", "max_norm"]))
    if mode == "eps":
        return draw(positive), None
    if mode == "max_norm":
        return 0.0, draw(positive)
    return 0.0, None


def assert_matches_reference(Y, expected, dtype, max_norm=None):
    """``Y`` equals the reference up to rounding in ``dtype``."""
    dense = as_array(Y).astype(np.float64)
    assert_array_equal(np.isnan(dense), np.isnan(expected), err_msg="NaN positions")
    rounded = expected.astype(dtype).astype(np.float64)
    # A subnormal output carries an absolute error of a few units of the
    # smallest subnormal: the vector may be scaled by a power of two into the
    # subnormal range first, then multiplied by a gain below 4 (below
    # 2 * max_norm with a max_norm): tiny next to the vector's norm.
    gain = 2 * max(2.0, max_norm or 0.0)
    atol = 2 * gain * float(np.finfo(dtype).smallest_subnormal)
    assert_allclose(dense, rounded, rtol=OUTPUT_RTOL[dtype], atol=atol)


def assert_norms_match(result, expected, dtype):
    """Norms equal the reference up to a few rounding units.

    A true norm within those units of the largest float may round up past
    it: inf is then accepted.
    """
    rtol = NORMS_RTOL.get(dtype, NORMS_RTOL[np.float64])
    top = np.finfo(np.float64).max * (1 - rtol)
    rounded_up = np.isinf(result) & (expected >= top)
    assert_allclose(result[~rounded_up], expected[~rounded_up], rtol=rtol, atol=0)


# --- normalize --------------------------------------------------------------


@given(cases(), norm_names, axes, scalings())
def test_normalize_matches_reference(case, norm, axis, scaling):
    eps, max_norm = scaling
    expected = reference_normalize(dense_values(case), NORMS[norm], axis, eps, max_norm)
    with built(case) as (X, _):
        Y = normalize(X, norm, axis=axis, eps=eps, max_norm=max_norm)
    assert_matches_reference(Y, expected, output_dtype(case), max_norm)


@given(cases(), norm_names, axes)
def test_normalized_vectors_have_unit_norm(case, norm, axis):
    p = NORMS[norm]
    with built(case) as (X, _):
        Y = as_array(normalize(X, norm, axis=axis)).astype(np.float64)
    out_norms = reference_norms(Y, p, axis)
    in_norms = reference_norms(dense_values(case), p, axis)
    assert_array_equal(out_norms == 0, in_norms == 0, err_msg="zero vectors")
    assert_allclose(
        out_norms[in_norms > 0], 1.0, rtol=OUTPUT_RTOL[output_dtype(case)], atol=0
    )


@given(cases(), norm_names, axes)
def test_normalize_keeps_the_missing_values(case, norm, axis):
    with built(case) as (X, _):
        Y = as_array(normalize(X, norm, axis=axis))
    assert_array_equal(np.isnan(Y), np.isnan(dense_values(case)))


@given(cases())
def test_normalize_returns_the_documented_dtype(case):
    with built(case) as (X, _):
        Y = normalize(X)
    assert Y.dtype == output_dtype(case)


@given(cases(), axes)
def test_normalize_returns_the_documented_container(case, axis):
    with built(case) as (X, _):
        Y = normalize(X, axis=axis)
    if not case.is_sparse:
        assert isinstance(Y, np.ndarray)
        return
    expected_format = case.layout if case.layout in KEPT_FORMATS else "csr"
    assert Y.format == expected_format
    assert isinstance(Y, sp.sparray) == (case.sparse_kind == "array")


def _stored_positions(X):
    coo = X.tocoo()
    return set(zip(coo.row.tolist(), coo.col.tolist(), strict=True))


@given(cases(layouts=SPARSE_FORMATS), axes)
def test_normalize_keeps_the_sparsity_structure(case, axis):
    with built(case) as (X, _):
        stored = _stored_positions(X)
        Y = normalize(X, axis=axis)
    assert _stored_positions(Y) == stored


# Every public entry point with its default copy=True (norms never copies).
DEFAULT_CALLS = {
    "normalize": lambda X, norm, axis: normalize(X, norm, axis=axis, return_norm=True),
    "norms": lambda X, norm, axis: norms(X, norm, axis=axis),
    "L2Normalizer": lambda X, norm, axis: (
        L2Normalizer(norm, axis=axis).fit(X).transform(X)
    ),
}


@given(cases(), norm_names, axes, st.sampled_from(list(DEFAULT_CALLS)))
def test_copy_true_leaves_the_input_unchanged(case, norm, axis, call):
    with built(case) as (X, owner):
        before = snapshot(owner)
        DEFAULT_CALLS[call](X, norm, axis)
        assert snapshot(owner) == before


@given(cases(), axes)
def test_copy_false_overwrites_only_the_documented_inputs(case, axis):
    assume(not read_only_kept(case))
    with built(case) as (X, owner):
        before = snapshot(owner)
        Y = normalize(X, axis=axis, copy=False)
        if in_place_case(case):
            assert_array_equal(as_array(X), as_array(Y))
            data = (lambda A: A.data) if case.is_sparse else (lambda A: A)
            assert data(X).size == 0 or np.shares_memory(data(X), data(Y))
        else:
            assert snapshot(owner) == before


@given(cases(layouts=("strided", "reversed")), axes)
def test_copy_false_writes_nothing_outside_the_input(case, axis):
    with built(case) as (X, parent):
        outside = np.ones(parent.shape, dtype=bool)
        VIEWS[case.layout](outside)[...] = False
        before = parent[outside].tobytes()
        normalize(X, axis=axis, copy=False)
        assert parent[outside].tobytes() == before


read_only_floats = st.one_of(
    cases(layouts=("read-only",), values=matrices(FLOATS)),
    cases(layouts=KEPT_FORMATS, values=matrices(FLOATS[1:])),
)


@given(read_only_floats)
def test_copy_false_on_read_only_input_gives_a_copy(case):
    case.read_only = True
    with built(case) as (X, _):
        before = X.copy()
        result = normalize(X, copy=False)
        assert result is not X
        assert_array_equal(to_dense(X), to_dense(before))


empty_shapes = st.one_of(
    st.tuples(st.just(0), st.integers(0, 5)), st.tuples(st.integers(1, 5), st.just(0))
)


@given(
    cases(
        layouts=tuple(layout for layout in DENSE_LAYOUTS if layout != "memmap")
        + SPARSE_FORMATS,
        values=matrices(FLOATS[1:] + NON_FLOATS, shape=empty_shapes),
    ),
    st.sampled_from(["normalize", "norms", "L2Normalizer"]),
)
def test_matrices_without_rows_or_columns_are_rejected(case, call):
    # Documented in the catalogue of bad inputs (docs/bad_inputs.csv).
    functions = {
        "normalize": normalize,
        "norms": norms,
        "L2Normalizer": lambda X: L2Normalizer().fit(X),
    }
    with built(case) as (X, _), pytest.raises(ValueError) as caught:
        functions[call](X)
    # A list without rows is a 1-D array to NumPy.
    assert re.search(r"0 sample|0 feature|Expected 2D array", str(caught.value))


# --- norms ------------------------------------------------------------------


@given(cases(), norm_names, axes)
def test_norms_match_reference(case, norm, axis):
    expected = reference_norms(dense_values(case), NORMS[norm], axis)
    with built(case) as (X, _):
        result = norms(X, norm, axis=axis)
    assert result.dtype == np.float64
    assert_norms_match(result, expected, case.dtype.type)


@given(cases(), norm_names, axes)
def test_returned_norms_match_reference(case, norm, axis):
    expected = reference_norms(dense_values(case), NORMS[norm], axis)
    with built(case) as (X, _):
        _, returned = normalize(X, norm, axis=axis, return_norm=True)
    assert returned.dtype == np.float64
    assert_norms_match(returned, expected, case.dtype.type)


# --- L2Normalizer -----------------------------------------------------------


@given(cases(), norm_names, axes, scalings())
def test_estimator_matches_reference(case, norm, axis, scaling):
    eps, max_norm = scaling
    expected = reference_normalize(dense_values(case), NORMS[norm], axis, eps, max_norm)
    with built(case) as (X, _):
        est = L2Normalizer(norm, axis=axis, eps=eps, max_norm=max_norm)
        Y = est.fit(X).transform(X)
    assert_matches_reference(Y, expected, output_dtype(case), max_norm)


@given(cases(), norm_names)
def test_estimator_learns_the_reference_feature_norms(case, norm):
    expected = reference_norms(dense_values(case), NORMS[norm], axis=0)
    with built(case) as (X, _):
        est = L2Normalizer(norm, axis=0).fit(X)
    assert_norms_match(est.norms_, expected, case.dtype.type)


@given(cases(), norm_names, axes)
def test_estimator_copy_false_matches_normalize(case, norm, axis):
    assume(not read_only_kept(case))
    with built(case) as (X, _):
        expected = as_array(normalize(X, norm, axis=axis))
    with built(case) as (X, _):
        est = L2Normalizer(norm, axis=axis, copy=False).fit(X)
        Y = est.transform(X)
    assert_matches_reference(Y, expected, output_dtype(case))
