"""The Gram-matrix RBF SVMs are the same models as the RBF SVC and SVR."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification, make_regression
from sklearn.svm import SVC, SVR

from sklearn_l2.compare import ScaledGammaSVC
from sklearn_l2.compare._gram_svm import GramRBFSVC, GramRBFSVR


def sparse_rows(X):
    X = X.copy()
    X[np.abs(X) < 0.8] = 0
    return X


@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix, sp.csr_array])
def test_classifier_matches_svc_with_gamma_scale(container):
    X, y = make_classification(n_samples=120, n_features=20, random_state=0)
    X = container(sparse_rows(X))
    gram = GramRBFSVC(C=2.0).fit(X[:90], y[:90])
    svc = SVC(kernel="rbf", gamma="scale", C=2.0).fit(X[:90], y[:90])
    np.testing.assert_array_equal(gram.predict(X[90:]), svc.predict(X[90:]))
    np.testing.assert_allclose(
        gram.decision_function(X[90:]), svc.decision_function(X[90:]), atol=1e-6
    )
    np.testing.assert_array_equal(gram.classes_, svc.classes_)


@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix])
def test_gamma_factor_matches_the_scaled_gamma_svc(container):
    X, y = make_classification(n_samples=120, n_features=20, random_state=0)
    X = container(sparse_rows(X))
    gram = GramRBFSVC(C=2.0, gamma_factor=0.3).fit(X[:90], y[:90])
    svc = ScaledGammaSVC(C=2.0, gamma_factor=0.3).fit(X[:90], y[:90])
    np.testing.assert_allclose(
        gram.decision_function(X[90:]), svc.decision_function(X[90:]), atol=1e-6
    )


@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix])
def test_regressor_matches_svr(container):
    X, y = make_regression(n_samples=100, n_features=10, noise=1.0, random_state=0)
    X = container(sparse_rows(X))
    y = y / y.std()
    gram = GramRBFSVR().fit(X[:80], y[:80])
    svr = SVR(kernel="rbf", gamma="scale").fit(X[:80], y[:80])
    np.testing.assert_allclose(gram.predict(X[80:]), svr.predict(X[80:]), atol=1e-6)


def test_constant_features_get_gamma_one():
    X = np.ones((10, 3))
    y = np.repeat([0, 1], 5)
    assert GramRBFSVC().fit(X, y).gamma_ == 1.0


def test_feature_count_is_checked():
    X, y = make_classification(n_samples=40, n_features=5, random_state=0)
    model = GramRBFSVC().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :4])
