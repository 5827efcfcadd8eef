"""How far onnxruntime's output of an exported L2Normalizer is from transform.

For every dtype, norm, axis and a few ``eps`` / ``max_norm`` settings, the
estimator is fitted on random data, exported with skl2onnx (after
:func:`sklearn_l2.onnx.register`), run by onnxruntime on the CPU, and its
output compared entry by entry with ``L2Normalizer.transform``. Two data
sets: standard normal draws, and the same rows scaled by ``10**u`` with ``u``
uniform over most of the dtype's exponent range ("wide"). Prints a Markdown
table: the largest absolute difference, and the largest difference in units
in the last place (ulps) of ``transform``'s value, over the nonzero entries.

    pip install "sklearn-l2[onnx]"
    python benchmarks/onnx_accuracy.py                # 10,000 x 64
    python benchmarks/onnx_accuracy.py --rows 1000 --features 16
"""

import argparse

import numpy as np
import onnxruntime
from skl2onnx import to_onnx

from sklearn_l2 import L2Normalizer
from sklearn_l2.onnx import register

CONFIGS = [(norm, axis, {}) for norm in ("l2", "l1", "max", 3) for axis in (1, 0)] + [
    ("l2", axis, params)
    for params in ({"eps": 10.0}, {"max_norm": 0.5})
    for axis in (1, 0)
]
# Exponents of ten the "wide" rows are scaled by, well inside each range.
WIDE = {np.float32: 30, np.float64: 300}


def data(rows, features, dtype, wide, seed):
    """Standard normal draws; rows scaled by ``10**u`` if ``wide``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, features))
    if wide:
        X *= 10.0 ** rng.uniform(-WIDE[dtype], WIDE[dtype], size=(rows, 1))
    return X.astype(dtype)


def run(model, X):
    """The output of ``model`` on ``X`` under onnxruntime's CPU provider."""
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})[0]


def differences(result, expected):
    """Largest absolute difference and largest difference in ulps."""
    nonzero = expected != 0
    gap = np.abs(result.astype(np.float64) - expected)
    spacing = np.spacing(np.abs(expected[nonzero]))
    return gap.max(), (gap[nonzero] / spacing).max(initial=0.0)


def measure(rows, features, seed):
    """One row of results per dtype, data set and configuration."""
    register()
    results = []
    for dtype in (np.float32, np.float64):
        for wide in (False, True):
            X = data(rows, features, dtype, wide, seed)
            for norm, axis, params in CONFIGS:
                est = L2Normalizer(norm, axis=axis, **params).fit(X)
                gap, ulps = differences(run(to_onnx(est, X), X), est.transform(X))
                results.append(
                    {
                        "dtype": np.dtype(dtype).name,
                        "data": "wide" if wide else "normal",
                        "norm": str(norm),
                        "axis": axis,
                        "params": ", ".join(f"{k}={v}" for k, v in params.items()),
                        "max_abs": gap,
                        "max_ulps": ulps,
                    }
                )
    return results


def table(results):
    """The results as a Markdown table."""
    lines = [
        "| dtype | data | norm | axis | params | max abs difference | max ulps |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['dtype']} | {r['data']} | {r['norm']} | {r['axis']} | "
            f"{r['params'] or '-'} | {r['max_abs']:.3g} | {r['max_ulps']:.0f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    results = measure(args.rows, args.features, args.seed)
    print(
        f"{args.rows} x {args.features}, seed {args.seed}, "
        f"onnxruntime {onnxruntime.__version__}\n"
    )
    print(table(results))
    return results


if __name__ == "__main__":
    main()
