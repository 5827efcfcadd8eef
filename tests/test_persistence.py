"""Fitted estimators survive pickle, joblib and skops.io unchanged."""

import io
import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_l2 import L2Normalizer

joblib = pytest.importorskip("joblib")
sio = pytest.importorskip("skops.io")

CONFIGURATIONS = [
    L2Normalizer(),
    L2Normalizer(norm="l1", max_norm=2.0),
    L2Normalizer(axis=0),
    L2Normalizer(norm=3, axis=0, eps=1e-3),
]


def _pickle(est, tmp_path):
    return pickle.loads(pickle.dumps(est))


def _joblib(est, tmp_path):
    path = tmp_path / "est.joblib"
    joblib.dump(est, path)
    return joblib.load(path)


def _skops(est, tmp_path):
    path = tmp_path / "est.skops"
    sio.dump(est, path)
    trusted = sio.get_untrusted_types(file=path)
    # Exactly our estimator needs trusting; its attributes are plain NumPy.
    assert trusted == ["sklearn_l2._normalizer.L2Normalizer"]
    return sio.load(path, trusted=trusted)


@pytest.mark.parametrize("round_trip", [_pickle, _joblib, _skops])
@pytest.mark.parametrize("est", CONFIGURATIONS, ids=repr)
def test_round_trip_gives_identical_output(est, round_trip, tmp_path, rng):
    X_fit = rng.normal(size=(20, 4)) * np.array([1e200, 1.0, 1e-200, 3.0])
    X_new = rng.normal(size=(7, 4)) * np.array([1e200, 1.0, 1e-200, 3.0])
    X_fit[0, 1] = np.nan
    fitted = est.fit(X_fit)
    loaded = round_trip(fitted, tmp_path)
    assert type(loaded) is L2Normalizer
    assert loaded.get_params() == fitted.get_params()
    assert_array_equal(loaded.transform(X_new), fitted.transform(X_new))
    if est.axis == 0:
        assert_array_equal(loaded.norms_, fitted.norms_)
        assert_array_equal(loaded.n_samples_seen_, fitted.n_samples_seen_)
        X_tr = fitted.transform(X_new)
        assert_array_equal(
            loaded.inverse_transform(X_tr), fitted.inverse_transform(X_tr)
        )
        # The merged state survives too: partial_fit goes on identically.
        loaded.partial_fit(X_new)
        fitted.partial_fit(X_new)
        assert_array_equal(loaded.norms_, fitted.norms_)


def test_skops_refuses_untrusted_load(tmp_path):
    path = tmp_path / "est.skops"
    sio.dump(L2Normalizer(axis=0).fit(np.eye(3)), path)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path)


def test_skops_dumps_to_bytes():
    est = L2Normalizer(axis=0).fit(np.eye(3) * 1e300)
    data = sio.dumps(est)
    loaded = sio.loads(data, trusted=["sklearn_l2._normalizer.L2Normalizer"])
    assert_array_equal(loaded.transform(np.eye(3)), est.transform(np.eye(3)))
    assert isinstance(io.BytesIO(data).read(), bytes)
