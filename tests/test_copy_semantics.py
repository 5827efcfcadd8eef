"""``copy=False`` does what scikit-learn's ``normalize(copy=False)`` does.

For each container, the same input is given to both: the input must end up
modified by one exactly when it is by the other, and the result must share
memory with the input in the same cases. One deliberate exception: a pandas
DataFrame whose arrays pandas hands out read-only (copy-on-write, the
default from pandas 3) is never written to, where scikit-learn makes the
view writable and normalizes the frame's own memory.
"""

import tracemalloc

import numpy as np
import pytest
from sklearn.preprocessing import normalize as sklearn_normalize

from sklearn_l2 import normalize

pd = pytest.importorskip("pandas")


def _base():
    return np.array([[3.0, 4.0], [1.0, 0.0], [0.5, 0.5]])


def _memmap(tmp_path, name):
    mm = np.memmap(tmp_path / name, dtype=np.float64, mode="w+", shape=(3, 2))
    mm[...] = _base()
    return mm


CONTAINERS = {
    "float64": lambda tmp, name: _base(),
    "float32": lambda tmp, name: _base().astype(np.float32),
    "float16": lambda tmp, name: _base().astype(np.float16),
    "fortran": lambda tmp, name: np.asfortranarray(_base()),
    "strided view": lambda tmp, name: np.repeat(_base(), 2, axis=1)[:, ::2],
    "memmap": _memmap,
    "read-only": lambda tmp, name: np.frombuffer(_base().tobytes()).reshape(3, 2),
    "DataFrame": lambda tmp, name: pd.DataFrame(_base(), columns=["a", "b"]),
}


def _values(X):
    return np.asarray(X, dtype=np.float64).copy()


def _shares(result, X):
    data = X.to_numpy() if isinstance(X, pd.DataFrame) else X
    return np.shares_memory(np.asarray(result), np.asarray(data))


@pytest.mark.parametrize("name", CONTAINERS)
@pytest.mark.parametrize("axis", [0, 1])
def test_copy_false_matches_scikit_learn(tmp_path, name, axis):
    ours_in = CONTAINERS[name](tmp_path, "ours.f64")
    theirs_in = CONTAINERS[name](tmp_path, "theirs.f64")
    before = _values(ours_in)
    ours = normalize(ours_in, axis=axis, copy=False)
    theirs = sklearn_normalize(theirs_in, axis=axis, copy=False)
    ours_changed = not np.array_equal(_values(ours_in), before)
    theirs_changed = not np.array_equal(_values(theirs_in), before)
    if name == "DataFrame" and not ours_in.to_numpy().flags.writeable:
        assert not ours_changed and not _shares(ours, ours_in)
    else:
        assert ours_changed == theirs_changed
        assert _shares(ours, ours_in) == _shares(theirs, theirs_in)
    np.testing.assert_allclose(
        np.asarray(ours, dtype=np.float64),
        np.asarray(theirs, dtype=np.float64),
        rtol=1e-3 if name == "float16" else 1e-6,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_rows_need_no_memory_per_row(dtype):
    # Rows of 8 floats are 32 bytes: a float64 array per row (norms or their
    # parts, asked for by nobody) would cost as much memory as the data.
    X = np.random.default_rng(0).standard_normal((100_000, 8)).astype(dtype)
    tracemalloc.start()
    try:
        normalize(X, copy=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 20
