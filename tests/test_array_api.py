"""Array API input (array_api_strict, PyTorch, CuPy) stays in its namespace."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils._array_api import get_namespace

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


# Rows and parameters at the ends of each dtype's range, for the differential
# tests of eps and max_norm against the NumPy kernels.
EDGE_ROWS = {
    "float64": [
        [1e10, 0.0],
        [3.0, 4.0],
        [1e200, 1e-150],
        [1e300, 1e300],
        [5e-324, 0.0],
        [1e-310, 3e-310],
        [1.7e308, 1.7e308],
        [1.7e308, 5e-324],
        [-2.5, 1e-320],
        [0.0, 0.0],
    ],
    "float32": [
        [1e10, 0.0],
        [3.0, 4.0],
        [1e30, 1e-20],
        [1e38, 1e38],
        [1e-45, 0.0],
        [1e-40, 3e-40],
        [3.4e38, 3.4e38],
        [3.4e38, 1e-45],
        [-2.5, 1e-44],
        [0.0, 0.0],
    ],
}
EDGE_VALUES = {
    "float64": [
        *(5e-324, 1e-320, 2.2250738585072014e-308, 1e-300, 1e-10, 0.3),
        *(1.0, 7.0, 1e100, 1e300, 1.7976931348623157e308),
    ],
    "float32": [
        *(1e-45, 1e-40, 1.1754944e-38, 1e-30, 1e-10, 0.3),
        *(1.0, 7.0, 1e20, 1e38, 3.4e38),
    ],
}


def _edge_data(dtype_name, axis):
    X = np.array(EDGE_ROWS[dtype_name], dtype=dtype_name)
    return X if axis == 1 else np.ascontiguousarray(X.T)


def _assert_within_ulps(actual, expected, max_ulps, message=""):
    """Equal NaNs, and at most ``max_ulps`` units in the last place apart.

    Units of ``expected``'s dtype, subnormal spacing included: a zeroed entry
    that NumPy gets right is thousands of ulps away.
    """
    actual = np.asarray(actual, dtype=np.float64)
    assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=message)
    same = (actual == expected) | np.isnan(expected)
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf
        gap = np.abs(actual - expected) / np.spacing(np.abs(expected))
    ulps = np.where(same, 0.0, gap)
    assert ulps.max() <= max_ulps, f"{message}: {ulps.max()} ulps"


@pytest.mark.parametrize(
    ("row", "max_norm", "expected"),
    [
        ([1e10, 0.0], 1e-300, [1e-300, 0.0]),
        ([3.0, 4.0], 1e-320, [6e-321, 8e-321]),
        ([1e200, 1e-150], 1e100, [1e100, 1e-250]),
    ],
)
@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_max_norm_keeps_entries_numpy_gets_right(library, row, max_norm, expected):
    make = CPU_LIBRARIES[library]("float64")
    with sklearn.config_context(array_api_dispatch=True):
        result = to_host(normalize(make([row]), max_norm=max_norm))
    assert_array_equal(result, normalize(np.array([row]), max_norm=max_norm))
    assert_allclose(result, [expected], rtol=1e-15)


@pytest.mark.parametrize("param", ["eps", "max_norm"])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_eps_and_max_norm_match_numpy_at_range_edges(
    library, dtype_name, axis, norm, param
):
    make = CPU_LIBRARIES[library](dtype_name)
    X = _edge_data(dtype_name, axis)
    for value in EDGE_VALUES[dtype_name]:
        expected = normalize(X, norm, axis=axis, **{param: value})
        with sklearn.config_context(array_api_dispatch=True):
            result = normalize(make(X), norm, axis=axis, **{param: value})
        # float32 is computed in float64 and rounded once, the NumPy kernels
        # multiply in float32: a rounding apart. float64 may round the
        # mantissa of the norm once more.
        max_ulps = 2 if dtype_name == "float64" else 1
        _assert_within_ulps(to_host(result), expected, max_ulps, f"{param}={value}")


@pytest.mark.parametrize("param", ["eps", "max_norm"])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_fitted_columns_match_numpy_at_range_edges(library, dtype_name, norm, param):
    make = CPU_LIBRARIES[library](dtype_name)
    X = _edge_data(dtype_name, axis=0)
    for value in EDGE_VALUES[dtype_name]:
        expected = L2Normalizer(norm, axis=0, **{param: value}).fit(X).transform(X)
        with sklearn.config_context(array_api_dispatch=True):
            est = L2Normalizer(norm, axis=0, **{param: value}).fit(make(X))
            result = est.transform(make(X))
        _assert_within_ulps(to_host(result), expected, 1, f"{param}={value}")


@pytest.mark.parametrize("param", ["eps", "max_norm"])
@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_inverse_transform_matches_numpy_at_range_edges(library, dtype_name, param):
    make = CPU_LIBRARIES[library](dtype_name)
    X = _edge_data(dtype_name, axis=0)
    # Without the column whose norm exceeds the float range: see the next test.
    X = np.delete(X, 6, axis=1)
    for value in EDGE_VALUES[dtype_name]:
        est_np = L2Normalizer(axis=0, **{param: value}).fit(X)
        scaled = est_np.transform(X)
        with sklearn.config_context(array_api_dispatch=True):
            est = L2Normalizer(axis=0, **{param: value}).fit(make(X))
            restored = est.inverse_transform(make(scaled))
        # The NumPy kernels warn while casting float32 factors that overflow
        # (max_norm near the smallest float32); the values are not affected.
        with np.errstate(over="ignore"):
            expected = est_np.inverse_transform(scaled)
        _assert_within_ulps(to_host(restored), expected, 1, f"{param}={value}")


@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_inverse_transform_of_a_column_beyond_the_float_range(library):
    """The column's norm overflows float64; its entries come back, not inf."""
    make = CPU_LIBRARIES[library]("float64")
    X = np.array([[1.7e308, 3.0], [1.7e308, 4.0]])
    with sklearn.config_context(array_api_dispatch=True):
        est = L2Normalizer(axis=0).fit(make(X))
        restored = to_host(est.inverse_transform(est.transform(make(X))))
    _assert_within_ulps(restored, X, 1)


