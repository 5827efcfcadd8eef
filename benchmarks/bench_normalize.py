"""Time sklearn_l2 against scikit-learn, the memory floor and faiss.

One command, one process: every case is timed side by side, so the ratios are
comparable even on a busy machine. Prints a table of medians and ratios,
writes ``bench_normalize.json``, ``bench_normalize.md`` (the README's table)
and ``bench_normalize.png`` to ``--out``.

    python benchmarks/bench_normalize.py            # full sizes (a few minutes)
    python benchmarks/bench_normalize.py --quick    # small sizes (seconds)
    python benchmarks/bench_normalize.py --from-json FILE  # table, plot of FILE

Ratios: ``vs sklearn`` is scikit-learn's time over ours (above 1: we are
faster); ``vs floor`` is our time over the case's floor: ``X.copy()`` (fresh
memory, as any normalized copy needs) for the copy cases, ``X *= 1`` on two
threads for the in-place ones. ``np.copyto`` into a preallocated array is
shown beside them. ``vs plain`` is our time over that of our own loops
built with plain sums instead of compensated ones, and without the scan for
infinity (``benchmarks/plain_kernel.c``, built with the system C
compiler): what exactness costs. Throughput counts one read and one write
of the input's bytes. Peak extra memory is tracemalloc's peak during one
call, which sees NumPy's and SciPy's allocations. ``OMP_WAIT_POLICY`` is
``passive`` unless set: no OpenMP runtime spins after its call.
"""

import os

# No OpenMP runtime may keep its threads spinning after a call and take a
# core from the method timed next (faiss brings a libgomp of its own): set
# before any of them is loaded.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import argparse
import ctypes
import gc
import json
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.preprocessing import Normalizer
from sklearn.preprocessing import normalize as sk_normalize

import sklearn_l2
import sklearn_l2._kernels
from sklearn_l2 import L2Normalizer
from sklearn_l2 import normalize as l2_normalize

try:
    import faiss
except ImportError:  # optional
    faiss = None

FULL = {
    "narrow": (2_000_000, 64),
    "wide": (20_000, 10_000),
    "tall": (10_000_000, 8),
    "sparse": (1_000_000, 100_000, 50),
    "axis0": (2_000_000, 64),
    "small_calls": 2000,
    "repeats": 7,
}
QUICK = {
    "narrow": (20_000, 64),
    "wide": (200, 10_000),
    "tall": (100_000, 8),
    "sparse": (10_000, 10_000, 50),
    "axis0": (20_000, 64),
    "small_calls": 50,
    "repeats": 3,
}


def cpu_model():
    """The CPU's model name (Linux), else what the platform module says."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def plain_kernel():
    """``f(X, out, threads)``: our row loops with plain sums, or None when no
    C compiler is found."""
    compiler = shutil.which(os.environ.get("CC", "cc"))
    if compiler is None:
        return None
    folder = tempfile.mkdtemp()
    library = os.path.join(folder, "plain.so")
    flags = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fopenmp", "-Wno-psabi"]
    source = str(Path(__file__).with_name("plain_kernel.c"))
    subprocess.run(
        [compiler, *flags, "-shared", "-fPIC", source, "-o", library, "-lm"], check=True
    )
    kernel = ctypes.CDLL(library).plain_normalize
    kernel.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int64,
        ctypes.c_int64,
        ctypes.c_int,
    ]

    def normalize_rows(X, out, threads):
        kernel(
            X.ctypes.data,
            out.ctypes.data,
            X.dtype == np.float64,
            X.shape[0],
            X.shape[1],
            threads,
        )
        return out

    return normalize_rows


def median_time(fn, repeats, setup=None):
    """Median wall time of ``fn()`` over ``repeats`` runs (``setup`` untimed)."""
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_extra_bytes(fn):
    """tracemalloc's peak above the baseline during one call of ``fn``."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    result = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    return peak - base


def random_csr(n_rows, n_cols, per_row, rng, dtype=np.float64):
    """CSR with exactly ``per_row`` sorted, distinct columns in every row."""
    cols = np.sort(rng.integers(0, n_cols - per_row, (n_rows, per_row)), axis=1)
    cols += np.arange(per_row)  # strictly increasing: no duplicates
    indptr = np.arange(0, n_rows * per_row + 1, per_row, dtype=np.int64)
    data = rng.standard_normal(n_rows * per_row).astype(dtype)
    X = sp.csr_matrix(
        (data, cols.reshape(-1).astype(np.int32), indptr), shape=(n_rows, n_cols)
    )
    X.has_canonical_format = True
    return X


