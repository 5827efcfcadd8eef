"""ONNX export: the graph skl2onnx writes for L2Normalizer, run by onnxruntime."""

import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from sklearn.svm import SVC

from sklearn_l2 import L2Normalizer
from sklearn_l2.onnx import register

# The onnx extra (in the test extra); the core-only CI runs skip this module.
onnxruntime = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")
to_onnx = skl2onnx.to_onnx
FloatTensorType = skl2onnx.common.data_types.FloatTensorType
Int64TensorType = skl2onnx.common.data_types.Int64TensorType

NORMS = ["l2", "l1", "max", 3, 1.5]
PARAMS = [{}, {"eps": 3.0}, {"max_norm": 0.5}, {"max_norm": 1e-30}]


@pytest.fixture(autouse=True, scope="module")
def registered():
    register()


def run(model, X):
    """The first output of ``model`` on ``X`` under onnxruntime's CPU provider."""
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})[0]


def ulps(actual, expected):
    """Distance in units in the last place of ``expected``'s dtype."""
    expected = np.asarray(expected)
    spacing = np.spacing(np.abs(expected).astype(expected.dtype))
    return np.abs(actual.astype(np.float64) - expected) / spacing


def extreme_rows(dtype):
    """Random rows with a zero row, a missing value, huge and tiny rows."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6))
    X[0] = 0.0
    X[1, 2] = np.nan
    X[2, 0] = X[3, 0] = np.nan
    X[2, 1:] = 0.0
    big, small = (1e300, 1e-300) if dtype == np.float64 else (1e30, 1e-30)
    X[4] *= big
    X[5] *= small
    X[6] = [big, big, 0, 0, 0, 0]
    return X.astype(dtype)


def assert_matches_transform(result, expected):
    assert result.dtype == expected.dtype
    assert_array_equal(np.isnan(result), np.isnan(expected))
    known = ~np.isnan(expected)
    assert_array_equal(result[known] == 0, expected[known] == 0)
    nonzero = known & (expected != 0)
    assert ulps(result[nonzero], expected[nonzero]).max(initial=0) <= 4


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_match_transform(dtype, norm, params):
    X = extreme_rows(dtype)
    est = L2Normalizer(norm, **params).fit(X)
    assert_matches_transform(run(to_onnx(est, X), X), est.transform(X))


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fitted_columns_match_transform(dtype, norm, params):
    X = extreme_rows(dtype)
    est = L2Normalizer(norm, axis=0, **params).fit(X)
    new = np.random.default_rng(1).normal(size=(9, 6)).astype(dtype)
    assert_matches_transform(run(to_onnx(est, X), new), est.transform(new))


def test_columns_beyond_the_float64_range():
    """Column factors that over- or underflow float64 are applied in steps."""
    X = np.array([[1.5e308, 1e-310, 1.0], [1.5e308, 2e-310, 2.0]])
    est = L2Normalizer(axis=0).fit(X)
    # The first column's norm overflows float64; its factor is subnormal.
    assert np.isinf(est.norms_[0])
    result = run(to_onnx(est, X), X)
    assert_allclose(result[:, 0], [2**-0.5, 2**-0.5], rtol=1e-15)
    assert_allclose(result[:, 1], np.array([1, 2]) / 5**0.5, rtol=1e-15)
    assert_matches_transform(result, est.transform(X))


@pytest.mark.parametrize("max_norm", [5e-324, 1e-310, 1e300])
def test_max_norm_at_the_ends_of_the_range(max_norm):
    X = np.array([[1.7e308, 1e-310, 3.0], [1.7e308, 2e-310, 4.0]])
    est = L2Normalizer(axis=0, max_norm=max_norm).fit(X)
    assert_matches_transform(run(to_onnx(est, X), X), est.transform(X))


def test_float32_row_whose_sum_of_squares_overflows():
    X = np.array([[1e20, 1e20]], dtype=np.float32)
    result = run(to_onnx(L2Normalizer().fit(X), X), X)
    assert_allclose(result, [[2**-0.5, 2**-0.5]], rtol=1e-7)


def test_float64_row_near_the_largest_float():
    X = np.array([[1.7e308, 1.7e308, 1.7e308]])
    result = run(to_onnx(L2Normalizer().fit(X), X), X)
    assert_allclose(result, [[3**-0.5] * 3], rtol=1e-15)


def test_sklearn_normalizer_converter_returns_nan_on_the_same_row():
    """skl2onnx's own converter squares first: the float32 sum overflows."""
    X = np.array([[1e20, 1e20], [3.0, 4.0]], dtype=np.float32)
    result = run(to_onnx(Normalizer().fit(X), X), X)
    assert np.isnan(result[0]).all()
    assert_allclose(result[1], [0.6, 0.8], rtol=1e-7)


