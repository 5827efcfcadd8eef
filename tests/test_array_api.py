"""Array API input (array_api_strict, PyTorch, CuPy) stays in its namespace."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_l2 import L2Normalizer, normalize, norms
from sklearn_l2._array_api import to_host

NORMS = ["l2", "l1", "max", 3]


def _strict(dtype_name):
    xps = pytest.importorskip("array_api_strict")
    dev = xps.Device("device1")
    return lambda a: xps.asarray(a, dtype=getattr(xps, dtype_name), device=dev)


def _torch(dtype_name, device="cpu"):
    torch = pytest.importorskip("torch")
    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA GPU")
    dtype = getattr(torch, dtype_name)
    return lambda a: torch.asarray(a, dtype=dtype, device=device)


def _cupy(dtype_name):
    cupy = pytest.importorskip("cupy")
    if cupy.cuda.runtime.getDeviceCount() == 0:  # pragma: no cover
        pytest.skip("no CUDA GPU")
    return lambda a: cupy.asarray(a, dtype=dtype_name)


CPU_LIBRARIES = {"array_api_strict": _strict, "torch": _torch}


def _same_kind(result, X):
    assert type(result) is type(X)
    assert result.dtype == X.dtype
    assert result.device == X.device


def _extreme_rows(dtype_name):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 5))
    if dtype_name == "float64":
        X[0] = [1e155, 1, 0, 0, 0]
        X[1] *= 1e300
        X[2] *= 1e-300
        X[3] = [5e-324, 0, 0, 0, 5e-324]
    else:
        X[0] = [1e20, 1e20, 0, 0, 0]
        X[1] *= 1e37
        X[2] *= 1e-40
    X[4] = 0
    X[5, 2] = np.nan
    return X.astype(dtype_name)


def _numpy_reference(X, norm, axis):
    """NumPy's results, with the all-subnormal row derived from a scaled copy.

    Normalizing is invariant to scaling a row, and its norm scales with it:
    this keeps the reference independent of how the NumPy kernels treat rows
    of subnormal numbers.
    """
    if axis == 0:
        return normalize(X, norm, axis=axis, return_norm=True)
    subnormal = np.all(np.abs(X[:, [0, 4]]) == 5e-324, axis=1)
    X = X.copy()
    X[subnormal] = np.ldexp(X[subnormal], 1074)
    expected, expected_norms = normalize(X, norm, axis=axis, return_norm=True)
    expected_norms[subnormal] = np.ldexp(expected_norms[subnormal], -1074)
    return expected, expected_norms


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_normalize_stays_in_namespace_and_matches_numpy(
    library, dtype_name, axis, norm
):
    make = CPU_LIBRARIES[library](dtype_name)
    X_np = _extreme_rows(dtype_name)
    X = make(X_np)
    with sklearn.config_context(array_api_dispatch=True):
        result, row_norms = normalize(X, norm, axis=axis, return_norm=True)
        only_norms = norms(X, norm, axis=axis)
    _same_kind(result, X)
    expected, expected_norms = _numpy_reference(X_np, norm, axis)
    rtol = 4e-15 if dtype_name == "float64" else 4e-7
    assert_allclose(to_host(result), expected, rtol=rtol, atol=0)
    assert_allclose(to_host(row_norms), expected_norms, rtol=4e-15, atol=0)
    assert_allclose(to_host(only_norms), expected_norms, rtol=4e-15, atol=0)
    assert only_norms.device == X.device


@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_huge_rows_are_not_zeroed(library):
    """scikit-learn's normalize returns zeros for both of these rows."""
    # Skips before dispatch is turned on if the library is absent.
    as64, as32 = CPU_LIBRARIES[library]("float64"), CPU_LIBRARIES[library]("float32")
    with sklearn.config_context(array_api_dispatch=True):
        row64 = normalize(as64([[1e155, 1.0]]))
        row32 = normalize(as32([[1e20, 1e20]]))
    assert_allclose(to_host(row64), [[1.0, 1e-155]], rtol=1e-15)
    assert_allclose(to_host(row32), [[2**-0.5, 2**-0.5]], rtol=1e-7)


