"""Shared estimators, parallel model selection and memory-mapped data."""

from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from sklearn_l2 import L2Normalizer, normalize


@pytest.mark.parametrize("axis", [0, 1])
def test_one_estimator_used_from_many_threads(rng, axis):
    X = rng.standard_normal((2000, 30))
    est = L2Normalizer(axis=axis).fit(X)
    expected = est.transform(X)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: est.transform(X), range(32)))
    for result in results:
        assert_array_equal(result, expected)


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_grid_search_in_parallel_matches_serial(backend):
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(L2Normalizer(), KNeighborsClassifier())
    grid = {
        "l2normalizer__norm": ["l1", "l2"],
        "kneighborsclassifier__n_neighbors": [1, 5],
    }
    serial = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    with joblib.parallel_config(backend=backend, n_jobs=2):
        parallel = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    assert_array_equal(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


def test_memmap_normalized_in_place(tmp_path, rng):
    data = rng.standard_normal((500, 16))
    path = tmp_path / "data.f64"
    mm = np.memmap(path, dtype=np.float64, mode="w+", shape=data.shape)
    mm[:] = data
    result = normalize(mm, copy=False)
    assert np.shares_memory(result, mm)
    mm.flush()
    on_disk = np.memmap(path, dtype=np.float64, mode="r", shape=data.shape)
    assert_array_equal(on_disk, normalize(data))


def test_read_only_memmap_with_copy_true(tmp_path, rng):
    data = rng.standard_normal((50, 4))
    path = tmp_path / "data.f64"
    data.tofile(path)
    mm = np.memmap(path, dtype=np.float64, mode="r", shape=data.shape)
    assert_array_equal(normalize(mm), normalize(data))
