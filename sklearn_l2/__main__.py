"""``python -m sklearn_l2``: a short demo, and the ``compare`` command.

``python -m sklearn_l2 compare --dataset wine`` cross-validates every scaler
ahead of a linear SVM, an RBF SVM and k-NN, prints a table and the winner per
model, and can save a chart (``--plot``). See ``python -m sklearn_l2 compare
--help``.
"""

import argparse
import sys

import numpy as np

from . import __version__

DATASETS = ("iris", "wine", "breast_cancer", "digits")


class CommandError(Exception):
    """A problem with the user's input: reported in one line, no traceback."""


def _demo():
    from sklearn.preprocessing import normalize as sklearn_normalize

    from . import normalize

    print(f"sklearn-l2 {__version__}\n")
    rows = np.array([[1e155, 1.0], [1e-160, 1e-160]])
    print("rows:\n", rows)
    print("sklearn.preprocessing.normalize:\n", sklearn_normalize(rows))
    print("sklearn_l2.normalize:\n", normalize(rows), "\n")
    print("Which scaler suits your data? Try:")
    print("  python -m sklearn_l2 compare --dataset wine")
    print("  python -m sklearn_l2 compare --csv FILE.csv --target COLUMN")
    print("  python -m sklearn_l2 compare --help")


def _load_dataset(name):
    from sklearn import datasets

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return X, y, f"{name} (scikit-learn bundled, {X.shape[0]}x{X.shape[1]})"


def _load_csv(path, target):
    try:
        import pandas as pd
    except ImportError as exc:
        raise CommandError(
            "--csv needs pandas: pip install 'sklearn-l2[examples]'"
        ) from exc
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise CommandError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not a CSV file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path} as CSV: {exc}") from None
    if target is None:
        raise CommandError("--csv needs --target COLUMN (the column with the classes)")
    if target not in frame.columns:
        columns = ", ".join(map(str, frame.columns))
        raise CommandError(
            f"target column {target!r} is not in {path}; its columns are: {columns}"
        )
    y = frame[target]
    if y.isna().any():
        raise CommandError(
            f"target column {target!r} has {int(y.isna().sum())} missing value(s)"
        )
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
            + " (encode them as numbers, e.g. one-hot, or drop them)"
        )
    missing = [str(c) for c in features.columns if features[c].isna().any()]
    if missing:
        raise CommandError(
            "missing values in column(s): "
            + ", ".join(missing)
            + " (impute or drop them first)"
        )
    X = features.to_numpy(dtype=np.float64)
    if not np.isfinite(X).all():
        raise CommandError(f"{path} has infinite values")
    return X, y.to_numpy(), f"{path} ({X.shape[0]}x{X.shape[1]}, target {target!r})"


class _Progress:
    """A progress bar on stderr: tqdm if installed, else a plain one."""

    def __init__(self, enabled):
        self.enabled = enabled
        self.bar = None
        self.tty = sys.stderr.isatty()
        self.last = -1

    def __call__(self, done, total):
        if not self.enabled:
            return
        if self.bar is None:
            try:
                from tqdm import tqdm
            except ImportError:
                self.bar = False
            else:
                self.bar = tqdm(
                    total=total, desc="fitting", unit="fit", file=sys.stderr
                )
        if self.bar:
            self.bar.update(done - self.bar.n)
            if done == total:
                self.bar.close()
            return
        percent = 100 * done // total
        if self.tty:
            filled = 30 * done // total
            sys.stderr.write(
                f"\rfitting [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
            )
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif percent // 25 > self.last // 25 or done == total:
            # Not a terminal (a log, CI): a line every quarter, not every fit.
            sys.stderr.write(f"fitting: {done}/{total} ({percent}%)\n")
            sys.stderr.flush()
        self.last = percent


def _table(result):
    """Mean ± std per scaler (rows) and model (columns)."""
    cells = result.assign(
        cell=[
            f"{m:.3f} ± {s:.3f}"
            for m, s in zip(result["mean"], result["std"], strict=True)
        ]
    )
    table = cells.pivot(index="scaler", columns="model", values="cell")
    table = table.loc[
        list(dict.fromkeys(result["scaler"])), list(dict.fromkeys(result["model"]))
    ]
    table.index.name = None
    table.columns.name = None
    return table.to_string()


def _winners(result):
    """One line per model: the winner, or why there is none."""
    lines = []
    for model, rows in result.groupby("model", sort=False):
        baseline = rows[rows["verdict"] == "baseline"]
        candidates = rows[rows["uses_l2"]]
        if baseline.empty or candidates.empty:
            best = rows.loc[rows["mean"].idxmax()]
            lines.append(f"{model}: highest mean score with {best['scaler']}")
            continue
        base = baseline.iloc[0]
        comparisons = "; ".join(
            f"{c['scaler']} {c['diff_mean']:+.3f} ± {c['diff_std']:.3f} "
            f"(p={c['p_value']:.2g}, {c['verdict']})"
            for _, c in candidates.iterrows()
        )
        better = candidates[candidates["verdict"] == "better"]
        ties = candidates[candidates["verdict"] == "tie"]
        if not better.empty:
            win = better.loc[better["mean"].idxmax(), "scaler"]
            verdict = f"winner {win} (beats {base['scaler']})"
        elif not ties.empty:
            verdict = (
                f"no clear winner: {', '.join(ties['scaler'])} and {base['scaler']} "
                "differ by less than the noise"
            )
        else:
            verdict = f"winner {base['scaler']} (every L2 variant is worse)"
        lines.append(f"{model}: {verdict}\n    vs {base['scaler']}: {comparisons}")
    return "\n".join(lines)


