"""Dask arrays are normalized lazily, block by block."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from sklearn_l2 import L2Normalizer, normalize, norms

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


class TaskCounter(dask.callbacks.Callback):
    """Counts the tasks Dask's local schedulers run while it is active."""

    def __init__(self):
        super().__init__()
        self.names = []

    @property
    def tasks(self):
        return len(self.names)

    def _posttask(self, key, result, dsk, state, worker_id):
        self.names.append(key[0] if isinstance(key, tuple) else key)


def _data(rng):
    X = rng.normal(size=(300, 6))
    X[0] *= 1e300
    X[1] *= 1e-300
    X[2] = 0.0
    X[3, 4] = np.nan
    return X


@pytest.mark.parametrize("norm", ["l2", "l1", "max", 3])
@pytest.mark.parametrize("axis", [0, 1])
def test_normalize_is_lazy_and_matches_numpy(rng, axis, norm):
    X = _data(rng)
    D = da.from_array(X, chunks=(70, 4))  # columns split: gathered for axis=1
    with TaskCounter() as counter:
        result, result_norms = normalize(D, norm, axis=axis, return_norm=True)
        only_norms = norms(D, norm, axis=axis)
    assert counter.tasks == 0
    assert isinstance(result, da.Array)
    assert isinstance(result_norms, da.Array)
    assert result.dtype == X.dtype
    expected, expected_norms = normalize(X, norm, axis=axis, return_norm=True)
    # Blocks of another size sum in another order: equal to rounding.
    assert_allclose(result.compute(), expected, rtol=4e-15, atol=1e-16)
    assert_allclose(result_norms.compute(), expected_norms, rtol=4e-15)
    assert_allclose(only_norms.compute(), expected_norms, rtol=4e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transform_is_lazy_and_keeps_row_blocks(rng, dtype):
    X = _data(rng).astype(dtype) if dtype == np.float64 else rng.normal(size=(300, 6))
    X = X.astype(dtype)
    D = da.from_array(X, chunks=(50, 6))
    est = L2Normalizer().fit(D)
    with TaskCounter() as counter:
        out = est.transform(D)
    assert counter.tasks == 0
    assert isinstance(out, da.Array)
    assert out.chunks == D.chunks
    assert out.dtype == dtype
    with TaskCounter() as counter:
        computed = out.compute()
    assert counter.tasks > 0
    # float32 squares are summed by BLAS, whose order may depend on how many
    # rows it is given: one Dask block and the whole array may differ in the
    # last bit (float64 results agree to float64 rounding).
    rtol = 2.0**-22 if dtype == np.float32 else 4e-15
    assert_allclose(computed, L2Normalizer().fit_transform(X), rtol=rtol, atol=1e-16)


def test_axis0_fit_is_one_reduction_without_materializing(rng):
    X = _data(rng)
    D = da.from_array(X, chunks=(30, 6))
    est = L2Normalizer(axis=0)
    with TaskCounter() as counter:
        est.fit(D)
    # Only the one reduction ran (its block reads fused into its chunk
    # tasks, then a tree of merges of the tiny per-column results), and it
    # read every block once: no task gathers X.
    ran = {name for name in counter.names if not name.startswith("finalize-")}
    assert all("parts_" in name for name in ran), ran
    assert D.numblocks[0] <= counter.tasks < 3 * D.numblocks[0]
    reference = L2Normalizer(axis=0).fit(X)
    assert_allclose(est.norms_, reference.norms_, rtol=4e-15)
    assert_array_equal(est.n_samples_seen_, reference.n_samples_seen_)
    with TaskCounter() as counter:
        out = est.transform(D)
        restored = est.inverse_transform(out)
    assert counter.tasks == 0
    assert_array_equal(out.compute(), reference.transform(X))
    assert_array_equal(
        restored.compute(), reference.inverse_transform(reference.transform(X))
    )


def test_partial_fit_over_dask_batches(rng):
    X = _data(rng)
    est = L2Normalizer(axis=0)
    for start in range(0, 300, 100):
        est.partial_fit(da.from_array(X[start : start + 100], chunks=(40, 6)))
    assert_allclose(est.norms_, L2Normalizer(axis=0).fit(X).norms_, rtol=4e-15)


def test_infinity_is_an_error_when_computed():
    D = da.from_array(np.array([[1.0, np.inf], [1.0, 2.0]]), chunks=(1, 2))
    out = normalize(D)
    with pytest.raises(ValueError, match="infinity"):
        out.compute()


def test_feature_count_is_checked_lazily(rng):
    est = L2Normalizer().fit(da.from_array(rng.normal(size=(10, 3))))
    with pytest.raises(ValueError, match="features"):
        est.transform(da.from_array(rng.normal(size=(10, 4))))


def test_integer_dask_array_becomes_float64():
    D = da.from_array(np.array([[3, 4], [0, 0]]), chunks=(1, 2))
    out = normalize(D)
    assert out.dtype == np.float64
    assert_allclose(out.compute(), [[0.6, 0.8], [0.0, 0.0]], rtol=4e-16)


def test_lazy_pipeline_step(rng):
    X = rng.normal(size=(200, 5))
    D = da.from_array(X, chunks=(50, 5))
    pipe = make_pipeline(L2Normalizer(norm="l1"), L2Normalizer(axis=0))
    out = pipe.fit(D).transform(D)
    assert isinstance(out, da.Array)
    assert_allclose(out.compute(), pipe.fit(X).transform(X), rtol=1e-15)


def test_grid_search_on_a_dask_cluster():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(L2Normalizer(), KNeighborsClassifier())
    grid = {
        "l2normalizer__norm": ["l1", "l2", "max"],
        "kneighborsclassifier__n_neighbors": [3, 5],
    }
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_config(backend="dask"):
            search = GridSearchCV(pipe, grid, cv=3, n_jobs=-1).fit(X, y)
        ran_on_cluster = sum(
            client.run(lambda dask_worker: len(dask_worker.data) >= 0).values()
        )
    serial = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert ran_on_cluster == 1
    assert search.best_params_ == serial.best_params_
    assert_allclose(
        search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


# Byte orders and widths that NumPy validation converts (to native float64).
CONVERTED_DTYPES = [">f8", ">f4", ">f2", np.longdouble, ">i4"]


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("dtype", CONVERTED_DTYPES)
def test_dtype_is_converted_as_for_numpy(dtype, axis):
    X = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 2.0]], dtype=dtype)
    out = normalize(da.from_array(X, chunks=(2, 2)), axis=axis)
    expected = normalize(X, axis=axis)
    assert out.dtype == expected.dtype
    computed = out.compute()
    assert computed.dtype == expected.dtype
    assert_array_equal(computed, expected)


