"""Measure sklearn_l2.normalize against sklearn.preprocessing.normalize.

For each case, both functions normalize the same rows and the table reports
the worst deviation of an output row's L2 norm from 1, computed exactly in
float64 (``math.fsum`` of the squared entries). The docs build runs this and
includes the table; run it yourself with::

    python docs/_tools/exactness_table.py
"""

import math

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.preprocessing import normalize as sklearn_normalize

import sklearn_l2


def _random_rows(n_rows, n_features, scale, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.5, 1.0, size=(n_rows, n_features)) * scale
    X *= rng.choice([-1.0, 1.0], size=X.shape)
    return X.astype(dtype)


def cases():
    """``(description, X)`` for every case."""
    f32, f64 = np.float32, np.float64
    return [
        ("float64, 1000 rows of 20 entries ~1", _random_rows(1000, 20, 1, f64)),
        ("float64, the row `[1e155, 1]`", np.array([[1e155, 1.0]])),
        ("float64, 100 rows of 20 entries ~1e200", _random_rows(100, 20, 1e200, f64)),
        ("float64, the row `[1.5e308, 1.5e308]`", np.array([[1.5e308, 1.5e308]])),
        ("float64, 100 rows of 20 entries ~1e-16", _random_rows(100, 20, 1e-16, f64)),
        ("float64, 100 rows of 20 entries ~1e-160", _random_rows(100, 20, 1e-160, f64)),
        (
            "float64, 100 rows of 20 subnormal entries ~1e-315",
            _random_rows(100, 20, 1e-315, f64),
        ),
        ("float32, 1000 rows of 20 entries ~1", _random_rows(1000, 20, 1, f32)),
        ("float32, the row `[1e20, 1e20]`", np.array([[1e20, 1e20]], dtype=f32)),
        ("float32, 100 rows of 20 entries ~1e-7", _random_rows(100, 20, 1e-7, f32)),
        ("float32, the row `[3e-23, 4e-23]`", np.array([[3e-23, 4e-23]], dtype=f32)),
        ("float32, one row of 10⁷ entries ~1", _random_rows(1, 10**7, 1, f32)),
        ("float64 CSR, the row `[1e155, 1]`", sp.csr_matrix([[1e155, 1.0]])),
        (
            "float32 CSR, the row `[3e-23, 4e-23]`",
            sp.csr_matrix(np.array([[3e-23, 4e-23]], dtype=f32)),
        ),
        (
            "float64 CSR, 100 rows of 20 entries ~1e-160",
            sp.csr_matrix(_random_rows(100, 20, 1e-160, f64)),
        ),
        (
            "float32 CSR, one row of 10⁷ entries ~1",
            sp.csr_matrix(_random_rows(1, 10**7, 1, f32)),
        ),
    ]


def _dense(Y):
    return Y.toarray() if sp.issparse(Y) else np.asarray(Y)


def worst_error(X, Y):
    """Largest ``|‖y‖₂ - 1|`` over the output rows, and what went wrong.

    The second item is ``"zeros"`` if a non-zero input row came back as zeros,
    ``"unchanged"`` if one came back as it went in, else ``""``.
    """
    X, Y = _dense(X), _dense(Y)
    worst, problem = 0.0, ""
    for x, y in zip(X, Y.astype(np.float64), strict=True):
        norm = math.sqrt(math.fsum(np.square(y)))
        worst = max(worst, abs(norm - 1.0)) if math.isfinite(norm) else math.inf
        if norm == 0.0 and np.any(x != 0):
            problem = "zeros"
        elif not problem and abs(norm - 1.0) > 0.5 and np.array_equal(x, y):
            problem = "unchanged"
    return worst, problem


def measure():
    """One result dict per case."""
    results = []
    for description, X in cases():
        row = {"input": description, "dtype": X.dtype.name}
        for name, function in (
            ("sklearn", sklearn_normalize),
            ("sklearn_l2", sklearn_l2.normalize),
        ):
            row[name] = worst_error(X, function(X.copy()))
        results.append(row)
    return results


# The package's guarantee (tests/test_exactness.py): bold cells exceed it.
TOLERANCE = {"float32": 4e-6, "float64": 4e-15}


def _cell(error, problem, dtype):
    text = "0" if error == 0 else f"{error:.1e}"
    if problem:
        text += f", {problem}"
    return f"**{text}**" if error > TOLERANCE[dtype] else text


def markdown():
    """The comparison as a MyST markdown table, with the versions used."""
    lines = [
        "| input | scikit-learn `normalize` | `sklearn_l2.normalize` |",
        "| --- | --- | --- |",
    ]
    for r in measure():
        lines.append(
            f"| {r['input']} | {_cell(*r['sklearn'], r['dtype'])} "
            f"| {_cell(*r['sklearn_l2'], r['dtype'])} |"
        )
    lines.append("")
    lines.append(
        f"Measured when these pages were built, with sklearn_l2 "
        f"{sklearn_l2.__version__}, scikit-learn {sklearn.__version__} and "
        f"NumPy {np.__version__}. Each cell is the largest |‖y‖₂ - 1| over the "
        "output rows y, computed in float64 with `math.fsum`; *zeros* means "
        "that a non-zero row came back as zeros, *unchanged* that a row was "
        "returned without being normalized. Bold cells exceed this package's "
        "guarantee (4e-15 in float64, 4e-6 in float32). For scale, half a unit in the "
        f"last place is {np.finfo(np.float64).eps / 2:.1e} in float64 and "
        f"{np.finfo(np.float32).eps / 2:.1e} in float32: an output rounded to "
        "its dtype cannot do much better than that."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown())