def _plot(result, path, title):
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise CommandError(
            "--plot needs matplotlib: pip install 'sklearn-l2[examples]'"
        ) from exc
    models = list(dict.fromkeys(result["model"]))
    scalers = list(dict.fromkeys(result["scaler"]))
    fig = Figure(
        figsize=(4 * len(models), 0.45 * len(scalers) + 1.6), layout="constrained"
    )
    axes = fig.subplots(1, len(models), sharey=True, squeeze=False)[0]
    for ax, model in zip(axes, models, strict=True):
        rows = result[result["model"] == model].set_index("scaler").loc[scalers]
        colors = ["tab:orange" if u else "tab:blue" for u in rows["uses_l2"]]
        ax.barh(scalers, rows["mean"], xerr=rows["std"], color=colors, capsize=3)
        # Zoom on the bars: accuracies near 1 would look all alike from 0.
        low = float((rows["mean"] - rows["std"]).min())
        high = float((rows["mean"] + rows["std"]).max())
        margin = 0.05 * (high - low) + 1e-3
        ax.set_xlim(low - margin, high + margin)
        ax.set_title(model)
        ax.set_xlabel("score (mean ± std over folds)")
    axes[0].invert_yaxis()
    fig.suptitle(title + "  (orange: uses L2Normalizer)")
    try:
        fig.savefig(path, dpi=110)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot save the plot to {path}: {exc}") from None


def _compare(args):
    from ._compare import compare_scalers

    if args.csv is not None:
        X, y, label = _load_csv(args.csv, args.target)
    else:
        if args.target is not None:
            raise CommandError("--target is only for --csv")
        X, y, label = _load_dataset(args.dataset)
    if args.plot is not None and not args.plot.lower().endswith(
        (".png", ".svg", ".pdf")
    ):
        raise CommandError("--plot must name a .png, .svg or .pdf file")
    print(
        f"{label}: {args.repeats}x repeated stratified {args.cv}-fold CV, "
        f"scoring={args.scoring}",
        flush=True,
    )
    try:
        result = compare_scalers(
            X,
            y,
            cv=args.cv,
            n_repeats=args.repeats,
            scoring=args.scoring,
            n_jobs=args.n_jobs,
            random_state=args.random_state,
            progress=_Progress(not args.quiet),
        )
    except (ValueError, ImportError) as exc:
        raise CommandError(str(exc)) from None
    for note in result.attrs["notes"]:
        print(f"note: {note}")
    print()
    print(_table(result))
    print()
    print(_winners(result))
    if result.attrs["warnings"]:
        print(f"\n{len(result.attrs['warnings'])} kind(s) of warning while fitting:")
        for message in result.attrs["warnings"][:5]:
            print(f"  {message}")
    if args.plot is not None:
        _plot(result, args.plot, label)
        print(f"\nchart saved to {args.plot}")


def _positive_int(text, minimum):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_l2",
        description="sklearn-l2: exact L2 normalization for scikit-learn. "
        "With no command, prints a short demo.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    compare = commands.add_parser(
        "compare",
        help="which scaler works best ahead of SVMs and k-NN on a data set",
        description="Cross-validate no scaling, MinMaxScaler, StandardScaler, "
        "L2Normalizer and StandardScaler+L2Normalizer ahead of a linear SVM, an "
        "RBF SVM and euclidean k-NN, on the same repeated stratified folds; "
        "print mean ± std per pipeline and, per model, whether an L2 variant "
        "beats the best other scaler by more than the fold-to-fold noise "
        "(corrected resampled paired t-test, 95%%).",
        epilog="examples:\n"
        "  python -m sklearn_l2 compare --dataset wine --plot wine.png\n"
        "  python -m sklearn_l2 compare --csv data.csv --target label --cv 10",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = compare.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--dataset",
        choices=DATASETS,
        help="a data set bundled with scikit-learn (no download)",
    )
    source.add_argument(
        "--csv",
        metavar="FILE",
        help="your own data: a CSV file with a header row, numeric feature "
        "columns and a class column named by --target",
    )
    compare.add_argument(
        "--target",
        metavar="COL",
        help="with --csv: the column holding the class labels",
    )
    compare.add_argument(
        "--cv",
        type=lambda t: _positive_int(t, 2),
        default=5,
        metavar="K",
        help="folds per repetition (default: 5); every class needs at least K samples",
    )
    compare.add_argument(
        "--repeats",
        type=lambda t: _positive_int(t, 1),
        default=3,
        metavar="R",
        help="repetitions of the K-fold split, shuffled differently (default: 3)",
    )
    compare.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="parallel jobs, -1 for all cores (default: 1)",
    )
    compare.add_argument(
        "--scoring",
        default="accuracy",
        help="a scikit-learn scorer name, e.g. balanced_accuracy, f1_macro "
        "(default: accuracy)",
    )
    compare.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the fold assignment (default: 0)",
    )
    compare.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also save a bar chart of the scores "
        "(.png, .svg or .pdf; needs matplotlib)",
    )
    compare.add_argument(
        "--quiet", action="store_true", help="no progress bar on stderr"
    )
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        _demo()
        return 0
    try:
        _compare(args)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
