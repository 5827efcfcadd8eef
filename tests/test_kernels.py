"""The guarantees of the compiled kernels, tested through the public API.

Exact: l1 and l2 norms are faithfully rounded (less than one unit in the last
place from the exact value) for every finite input; other norms are within
four units. Deterministic: a vector's result depends only on its values, not
on the container, the thread count, ``return_norm`` or the batches of
``partial_fit``. Nothing lost: infinity raises before anything is written.
"""

import math
import os
import subprocess
import sys
import threading
from decimal import Decimal, localcontext

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_l2 import L2Normalizer, normalize, norms
from tests._testing import assert_faithful, containers, to_dense, ulp_error


def awkward(rng, shape, dtype):
    """Random entries with zeros, missing values and a zero vector each way."""
    X = rng.standard_normal(shape) * np.exp(rng.uniform(-5, 5, shape))
    X[rng.random(shape) < 0.2] = 0.0
    X[rng.random(shape) < 0.05] = np.nan
    X[1, :] = 0.0
    X[:, 1] = 0.0
    return X.astype(dtype)


def vectors(X, axis):
    X = to_dense(X).astype(np.float64)
    return X if axis == 1 else X.T


def bits(a):
    a = to_dense(a)
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


@pytest.mark.parametrize("container", ["dense", "fortran", "csr", "csc"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("axis", [0, 1])
def test_l1_l2_norms_are_faithful(rng, container, dtype, p, axis):
    X = awkward(rng, (40, 23), dtype)
    got = norms(containers(X)[container], norm=f"l{p}", axis=axis)
    assert_faithful(got, vectors(X, axis), p)


MAGNITUDES = [5e-324, 1e-310, 1e-200, 1e-160, 1e-20, 1.0, 1e20, 1e154, 1e200, 1e307]


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("axis", [0, 1])
def test_norms_are_faithful_from_subnormal_to_the_largest_float(rng, p, axis):
    X = rng.standard_normal((len(MAGNITUDES) ** 2, 6))
    pairs = [(a, b) for a in MAGNITUDES for b in MAGNITUDES]
    X[:, :3] *= np.array([a for a, _ in pairs])[:, None]
    X[:, 3:] *= np.array([b for _, b in pairs])[:, None]
    X[-1] = np.finfo(np.float64).max  # a norm beyond the float64 range
    X = X if axis == 1 else np.ascontiguousarray(X.T)
    for container in containers(X).values():
        assert_faithful(norms(container, norm=f"l{p}", axis=axis), vectors(X, axis), p)


# The bound of docs/user_guide/exactness.rst, in units in the last place:
# half a unit for the rounding of the result, plus u/4 relative for the
# rounded squares of float64 entries (float32 squares and l1 terms are
# exact), plus a term of the order of (n/8)^2 u^2, far below 1e-6 here.
BOUND = {
    (1, np.float32): 0.5,
    (1, np.float64): 0.5,
    (2, np.float32): 0.5,
    (2, np.float64): 0.75,
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [1, 2])
def test_norms_are_within_the_documented_bound(rng, dtype, p):
    X = (
        rng.standard_normal((400, 50)) * np.exp(rng.uniform(-20, 20, (400, 1)))
    ).astype(dtype)
    found = norms(X, norm=f"l{p}")
    worst = max(ulp_error(v, x, p) for v, x in zip(found, X, strict=True))
    assert worst <= BOUND[p, dtype] + 1e-6


def _split_squares(v):
    """Exact float64 squares of float64 ``v`` as high and low parts."""
    c = 134217729.0 * v
    high = c - (c - v)
    low = v - high
    h = v * v
    return h, ((high * high - h) + 2.0 * high * low) + low * low


def _is_faithful_long(value, v):
    """Faithful rounding of the l2 norm of a long vector (``math.fsum``)."""
    from fractions import Fraction

    v = v.astype(np.float64)
    terms = np.concatenate(_split_squares(v))
    high = math.fsum(terms)
    low = math.fsum(np.append(terms, -high))
    s = Fraction(high) + Fraction(low)
    below = Fraction(float(np.nextafter(value, 0.0)))
    above = Fraction(float(np.nextafter(value, np.inf)))
    return below**2 < s < above**2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_ten_million_entry_row_is_faithful(dtype):
    v = np.random.default_rng(1).standard_normal(10**7).astype(dtype)
    (got,) = norms(v[None, :])
    assert _is_faithful_long(got, v)


def test_a_two_million_wide_float32_csc_row_is_faithful():
    rng = np.random.default_rng(2)
    v = rng.standard_normal(2 * 10**6).astype(np.float32)
    X = sp.csc_matrix(np.vstack([v, np.zeros_like(v)]))
    got = norms(X)
    assert _is_faithful_long(got[0], v) and got[1] == 0.0


def _exact_p_norm(v, p):
    """The p-norm of ``v`` to 60 digits."""
    values = [Decimal(float(a)) for a in np.abs(v) if a > 0]
    if not values:
        return 0.0
    with localcontext() as ctx:
        ctx.prec = 60
        m = max(values)
        total = sum((a / m) ** Decimal(p) for a in values)
        return float(m * total ** (Decimal(1) / Decimal(p)))


@pytest.mark.parametrize("p", [1.5, 3, 7.25, 2000, 1e6])
def test_other_norms_are_within_four_units(rng, p):
    X = rng.standard_normal((30, 9)) * np.exp(rng.uniform(-30, 30, (30, 1)))
    X[3] *= 1e-300
    X[4] *= 1e290
    got = norms(X, norm=p)
    ref = np.array([_exact_p_norm(v, p) for v in X])
    assert np.all(np.abs(got - ref) <= 4 * np.spacing(ref))


def test_a_large_p_normalizes_every_row():
    X = normalize([[1.0, 1.0], [3.0, 4.0]], norm=2000)
    assert_array_equal(X[1] > 0, [True, True])
    ref = np.array([_exact_p_norm(v, 2000) for v in X])
    assert np.all(np.abs(ref - 1) < 4e-15)


def test_a_p_above_1075_keeps_the_norm():
    (got,) = norms([[3.0, 4.0]], norm=1100)
    assert abs(got - _exact_p_norm(np.array([3.0, 4.0]), 1100)) <= 4 * np.spacing(4.0)


def test_a_column_of_zeros_then_a_tiny_value_keeps_its_norm():
    X = np.zeros((1000, 1000))
    X[-1] = 1e-200
    assert_array_equal(norms(X, axis=0), np.full(1000, 1e-200))
    Y = normalize(X, axis=0)
    assert_array_equal(Y[-1], np.ones(1000))


def test_partial_fit_of_zeros_then_a_tiny_value_keeps_its_norm():
    scaler = L2Normalizer(axis=0).partial_fit([[0.0]]).partial_fit([[1e-200]])
    assert_array_equal(scaler.norms_, [1e-200])
    assert_array_equal(scaler.transform([[1e-200]]), [[1.0]])


def test_duplicated_missing_value_is_counted_once():
    data = np.array([np.nan, np.nan, 1.0])
    X = sp.csr_matrix((data, [0, 0, 0], [0, 2, 3]), shape=(2, 1))
    assert not X.has_canonical_format
    assert_array_equal(L2Normalizer(axis=0).fit(X).n_samples_seen_, [1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm", ["l1", "l2", "max", 3])
@pytest.mark.parametrize("axis", [0, 1])
def test_containers_give_identical_bits(rng, dtype, norm, axis):
    X = awkward(rng, (60, 37), dtype)
    results = {
        name: normalize(container, norm=norm, axis=axis, return_norm=True)
        for name, container in containers(X).items()
    }
    dense_result, dense_norms = results.pop("dense")
    for name, (result, found) in results.items():
        assert_array_equal(bits(result), bits(dense_result), err_msg=name)
        assert_array_equal(found.view(np.uint64), dense_norms.view(np.uint64))


@pytest.mark.parametrize("norm", ["l2", 3])
@pytest.mark.parametrize("axis", [0, 1])
def test_containers_give_identical_bits_on_many_vectors(axis, norm):
    # Enough minor vectors (CSC rows, CSR columns) and entries for the work
    # to be split between threads and into several passes; with p = 3 every
    # vector takes the careful path.
    rng = np.random.default_rng(4)
    X = awkward(rng, (70_000, 64), np.float64)
    if axis == 0:
        X = X.reshape(64, -1)
    results = {
        name: normalize(container, norm=norm, axis=axis, return_norm=True)
        for name, container in containers(X).items()
    }
    dense_result, dense_norms = results.pop("dense")
    for name, (result, found) in results.items():
        assert_array_equal(bits(result), bits(dense_result), err_msg=name)
        assert_array_equal(found.view(np.uint64), dense_norms.view(np.uint64))


@pytest.mark.parametrize("axis", [0, 1])
def test_return_norm_and_norms_agree_with_normalize(rng, axis):
    X = awkward(rng, (50, 40), np.float32)
    result, found = normalize(X, axis=axis, return_norm=True)
    assert_array_equal(bits(result), bits(normalize(X, axis=axis)))
    assert_array_equal(found, norms(X, axis=axis))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
def test_one_and_several_threads_give_identical_bits(dtype, axis, fmt):
    # Large enough for the kernels to split the work over threads.
    rng = np.random.default_rng(3)
    X = awkward(rng, (70_000, 64), dtype)
    X = containers(X)[fmt]
    with threadpool_limits(limits=1, user_api="openmp"):
        serial = normalize(X, axis=axis, return_norm=True)
    parallel = normalize(X, axis=axis, return_norm=True)
    assert_array_equal(bits(parallel[0]), bits(serial[0]))
    assert_array_equal(parallel[1], serial[1])


def test_partial_fit_batches_in_any_order_give_identical_bits(rng):
    X = awkward(rng, (300, 20), np.float64)
    whole = L2Normalizer(axis=0).fit(X)
    batches = np.array_split(X, 7)
    forward, backward = L2Normalizer(axis=0), L2Normalizer(axis=0)
    for batch in batches:
        forward.partial_fit(batch)
    for batch in batches[::-1]:
        backward.partial_fit(batch)
    assert_array_equal(forward.norms_, whole.norms_)
    assert_array_equal(backward.norms_, whole.norms_)
    assert_array_equal(bits(forward.transform(X)), bits(whole.transform(X)))


def _one_row_batches(X, p, order):
    scaler = L2Normalizer(norm=p, axis=0)
    for i in order:
        scaler.partial_fit(X[i : i + 1])
    return scaler.norms_


@pytest.mark.parametrize("p", [3, 1.5, 7.25])
def test_one_row_batches_of_other_p_are_within_four_units(rng, p):
    X = rng.standard_normal((2000, 3)) * np.exp(rng.uniform(-3, 3, (2000, 1)))
    found = _one_row_batches(X, p, range(len(X)))
    ref = np.array([_exact_p_norm(column, p) for column in X.T])
    assert np.all(np.abs(found - ref) <= 4 * np.spacing(ref))


@pytest.mark.parametrize("p", [3, 1.5, 2])
def test_batches_of_other_p_in_reverse_order_give_identical_bits(rng, p):
    X = rng.standard_normal((2000, 3)) * np.exp(rng.uniform(-3, 3, (2000, 1)))
    forward = _one_row_batches(X, p, range(len(X)))
    backward = _one_row_batches(X, p, reversed(range(len(X))))
    assert_array_equal(forward.view(np.uint64), backward.view(np.uint64))


@pytest.mark.parametrize("fmt", ["dense", "fortran", "csr", "csc"])
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("norm", ["l2", "l1", 3, "max"])
@pytest.mark.parametrize("shape", [(30, 20), (4, 1000)])  # short and long rows
def test_infinity_raises_before_anything_is_written(rng, fmt, axis, norm, shape):
    X = rng.standard_normal(shape)
    X[-1, -1] = np.inf  # the last entry read, whatever the order
    X = containers(X)[fmt]
    before = to_dense(X).copy()
    with pytest.raises(ValueError, match="infinity"):
        normalize(X, norm=norm, axis=axis, copy=False)
    assert_array_equal(to_dense(X), before)


@pytest.mark.parametrize("fmt", ["dense", "fortran", "csr", "csc"])
@pytest.mark.parametrize("axis", [0, 1])
def test_copy_true_leaves_the_input_alone(rng, fmt, axis):
    X = containers(awkward(rng, (30, 20), np.float64))[fmt]
    before = to_dense(X).copy()
    normalize(X, axis=axis)
    assert_array_equal(bits(X), bits(before))


def test_concurrent_calls_leave_thread_limits_as_they_were():
    before = [(lib["internal_api"], lib["num_threads"]) for lib in threadpool_info()]
    X = np.random.default_rng(4).standard_normal((70_000, 64))
    errors = []

    def work():
        try:
            for _ in range(3):
                normalize(X)
                normalize(X, axis=0)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    after = [(lib["internal_api"], lib["num_threads"]) for lib in threadpool_info()]
    assert after == before


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("copy", [True, False])
def test_a_sparse_matrix_without_stored_values(fmt, copy):
    X = sp.csr_matrix((3, 4)).asformat(fmt)
    result, found = normalize(X, copy=copy, return_norm=True)
    assert result.nnz == 0 and result.format == fmt
    assert_array_equal(found, np.zeros(3))


@pytest.mark.parametrize("norm, p", [("l1", 1), ("l2", 2)])
def test_norms_next_to_a_rounding_tie_are_faithful(norm, p):
    # The exact sum lies just above the tie between 1 and the next double.
    row = np.array([1.0, 2.0**-53, 2.0**-110]) ** (1.0 / p)
    assert_faithful(norms(row[None, :], norm=norm), [row], p)


@pytest.mark.parametrize("dtype, advice", [(np.float64, False), (np.float32, True)])
def test_duplicates_that_overflow_say_what_to_do(dtype, advice):
    big = np.finfo(dtype).max
    X = sp.csr_matrix(
        (np.array([big, big], dtype=dtype), np.array([0, 0]), np.array([0, 2])),
        shape=(1, 2),
    )
    with pytest.raises(ValueError, match="duplicate entries") as error:
        normalize(X)
    assert ("convert it to float64" in str(error.value)) == advice


def test_duplicates_that_overflow_leave_the_input_alone():
    big = np.finfo(np.float64).max
    X = sp.csr_matrix(
        (np.array([big, big, 1.0]), np.array([0, 0, 1]), np.array([0, 3])),
        shape=(1, 2),
    )
    with pytest.raises(ValueError, match="duplicate entries"):
        normalize(X, copy=False)
    assert X.nnz == 3
    assert_array_equal(X.data, [big, big, 1.0])


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("copy", [True, False])
def test_sparse_arrays_that_are_strided_views(fmt, copy):
    data = np.arange(1.0, 13.0)[::2]
    X = sp.csr_matrix((data, np.arange(6) % 3, np.array([0, 3, 6])), shape=(2, 3))
    X = (
        X
        if fmt == "csr"
        else sp.csc_matrix(
            (data, np.arange(6) % 2, np.array([0, 2, 4, 6])), shape=(2, 3)
        )
    )
    assert not X.data.flags.c_contiguous
    expected = normalize(X.copy())
    result = normalize(X, copy=copy)
    assert_array_equal(to_dense(result), to_dense(expected))
    assert_array_equal(norms(X, axis=0), norms(X.copy(), axis=0))
    if not copy:
        assert result is X


_ALL_OUTPUTS = """
import sys
import numpy as np
import scipy.sparse as sp
from sklearn_l2 import normalize
X = np.load(sys.argv[1])
outputs = []
for dtype in (np.float32, np.float64):
    Y = X.astype(dtype)
    if dtype == np.float64:  # extremes past float32's range
        Y[4] *= 1e280
        Y[5] *= 1e-280
    for container in (Y, np.asfortranarray(Y), sp.csr_matrix(Y), sp.csc_matrix(Y)):
        for norm in ("l2", "l1", 3, "max"):
            for axis in (0, 1):
                result, found = normalize(container, norm, axis=axis, return_norm=True)
                result = result.toarray() if sp.issparse(result) else result
                outputs += [result.astype(np.float64).ravel(), found]
np.save(sys.argv[2], np.concatenate(outputs))
from sklearn_l2 import _kernels
print(_kernels.ISA)
"""


def _outputs(tmp_path, data, cpu):
    env = {key: value for key, value in os.environ.items() if key != "SKLEARN_L2_CPU"}
    if cpu:
        env["SKLEARN_L2_CPU"] = cpu
    out = tmp_path / f"{cpu or 'best'}.npy"
    command = [sys.executable, "-c", _ALL_OUTPUTS, data, out]
    run = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return np.load(out), run.stdout.strip()


@pytest.mark.parametrize("cpu", ["baseline", "avx2"])
def test_instruction_sets_give_identical_bits(tmp_path, cpu):
    """SKLEARN_L2_CPU lowers the instruction set (baseline: plain x86-64);
    every one gives the bits of the best one of this CPU."""
    data = tmp_path / "X.npy"
    X = awkward(np.random.default_rng(5), (70, 37), np.float64)
    X[2] *= 1e30
    X[3] *= 1e-38
    np.save(data, X)
    best, best_isa = _outputs(tmp_path, data, None)
    lowered, lowered_isa = _outputs(tmp_path, data, cpu)
    assert lowered_isa == cpu or lowered_isa == best_isa == "baseline"
    assert_array_equal(lowered.view(np.uint64), best.view(np.uint64))


def test_unknown_instruction_set_is_refused():
    env = dict(os.environ, SKLEARN_L2_CPU="sse9")
    command = [sys.executable, "-c", "import sklearn_l2; sklearn_l2.normalize([[1.0]])"]
    run = subprocess.run(command, env=env, capture_output=True, text=True)
    assert run.returncode != 0
    assert "SKLEARN_L2_CPU='sse9' is not one of baseline, avx2, avx512" in run.stderr
