"""The ``--plot`` chart: one panel per model, on one common score axis.

Bars start at 0 and every panel shares the x-axis, from the chance score
(or 0, whichever is lower) to the best possible score, so that bar lengths
can be compared across scalers and models. The chance baseline is drawn, the
recommended scalers are coloured (pipelines no better than chance in a colour
of their own), and the best one of each model is starred.
"""

import textwrap

import numpy as np

from ._errors import CommandError

RECOMMENDED_COLOR = "tab:green"
OTHER_COLOR = "tab:gray"
AT_CHANCE_COLOR = "#f2a7a7"
CHANCE_COLOR = "tab:red"
FAILED_COLOR = "black"


def score_limits(result):
    """Left and right ends of the common x-axis."""
    scoring = result.attrs["scoring"]
    chance = result.attrs["chance"]["mean"]
    lows = result["mean"] - result["std"]
    if isinstance(scoring, str):
        # scikit-learn's scores are "greater is better"; the errors are
        # negated, so their best possible value is 0, every other score's 1.
        right = 0.0 if scoring.startswith("neg_") else 1.0
    else:
        right = float((result["mean"] + result["std"]).max())
    left = min(0.0, chance, float(lows.min()))
    if left < 0:
        left -= 0.03 * (right - left)
    return left, right


def plot(result, path, title):
    """Save the chart of ``result`` (from ``compare_scalers``) to ``path``."""
    fig = figure(result, title)
    try:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot save the plot to {path}: {exc}") from None


def figure(result, title):
    """The chart of ``result`` (from ``compare_scalers``), as a Figure."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
    except ImportError as exc:
        raise CommandError(
            "--plot needs matplotlib: pip install 'sklearn-l2[examples]'"
        ) from exc
    result = result.copy()
    # The star goes to each model's best scalers (equal means share it)
    # among those that did not fail.
    ok = result["failure"] == ""
    best = result["mean"].where(ok).groupby(result["model"]).transform("max")
    result["best_in_model"] = ok & (result["mean"] == best)
    models = list(dict.fromkeys(result["model"]))
    scalers = list(dict.fromkeys(result["scaler"]))
    chance = result.attrs["chance"]
    left, right = score_limits(result)
    scoring = result.attrs["scoring"]
    name = scoring if isinstance(scoring, str) else "score"
    label_width = max(len(s) for s in scalers)
    fig = Figure(
        figsize=(3.6 * len(models) + 0.07 * label_width, 0.45 * len(scalers) + 2.4),
        layout="constrained",
    )
    axes = fig.subplots(1, len(models), sharex=True, sharey=True, squeeze=False)[0]
    for ax, model in zip(axes, models, strict=True):
        rows = result[result["model"] == model].set_index("scaler").loc[scalers]
        colors = [
            FAILED_COLOR
            if failed
            else AT_CHANCE_COLOR
            if not above
            else RECOMMENDED_COLOR
            if tied
            else OTHER_COLOR
            for tied, above, failed in zip(
                rows["tied_with_best"],
                rows["beats_chance"],
                rows["failure"] != "",
                strict=True,
            )
        ]
        means = rows["mean"].fillna(0.0)
        # The error bars stop at the axis ends: a score has a best value.
        lower = np.minimum(rows["std"], means - left)
        upper = np.minimum(rows["std"], right - means)
        bars = ax.barh(
            scalers,
            means,
            xerr=[lower, upper],
            color=colors,
            hatch=["//" if u else "" for u in rows["uses_l2"]],
            edgecolor="white",
            capsize=3,
        )
        for bar, (_, row) in zip(bars, rows.iterrows(), strict=True):
            if row["failure"]:
                text = "failed (!)"
            else:
                text = f"{row['mean']:.3f}" + (" ★" if row["best_in_model"] else "")
            if row["params"]:
                text += f"  {row['params']}"
            ax.annotate(
                text,
                (left, bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                bbox={
                    "facecolor": "white",
                    "alpha": 0.85,
                    "edgecolor": "none",
                    "pad": 1,
                },
            )
        ax.axvline(chance["mean"], color=CHANCE_COLOR, linestyle="--", linewidth=1.2)
        ax.set_title(model)
        ax.set_xlabel(f"{name} (mean ± std over {result.attrs['n_splits']} folds)")
        ax.set_xlim(left, right)
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()
    best = result.attrs["best"]
    title = "\n".join(textwrap.wrap(title, 110))
    if best is not None:
        title += f"\nbest pipeline: {best['scaler']} + {best['model']}"
    fig.suptitle(title, fontsize=10)
    handles = [
        Patch(color=RECOMMENDED_COLOR, label="recommended: best (★) or tied with it"),
        Patch(color=OTHER_COLOR, label="worse than the best"),
        Patch(color=AT_CHANCE_COLOR, label="not better than chance"),
        Patch(color=FAILED_COLOR, label="failed (!): never recommended"),
        Patch(
            facecolor="white", edgecolor="black", hatch="//", label="uses L2Normalizer"
        ),
        Line2D(
            [],
            [],
            color=CHANCE_COLOR,
            linestyle="--",
            label=f"chance ({chance['name'].split('(')[0]}): {chance['mean']:.3f}",
        ),
    ]
    # The caption is the legend's title: constrained layout keeps room for
    # the legend, where a free text below it would overlap it.
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=3,
        fontsize=8,
        title="\n".join(textwrap.wrap(caption(result), 150)),
        title_fontsize=7,
        frameon=False,
    )
    return fig


def caption(result):
    """How the models were tuned, for the chart's caption."""
    if not result.attrs["tuned"]:
        return "Models not tuned: fixed defaults."
    grids = "; ".join(
        f"{model}: "
        + ", ".join(
            f"{name.removeprefix('regressor__')} in "
            + "/".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)
            for name, values in grid.items()
        )
        for model, grid in result.attrs["grids"].items()
    )
    return (
        "Each model tuned by nested cross-validation (GridSearchCV, 3 inner folds, "
        f"in every training fold) over {grids}. Next to each score: the values "
        "chosen most often, and in how many folds."
    )
