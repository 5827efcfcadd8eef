"""pandas and polars input and output."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_l2 import L2Normalizer, normalize

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

COLUMNS = ["height", "width", "depth"]


def _values(rng):
    return rng.normal(size=(6, 3))


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("frame", ["pandas", "polars"])
def test_frame_input_keeps_feature_names(rng, frame, axis):
    values = _values(rng)
    X = (
        pd.DataFrame(values, columns=COLUMNS)
        if frame == "pandas"
        else pl.DataFrame(values, schema=COLUMNS)
    )
    est = L2Normalizer(axis=axis).fit(X)
    assert_array_equal(est.feature_names_in_, COLUMNS)
    assert_array_equal(est.get_feature_names_out(), COLUMNS)
    assert_allclose(est.transform(X), L2Normalizer(axis=axis).fit_transform(values))


@pytest.mark.parametrize("axis", [0, 1])
def test_pandas_output_keeps_columns_and_index(rng, axis):
    index = pd.Index([10, 20, 30, 40, 50, 60], name="id")
    X = pd.DataFrame(_values(rng), columns=COLUMNS, index=index)
    out = L2Normalizer(axis=axis).set_output(transform="pandas").fit_transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == COLUMNS
    pd.testing.assert_index_equal(out.index, index)
    assert_allclose(out.to_numpy(), L2Normalizer(axis=axis).fit_transform(X.to_numpy()))


@pytest.mark.parametrize("axis", [0, 1])
def test_polars_output_keeps_columns(rng, axis):
    X = pl.DataFrame(_values(rng), schema=COLUMNS)
    out = L2Normalizer(axis=axis).set_output(transform="polars").fit_transform(X)
    assert isinstance(out, pl.DataFrame)
    assert out.columns == COLUMNS
    assert_allclose(out.to_numpy(), L2Normalizer(axis=axis).fit_transform(X.to_numpy()))


def test_pandas_output_from_numpy_input_names_features(rng):
    out = L2Normalizer().set_output(transform="pandas").fit_transform(_values(rng))
    assert list(out.columns) == ["x0", "x1", "x2"]


@pytest.mark.parametrize("axis", [0, 1])
def test_pandas_nan_passes_through(axis):
    X = pd.DataFrame(
        {"a": [3.0, np.nan, 1.0], "b": [4.0, 2.0, np.nan]}, index=["u", "v", "w"]
    )
    out = L2Normalizer(axis=axis).set_output(transform="pandas").fit_transform(X)
    assert_array_equal(out.isna().to_numpy(), X.isna().to_numpy())
    if axis == 1:
        expected = [[0.6, 0.8], [np.nan, 1.0], [1.0, np.nan]]
    else:
        expected = [
            [3 / 10**0.5, 4 / 20**0.5],
            [np.nan, 2 / 20**0.5],
            [1 / 10**0.5, np.nan],
        ]
    assert_allclose(out.to_numpy(), expected)
    pd.testing.assert_index_equal(out.index, X.index)


def test_pandas_nullable_float_with_missing():
    X = pd.DataFrame({"a": pd.array([3.0, None], dtype="Float64"), "b": [4.0, 1.0]})
    out = L2Normalizer().set_output(transform="pandas").fit_transform(X)
    assert_allclose(out.to_numpy(dtype=float), [[0.6, 0.8], [np.nan, 1.0]])


def test_transform_rejects_renamed_columns(rng):
    X = pd.DataFrame(_values(rng), columns=COLUMNS)
    est = L2Normalizer(axis=0).fit(X)
    with pytest.raises(ValueError, match="feature names"):
        est.transform(X.rename(columns={"depth": "length"}))


@pytest.mark.parametrize("transform", ["pandas", "polars"])
def test_frame_output_of_sparse_result_is_a_clear_error(transform):
    est = L2Normalizer().set_output(transform=transform)
    with pytest.raises(ValueError, match="sparse"):
        est.fit_transform(sp.csr_matrix(np.eye(3)))


def test_frame_output_after_default_output_for_sparse(rng):
    X = sp.csr_matrix(np.eye(3))
    out = L2Normalizer().set_output(transform="default").fit_transform(X)
    assert sp.issparse(out)


@pytest.mark.parametrize("axis", [0, 1])
def test_polars_float32_stays_float32_as_pandas_does(axis):
    schema = {"a": pl.Float32, "b": pl.Float32}
    frame = pl.DataFrame({"a": [3.0, 1.0], "b": [4.0, 2.0]}, schema=schema)
    result = normalize(frame, axis=axis)
    assert result.dtype == np.float32
    assert_allclose(result, normalize(frame.to_numpy().astype(np.float32), axis=axis))