def warm(nbytes):
    """Touch and free ``nbytes`` of fresh memory.

    On the development VM freed memory goes back to the host, and the next
    large allocation pays for it again, many times over: an allocating
    method is timed right after an equal-sized buffer was warmed.
    """
    buffer = np.ones(nbytes // 8 + 1)
    del buffer


def run_case(name, X, methods, floors, repeats, in_place=False):
    """Time every method and floor on ``X``; return the case's result dict.

    ``floors`` maps names to functions; the first one is the case's floor.
    """
    nbytes = _nbytes(X)
    timed = {
        label: fn for label, fn in [*floors.items(), *methods.items()] if fn is not None
    }
    backup = X.copy() if in_place else None
    samples = {label: [] for label in timed}
    for fn in timed.values():
        fn()  # warm-up (thread pools, caches)
    # Rounds that take every method in turn: a change in the machine's load
    # during the case touches all of them alike.
    for _ in range(repeats):
        for label, fn in timed.items():
            if not in_place:
                warm(nbytes)
            samples[label].append(median_time(fn, 1))
            if in_place:  # every method starts from the same data
                _restore(X, backup)
    times = {label: statistics.median(v) for label, v in samples.items()}
    peaks = {label: peak_extra_bytes(fn) for label, fn in timed.items()}
    del backup
    floor = next(iter(floors))
    row = {
        "case": name,
        "shape": list(X.shape),
        "dtype": str(X.dtype),
        "bytes": nbytes,
        "floor": floor,
        "median_s": times,
        "peak_extra_bytes": peaks,
        "gb_per_s": {k: 2 * nbytes / t / 1e9 for k, t in times.items()},
    }
    ours = times["sklearn_l2"]
    if "sklearn" in times:
        row["speedup_vs_sklearn"] = times["sklearn"] / ours
    if "plain" in times:
        row["vs_plain"] = ours / times["plain"]
    row["vs_floor"] = ours / times[floor]
    if "faiss" in times:
        row["vs_faiss"] = ours / times["faiss"]
    return row


def _restore(X, backup):
    if sp.issparse(X):
        np.copyto(X.data, backup.data)
    else:
        np.copyto(X, backup)


def _copyto_floor(X):
    out = np.empty_like(X)
    return lambda: np.copyto(out, X)


_pool = ThreadPoolExecutor(2)


def _scale_in_place_floor(X):
    """``X *= 1`` split over two threads (NumPy releases the GIL)."""
    data = X.data if sp.issparse(X) else X.reshape(-1)
    halves = [data[: data.size // 2], data[data.size // 2 :]]

    def scale(half):
        half *= 1.0

    return lambda: list(_pool.map(scale, halves))


def _nbytes(X):
    if sp.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def dense_cases(sizes, rng, repeats, plain):
    shapes = {k: sizes[k] for k in ("narrow", "wide", "tall")}
    threads = sklearn_l2._kernels.n_threads(1 << 30)
    for dtype in (np.float32, np.float64):
        for kind, shape in shapes.items():
            X = rng.standard_normal(shape, dtype=dtype)
            sk = Normalizer().fit(X[:2])
            ours = L2Normalizer().fit(X[:2])
            yield run_case(
                f"dense {kind} {np.dtype(dtype).name} copy=True",
                X,
                {
                    "sklearn_l2": lambda X=X, ours=ours: ours.transform(X),
                    "sklearn": lambda X=X, sk=sk: sk.transform(X),
                    "plain": (
                        (lambda X=X: plain(X, np.empty_like(X), threads))
                        if plain
                        else None
                    ),
                },
                {"X.copy()": X.copy, "np.copyto": _copyto_floor(X)},
                repeats,
            )
            use_faiss = faiss is not None and dtype == np.float32
            yield run_case(
                f"dense {kind} {np.dtype(dtype).name} copy=False",
                X,
                {
                    "sklearn_l2": lambda X=X: l2_normalize(X, copy=False),
                    "sklearn": lambda X=X: sk_normalize(X, copy=False),
                    "faiss": (lambda X=X: faiss.normalize_L2(X)) if use_faiss else None,
                    "plain": (lambda X=X: plain(X, X, threads)) if plain else None,
                },
                {"X *= 1": _scale_in_place_floor(X), "np.copyto": _copyto_floor(X)},
                repeats,
                in_place=True,
            )
            del X
            gc.collect()


def sparse_cases(sizes, rng, repeats):
    n_rows, n_cols, per_row = sizes["sparse"]
    X = random_csr(n_rows, n_cols, per_row, rng)
    for fmt in ("csr", "csc"):
        if fmt == "csc":
            X = X.tocsc()
        sk = Normalizer().fit(X[:2])
        ours = L2Normalizer().fit(X[:2])
        yield run_case(
            f"sparse {fmt} float64 copy=True",
            X,
            {
                "sklearn_l2": lambda X=X, ours=ours: ours.transform(X),
                "sklearn": lambda X=X, sk=sk: sk.transform(X),
            },
            {"X.copy()": X.copy},
            repeats,
        )
        yield run_case(
            f"sparse {fmt} float64 copy=False",
            X,
            {
                "sklearn_l2": lambda X=X: l2_normalize(X, copy=False),
                "sklearn": lambda X=X: sk_normalize(X, copy=False),
            },
            {"X *= 1": _scale_in_place_floor(X)},
            repeats,
            in_place=True,
        )
    del X
    gc.collect()


def axis0_case(sizes, rng, repeats):
    X = rng.standard_normal(sizes["axis0"])
    yield run_case(
        "dense axis=0 float64 fit+transform",
        X,
        {
            "sklearn_l2": lambda: L2Normalizer(axis=0).fit_transform(X),
            "sklearn": lambda: sk_normalize(X, axis=0),
        },
        {"X.copy()": X.copy, "np.copyto": _copyto_floor(X)},
        repeats,
    )


def small_cases(sizes, rng):
    """Per-call latency of a fitted transformer, as in a grid search."""
    calls = sizes["small_calls"]
    for shape in ((100, 10), (1000, 50)):
        X = rng.standard_normal(shape)
        ours = L2Normalizer().fit(X)
        sk = Normalizer().fit(X)
        out = np.empty_like(X)
        methods = {
            "np.copyto": lambda X=X, out=out: np.copyto(out, X),
            "sklearn": lambda X=X, sk=sk: sk.transform(X),
            "sklearn_l2": lambda X=X, ours=ours: ours.transform(X),
        }
        per_call = {}
        for label, fn in methods.items():
            for _ in range(20):
                fn()
            # Medians of batches of calls, interleaved between methods.
            per_call[label] = []
        for _ in range(15):
            for label, fn in methods.items():
                start = time.perf_counter()
                for _ in range(calls // 10 or 1):
                    fn()
                per_call[label].append(
                    (time.perf_counter() - start) / (calls // 10 or 1)
                )
        times = {k: statistics.median(v) for k, v in per_call.items()}
        yield {
            "case": f"small {shape[0]}x{shape[1]} float64 transform",
            "shape": list(shape),
            "dtype": "float64",
            "bytes": X.nbytes,
            "median_s": times,
            "peak_extra_bytes": {k: peak_extra_bytes(fn) for k, fn in methods.items()},
            "gb_per_s": {k: 2 * X.nbytes / t / 1e9 for k, t in times.items()},
            "speedup_vs_sklearn": times["sklearn"] / times["sklearn_l2"],
            "floor": "np.copyto",
            "vs_floor": times["sklearn_l2"] / times["np.copyto"],
        }


def format_table(rows):
    head = (
        f"{'case':44} {'ours':>9} {'sklearn':>9} {'floor':>9} {'copyto':>9} "
        f"{'faiss':>8} {'x skl':>6} {'/floor':>6} {'/faiss':>6} {'/plain':>6} "
        f"{'peak MiB':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        t = r["median_s"]
        scale = 1e6 if r["case"].startswith("small") else 1e3
        unit = "us" if scale == 1e6 else "ms"

        def cell(key, width, t=t, scale=scale):
            if key not in t:
                return "-".rjust(width)
            return f"{t[key] * scale:{width}.1f}"

        lines.append(
            f"{r['case'] + ' (' + unit + ')':44} {cell('sklearn_l2', 9)} "
            f"{cell('sklearn', 9)} {cell(r['floor'], 9)} {cell('np.copyto', 9)} "
            f"{cell('faiss', 8)} {r.get('speedup_vs_sklearn', float('nan')):6.2f} "
            f"{r['vs_floor']:6.2f} {r.get('vs_faiss', float('nan')):6.2f} "
            f"{r.get('vs_plain', float('nan')):6.2f} "
            f"{r['peak_extra_bytes']['sklearn_l2'] / 2**20:8.1f}"
        )
    return "\n".join(lines)


def _duration(seconds, small):
    return f"{seconds * 1e6:.1f} µs" if small else f"{seconds * 1e3:.1f} ms"


def markdown_table(rows):
    """The table of the README's Speed section, in Markdown."""
    head = (
        "| case | sklearn_l2 | scikit-learn | floor | `np.copyto` | faiss "
        "| speed-up vs sklearn | time / floor | time / faiss | time / plain "
        "| peak extra MiB (ours) |"
    )
    lines = [head, "| --- |" + " ---: |" * 10]
    for r in rows:
        t, small = r["median_s"], r["case"].startswith("small")

        def cell(key, t=t, small=small):
            return _duration(t[key], small) if key in t else "–"

        ratios = [
            f"{r[key]:.2f}×" if key in r else "–"
            for key in ("speedup_vs_sklearn", "vs_floor", "vs_faiss", "vs_plain")
        ]
        floor = f"{cell(r['floor'])} (`{r['floor']}`)"
        peak = r["peak_extra_bytes"]["sklearn_l2"]
        lines.append(
            f"| {r['case']} | {cell('sklearn_l2')} | {cell('sklearn')} "
            f"| {floor} | {cell('np.copyto')} | {cell('faiss')} "
            f"| {' | '.join(ratios)} | {peak / 2**20:.1f} |"
        )
    return "\n".join(lines) + "\n"


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in rows if not r["case"].startswith("small")]
    labels = [r["case"] for r in rows]
    methods = ["floor", "sklearn_l2", "sklearn", "faiss"]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.5))
    height = 0.8 / len(methods)
    for i, m in enumerate(methods):
        values = [
            r["gb_per_s"].get(r["floor"] if m == "floor" else m, 0.0) for r in rows
        ]
        positions = np.arange(len(rows)) + i * height
        label = "floor (X.copy() or X *= 1)" if m == "floor" else m
        ax.barh(positions, values, height=height, label=label)
    ax.set_yticks(np.arange(len(rows)) + 0.4, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("GB/s (one read + one write of the input)")
    ax.set_title("Normalization throughput against the memory floor")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument(
        "--out", default=str(Path(__file__).parent / "results"), help="output folder"
    )
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument(
        "--from-json",
        metavar="FILE",
        help="time nothing: redo the table, Markdown and plot of an earlier run",
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.from_json:
        rows = json.loads(Path(args.from_json).read_text())["cases"]
        print(format_table(rows))
        write_outputs(rows, out, plot_too=not args.no_plot)
        return
    print(
        f"CPU: {cpu_model()}; kernels: {sklearn_l2._kernels.ISA}; "
        f"threads: {sklearn_l2._kernels.n_threads(1 << 30)}",
        flush=True,
    )
    sizes = QUICK if args.quick else FULL
    repeats = sizes["repeats"]
    rng = np.random.default_rng(0)
    rows = []
    for gen in (
        small_cases(sizes, rng),
        dense_cases(sizes, rng, repeats, plain_kernel()),
        sparse_cases(sizes, rng, repeats),
        axis0_case(sizes, rng, repeats),
    ):
        for row in gen:
            rows.append(row)
            print(format_table([row]).splitlines()[-1], flush=True)
    print()
    print(format_table(rows))
    meta = {
        "cpu": cpu_model(),
        "instruction_set": sklearn_l2._kernels.ISA,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "quick": args.quick,
        "threads": sklearn_l2._kernels.n_threads(1 << 30),
        "machine": platform.platform(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "sklearn_l2": sklearn_l2.__version__,
        "faiss": getattr(faiss, "__version__", None),
    }
    (out / "bench_normalize.json").write_text(
        json.dumps({"meta": meta, "cases": rows}, indent=1)
    )
    write_outputs(rows, out, plot_too=not args.no_plot)


def write_outputs(rows, out, plot_too):
    """The Markdown table (for the README) and the plot, next to the JSON."""
    (out / "bench_normalize.md").write_text(markdown_table(rows), encoding="utf-8")
    if plot_too:
        plot(rows, out / "bench_normalize.png")
    print(f"\nwrote {out / 'bench_normalize.json'} and its table and plot")


if __name__ == "__main__":
    main()