@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_unit_norm_at_every_magnitude(library):
    X_np = _extreme_rows("float64")
    X_np[5, 2] = 0.0
    X = CPU_LIBRARIES[library]("float64")(X_np)
    with sklearn.config_context(array_api_dispatch=True):
        result = to_host(normalize(X))
    row_norms = np.sqrt(np.sum(np.ldexp(result, 0) ** 2, axis=1))
    nonzero = np.any(X_np != 0, axis=1)
    assert_allclose(row_norms[nonzero], 1.0, rtol=4e-15)
    assert_array_equal(result[~nonzero], 0.0)


@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_nan_is_missing(library):
    X = CPU_LIBRARIES[library]("float64")([[3.0, np.nan, 4.0]])
    with sklearn.config_context(array_api_dispatch=True):
        result = to_host(normalize(X))
    assert_allclose(result, [[0.6, np.nan, 0.8]])


@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_infinity_is_rejected(library):
    X = CPU_LIBRARIES[library]("float64")([[3.0, np.inf]])
    with sklearn.config_context(array_api_dispatch=True):
        with pytest.raises(ValueError, match="infinity"):
            normalize(X)


@pytest.mark.parametrize(
    "params", [{}, {"eps": 10.0}, {"max_norm": 0.5}, {"norm": "l1", "max_norm": 2.0}]
)
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_estimator_matches_numpy(library, axis, params):
    make = CPU_LIBRARIES[library]("float32")
    X_np = _extreme_rows("float32")
    X_np[5, 2] = 1.0
    est_np = L2Normalizer(axis=axis, **params).fit(X_np)
    with sklearn.config_context(array_api_dispatch=True):
        est = L2Normalizer(axis=axis, **params).fit(make(X_np))
        result = est.transform(make(X_np))
        if axis == 0:
            restored = est.inverse_transform(result)
    _same_kind(result, make(X_np))
    assert_allclose(to_host(result), est_np.transform(X_np), rtol=4e-7)
    if axis == 0:
        _same_kind(restored, make(X_np))
        assert_allclose(
            to_host(restored),
            est_np.inverse_transform(est_np.transform(X_np)),
            rtol=4e-7,
        )
        # Fitted arrays follow X's namespace and device, in float64.
        assert type(est.norms_) is type(result)
        assert est.norms_.device == result.device
        assert_allclose(to_host(est.norms_), est_np.norms_, rtol=4e-15)
        assert_allclose(to_host(est.scale_), est_np.scale_, rtol=4e-15)


@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_partial_fit_merges_batches(library):
    make = CPU_LIBRARIES[library]("float64")
    X = _extreme_rows("float64")
    with sklearn.config_context(array_api_dispatch=True):
        est = L2Normalizer(axis=0)
        for batch in (X[:4], X[4:9], X[9:]):
            est.partial_fit(make(batch))
    whole = L2Normalizer(axis=0).fit(X)
    assert_allclose(to_host(est.norms_), whole.norms_, rtol=4e-15)
    assert_array_equal(to_host(est.n_samples_seen_), whole.n_samples_seen_)


def test_tags_declare_array_api_support():
    assert L2Normalizer().__sklearn_tags__().array_api_support


def test_without_dispatch_torch_input_becomes_numpy():
    make = _torch("float64")
    result = normalize(make([[3.0, 4.0]]))
    assert isinstance(result, np.ndarray)
    assert_allclose(result, [[0.6, 0.8]])


GPU_LIBRARIES = {
    "torch-cuda": lambda dtype_name: _torch(dtype_name, device="cuda"),
    "cupy": _cupy,
}


@pytest.mark.cuda
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("library", GPU_LIBRARIES)
def test_gpu_stays_on_device_and_is_exact(library, dtype_name, axis):
    make = GPU_LIBRARIES[library](dtype_name)
    X_np = _extreme_rows(dtype_name)
    X = make(X_np)
    with sklearn.config_context(array_api_dispatch=True):
        result, result_norms = normalize(X, axis=axis, return_norm=True)
        est = L2Normalizer(axis=axis).fit(X)
        transformed = est.transform(X)
    _same_kind(result, X)
    _same_kind(transformed, X)
    expected, expected_norms = normalize(X_np, axis=axis, return_norm=True)
    rtol = 4e-15 if dtype_name == "float64" else 4e-7
    assert_allclose(to_host(result), expected, rtol=rtol, atol=0)
    assert_allclose(to_host(transformed), expected, rtol=rtol, atol=0)
    assert_allclose(to_host(result_norms), expected_norms, rtol=4e-15)
