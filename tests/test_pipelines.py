"""L2Normalizer inside scikit-learn pipelines and model selection."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_wine
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from sklearn_l2 import L2Normalizer


@pytest.mark.parametrize(
    "model", [SVC(kernel="linear"), KNeighborsClassifier(n_neighbors=3)]
)
def test_grid_search_over_norm(model):
    X, y = load_wine(return_X_y=True)
    pipe = make_pipeline(L2Normalizer(), model)
    grid = {"l2normalizer__norm": ["l1", "l2", "max", 3], "l2normalizer__axis": [0, 1]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert search.best_params_["l2normalizer__norm"] in ("l1", "l2", "max", 3)
    assert search.best_score_ > 0.6


@pytest.mark.parametrize("algorithm", ["brute", "kd_tree", "ball_tree"])
def test_euclidean_knn_on_unit_vectors_is_cosine_knn(rng, algorithm):
    X = rng.standard_normal((200, 8)) * rng.uniform(0.1, 100, (200, 1))
    queries = rng.standard_normal((20, 8))
    cosine = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute")
    cos_dist, cos_idx = cosine.fit(X).kneighbors(queries)
    normalizer = L2Normalizer().fit(X)
    euclid = NearestNeighbors(n_neighbors=10, algorithm=algorithm)
    euc_dist, euc_idx = euclid.fit(normalizer.transform(X)).kneighbors(
        normalizer.transform(queries)
    )
    assert_array_equal(euc_idx, cos_idx)
    # On unit vectors ||a - b||^2 = 2 - 2 cos(a, b) = 2 * cosine distance.
    assert_allclose(euc_dist**2, 2 * cos_dist, atol=1e-12)


def test_pipeline_with_svc_predicts(rng):
    X, y = load_wine(return_X_y=True)
    model = make_pipeline(L2Normalizer(), SVC()).fit(X, y)
    assert model.score(X, y) > 0.6
    assert np.all(np.isin(model.predict(X), y))