@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_max_norm_of_a_subnormal_column(library):
    """The largest entry is split exactly, not halved (which rounds it to 0)."""
    X = CPU_LIBRARIES[library]("float64")(np.array([[5e-324, 1.0], [0.0, 2.0]]))
    with sklearn.config_context(array_api_dispatch=True):
        est = L2Normalizer("max", axis=0).fit(X)
    assert_array_equal(to_host(est.norms_), [5e-324, 2.0])


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_powers_of_two_by_bits_are_exact_over_the_whole_range(library, dtype_name):
    from sklearn_l2._array_api import _power_of_two_by_bits

    info = np.finfo(dtype_name)
    lowest = np.frexp(info.smallest_subnormal)[1] - 1
    exponents = np.arange(lowest, info.maxexp, dtype=dtype_name)
    k = CPU_LIBRARIES[library](dtype_name)(exponents)
    with sklearn.config_context(array_api_dispatch=True):
        xp = get_namespace(k)[0]
        result = to_host(_power_of_two_by_bits(xp, k, k))
    assert_array_equal(result, np.ldexp(np.ones(1, dtype_name), exponents.astype(int)))


@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_scaling_without_an_exact_pow(library, monkeypatch):
    """Where a library's pow is not exact, the powers of two are built by bits."""
    from sklearn_l2 import _array_api

    monkeypatch.setattr(_array_api, "_pow_is_exact", lambda xp, like: False)
    make = CPU_LIBRARIES[library]("float64")
    X = _edge_data("float64", axis=1)
    for max_norm in EDGE_VALUES["float64"]:
        with sklearn.config_context(array_api_dispatch=True):
            result = to_host(normalize(make(X), max_norm=max_norm))
        expected = normalize(X, max_norm=max_norm)
        _assert_within_ulps(result, expected, 2, f"max_norm={max_norm}")


HALF_DTYPES = ["float16", "bfloat16"]


def _half_data(dtype_name):
    """torch half-precision rows (a row longer than float16's range included)."""
    torch = pytest.importorskip("torch")
    X = np.array([[3.0, 4.0], [6e4, 6e4], [0.1, -0.2], [0.0, 0.0], [1e-3, 5.0]])
    return torch.asarray(X, dtype=getattr(torch, dtype_name))


def _rounded_reference(X_half, result_float64):
    """The float64 result of the exactly widened input, rounded to X's dtype."""
    torch = pytest.importorskip("torch")
    return torch.asarray(result_float64).to(X_half.dtype)


def _assert_half_close(result, expected):
    """At most one unit in the last place of the half dtype apart."""
    torch = pytest.importorskip("torch")
    assert result.dtype == expected.dtype
    gap = (result.double() - expected.double()).abs()
    spacing = torch.finfo(expected.dtype).eps * expected.double().abs()
    assert bool(torch.all(gap <= torch.clamp(spacing, min=1e-30))), (result, expected)


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("dtype_name", HALF_DTYPES)
def test_normalize_keeps_torch_half_dtypes(dtype_name, axis):
    X = _half_data(dtype_name)
    with sklearn.config_context(array_api_dispatch=True):
        result = normalize(X, axis=axis)
    expected = normalize(X.double().numpy(), axis=axis)
    _assert_half_close(result, _rounded_reference(X, expected))


@pytest.mark.parametrize("dtype_name", HALF_DTYPES)
def test_fit_transform_axis_0_keeps_torch_half_dtypes(dtype_name):
    X = _half_data(dtype_name)
    with sklearn.config_context(array_api_dispatch=True):
        est = L2Normalizer(axis=0)
        result = est.fit_transform(X)
        transformed = est.transform(X)
        restored = est.inverse_transform(result)
    reference = L2Normalizer(axis=0).fit(X.double().numpy())
    expected = _rounded_reference(X, reference.transform(X.double().numpy()))
    _assert_half_close(result, expected)
    _assert_half_close(transformed, expected)
    assert restored.dtype == X.dtype
    # The fitted norms are float64, as for every input.
    assert_allclose(to_host(est.norms_), reference.norms_, rtol=1e-15)


