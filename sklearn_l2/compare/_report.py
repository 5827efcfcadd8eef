"""What ``python -m sklearn_l2 compare`` prints, and its ``--output`` file."""

import json

import numpy as np

from ._errors import CommandError

RECOMMENDED = "*"
FAILED = "!"
NOT_ABOVE_CHANCE = "~"


def _score(mean, std):
    if np.isnan(mean):
        return "failed"
    return f"{mean:.3f} ± {std:.3f}"


def p_value(p):
    """A p-value with three decimals, always: ``p=0.100``, not ``p=0.1``."""
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def _values(values):
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def tuning(result, no_tune_option="tune=False"):
    """How the models were tuned: the grids, or a line saying they were not."""
    grids = result.attrs["grids"]
    if not result.attrs["tuned"]:
        return (
            "models not tuned: fixed defaults (C=1, gamma='scale', 5 neighbours "
            "for the default models); tuned models often narrow the gaps "
            f"between scalers (drop {no_tune_option})"
        )
    lines = [
        "models tuned by nested cross-validation: in each of the "
        f"{result.attrs['n_splits']} training folds, GridSearchCV "
        "(3 inner folds, same scoring) over"
    ]
    for model, grid in grids.items():
        values = "; ".join(
            f"{name.removeprefix('regressor__')} in {_values(v)}"
            for name, v in grid.items()
        )
        if any(name.endswith("gamma_factor") for name in grid):
            values += " (gamma_factor: multiples of gamma='scale')"
        lines.append(f"  {model}: {values}")
    return "\n".join(lines)


def chosen(result):
    """Per pipeline, the tuned values chosen most often over the outer folds."""
    if not result.attrs["tuned"]:
        return ""
    scalers = list(dict.fromkeys(result["scaler"]))
    models = list(dict.fromkeys(result["model"]))
    cells = {
        (row["scaler"], row["model"]): row["params"] or "-"
        for _, row in result.iterrows()
    }
    return (
        "chosen values (the most frequent over the outer folds, in how many):\n"
        + _grid(scalers, models, cells)
    )


def _grid(scalers, models, cells):
    first = max(len(s) for s in scalers)
    widths = [max(len(m), *(len(cells[s, m]) for s in scalers)) for m in models]
    grid = [
        " " * first
        + "".join(f"  {m:<{w}}" for m, w in zip(models, widths, strict=True))
    ]
    for scaler in scalers:
        grid.append(
            f"{scaler:<{first}}"
            + "".join(
                f"  {cells[scaler, m]:<{w}}"
                for m, w in zip(models, widths, strict=True)
            )
        )
    return "\n".join(line.rstrip() for line in grid)


def table(result):
    """Mean ± std per scaler (rows) and model (columns), with the marks."""
    scalers = list(dict.fromkeys(result["scaler"]))
    models = list(dict.fromkeys(result["model"]))
    cells = {}
    for _, row in result.iterrows():
        if row["failure"]:
            mark = FAILED + " "
        else:
            mark = RECOMMENDED if row["tied_with_best"] else " "
            mark += NOT_ABOVE_CHANCE if not row["beats_chance"] else " "
        cells[row["scaler"], row["model"]] = f"{_score(row['mean'], row['std'])} {mark}"
    chance = result.attrs["chance"]
    lines = [
        _grid(scalers, models, cells),
        "",
        f"chance ({chance['name']}): {_score(chance['mean'], chance['std'])}",
        f"{RECOMMENDED} recommended for that model: the best, or tied with it "
        "(corrected resampled t-test, 95%)",
    ]
    if not result["beats_chance"].all():
        lines.append(f"{NOT_ABOVE_CHANCE} not better than chance")
    failed = result[result["failure"] != ""]
    if not failed.empty:
        lines.append(f"{FAILED} failed, never recommended:")
        for _, row in failed.iterrows():
            lines.append(f"  {row['scaler']} + {row['model']}: {row['failure']}")
    values = chosen(result)
    if values:
        lines += ["", values]
    return "\n".join(lines)


