"""Normalize a dataset larger than memory, from disk to disk, with Dask.

The dataset is written as a zarr store of float32 rows, then every row is
scaled to unit L2 norm by ``L2Normalizer`` on a Dask array read from that
store, and the result is written to a second store. Dask streams row blocks
through the NumPy kernels, so the memory used depends on the block size and
the number of threads, not on the size of the data. The peak resident memory
of the process (``ru_maxrss``) is printed at the end.

Run it small (the default: 1e6 x 64 float32, 256 MB)::

    python examples/out_of_core.py

or larger than the machine's memory, e.g. 1e8 x 64 float32 (25.6 GB, twice
that on disk for input and output)::

    python examples/out_of_core.py --rows 100_000_000 --dir /big/disk/tmp

Needs ``pip install "sklearn-l2[dask]" zarr``.
"""

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import dask
import dask.array as da
import numpy as np
import zarr
from dask.diagnostics import ProgressBar

from sklearn_l2 import L2Normalizer


def peak_rss_gb():
    """Peak resident memory of this process so far, in GB (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def empty_store(path, shape, chunk_rows):
    # Uncompressed: random floats do not compress, and the two CPU cores are
    # better spent normalizing.
    return zarr.create_array(
        store=str(path),
        shape=shape,
        chunks=(chunk_rows, shape[1]),
        dtype="float32",
        compressors=None,
        overwrite=True,
    )


def write_dataset(path, rows, cols, chunk_rows, seed):
    """Random float32 rows, some of them huge (their squares overflow float32)."""
    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, cols), chunks=(chunk_rows, cols), dtype=np.float32)
    # Every 1000th row is scaled to ~1e30: its sum of squares overflows
    # float32, which scikit-learn's normalize would turn into a row of zeros.
    huge = (da.arange(rows, chunks=chunk_rows) % 1000 == 0)[:, None]
    X = da.where(huge, X * np.float32(1e30), X)
    da.store(X, empty_store(path, (rows, cols), chunk_rows), lock=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=64)
    parser.add_argument("--chunk-rows", type=int, default=200_000)
    parser.add_argument("--dir", default=None, help="where to write the stores")
    parser.add_argument("--keep", action="store_true", help="keep the stores")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="sklearn_l2_ooc_", dir=args.dir))
    source, target = workdir / "X.zarr", workdir / "X_normalized.zarr"
    size_gb = args.rows * args.cols * 4 / 1e9
    print(f"{args.rows} x {args.cols} float32 = {size_gb:.1f} GB in {workdir}")
    dask.config.set(scheduler="threads")
    try:
        start = time.perf_counter()
        with ProgressBar(dt=1):
            write_dataset(source, args.rows, args.cols, args.chunk_rows, seed=0)
        written = time.perf_counter() - start
        print(f"written in {written:.0f} s; peak memory {peak_rss_gb():.2f} GB")

        start = time.perf_counter()
        X = da.from_zarr(str(source))
        X_normalized = L2Normalizer().fit(X).transform(X)  # lazy: nothing read
        with ProgressBar(dt=1):
            da.store(
                X_normalized,
                empty_store(target, X.shape, args.chunk_rows),
                lock=False,
            )
        elapsed = time.perf_counter() - start
        print(
            f"normalized to disk in {elapsed:.0f} s "
            f"({2 * size_gb / elapsed:.2f} GB/s read + written); "
            f"peak memory {peak_rss_gb():.2f} GB"
        )

        # Check a sample of blocks, huge rows included.
        result = zarr.open_array(str(target), mode="r")
        step = max(1, args.rows // 10)
        sample = np.concatenate(
            [result[i : i + 1000] for i in range(0, args.rows, step)]
        ).astype(np.float64)
        row_norms = np.sqrt(np.einsum("ij,ij->i", sample, sample))
        error = np.max(np.abs(row_norms - 1))
        print(f"{len(sample)} sampled rows: max |norm - 1| = {error:.1e}")
        assert error < 4e-6, error
    finally:
        if not args.keep:
            shutil.rmtree(workdir)
    return peak_rss_gb()


if __name__ == "__main__":
    main()
