"""The blocked, threaded fast paths against a plain exact reference.

The block-size constants are shrunk with monkeypatch so that small inputs
span many blocks, an uneven last block, several threads and chunked long
rows; the reference is a ``math.fsum`` over power-of-two-scaled entries.
"""

import math
import threading
import time
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from sklearn_l2 import (
    L2Normalizer,
    _dense,
    _parallel,
    _segments,
    _sparse,
    normalize,
    norms,
)

TOLERANCE = {np.float32: 4e-6, np.float64: 4e-15}


def exact_norm(vector):
    """Norm of a 1-D vector, correctly rounded up to a final rounding."""
    values = [abs(float(v)) for v in vector if not math.isnan(float(v))]
    largest = max(values, default=0.0)
    if largest == 0.0:
        return 0.0
    e = math.frexp(largest)[1]
    total = math.fsum(math.ldexp(v, -e) ** 2 for v in values)
    return math.ldexp(math.sqrt(total), e)


def exact_row_norms(X):
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    return np.array([exact_norm(row) for row in X.astype(np.float64)])


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 96 entries, threads from 1000 entries, 3 threads."""
    monkeypatch.setattr(_dense, "BLOCK_ENTRIES", 96)
    monkeypatch.setattr(_dense, "PARALLEL_MIN_ENTRIES", 1000)
    monkeypatch.setattr(_sparse, "BLOCK_ENTRIES", 96)
    monkeypatch.setattr(_sparse, "PARALLEL_MIN_ENTRIES", 1000)
    monkeypatch.setattr(_sparse, "MINOR_TASK_ENTRIES", 500)
    monkeypatch.setattr(_segments, "LONG_CHUNK", 40)
    monkeypatch.setattr(_parallel, "thread_budget", lambda: 3)


def awkward_matrix(n_rows, n_features, dtype, seed=0):
    """Normal rows mixed with huge, tiny, zero and NaN rows in every block."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_features)).astype(dtype)
    info = np.finfo(dtype)
    X[3::17] *= dtype(info.max / (8 * n_features))  # sum of squares overflows
    X[5::19] *= dtype(info.tiny * 4)  # sum of squares underflows
    X[7::23, ::3] = np.nan
    X[11::13] = 0.0  # zero rows, some of them at block edges
    X[[0, -1]] = 0.0
    return X


