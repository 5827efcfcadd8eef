"""``python -m sklearn_l2``: the arguments, and the ``compare`` command's steps.

Loading is in :mod:`._load`, the printed report and ``--output`` in
:mod:`._report`, the chart in :mod:`._chart`.
"""

import argparse
import sys
import textwrap

import numpy as np

from .. import __version__
from ._errors import CommandError
from ._load import DATASETS, load_csv, load_dataset

TASKS = ("auto", "classification", "regression")


def _demo():
    from sklearn.preprocessing import normalize as sklearn_normalize

    from .. import normalize

    print(f"sklearn-l2 {__version__}\n")
    rows = np.array([[1e155, 1.0], [1e-160, 1e-160]])
    print("rows:\n", rows)
    print("sklearn.preprocessing.normalize:\n", sklearn_normalize(rows))
    print("sklearn_l2.normalize:\n", normalize(rows), "\n")
    print("Which scaler suits your data? Try:")
    print("  python -m sklearn_l2 compare --dataset wine")
    print("  python -m sklearn_l2 compare --csv FILE.csv --target COLUMN")
    print("  python -m sklearn_l2 compare --help")


class Progress:
    """Progress on stderr: a tqdm bar on a terminal, plain lines elsewhere.

    A log or CI output gets no carriage returns: a line every quarter of the
    fits, and at the end.
    """

    def __init__(self, enabled):
        self.enabled = enabled
        self.bar = None
        self.tty = sys.stderr.isatty()
        self.last = -1

    def __call__(self, done, total):
        if not self.enabled:
            return
        if self.tty and self.bar is None:
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
            sys.stderr.write(f"fitting: {done}/{total} ({percent}%)\n")
            sys.stderr.flush()
        self.last = percent

    def close(self):
        """End an unfinished bar (on an error or Ctrl-C)."""
        if self.bar:
            self.bar.close()
            self.bar = None


# The Python API's wording in compare_scalers' notes and errors, and the
# command-line option that does the same.
_OPTIONS = {
    "task='classification'": "--task classification",
    "task='regression'": "--task regression",
    "max_samples='all'": "--max-samples all",
    "lower cv": "lower --cv",
}


def _as_options(text):
    for python, option in _OPTIONS.items():
        text = text.replace(python, option)
    return text


def _load(args):
    if args.csv is not None:
        return load_csv(
            args.csv,
            target=args.target,
            sep=args.sep,
            drop=args.drop,
            text=args.text,
            keep=args.keep,
            decimal=args.decimal,
        )
    for option in ("target", "sep", "drop", "text", "keep", "decimal"):
        if getattr(args, option):
            raise CommandError(f"--{option} is only for --csv")
    return load_dataset(args.dataset)


def _check_files(args):
    """Refuse unwritable output files before any fitting."""
    from ._report import check_output_path, check_writable

    if args.plot is not None:
        if not args.plot.lower().endswith((".png", ".svg", ".pdf")):
            raise CommandError("--plot must name a .png, .svg or .pdf file")
        check_writable(args.plot, "--plot")
    if args.output is not None:
        check_output_path(args.output)


def _max_samples(text):
    if text in ("auto", "all"):
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not auto, all or a number of rows"
        ) from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2 rows, got {value}")
    return value


def _compare(args):
    from . import _report
    from ._api import compare_scalers

    _check_files(args)
    data = _load(args)
    progress = Progress(not args.quiet)
    try:
        result = compare_scalers(
            data.X,
            data.y,
            cv=args.cv,
            n_repeats=args.repeats,
            scoring=args.scoring,
            n_jobs=args.n_jobs,
            random_state=args.random_state,
            progress=progress,
            task=args.task,
            tune=not args.no_tune,
            max_samples=args.max_samples,
        )
    except (ValueError, ImportError) as exc:
        raise CommandError(_as_options(str(exc))) from None
    finally:
        progress.close()
    result.attrs["notes"] = [_as_options(n) for n in result.attrs["notes"]]
    task = result.attrs["task"]
    folds = "stratified " if task == "classification" else ""
    print(
        f"{data.label}\n{task}: {args.repeats}x repeated {folds}{args.cv}-fold CV "
        f"({result.attrs['n_splits']} folds), scoring={result.attrs['scoring']}"
    )
    for note in data.notes + result.attrs["notes"]:
        print(f"note: {note}")
    print(_report.tuning(result, no_tune_option="--no-tune"))
    print()
    print(_report.table(result))
    print()
    print(_report.decisions(result))
    if args.verbose:
        print()
        print(_report.paired_differences(result))
    warnings = result.attrs["warnings"]
    if warnings:
        kinds = "kind of warning" if len(warnings) == 1 else "kinds of warning"
        print(f"\n{len(warnings)} {kinds} while fitting the chosen pipelines:")
        for message in warnings if args.verbose else warnings[:5]:
            print(f"  {message}")
        if len(warnings) > 5 and not args.verbose:
            print(f"  ... and {len(warnings) - 5} more (--verbose lists them)")
    if args.output is not None:
        _report.write_output(result, args.output, data.label)
        print(f"\nresults saved to {args.output}")
    if args.plot is not None:
        from ._chart import plot

        plot(result, args.plot, data.label)
        print(f"chart saved to {args.plot}")


def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value == 0:
        raise argparse.ArgumentTypeError("0 jobs: use 1, or -1 for every core")
    return value


