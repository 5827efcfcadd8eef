"""``python -m sklearn_l2``: the demo and the ``compare`` command."""

import subprocess
import sys

import numpy as np
import pytest

from sklearn_l2.__main__ import main

pd = pytest.importorskip("pandas")

FAST = ["--cv", "3", "--repeats", "1", "--quiet"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    frame["label"] = np.repeat(["x", "y", "z"], 10)
    frame.loc[frame["label"] == "y", "a"] += 3
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_no_arguments_prints_the_demo(capsys):
    code, out, _ = run(capsys)
    assert code == 0
    assert "sklearn_l2.normalize" in out
    assert "python -m sklearn_l2 compare --dataset wine" in out


def test_module_entry_point_runs():
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_l2", "compare", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--dataset", "--csv", "--target", "--plot", "--cv", "--repeats"):
        assert option in done.stdout
    assert "--n-jobs" in done.stdout


def test_compare_bundled_dataset_prints_table_and_winners(capsys, tmp_path):
    pytest.importorskip("matplotlib")  # for --plot: in the examples extra
    plot = tmp_path / "iris.png"
    code, out, err = run(capsys, "compare", "--dataset", "iris", "--plot", str(plot))
    assert code == 0, err
    assert "5-fold" in out
    for scaler in ("MinMaxScaler", "StandardScaler", "StandardScaler+L2Normalizer"):
        assert scaler in out
    for model in ("linear SVM", "RBF SVM", "k-NN"):
        assert f"\n{model}: " in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_goes_to_stderr(capsys):
    code, out, err = run(capsys, "compare", "--dataset", "iris", "--cv", "2")
    assert code == 0
    assert "fitting" in err
    assert "fitting" not in out


def test_compare_csv(capsys, csv_file):
    path, _ = csv_file
    code, out, err = run(
        capsys, "compare", "--csv", str(path), "--target", "label", *FAST
    )
    assert code == 0, err
    assert "30x3" in out
    assert "L2Normalizer" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--csv", "{missing}", "--target", "label"], "no such file"),
        (["--csv", "{path}", "--target", "nope"], "target column 'nope' is not in"),
        (["--csv", "{path}"], "needs --target"),
        (["--dataset", "iris", "--target", "label"], "only for --csv"),
        (["--dataset", "iris", "--plot", "chart.txt"], ".png, .svg or .pdf"),
        (["--dataset", "iris", "--scoring", "nonsense"], "nonsense"),
    ],
)
def test_bad_input_is_one_line_not_a_traceback(
    capsys, csv_file, tmp_path, argv, message
):
    path, _ = csv_file
    argv = [a.format(path=path, missing=tmp_path / "missing.csv") for a in argv]
    code, _, err = run(capsys, "compare", *argv, *FAST)
    assert code == 2
    assert err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err


def test_non_numeric_column(capsys, csv_file, tmp_path):
    _, frame = csv_file
    frame["colour"] = "red"
    path = tmp_path / "text.csv"
    frame.to_csv(path, index=False)
    code, _, err = run(
        capsys, "compare", "--csv", str(path), "--target", "label", *FAST
    )
    assert code == 2
    assert "non-numeric feature column(s): colour" in err


def test_missing_values(capsys, csv_file, tmp_path):
    _, frame = csv_file
    frame.loc[3, "b"] = np.nan
    path = tmp_path / "holes.csv"
    frame.to_csv(path, index=False)
    code, _, err = run(
        capsys, "compare", "--csv", str(path), "--target", "label", *FAST
    )
    assert code == 2
    assert "missing values in column(s): b" in err


def test_too_few_samples_per_class(capsys, csv_file, tmp_path):
    _, frame = csv_file
    frame = frame.iloc[:12]  # 10 of class x, 2 of class y
    path = tmp_path / "small.csv"
    frame.to_csv(path, index=False)
    code, _, err = run(
        capsys, "compare", "--csv", str(path), "--target", "label", *FAST
    )
    assert code == 2
    assert "too few samples per class" in err
    assert "'y' has 2" in err


def test_empty_file(capsys, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    code, _, err = run(capsys, "compare", "--csv", str(path), "--target", "label")
    assert code == 2
    assert "cannot read" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["compare"],
        ["compare", "--dataset", "iris", "--cv", "1"],
        ["compare", "--dataset", "mnist"],
        ["compare", "--dataset", "iris", "--csv", "x.csv"],
    ],
)
def test_argparse_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err