def check_rows(X, Y, dtype):
    """Every non-zero row of ``Y`` has unit norm; directions and zeros kept."""
    X = X.toarray() if sp.issparse(X) else X
    Y = Y.toarray() if sp.issparse(Y) else Y
    assert Y.dtype == dtype
    norms_in = exact_row_norms(X)
    norms_out = exact_row_norms(Y)
    nonzero = norms_in > 0
    error = np.abs(norms_out[nonzero] - 1.0)
    assert error.max(initial=0.0) <= TOLERANCE[dtype]
    assert np.all(Y[~nonzero][~np.isnan(Y[~nonzero])] == 0)
    np.testing.assert_array_equal(np.isnan(Y), np.isnan(X))
    finite = ~np.isnan(X)
    assert np.all(np.sign(Y[finite]) == np.sign(X[finite]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_features", [1, 7, 8, 33, 64, 95])
@pytest.mark.parametrize("order", ["C", "F"])
def test_dense_blocks_and_threads(small_blocks, dtype, n_features, order):
    # 301 rows: many blocks and an uneven last one; 33 and 95 features are
    # padded to whole groups of squares, 7 and 8 fit in one group.
    X = np.asarray(awkward_matrix(301, n_features, dtype), order=order)
    Y, norms = normalize(X, return_norm=True)
    check_rows(X, Y, dtype)
    np.testing.assert_allclose(norms, exact_row_norms(X), rtol=TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_in_place(small_blocks, dtype):
    X = awkward_matrix(200, 12, dtype)
    original = X.copy()
    Y = normalize(X, copy=False)
    assert Y is X
    check_rows(original, Y, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kwargs", [{"eps": 0.5}, {"max_norm": 2.0}, {"norm": "l1"}, {"norm": "max"}]
)
def test_dense_other_modes_match_unblocked(small_blocks, monkeypatch, dtype, kwargs):
    X = awkward_matrix(150, 10, dtype)
    Y = normalize(X, **kwargs)
    monkeypatch.setattr(_dense, "BLOCK_ENTRIES", 10**9)
    expected = normalize(X, **kwargs)
    np.testing.assert_allclose(Y, expected, rtol=TOLERANCE[dtype], equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_long_rows_are_chunked(small_blocks, dtype):
    # 250 features > 96 entries per block: every row is cut into chunks of 40
    # (uneven last chunk), over several threads.
    X = awkward_matrix(40, 250, dtype)
    X[1, :5] = np.finfo(dtype).max / 8  # overflow inside one chunk only
    X[2] = np.finfo(dtype).smallest_subnormal
    Y, norms = normalize(X, return_norm=True)
    check_rows(X, Y, dtype)
    np.testing.assert_allclose(norms, exact_row_norms(X), rtol=TOLERANCE[dtype])


def test_long_float64_row_is_summed_accurately():
    # One float64 row of 2**21 entries, unpatched: chunked pairwise sums.
    # A large first entry followed by many small ones is where sequential
    # summation loses the most.
    rng = np.random.default_rng(3)
    row = rng.random(2**21) + 0.5
    row[0] = 3e4
    Y = normalize(row[None, :])
    assert abs(exact_norm(Y[0]) - 1.0) <= TOLERANCE[np.float64]


@pytest.mark.parametrize("n_features", [17, 1000, 100_000])
def test_float32_group_sums_stay_within_their_bound(n_features):
    # float32 squares are added in float32 groups of 16: the norm must stay
    # within 8 float32 rounding units, plus one for the final scaling. Equal
    # entries make every rounding of a group sum go the same way.
    rng = np.random.default_rng(4)
    X = np.stack(
        [
            np.full(n_features, 0.1, dtype=np.float32),
            rng.random(n_features, dtype=np.float32) + 0.5,
        ]
    )
    Y = normalize(X)
    errors = [abs(exact_norm(y) - 1.0) for y in Y]
    assert max(errors) <= 9 * 2.0**-24


@pytest.mark.parametrize("value", [1e-44, 1e-30, 3e18, 3e38])
def test_float32_extremes_with_norms_returned(value):
    # Returning norms forms float64 squares: the reciprocal of their root
    # must still be a normal float32 for the fast path to use it.
    X = np.full((3, 2), value, dtype=np.float32)
    Y, returned = normalize(X, return_norm=True)
    check_rows(X, Y, np.float32)
    np.testing.assert_allclose(returned, exact_row_norms(X), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_only_unsafe_rows_take_the_careful_path(monkeypatch, dtype):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((50, 8)).astype(dtype)
    X[[3, 40]] = 0.0
    X[7] *= np.finfo(dtype).max / 4
    segments = []
    careful = _dense.segment_scaling

    def spy(values, starts, *args, **kwargs):
        segments.append(starts.shape[0])
        return careful(values, starts, *args, **kwargs)

    monkeypatch.setattr(_dense, "segment_scaling", spy)
    Y = normalize(X)
    assert segments == [3]
    check_rows(X, Y, dtype)


def with_infinity(dtype, n_features=12):
    """Awkward rows, with one -inf in the last block and a NaN before it."""
    X = awkward_matrix(200, n_features, dtype)
    X[-3, 1] = -np.inf
    return X


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm", ["l2", "l1", "max", 3])
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("copy", [True, False])
def test_kernels_reject_infinity_and_leave_input_alone(
    small_blocks, dtype, norm, axis, copy
):
    # Validation leaves infinity in dense data to the kernels; in place or
    # not, the error comes before anything of the input is written.
    X = with_infinity(dtype)
    original = X.copy()
    with pytest.raises(ValueError, match="Input contains infinity"):
        normalize(X, norm=norm, axis=axis, copy=copy)
    np.testing.assert_array_equal(X, original)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("copy", [True, False])
def test_sparse_kernels_reject_infinity_and_leave_input_alone(
    small_blocks, fmt, axis, copy
):
    X = sparse_awkward(fmt, np.float64)
    X.data[-5] = np.inf
    original = X.copy()
    with pytest.raises(ValueError, match="Input contains infinity"):
        normalize(X, axis=axis, copy=copy)
    np.testing.assert_array_equal(X.data, original.data)


def test_infinite_duplicates_are_not_summed_into_a_missing_value():
    X = sp.csr_matrix(
        (np.array([np.inf, -np.inf, 1.0]), np.array([0, 0, 1]), np.array([0, 3])),
        shape=(1, 2),
    )
    with pytest.raises(ValueError, match="Input contains infinity"):
        normalize(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_infinity_search_tells_overflow_and_nan_from_infinity(small_blocks, dtype):
    X = awkward_matrix(200, 12, dtype)  # NaN, and blocks whose sum overflows
    X[:, 0] = np.finfo(dtype).max
    assert not _dense.contains_infinity(X)
    X[-1, -1] = -np.inf
    assert _dense.contains_infinity(X)


@pytest.mark.parametrize("axis", [0, 1])
def test_norms_reject_infinity(small_blocks, axis):
    with pytest.raises(ValueError, match="Input contains infinity"):
        norms(with_infinity(np.float64), axis=axis)


@pytest.mark.parametrize("copy", [True, False])
def test_long_rows_reject_infinity_and_leave_input_alone(small_blocks, copy):
    X = with_infinity(np.float32, n_features=250)
    original = X.copy()
    with pytest.raises(ValueError, match="Input contains infinity"):
        normalize(X, copy=copy)
    np.testing.assert_array_equal(X, original)


@pytest.mark.parametrize("axis", [0, 1])
def test_estimator_rejects_infinity_in_fit_and_transform(small_blocks, axis):
    X = with_infinity(np.float64)
    clean = awkward_matrix(200, 12, np.float64)
    with pytest.raises(ValueError, match="contains infinity"):
        L2Normalizer(axis=axis).fit(X)
    with pytest.raises(ValueError, match="contains infinity"):
        L2Normalizer(axis=axis).fit(clean).transform(X)


def sparse_awkward(fmt, dtype, seed=0):
    rng = np.random.default_rng(seed)
    n_rows, n_cols = 120, 400
    counts = rng.integers(0, 40, n_rows)
    counts[[0, 1, 50, -1]] = 0  # empty rows, at the edges too
    counts[60] = 300  # one row longer than a block
    indptr = np.concatenate(([0], np.cumsum(counts)))
    indices = np.concatenate(
        [np.sort(rng.choice(n_cols, c, replace=False)) for c in counts]
    ).astype(np.int32)
    data = rng.standard_normal(indptr[-1]).astype(dtype)
    data[::29] = 0.0  # explicit zeros stay stored
    X = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols))
    info = np.finfo(dtype)
    scale = np.ones(n_rows, dtype=dtype)
    scale[3::11] = info.max / 64
    scale[4::13] = info.tiny * 4
    X = sp.csr_matrix(sp.diags(scale) @ X)
    X.sort_indices()
    X.data[X.indptr[7] : X.indptr[7] + 2] = np.nan
    return X.asformat(fmt)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_blocks_and_threads(small_blocks, fmt, dtype):
    X = sparse_awkward(fmt, dtype)
    Y, norms = normalize(X, return_norm=True)
    assert Y.format == fmt
    np.testing.assert_array_equal(Y.indices, X.indices)
    np.testing.assert_array_equal(Y.indptr, X.indptr)
    check_rows(X, Y, dtype)
    np.testing.assert_allclose(norms, exact_row_norms(X), rtol=TOLERANCE[dtype])
    assert not np.shares_memory(Y.data, X.data)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_in_place(small_blocks, fmt):
    X = sparse_awkward(fmt, np.float64)
    original = X.copy()
    Y = normalize(X, copy=False)
    assert Y is X
    check_rows(original, Y, np.float64)


def test_csc_float32_rows_with_many_entries_skip_the_recompute(monkeypatch):
    # float32 squares summed in float64 need no exact recompute, however many.
    calls = []
    real = _sparse._minor_careful_parts
    monkeypatch.setattr(
        _sparse,
        "_minor_careful_parts",
        lambda *a: calls.append(1) or real(*a),
    )
    rng = np.random.default_rng(0)
    X = sp.csc_matrix(rng.standard_normal((20, 500)).astype(np.float32))
    Y = normalize(X)
    assert not calls
    check_rows(X, Y, np.float32)
    normalize(X.astype(np.float64))
    assert calls  # float64 rows of 500 entries are recomputed


def test_run_tasks_uses_several_threads_and_propagates_errors():
    seen = set()

    def task(i):
        seen.add(threading.get_ident())
        time.sleep(0.01)

    _parallel.run_tasks(task, 12, n_threads=3)
    assert len(seen) > 1

    def failing(i):
        if i == 5:
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        _parallel.run_tasks(failing, 12, n_threads=3)


def test_nested_run_tasks_is_serial_and_finishes():
    inner_budgets = []

    def outer(i):
        inner_budgets.append(_parallel.thread_budget())
        _parallel.run_tasks(lambda j: None, 4, n_threads=3)

    _parallel.run_tasks(outer, 6, n_threads=3)
    assert inner_budgets == [1] * 6


def test_thread_budget_follows_threadpool_limits(monkeypatch):
    monkeypatch.setattr(_parallel, "MAX_THREADS", None)
    with threadpool_limits(1, user_api="blas"):
        assert _parallel.thread_budget() == 1
    monkeypatch.setattr(_parallel, "MAX_THREADS", 1)
    assert _parallel.thread_budget() == 1


def test_numpy_errstate_reaches_worker_threads():
    def task(i):
        np.square(np.array([1e200]))  # overflow would warn (an error here)

    with np.errstate(over="ignore"):
        _parallel.run_tasks(task, 6, n_threads=3)


def peak_extra_bytes(fn):
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_memory_is_a_few_blocks(dtype):
    # 32 MB of data normalized in place: no temporary of the input's size.
    X = np.random.default_rng(0).standard_normal((2**18, 16)).astype(dtype)
    peak = peak_extra_bytes(lambda: normalize(X, copy=False))
    assert peak < X.nbytes / 4


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_long_sparse_vector_memory_is_a_few_chunks(monkeypatch, fmt):
    # CSC: a row of a CSC matrix is spread over the minor-axis chunks.
    monkeypatch.setattr(_sparse, "MINOR_TASK_ENTRIES", 2**16)
    n = 2**22
    X = sp.csr_matrix(
        (np.ones(n), np.arange(n, dtype=np.int32), np.array([0, n])), shape=(1, n)
    ).asformat(fmt)
    peak = peak_extra_bytes(lambda: normalize(X, copy=False))
    assert peak < X.data.nbytes / 2  # a few 2 MiB blocks per thread
    assert abs(exact_norm(X.data) - 1.0) <= TOLERANCE[np.float64]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axis0_fast_column_sums(small_blocks, dtype):
    # Columns: normal, huge, tiny (their squares underflow), zero, with NaN.
    rng = np.random.default_rng(4)
    X = rng.standard_normal((257, 9)).astype(dtype)
    info = np.finfo(dtype)
    X[:, 1] *= dtype(info.max / 1e3)
    X[:, 2] *= dtype(info.tiny * 4)
    X[:, 3] = 0.0
    X[5, 4] = np.nan
    X[:, 5] = info.smallest_subnormal
    Y = normalize(X, axis=0)
    norms_out = exact_row_norms(Y.T)
    assert np.all(np.abs(norms_out[[0, 1, 2, 4, 5, 6, 7, 8]] - 1) <= TOLERANCE[dtype])
    assert np.all(Y[:, 3] == 0)
