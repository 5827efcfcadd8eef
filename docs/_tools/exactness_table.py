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
    """``(description, dtype name, container name, X)`` for every case."""
    f32, f64 = np.float32, np.float64
    dense = [
        ("1000 ordinary rows of 20 entries ~1", f64, _random_rows(1000, 20, 1, f64)),
        ("the row [1e155, 1]", f64, np.array([[1e155, 1.0]])),
        ("rows of 20 entries ~1e200", f64, _random_rows(100, 20, 1e200, f64)),
        ("the row [1.5e308, 1.5e308]", f64, np.array([[1.5e308, 1.5e308]])),
        ("rows of 20 entries ~1e-16", f64, _random_rows(100, 20, 1e-16, f64)),
        ("rows of 20 entries ~1e-160", f64, _random_rows(100, 20, 1e-160, f64)),
        (
            "rows of 20 subnormal entries ~1e-315",
            f64,
            _random_rows(100, 20, 1e-315, f64),
        ),
        ("1000 ordinary rows of 20 entries ~1", f32, _random_rows(1000, 20, 1, f32)),
        ("the row [1e20, 1e20]", f32, np.array([[1e20, 1e20]], dtype=f32)),
        ("rows of 20 entries ~1e-7", f32, _random_rows(100, 20, 1e-7, f32)),
        ("the row [3e-23, 4e-23]", f32, np.array([[3e-23, 4e-23]], dtype=f32)),
        ("one row of 10⁷ entries in [0.5, 1)", f32, _random_rows(1, 10**7, 1, f32)),
    ]
    for description, dtype, X in dense:
        yield description, np.dtype(dtype).name, "dense", X
    sparse = [
        ("the row [1e155, 1]", np.array([[1e155, 1.0]])),
        ("the row [3e-23, 4e-23]", np.array([[3e-23, 4e-23]], dtype=f32)),
        ("rows of 20 entries ~1e-160", _random_rows(100, 20, 1e-160, f64)),
        ("one row of 10⁷ entries in [0.5, 1)", _random_rows(1, 10**7, 1, f32)),
    ]
    for description, X in sparse:
        yield description, X.dtype.name, "CSR", sp.csr_matrix(X)


def worst_error(Y):
    """``(largest |‖y‖₂ - 1| over the rows, number of rows that became 0)``."""
    Y = Y.toarray() if sp.issparse(Y) else np.asarray(Y)
    worst, zeros = 0.0, 0
    for row in Y.astype(np.float64):
        norm = math.sqrt(math.fsum(np.square(row)))
        zeros += norm == 0.0
        worst = max(worst, abs(norm - 1.0)) if math.isfinite(norm) else math.inf
    return worst, zeros


def measure():
    """One result dict per case."""
    results = []
    for description, dtype, container, X in cases():
        row = {"input": description, "dtype": dtype, "container": container}
        for name, function in (
            ("sklearn", sklearn_normalize),
            ("sklearn_l2", sklearn_l2.normalize),
        ):
            row[name] = worst_error(function(X.copy()))
        results.append(row)
    return results


def _cell(error, zeros):
    text = "0" if error == 0 else f"{error:.1e}"
    if zeros:
        text += " (rows became 0)"
    return text


def markdown():
    """The comparison as a MyST markdown table, with the versions used."""
    lines = [
        "| input | dtype | container | scikit-learn `normalize` | "
        "`sklearn_l2.normalize` |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in measure():
        lines.append(
            f"| {r['input']} | {r['dtype']} | {r['container']} | "
            f"{_cell(*r['sklearn'])} | {_cell(*r['sklearn_l2'])} |"
        )
    lines.append("")
    lines.append(
        f"Measured when these pages were built, with sklearn_l2 "
        f"{sklearn_l2.__version__}, scikit-learn {sklearn.__version__} and "
        f"NumPy {np.__version__}. Each cell is the largest "
        "|‖y‖₂ - 1| over the output rows y, computed in float64 with "
        "`math.fsum`; 1.0 means a row came back as zeros or was not "
        "normalized at all. For scale, half a unit in the last place is "
        f"{np.finfo(np.float64).eps / 2:.1e} in float64 and "
        f"{np.finfo(np.float32).eps / 2:.1e} in float32: an output rounded to "
        "its dtype cannot do much better than that."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown())
