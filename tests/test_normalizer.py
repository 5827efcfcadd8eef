"""The L2Normalizer estimator: fitting, axis=0 state, API conventions."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import Normalizer
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_l2 import L2Normalizer
from tests._testing import (
    reference_normalize,
    reference_norms,
    sparse_random,
)


def test_axis1_matches_scikit_learn_normalizer_on_ordinary_data(rng):
    X = rng.standard_normal((40, 6))
    for norm in ("l1", "l2", "max"):
        assert_allclose(
            L2Normalizer(norm).fit_transform(X), Normalizer(norm).fit_transform(X)
        )


def test_axis1_fit_only_records_features(rng):
    X = pd.DataFrame(rng.standard_normal((5, 3)), columns=["a", "b", "c"])
    est = L2Normalizer().fit(X)
    assert est.n_features_in_ == 3
    assert_array_equal(est.feature_names_in_, ["a", "b", "c"])
    assert not hasattr(est, "norms_")


def test_axis1_transform_without_fit(rng):
    X = rng.standard_normal((5, 3))
    assert_allclose(L2Normalizer().transform(X), reference_normalize(X, 2))


def test_axis0_transform_requires_fit(rng):
    with pytest.raises(NotFittedError):
        L2Normalizer(axis=0).transform(rng.standard_normal((5, 3)))


def test_wrong_number_of_features_at_transform(rng):
    est = L2Normalizer().fit(rng.standard_normal((5, 3)))
    with pytest.raises(ValueError, match="expecting 3 features"):
        est.transform(rng.standard_normal((5, 4)))


@pytest.mark.parametrize(
    "params", [{"norm": "l0"}, {"axis": -1}, {"eps": -0.1}, {"max_norm": -1.0}]
)
def test_invalid_parameters_at_fit(rng, params):
    with pytest.raises(InvalidParameterError):
        L2Normalizer(**params).fit(rng.standard_normal((3, 2)))


@pytest.mark.parametrize("norm, p", [("l2", 2), ("l1", 1), ("max", np.inf), (4, 4)])
def test_axis0_learns_feature_norms(rng, norm, p):
    X = rng.standard_normal((30, 4))
    est = L2Normalizer(norm, axis=0).fit(X)
    assert_allclose(est.norms_, reference_norms(X, p, axis=0), rtol=1e-14)
    assert est.n_samples_seen_ == 30


def test_axis0_scales_new_data_by_training_norms(rng):
    X_train, X_new = rng.standard_normal((30, 4)), rng.standard_normal((7, 4))
    est = L2Normalizer(axis=0).fit(X_train)
    assert_allclose(est.transform(X_new), X_new / est.norms_, rtol=1e-15)


@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix, sp.csc_array])
def test_axis0_inverse_transform_round_trip(rng, container):
    X = sparse_random(rng, (20, 5)).toarray()
    X[:, 2] = 0.0
    est = L2Normalizer(axis=0).fit(container(X))
    back = est.inverse_transform(est.transform(container(X)))
    dense = back.toarray() if sp.issparse(back) else back
    assert_allclose(dense, X, rtol=1e-15)


def test_inverse_transform_only_with_axis0():
    assert not hasattr(L2Normalizer(), "inverse_transform")
    assert hasattr(L2Normalizer(axis=0), "inverse_transform")


@pytest.mark.parametrize("norm", ["l2", "l1", "max", 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_partial_fit_equals_fit(rng, norm, sparse):
    X = rng.standard_normal((60, 5)) * 10.0 ** rng.integers(-300, 300, (60, 1))
    batches = np.array_split(X, 4)
    convert = sp.csr_matrix if sparse else np.asarray
    est = L2Normalizer(norm, axis=0)
    for batch in batches:
        est.partial_fit(convert(batch))
    full = L2Normalizer(norm, axis=0).fit(convert(X))
    assert_allclose(est.norms_, full.norms_, rtol=1e-14)
    assert est.n_samples_seen_ == 60


def test_fit_resets_partial_fit_state(rng):
    est = L2Normalizer(axis=0).partial_fit(rng.standard_normal((5, 2)) * 100)
    X = rng.standard_normal((5, 2))
    assert_allclose(est.fit(X).norms_, reference_norms(X, 2, axis=0))
    assert est.n_samples_seen_ == 5


def test_n_samples_seen_counts_observed_values_with_missing_data():
    X = np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, np.nan]])
    est = L2Normalizer(axis=0).fit(X)
    assert_array_equal(est.n_samples_seen_, [2, 1])
    est.partial_fit(np.ones((2, 2)))
    assert_array_equal(est.n_samples_seen_, [4, 3])


def test_n_samples_seen_with_sparse_missing_data():
    X = sp.csr_matrix(np.array([[1.0, np.nan], [2.0, 0.0]]))
    est = L2Normalizer(axis=0).fit(X)
    assert_array_equal(est.n_samples_seen_, [2, 1])


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix, sp.coo_array])
def test_axis0_sparse_matches_dense(rng, container):
    X = sparse_random(rng, (30, 6))
    sparse_est = L2Normalizer(axis=0).fit(container(X))
    dense_est = L2Normalizer(axis=0).fit(X.toarray())
    assert_allclose(sparse_est.norms_, dense_est.norms_, rtol=1e-15)
    result = sparse_est.transform(container(X))
    assert sp.issparse(result)
    assert_allclose(result.toarray(), dense_est.transform(X.toarray()), rtol=1e-15)


def test_axis0_max_norm_scale(rng):
    X = np.array([[3.0, 0.1], [4.0, 0.0]])
    est = L2Normalizer(axis=0, max_norm=1.0).fit(X)
    assert_allclose(est.scale_, [5.0, 1.0])
    assert_allclose(est.transform(X), [[0.6, 0.1], [0.8, 0.0]])


def test_axis0_eps_scale():
    X = np.array([[3.0, 0.1], [4.0, 0.0]])
    est = L2Normalizer(axis=0, eps=1.0).fit(X)
    assert_allclose(est.scale_, [5.0, 1.0])


def test_axis0_zero_feature_left_unchanged():
    X = np.array([[0.0, 1.0], [0.0, 1.0]])
    est = L2Normalizer(axis=0).fit(X)
    assert_allclose(est.scale_, [1.0, np.sqrt(2)])
    assert_allclose(est.transform([[5.0, 2.0]]), [[5.0, np.sqrt(2)]])


def test_transform_copy_argument_overrides_parameter(rng):
    X = rng.standard_normal((4, 3))
    before = X.copy()
    est = L2Normalizer(copy=False)
    assert est.transform(X, copy=True) is not X
    assert_array_equal(X, before)
    assert est.transform(X) is X


def test_get_feature_names_out():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    assert_array_equal(L2Normalizer().fit(X).get_feature_names_out(), ["a", "b"])


def test_set_output_pandas_keeps_columns_and_index():
    X = pd.DataFrame({"a": [3.0, 1.0], "b": [4.0, 0.0]}, index=[10, 20])
    result = L2Normalizer().set_output(transform="pandas").fit_transform(X)
    assert list(result.columns) == ["a", "b"]
    assert list(result.index) == [10, 20]
    assert_allclose(result.to_numpy(), [[0.6, 0.8], [1.0, 0.0]])


@pytest.mark.parametrize("axis", [0, 1])
def test_tags(axis):
    tags = L2Normalizer(axis=axis).__sklearn_tags__()
    assert tags.input_tags.sparse
    assert tags.input_tags.allow_nan
    assert tags.requires_fit == (axis == 0)
    assert tags.transformer_tags.preserves_dtype == ["float64", "float32"]


def test_eps_with_max_norm_is_an_error_at_transform_without_fit(rng):
    with pytest.raises(ValueError, match="has no effect when max_norm"):
        L2Normalizer(eps=0.1, max_norm=1.0).transform(rng.standard_normal((3, 2)))


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_fit_transform_equals_fit_then_transform(rng, axis, container):
    X = container(sparse_random(rng, (30, 7)).toarray())
    fitted = L2Normalizer(axis=axis).fit(X)
    together = L2Normalizer(axis=axis)
    result = together.fit_transform(X)
    expected = fitted.transform(X)
    if sp.issparse(X):
        assert result.format == X.format
        result, expected = result.toarray(), expected.toarray()
    assert_array_equal(result, expected)
    assert together.n_features_in_ == 7
    if axis == 0:
        assert_array_equal(together.norms_, fitted.norms_)


@pytest.mark.parametrize("axis", [0, 1])
def test_fit_transform_validates_once(rng, axis, monkeypatch):
    from sklearn_l2 import _normalize

    calls = []
    validate_data = _normalize.validate_data

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return validate_data(*args, **kwargs)

    monkeypatch.setattr(_normalize, "validate_data", counting)
    L2Normalizer(axis=axis).fit_transform(rng.standard_normal((5, 3)))
    assert len(calls) == 1


@pytest.mark.parametrize("axis", [0, 1])
def test_fit_transform_in_place_with_infinity_leaves_input_alone(axis):
    X = np.array([[1.0, 2.0], [3.0, np.inf]])
    original = X.copy()
    with pytest.raises(ValueError, match="contains infinity"):
        L2Normalizer(axis=axis, copy=False).fit_transform(X)
    assert_array_equal(X, original)


@pytest.mark.parametrize("axis", [0, 1])
def test_fit_transform_copy_false_normalizes_in_place(rng, axis):
    X = rng.standard_normal((6, 3))
    expected = L2Normalizer(axis=axis).fit_transform(X)
    assert L2Normalizer(axis=axis, copy=False).fit_transform(X) is X
    assert_array_equal(X, expected)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_fit_copy_false_leaves_sparse_input_alone(method):
    # copy=False is for transform: fitting only reads, so duplicate entries
    # of the user's matrix are summed in a copy.
    X = sp.csr_matrix(
        (np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]), np.array([0, 2, 3])),
        shape=(2, 2),
    )
    getattr(L2Normalizer(axis=0, copy=False), method)(X)
    assert not X.has_canonical_format
    assert_array_equal(X.data, [1.0, 2.0, 3.0])


def test_partial_fit_with_another_norm_is_refused(rng):
    X = rng.normal(size=(20, 3))
    est = L2Normalizer(axis=0).partial_fit(X)
    est.set_params(norm="l1")
    with pytest.raises(ValueError, match="norm='l1' differs from norm='l2'"):
        est.partial_fit(X)


def test_fit_after_another_norm_starts_again(rng):
    X = rng.normal(size=(20, 3))
    est = L2Normalizer(axis=0).partial_fit(X).set_params(norm="l1").fit(X)
    assert_allclose(est.norms_, np.abs(X).sum(axis=0))


@pytest.mark.parametrize("change", [{"norm": "l1"}, {"eps": 0.5}, {"max_norm": 2.0}])
def test_transform_after_changed_parameters_is_refused(rng, change):
    X = rng.normal(size=(20, 3))
    est = L2Normalizer(axis=0).fit(X).set_params(**change)
    with pytest.raises(ValueError, match="changed since fit"):
        est.transform(X)


@pytest.mark.parametrize("method", ["transform", "inverse_transform", "partial_fit"])
def test_axis_0_after_a_fit_with_axis_1_is_not_fitted(rng, method):
    X = rng.normal(size=(20, 3))
    est = L2Normalizer().fit(X).set_params(axis=0)
    with pytest.raises(NotFittedError, match="fitted with axis=1"):
        getattr(est, method)(X)