# skl2onnx 1.20's SVC converter reads SVC.probA_ and probB_, which
# scikit-learn 1.9 deprecates with a FutureWarning; only those are let through.
@pytest.mark.filterwarnings("ignore:Attribute `prob[AB]_` was deprecated:FutureWarning")
@pytest.mark.parametrize("axis", [0, 1])
def test_pipeline_with_svc_predicts_the_same_labels(axis):
    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    pipeline = make_pipeline(L2Normalizer(axis=axis), SVC()).fit(X, y)
    model = to_onnx(pipeline, X, options={SVC: {"zipmap": False}})
    assert_array_equal(run(model, X), pipeline.predict(X))


def test_batch_size_is_free():
    X = extreme_rows(np.float32)
    model = to_onnx(L2Normalizer().fit(X), X)
    for rows in (X[:1], X[:7], X):
        assert run(model, rows).shape == rows.shape


def test_graph_uses_only_standard_operators():
    X = extreme_rows(np.float64)
    model = to_onnx(L2Normalizer(norm=3, eps=1.0).fit(X), X)
    assert {node.domain for node in model.graph.node} == {""}


def test_opset_13_takes_reduce_axes_as_attributes():
    X = extreme_rows(np.float32)
    est = L2Normalizer(norm="max").fit(X)
    model = to_onnx(est, X, target_opset=13)
    assert {op.version for op in model.opset_import if op.domain == ""} == {13}
    assert_matches_transform(run(model, X), est.transform(X))


def test_opset_before_13_is_refused():
    X = extreme_rows(np.float32)
    with pytest.raises(RuntimeError, match="opset 13"):
        to_onnx(L2Normalizer().fit(X), X, target_opset=12)


def test_unfitted_axis_0_is_refused():
    with pytest.raises(NotFittedError):
        to_onnx(L2Normalizer(axis=0), initial_types=[("X", FloatTensorType([None, 6]))])


def test_integer_input_is_refused():
    X = np.arange(6, dtype=np.int64).reshape(3, 2)
    est = L2Normalizer().fit(X)
    with pytest.raises(RuntimeError, match="Cast the data"):
        to_onnx(est, initial_types=[("X", Int64TensorType([None, 2]))])


def test_several_input_tensors_are_refused():
    est = L2Normalizer().fit(np.ones((2, 3), dtype=np.float32))
    types = [("a", FloatTensorType([None, 1])), ("b", FloatTensorType([None, 2]))]
    with pytest.raises(RuntimeError, match="one input tensor"):
        to_onnx(est, initial_types=types)


def test_register_twice_changes_nothing():
    X = np.array([[3.0, 4.0]], dtype=np.float32)
    assert register() == register() == "SklearnL2Normalizer"
    assert_allclose(run(to_onnx(L2Normalizer().fit(X), X), X), [[0.6, 0.8]])


def test_importing_the_package_does_not_import_skl2onnx():
    code = (
        "import sys, sklearn_l2, sklearn_l2.onnx; "
        "print('skl2onnx' in sys.modules, 'onnx' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.split() == ["False", "False"]


def test_accuracy_script_covers_every_configuration():
    script = Path(__file__).parents[1] / "benchmarks" / "onnx_accuracy.py"
    main = runpy.run_path(str(script), run_name="onnx_accuracy")["main"]
    results = main(["--rows", "30", "--features", "5"])
    # 2 dtypes x 2 data sets x 12 configurations.
    assert len(results) == 48
    assert max(r["max_ulps"] for r in results) <= 8