def _add_compare(commands):
    compare = commands.add_parser(
        "compare",
        help="which scaler to put ahead of SVMs and k-NN, on your data",
        description=textwrap.fill(
            "Cross-validate no scaling, MinMaxScaler, StandardScaler, "
            "L2Normalizer and StandardScaler+L2Normalizer ahead of a linear SVM, an "
            "RBF SVM and euclidean k-NN (their regression versions for a continuous "
            "target), and a chance baseline, all on the same repeated folds; each "
            "model is tuned by GridSearchCV inside every training fold (nested "
            "cross-validation; --no-tune for fixed defaults). A pipeline that "
            "fails, does not converge or scores far below chance is marked and "
            "never recommended. Per model, rank the scalers and recommend the "
            "best one, or every scaler that the corrected resampled paired "
            "t-test (95%) cannot tell apart from it; then name the best "
            "pipeline overall.",
            width=79,
        ),
        epilog="examples:\n"
        "  python -m sklearn_l2 compare --dataset wine --plot wine.png\n"
        "  python -m sklearn_l2 compare --dataset reviews\n"
        "  python -m sklearn_l2 compare --csv data.csv --target label --cv 10\n"
        "  python -m sklearn_l2 compare --csv docs.csv --target label --text body\n"
        "  python -m sklearn_l2 compare --csv prices.csv --target price "
        "--output results.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = compare.add_argument_group("data (one of)").add_mutually_exclusive_group(
        required=True
    )
    source.add_argument(
        "--dataset",
        choices=DATASETS,
        help="a bundled data set, no download: scikit-learn's iris, wine, "
        "breast_cancer, digits (classes) and diabetes (a continuous target), "
        "or reviews (4,866 movie-review snippets, text; needs "
        "examples/install_data.sh)",
    )
    source.add_argument(
        "--csv",
        metavar="FILE",
        help="your own data: a CSV file with a header row, numeric feature "
        "columns (or a text column, see --text) and a target column",
    )
    csv_options = compare.add_argument_group("CSV options")
    csv_options.add_argument(
        "--target", metavar="COL", help="the column holding the classes or values"
    )
    csv_options.add_argument(
        "--sep",
        metavar="CHAR",
        help="field separator (default: guessed from the first lines: , ; tab |)",
    )
    csv_options.add_argument(
        "--drop",
        nargs="+",
        default=[],
        metavar="COL",
        help="columns to leave out (ids, dates, free text)",
    )
    csv_options.add_argument(
        "--keep",
        nargs="+",
        default=[],
        metavar="COL",
        help="columns to use although they look like identifiers (id, *_id, "
        "index, key, or distinct integers that count rows) or are constant, "
        "which are otherwise dropped with a note",
    )
    csv_options.add_argument(
        "--decimal",
        metavar="CHAR",
        help="decimal mark (default: '.', or ',' when a file not separated by "
        "commas holds numbers such as 1,5)",
    )
    csv_options.add_argument(
        "--text",
        metavar="COL",
        help="a column of documents: compare on its TF-IDF (sparse), instead of "
        "the numeric columns",
    )
    evaluation = compare.add_argument_group("evaluation")
    evaluation.add_argument(
        "--task",
        choices=TASKS,
        default="auto",
        help="auto (default): regression when the target is continuous, or "
        "numbers of which most occur fewer than 5 times; classification "
        "otherwise",
    )
    evaluation.add_argument(
        "--cv",
        type=_int_at_least(2),
        default=5,
        metavar="K",
        help="folds per repetition (default: 5); every class needs at least K samples",
    )
    evaluation.add_argument(
        "--repeats",
        type=_int_at_least(1),
        default=3,
        metavar="R",
        help="repetitions of the K-fold split, shuffled differently (default: 3)",
    )
    evaluation.add_argument(
        "--scoring",
        help="a scikit-learn scorer name, e.g. balanced_accuracy, f1_macro, "
        "neg_mean_absolute_error (default: accuracy, or r2 for regression)",
    )
    evaluation.add_argument(
        "--no-tune",
        action="store_true",
        help="fit every model with fixed defaults (C=1, gamma='scale', 5 "
        "neighbours) instead of tuning it by nested cross-validation: faster, "
        "and the gaps between scalers are those of untuned models",
    )
    evaluation.add_argument(
        "--max-samples",
        type=_max_samples,
        default="auto",
        metavar="N",
        help="rows to compare on: auto (default: every row, or a stratified "
        "subsample when the estimated run time is over a few minutes), all, "
        "or a number",
    )
    evaluation.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the fold assignment (default: 0)",
    )
    evaluation.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=-1,
        metavar="N",
        help="parallel fits (default: -1, every core)",
    )
    output = compare.add_argument_group("output")
    output.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also save a bar chart (.png, .svg or .pdf; needs matplotlib)",
    )
    output.add_argument(
        "--output",
        metavar="FILE.csv",
        help="also save the table and the decisions (.csv or .json)",
    )
    output.add_argument(
        "--verbose",
        action="store_true",
        help="also print the paired differences behind every decision",
    )
    output.add_argument(
        "--quiet", action="store_true", help="no progress bar on stderr"
    )


def build_parser():
    """The ``python -m sklearn_l2`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_l2",
        description="sklearn-l2: exact L2 normalization for scikit-learn. "
        "With no command, prints a short demo.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_compare(commands)
    return parser


def main(argv=None):
    """Run ``python -m sklearn_l2`` with ``argv``; return the exit status."""
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
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
