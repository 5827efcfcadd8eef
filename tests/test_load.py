"""``compare --csv``: identifier and constant columns, decimal commas."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

from sklearn_l2.__main__ import main

pd = pytest.importorskip("pandas")

FAST = ["--cv", "3", "--repeats", "1", "--quiet", "--n-jobs", "1", "--no-tune"]


def compare(capsys, path, *argv):
    code = main(["compare", "--csv", str(path), "--target", "label", *argv, *FAST])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    frame["label"] = np.repeat(["x", "y"], 30)
    frame.loc[frame["label"] == "y", "a"] += 3
    return frame


def write(frame, tmp_path, **kwargs):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False, **kwargs)
    return path


@pytest.mark.parametrize("name", ["id", "customer_id", "Order ID", "index", "key"])
def test_identifier_named_column_is_dropped(capsys, tmp_path, frame, name):
    frame.insert(0, name, np.random.default_rng(1).permutation(60) * 7 + 1000)
    code, out, err = compare(capsys, write(frame, tmp_path))
    assert code == 0, err
    assert f"note: dropped column {name!r}: its name says it is an identifier" in out
    assert "60x3" in out


def test_counter_column_is_dropped_whatever_its_name(capsys, tmp_path, frame):
    frame.insert(0, "row", np.arange(1, 61))
    code, out, err = compare(capsys, write(frame, tmp_path))
    assert code == 0, err
    assert "dropped column 'row': its integers are all distinct and count rows" in out
    assert "--keep row" in out
    assert "60x3" in out


def test_keep_uses_a_column_that_looks_like_an_identifier(capsys, tmp_path, frame):
    frame.insert(0, "row", np.arange(1, 61))
    code, out, err = compare(capsys, write(frame, tmp_path), "--keep", "row")
    assert code == 0, err
    assert "dropped" not in out
    assert "60x4" in out


def test_keep_names_an_unknown_column(capsys, tmp_path, frame):
    code, _, err = compare(capsys, write(frame, tmp_path), "--keep", "nope")
    assert code == 2
    assert "--keep: no column 'nope'" in err


def test_constant_column_is_dropped(capsys, tmp_path, frame):
    frame["unit"] = 5
    code, out, err = compare(capsys, write(frame, tmp_path))
    assert code == 0, err
    assert "dropped column 'unit': it is constant (5 in every row)" in out
    assert "60x3" in out


def test_identifier_column_no_longer_decides_for_l2(capsys, tmp_path):
    # An ID of unique integers dominates every row's length: with it, L2
    # normalization ahead of a linear SVM is no better than chance.
    X, y = load_breast_cancer(return_X_y=True)
    frame = pd.DataFrame(X[:, :10], columns=[f"f{i}" for i in range(10)])
    frame.insert(0, "customer_id", np.random.default_rng(0).permutation(569) + 10**6)
    frame["label"] = y
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    out_path = tmp_path / "out.json"
    code, out, err = compare(capsys, path, "--output", str(out_path))
    assert code == 0, err
    assert "569x10" in out
    import json

    rows = json.loads(out_path.read_text())["results"]
    l2 = next(
        r for r in rows if r["scaler"] == "L2Normalizer" and r["model"] == "linear SVM"
    )
    assert l2["beats_chance"]


def test_decimal_commas_are_detected(capsys, tmp_path, frame):
    path = write(frame, tmp_path, sep=";", decimal=",")
    code, out, err = compare(capsys, path)
    assert code == 0, err
    assert "note: read decimal commas (1,5 as 1.5) in column(s) a, b, c" in out
    assert "60x3" in out


def test_decimal_option_is_used(capsys, tmp_path, frame):
    path = write(frame, tmp_path, sep="|", decimal=",")
    code, out, err = compare(capsys, path, "--sep", "|", "--decimal", ",")
    assert code == 0, err
    assert "decimal commas" not in out
    assert "60x3" in out


def test_text_with_commas_is_not_read_as_numbers(capsys, tmp_path, frame):
    frame["city"] = np.tile(["Paris, France", "Lyon, France"], 30)
    path = write(frame, tmp_path, sep=";")
    code, _, err = compare(capsys, path)
    assert code == 2
    assert "non-numeric feature column(s): city" in err
