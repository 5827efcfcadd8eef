"""The ``--plot`` chart: one panel per model, on one common score axis.

Bars start at 0 and every panel shares the x-axis, from the chance score
(or 0, whichever is lower) to the best possible score, so that bar lengths
can be compared across scalers and models. The chance baseline is drawn, the
recommended scalers are coloured (pipelines no better than chance in a colour
of their own), and the best one of each model is starred.
"""

import textwrap

from ._errors import CommandError

RECOMMENDED_COLOR = "tab:green"
OTHER_COLOR = "tab:gray"
AT_CHANCE_COLOR = "#f2a7a7"
CHANCE_COLOR = "tab:red"


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
        fig.savefig(path, dpi=110)
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
            AT_CHANCE_COLOR if not above else RECOMMENDED_COLOR if tied else OTHER_COLOR
            for tied, above in zip(
                rows["tied_with_best"], rows["beats_chance"], strict=True
            )
        ]
        bars = ax.barh(
            scalers,
            rows["mean"],
            xerr=rows["std"],
            color=colors,
            hatch=["//" if u else "" for u in rows["uses_l2"]],
            edgecolor="white",
            capsize=3,
        )
        for bar, (_, row) in zip(bars, rows.iterrows(), strict=True):
            text = f"{row['mean']:.3f}" + (" ★" if row["rank"] == 1 else "")
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
    title += f"\nbest pipeline: {best['scaler']} + {best['model']}"
    fig.suptitle(title, fontsize=10)
    handles = [
        Patch(color=RECOMMENDED_COLOR, label="recommended: best (★) or tied with it"),
        Patch(color=OTHER_COLOR, label="worse than the best"),
        Patch(color=AT_CHANCE_COLOR, label="not better than chance"),
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
    fig.legend(handles=handles, loc="outside lower center", ncols=5, fontsize=8)
    return fig
