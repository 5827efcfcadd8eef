"""Normalize inputs larger than memory, and measure the peak memory it takes.

Two runs, each on files mapped in memory (``numpy.memmap``) in ``--dir``:

* **sparse**: a CSR matrix with int64 indices and more than 2**31 stored
  float32 values (default 2**31 + 2**24; about 26 GB on disk: 4-byte values
  plus 8-byte indices), whose norms are computed (``norms``) and which is then
  normalized in place (``normalize(X, copy=False)``);
* **dense**: a float64 array on disk larger than half the machine's memory
  (default 13 GB), normalized into a second memmap (``out[rows] =
  normalize(X[rows])`` over row blocks) and then in place
  (``normalize(X, copy=False)``, the whole array in one call).

For every call the script records the wall time, the peak of memory
allocated by NumPy and Python (``tracemalloc``), and the peak of the
process's anonymous resident memory (``RssAnon``, sampled every 10 ms; pages
of the mapped files are file-backed and not counted there). It checks the
results (rows against the exact reference of ``tests/_testing.py``, and
every row's norm after normalization), asserts that the extra memory stays
bounded, deletes the files, and writes ``bench_big.json``.

Needs disk space for the files, not memory::

    python benchmarks/bench_big.py                 # ~10-15 min, ~26 GB of disk
    python benchmarks/bench_big.py --quick         # seconds, small sizes
"""

import argparse
import json
import os
import platform
import shutil
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn_l2 import normalize, norms  # noqa: E402
from tests._testing import reference_norms  # noqa: E402

MiB = 2**20
GB = 1e9
# Values generated and written at once.
WRITE_CHUNK = 1 << 25


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class PeakMemory:
    """Peak tracemalloc memory and peak RssAnon growth during a block."""

    def __enter__(self):
        self._stop = threading.Event()
        self.rss_anon_start = _status_kib("RssAnon") * 1024
        self.rss_anon_peak = self.rss_anon_start
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        tracemalloc.start()
        self._sampler.start()
        self._t0 = time.perf_counter()
        return self

    def _sample(self):
        while not self._stop.wait(0.01):
            self.rss_anon_peak = max(self.rss_anon_peak, _status_kib("RssAnon") * 1024)

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._t0
        self._stop.set()
        self._sampler.join()
        self.rss_anon_peak = max(self.rss_anon_peak, _status_kib("RssAnon") * 1024)
        self.traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    def record(self, name, input_bytes, limit_bytes):
        extra_rss = self.rss_anon_peak - self.rss_anon_start
        row = {
            "case": name,
            "seconds": round(self.seconds, 2),
            "input_gb": round(input_bytes / GB, 3),
            "peak_traced_mib": round(self.traced_peak / MiB, 1),
            "peak_rss_anon_growth_mib": round(extra_rss / MiB, 1),
            "limit_mib": round(limit_bytes / MiB, 1),
        }
        print(
            f"{name}: {self.seconds:.1f} s for {input_bytes / GB:.2f} GB; "
            f"peak allocated {self.traced_peak / MiB:.1f} MiB, peak RssAnon "
            f"growth {extra_rss / MiB:.1f} MiB (limit {limit_bytes / MiB:.0f} MiB)",
            flush=True,
        )
        assert self.traced_peak <= limit_bytes, row
        assert extra_rss <= limit_bytes, row
        return row


def _row_values(rng, n):
    """Normal float32 values, all scaled by one random power of ten."""
    values = rng.standard_normal(n, dtype=np.float32)
    scale = np.float32(10.0) ** rng.integers(-30, 31)
    return values * scale


def _check_rows(originals, normalized, p, rtol):
    """Sampled rows, before and after, against the exact reference."""
    for i, before in originals.items():
        after = normalized[i]
        expected_norm = reference_norms(before[None, :], p)[0]
        assert expected_norm > 0
        np.testing.assert_allclose(after, before / expected_norm, rtol=rtol)