def decisions(result):
    """One recommendation line per model, then the best pipeline."""
    width = max(len(m) for m in result.attrs["recommendations"]) + 1
    lines = ["Which scaler, per model:"]
    for model, text in result.attrs["recommendations"].items():
        rows = result[result["model"] == model].set_index("scaler")
        usable = rows[rows["failure"] == ""]
        if (
            "none" in usable.index
            and not usable.loc["none", "tied_with_best"]
            and len(usable) > 1
        ):
            # The first thing a reader wants to know: does scaling matter?
            text += (
                f"\n  {'':<{width}} scaling matters: no scaling scores "
                f"{usable.loc['none', 'mean']:.3f}, the best "
                f"{usable['mean'].max():.3f}"
            )
        lines.append(f"  {model + ':':<{width}} {text}")
    best = result.attrs["best"]
    if best is None:
        lines.append("Best pipeline: none, every pipeline failed")
        return "\n".join(lines)
    scoring = result.attrs["scoring"]
    name = scoring if isinstance(scoring, str) else "score"
    line = (
        f"Best pipeline: {best['scaler']} + {best['model']} "
        f"({name} {_score(best['mean'], best['std'])})"
    )
    if best["tied"]:
        line += f"; {len(best['tied'])} other pipeline(s) tied with it"
    if not best["beats_chance"]:
        line += "; it does not beat chance: these models do not fit this data"
    lines.append(line)
    return "\n".join(lines)


def paired_differences(result):
    """``--verbose``: every scaler against its model's best, fold by fold."""
    n_splits = result.attrs["n_splits"]
    lines = []
    for model, rows in result.groupby("model", sort=False):
        usable = rows[rows["failure"] == ""]
        if usable.empty:
            lines.append(f"{model}: every scaler failed")
            continue
        best = usable["mean"].idxmax()
        lines.append(
            f"{model}: paired difference to {rows.at[best, 'scaler']} (mean ± std "
            f"over {n_splits} folds, corrected t-test p-value)"
        )
        width = max(len(s) for s in rows["scaler"])
        for index, row in rows.sort_values("rank", kind="stable").iterrows():
            if index == best:
                continue
            if row["failure"] or np.isnan(row["p_value_vs_best"]):
                lines.append(f"  {row['scaler']:<{width}}  failed: {row['failure']}")
                continue
            diffs = row["fold_scores"] - rows.at[best, "fold_scores"]
            status = "tied" if row["tied_with_best"] else "worse"
            lines.append(
                f"  {row['scaler']:<{width}}  {diffs.mean():+.3f} ± "
                f"{diffs.std(ddof=1) if len(diffs) > 1 else 0.0:.3f}  "
                f"{p_value(row['p_value_vs_best'])}  {status}"
            )
        for _, row in rows[rows["uses_l2"]].iterrows():
            if row["baseline"] is None or row["verdict"] == "failed":
                continue
            lines.append(
                f"  L2 check: {row['scaler']} vs {row['baseline']} (best without "
                f"L2): {row['diff_mean']:+.3f} ± {row['diff_std']:.3f}, "
                f"{p_value(row['p_value'])}, {row['verdict']}"
            )
    return "\n".join(lines)


def check_output_path(path):
    """Refuse, before any fitting, an ``--output`` file that cannot be written."""
    if not path.lower().endswith((".csv", ".json")):
        raise CommandError(f"--output must name a .csv or .json file, not {path}")
    check_writable(path, "--output")


def check_writable(path, option):
    """Open ``path`` for appending (creating it if need be), then leave it as it was."""
    import os

    existed = os.path.exists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as exc:
        raise CommandError(
            f"{option}: cannot write {path} ({exc.strerror}); choose a writable place"
        ) from None
    if not existed:
        os.remove(path)


def _plain(value):
    """A JSON-friendly scalar: no numpy types, and None for NaN."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _records(result, with_folds):
    records = []
    for row in result.to_dict(orient="records"):
        folds = [float(s) for s in row.pop("fold_scores")]
        if with_folds:
            row["fold_scores"] = folds
        else:
            row["fold_scores"] = " ".join(f"{s:.6g}" for s in folds)
        records.append({k: _plain(v) for k, v in row.items()})
    return records


def write_output(result, path, data_label):
    """The tidy table with the decisions, as CSV or JSON."""
    import pandas as pd

    if path.lower().endswith(".csv"):
        pd.DataFrame(_records(result, with_folds=False)).to_csv(path, index=False)
        return
    chance = dict(result.attrs["chance"])
    chance["fold_scores"] = [float(s) for s in chance["fold_scores"]]
    scoring = result.attrs["scoring"]
    document = {
        "data": data_label,
        "task": result.attrs["task"],
        "scoring": scoring if isinstance(scoring, str) else repr(scoring),
        "n_samples": result.attrs["n_samples"],
        "n_splits": result.attrs["n_splits"],
        "tuned": result.attrs["tuned"],
        "grids": result.attrs["grids"],
        "chance": chance,
        "recommendations": result.attrs["recommendations"],
        "best_pipeline": {
            **result.attrs["best"],
            "tied": [list(p) for p in result.attrs["best"]["tied"]],
        },
        "notes": result.attrs["notes"],
        "warnings": result.attrs["warnings"],
        "results": _records(result, with_folds=True),
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2, allow_nan=True)
        file.write("\n")