@pytest.mark.parametrize("dtype", CONVERTED_DTYPES)
def test_fitted_columns_of_converted_dtype(dtype):
    X = np.array([[3.0, 4.0], [4.0, 0.0]], dtype=dtype)
    est = L2Normalizer(axis=0).fit(da.from_array(X, chunks=(1, 2)))
    reference = L2Normalizer(axis=0).fit(X)
    assert_array_equal(est.norms_, reference.norms_)
    out = est.transform(da.from_array(X, chunks=(1, 2)))
    assert out.dtype == reference.transform(X).dtype
    assert_array_equal(out.compute(), reference.transform(X))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_native_floats_keep_their_dtype(dtype):
    D = da.from_array(np.array([[3.0, 4.0]], dtype=dtype))
    assert normalize(D).dtype == normalize(np.array([[3.0, 4.0]], dtype=dtype)).dtype


@pytest.mark.parametrize(
    "call",
    [
        lambda D: normalize(D),
        lambda D: norms(D),
        lambda D: L2Normalizer().fit(D),
        lambda D: L2Normalizer(axis=0).fit(D),
    ],
    ids=["normalize", "norms", "fit", "fit-axis0"],
)
def test_zero_columns_is_sklearns_error(call):
    with pytest.raises(ValueError, match=r"Found array with 0 feature\(s\)"):
        call(da.zeros((3, 0), chunks=(2, 0)))


@pytest.mark.parametrize("norm", ["l2", "l1", 3, 1.5])
def test_other_chunks_give_identical_norms(rng, norm):
    X = rng.standard_normal((600, 4)) * np.exp(rng.uniform(-3, 3, (600, 1)))
    found = [
        L2Normalizer(norm=norm, axis=0).fit(da.from_array(X, chunks=(rows, 2))).norms_
        for rows in (1, 7, 100, 600)
    ]
    for other in found[1:]:
        assert_array_equal(other.view(np.uint64), found[0].view(np.uint64))