def run_sparse(directory, n_stored, per_row, n_cols, seed):
    """CSR with int64 indices and ``n_stored`` float32 values, memory-mapped."""
    n_rows = -(-n_stored // per_row)
    n_stored = n_rows * per_row
    indptr = np.arange(0, n_stored + 1, per_row, dtype=np.int64)
    data = np.memmap(
        directory / "data.f32", dtype=np.float32, mode="w+", shape=(n_stored,)
    )
    indices = np.memmap(
        directory / "indices.i64", dtype=np.int64, mode="w+", shape=(n_stored,)
    )
    rng = np.random.default_rng(seed)
    stride = n_cols // per_row
    pattern = np.arange(per_row, dtype=np.int64) * stride
    rows_per_chunk = max(1, WRITE_CHUNK // per_row)
    t0 = time.perf_counter()
    for first in range(0, n_rows, rows_per_chunk):
        last = min(first + rows_per_chunk, n_rows)
        lo, hi = first * per_row, last * per_row
        # Each chunk of rows gets its own magnitude, 1e-30 to 1e30.
        data[lo:hi] = _row_values(rng, hi - lo)
        # Row r stores columns r % stride, r % stride + stride, ...: sorted.
        shifts = np.arange(first, last, dtype=np.int64) % stride
        indices[lo:hi] = (pattern[None, :] + shifts[:, None]).ravel()
    data.flush()
    indices.flush()
    written = time.perf_counter() - t0
    input_bytes = data.nbytes + indices.nbytes + indptr.nbytes
    print(
        f"sparse: {n_rows} x {n_cols} CSR, {n_stored} stored values "
        f"({n_stored / 2**31:.3f} x 2**31), float32 data, int64 indices: "
        f"{input_bytes / GB:.1f} GB written in {written:.0f} s",
        flush=True,
    )
    # Assigned, not passed to the constructor, so that SciPy does not scan
    # the 2**31 indices to choose their dtype: the arrays stay memory-mapped.
    X = sp.csr_matrix((n_rows, n_cols), dtype=np.float32)
    X.data, X.indices, X.indptr = data, indices, indptr
    sample = np.unique(np.r_[0, n_rows - 1, rng.integers(0, n_rows, 20)])
    originals = {i: np.array(data[indptr[i] : indptr[i + 1]]) for i in sample}
    # norms and in-place normalization hold O(n_rows) float64 results plus
    # one block of squares per thread.
    limit = 64 * n_rows + 256 * MiB
    results = {
        "n_rows": n_rows,
        "n_cols": n_cols,
        "n_stored": n_stored,
        "index_dtype": str(X.indices.dtype),
        "write_seconds": round(written, 1),
    }
    with PeakMemory() as peak:
        row_norms = norms(X)
    results["norms"] = peak.record("sparse norms", input_bytes, limit)
    for i in sample:
        expected = reference_norms(originals[i][None, :], 2)[0]
        np.testing.assert_allclose(row_norms[i], expected, rtol=4e-15)
    with PeakMemory() as peak:
        Y = normalize(X, copy=False)
    results["normalize_in_place"] = peak.record(
        "sparse normalize copy=False", input_bytes, limit
    )
    assert Y is X
    normalized = {i: np.array(data[indptr[i] : indptr[i + 1]]) for i in sample}
    _check_rows(originals, normalized, 2, rtol=4e-6)
    _check_unit_norms(X, results, "sparse", 4e-6)
    del X, Y, data, indices
    return results


def _check_unit_norms(X, results, label, tolerance):
    """Every row of normalized ``X`` has norm 1 within ``tolerance``."""
    error = float(np.max(np.abs(norms(X) - 1.0)))
    results["max_norm_error_after"] = error
    assert error <= tolerance, error
    print(f"{label}: every row has norm 1 within {error:.1e}", flush=True)


def run_dense(directory, n_bytes, n_cols, seed):
    """A float64 memmap of ``n_bytes``, normalized into a copy and in place."""
    n_rows = -(-n_bytes // (8 * n_cols))
    shape = (n_rows, n_cols)
    X = np.memmap(directory / "X.f64", dtype=np.float64, mode="w+", shape=shape)
    rng = np.random.default_rng(seed)
    rows_per_chunk = max(1, WRITE_CHUNK // n_cols)
    t0 = time.perf_counter()
    for first in range(0, n_rows, rows_per_chunk):
        last = min(first + rows_per_chunk, n_rows)
        block = rng.standard_normal((last - first, n_cols))
        block *= 10.0 ** rng.integers(-300, 301, (last - first, 1))
        X[first:last] = block
    X.flush()
    written = time.perf_counter() - t0
    print(
        f"dense: {n_rows} x {n_cols} float64 memmap, {X.nbytes / GB:.1f} GB "
        f"written in {written:.0f} s",
        flush=True,
    )
    sample = np.unique(np.r_[0, n_rows - 1, rng.integers(0, n_rows, 20)])
    originals = {i: np.array(X[i]) for i in sample}
    results = {"n_rows": n_rows, "n_cols": n_cols, "write_seconds": round(written, 1)}

    out = np.memmap(directory / "out.f64", dtype=np.float64, mode="w+", shape=shape)
    block_rows = max(1, (256 * MiB) // (8 * n_cols))
    with PeakMemory() as peak:
        for first in range(0, n_rows, block_rows):
            rows = slice(first, first + block_rows)
            out[rows] = normalize(X[rows])
        out.flush()
    # One normalized block (the copy) and its norms, plus the kernels' blocks.
    limit = 2 * block_rows * n_cols * 8 + 256 * MiB
    results["normalize_into_memmap"] = peak.record(
        "dense normalize into another memmap (256 MiB row blocks)", X.nbytes, limit
    )
    _check_rows(originals, {i: np.array(out[i]) for i in sample}, 2, 4e-15)
    del out
    (directory / "out.f64").unlink()

    with PeakMemory() as peak:
        Y = normalize(X, copy=False)
        X.flush()
    limit = 64 * n_rows + 256 * MiB
    results["normalize_in_place"] = peak.record(
        "dense normalize copy=False", X.nbytes, limit
    )
    assert np.shares_memory(Y, X)
    _check_rows(originals, {i: np.array(X[i]) for i in sample}, 2, 4e-15)
    _check_unit_norms(X, results, "dense", 4e-15)
    del X, Y
    return results


def _machine():
    with open("/proc/meminfo") as f:
        total = int(f.readline().split()[1]) * 1024  # MemTotal, in kB
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "memory_gb": round(total / GB, 1),
        "cpus": len(os.sched_getaffinity(0)),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/sklearn-l2-big"))
    parser.add_argument("--sparse-stored", type=int, default=2**31 + 2**24)
    parser.add_argument("--dense-gb", type=float, default=13.0)
    parser.add_argument("--only", choices=["sparse", "dense"])
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    if args.quick:
        args.sparse_stored, args.dense_gb = 2**22, 0.05
    args.dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.dir).free
    print(f"files in {args.dir} ({free / GB:.0f} GB free)", flush=True)
    results = {"machine": _machine()}
    try:
        if args.only in (None, "sparse"):
            results["sparse"] = run_sparse(
                args.dir, args.sparse_stored, per_row=1024, n_cols=4096, seed=0
            )
            for name in ("data.f32", "indices.i64"):
                (args.dir / name).unlink()
        if args.only in (None, "dense"):
            results["dense"] = run_dense(
                args.dir, int(args.dense_gb * GB), n_cols=512, seed=1
            )
    finally:
        shutil.rmtree(args.dir, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "bench_big.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
