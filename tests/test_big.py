"""Sparse input past 2**31 stored values or 2**31 columns, faked cheaply.

A real matrix with more than 2**31 stored values needs tens of GB (see
``benchmarks/bench_big.py`` for that run), and validating it would read all
of them. Here the compiled kernels themselves get the rows that lie *past*
2**31 stored values: their ``data`` and ``indices`` are files mapped in
memory whose first 2**31 entries are a hole (no disk, no memory), and their
``indptr`` holds int64 offsets beyond 2**31, as the last rows of such a
matrix would.
"""

from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from sklearn_l2 import _kernels, normalize, norms
from tests._testing import reference_normalize, reference_norms

# Stored values before the rows under test: past the int32 range.
OFFSET = 2**31 + 12_345
ROW_LENGTHS = [3, 0, 5, 1, 200_000, 7]
P_NORMS = [2, 1, np.inf, 3]


def _far_rows(path, rng):
    """CSR-like rows whose stored values start at ``OFFSET``.

    Returns the rows (for the kernels) and their values as a dense matrix.
    """
    lengths = np.array(ROW_LENGTHS)
    n_cols = lengths.max()
    indptr = OFFSET + np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    size = (int(indptr[-1]),)
    data = np.memmap(path, dtype=np.float64, mode="w+", shape=size)
    indices = np.memmap(path.with_suffix(".i64"), dtype=np.int64, mode="w+", shape=size)
    dense = np.zeros((lengths.size, n_cols))
    for i, n in enumerate(lengths):
        values = rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300)
        data[indptr[i] : indptr[i + 1]] = values
        indices[indptr[i] : indptr[i + 1]] = np.arange(n)
        dense[i, :n] = values
    rows = SimpleNamespace(
        format="csr",
        indptr=indptr,
        indices=indices,
        data=data,
        shape=(lengths.size, n_cols),
    )
    return rows, dense


def _arrays(rows):
    """The kernels' view of the rows: values, positions, bounds, widths."""
    return (rows.data, rows.indices, rows.indptr, 0, len(ROW_LENGTHS), rows.shape[1])


@pytest.fixture
def far_rows(tmp_path, rng):
    rows, dense = _far_rows(tmp_path / "data.f64", rng)
    yield rows, dense
    del rows.data, rows.indices  # unmap before tmp_path is removed


def test_offsets_are_past_the_int32_range(far_rows):
    rows, _ = far_rows
    assert rows.indptr.dtype == np.int64
    assert rows.indptr[0] > np.iinfo(np.int32).max


@pytest.mark.parametrize("p", P_NORMS)
def test_rows_past_2_31_stored_values_are_normalized(far_rows, tmp_path, p):
    rows, dense = far_rows
    out = np.memmap(
        tmp_path / "out.f64", dtype=np.float64, mode="w+", shape=rows.data.shape
    )
    _kernels._major(_arrays(rows), p, out=out, threads=2)
    result = np.zeros_like(dense)
    for i, n in enumerate(ROW_LENGTHS):
        result[i, :n] = out[rows.indptr[i] : rows.indptr[i + 1]]
    assert_allclose(result, reference_normalize(dense, p), rtol=4e-15, atol=0)


@pytest.mark.parametrize("p", P_NORMS)
def test_norms_of_rows_past_2_31_stored_values(far_rows, p):
    rows, dense = far_rows
    found = _kernels._major(_arrays(rows), p, wanted="norms", threads=2)
    assert_allclose(found, reference_norms(dense, p), rtol=4e-15)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_indices_past_the_int32_range(fmt):
    n_minor = 2**33
    minor = np.array([0, 2**31 + 1, n_minor - 1], dtype=np.int64)
    values = np.array([3.0, 4.0, 12.0])
    indptr = np.array([0, 3], dtype=np.int64)
    shape = (1, n_minor) if fmt == "csr" else (n_minor, 1)
    X = getattr(sp, f"{fmt}_matrix")((values, minor, indptr), shape=shape)
    axis = 1 if fmt == "csr" else 0
    assert X.indices.dtype == np.int64
    assert_allclose(norms(X, axis=axis), [13.0])
    assert_allclose(normalize(X, axis=axis).data, values / 13.0, rtol=1e-15)