def _requires_grad():
    torch = pytest.importorskip("torch")
    X = torch.asarray([[3.0, 4.0], [1e200, 1e200], [0.0, 2.0]], dtype=torch.float64)
    return X.detach().clone(), X.clone().requires_grad_(True)


def test_fit_axis_0_accepts_a_tensor_that_requires_grad():
    plain, X = _requires_grad()
    with sklearn.config_context(array_api_dispatch=True):
        est = L2Normalizer(axis=0).fit(X)
        expected = L2Normalizer(axis=0).fit(plain)
    assert not est.norms_.requires_grad
    assert_array_equal(to_host(est.norms_), to_host(expected.norms_))
    assert_array_equal(to_host(est.scale_), to_host(expected.scale_))


AUTOGRAD_CALLS = pytest.mark.parametrize(
    "call",
    [
        lambda X: normalize(X),
        lambda X: normalize(X, axis=0, max_norm=1.0),
        lambda X: norms(X),
        lambda X: L2Normalizer().fit_transform(X),
        lambda X: L2Normalizer(axis=0).fit_transform(X),
        lambda X: L2Normalizer(axis=0).fit(X).transform(X),
        lambda X: L2Normalizer(axis=0).fit(X).inverse_transform(X),
    ],
    ids=[
        "normalize",
        "normalize-axis0",
        "norms",
        "fit_transform",
        "axis0",
        "transform",
        "inverse",
    ],
)


@AUTOGRAD_CALLS
def test_outputs_carry_no_autograd_history(call):
    """The result is detached: the same values, no graph back to the input,
    and no warning from torch (the tensor is detached before validation)."""
    plain, X = _requires_grad()
    with sklearn.config_context(array_api_dispatch=True):
        result = call(X)
        expected = call(plain)
    assert not result.requires_grad
    assert result.grad_fn is None
    assert_array_equal(to_host(result), to_host(expected))
    # The input is left as it was.
    assert X.requires_grad
    assert_array_equal(X.detach().numpy(), plain.numpy())


@AUTOGRAD_CALLS
def test_without_dispatch_a_tensor_that_requires_grad_is_converted(call):
    """Without array API dispatch the tensor is converted to NumPy, once
    detached (NumPy cannot read a tensor that requires grad)."""
    plain, X = _requires_grad()
    assert_array_equal(call(X), call(plain))
    assert X.requires_grad


@pytest.mark.parametrize(
    "params", [{}, {"eps": 0.7}, {"max_norm": 0.5}, {"max_norm": 1e-100}]
)
@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_reciprocal_shortcut_equals_the_mantissa_path(library, params, monkeypatch):
    """Multiplying by ``1 / norm`` where it is normal changes no bit."""
    from sklearn_l2 import _array_api

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 7)) * 10.0 ** rng.uniform(-200, 200, size=(200, 1))
    X = CPU_LIBRARIES[library]("float64")(X)
    shortcut_results = []

    def recorded(*args):
        result = _times_reciprocal(*args)
        shortcut_results.append(result)
        return result

    _times_reciprocal = _array_api._times_reciprocal
    with sklearn.config_context(array_api_dispatch=True):
        monkeypatch.setattr(_array_api, "_times_reciprocal", recorded)
        shortcut = to_host(normalize(X, **params))
        monkeypatch.setattr(_array_api, "_times_reciprocal", lambda *args: None)
        mantissas = to_host(normalize(X, **params))
    assert shortcut_results[0] is not None  # the shortcut was taken
    assert_array_equal(shortcut, mantissas)


@pytest.mark.parametrize("p", [3, 2000, 1e6])
@pytest.mark.parametrize("library", CPU_LIBRARIES)
def test_fitted_norms_of_a_large_p_match_numpy(library, p):
    make = CPU_LIBRARIES[library]("float64")
    X = np.array([[0.75, 3.0], [0.75, 1.0]])
    with sklearn.config_context(array_api_dispatch=True):
        est = L2Normalizer(norm=p, axis=0).fit(make(X))
    expected = L2Normalizer(norm=p, axis=0).fit(X).norms_
    assert np.all(expected > 0)
    assert_allclose(to_host(est.norms_), expected, rtol=4e-15)


@pytest.mark.parametrize("call", [normalize, norms, L2Normalizer(axis=0).fit])
def test_complex_tensors_are_refused_as_numpy_arrays_are(call):
    torch = pytest.importorskip("torch")
    X = torch.tensor([[3 + 4j, 0]])
    with sklearn.config_context(array_api_dispatch=True):
        with pytest.raises(ValueError, match="Complex data not supported"):
            call(X)
