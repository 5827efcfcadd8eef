"""After the fits: which pipelines failed, which scaler to use, L2 vs the rest.

The paired test is Nadeau and Bengio's corrected resampled t-test; a failed
pipeline (a fit that raised, did not converge, or scored far below chance in
any fold) is marked and never recommended, whatever its mean.
"""

from collections import Counter

import numpy as np
from scipy import stats

#: Confidence level of the paired tests behind ``tied_with_best``,
#: ``beats_chance`` and ``verdict``.
CONFIDENCE = 0.95

#: A fold scores "far below chance" when it is below the chance baseline's
#: score on that fold by more than this share of the distance from chance to
#: the best mean score.
FAR_BELOW = 1.0


def paired(diffs, n_train, n_test):
    """Mean and spread of paired fold differences, and a corrected t-test.

    Folds of repeated cross-validation share training data, so their scores
    are correlated and the plain paired t-test is overconfident. The
    variance is inflated by ``1/k + n_test/n_train`` instead of ``1/k``
    (Nadeau and Bengio's corrected resampled t-test).

    Parameters
    ----------
    diffs : ndarray of shape (k,)
        Score differences, fold by fold.
    n_train, n_test : float
        Mean training and test fold sizes.

    Returns
    -------
    mean, std, p_value : float
        The mean difference, its standard deviation across folds and the
        two-sided p-value (NaN with fewer than two folds).

    Examples
    --------
    >>> from sklearn_l2.compare._decision import paired
    >>> mean, std, p = paired([0.02, 0.03, 0.01, 0.02], 80, 20)
    >>> round(mean, 3), p < 0.05
    (0.02, True)
    """
    diffs = np.asarray(diffs, dtype=float)
    k = len(diffs)
    mean = float(np.mean(diffs))
    std = float(np.std(diffs, ddof=1)) if k > 1 else 0.0
    if k < 2:
        return mean, std, np.nan
    scale = np.sqrt((1.0 / k + n_test / n_train) * std**2)
    if scale == 0.0:
        p_value = 1.0 if mean == 0.0 else 0.0
    else:
        p_value = float(2 * stats.t.sf(abs(mean) / scale, df=k - 1))
    return mean, std, p_value


def _value(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def chosen_values(params):
    """The most frequent tuned values over the outer folds, as text.

    Examples
    --------
    >>> from sklearn_l2.compare._decision import chosen_values
    >>> chosen_values([{"C": 10.0}, {"C": 10.0}, {"C": 1.0}])
    'C=10 (2/3)'
    """
    if not any(params):
        return ""
    counts = Counter(tuple(sorted(p.items())) for p in params if p)
    ((values, times),) = counts.most_common(1)
    text = " ".join(
        f"{name.removeprefix('regressor__')}={_value(value)}" for name, value in values
    )
    return f"{text} ({times}/{len(params)})"


def failures(result, runs_by_pipeline, chance_scores):
    """The ``failure`` column: why a pipeline cannot be recommended, or ''."""
    n_folds = len(chance_scores)
    best = np.nanmax(result["mean"]) if result["mean"].notna().any() else np.nan
    chance = float(np.mean(chance_scores))
    margin = FAR_BELOW * (best - chance) if best > chance else np.inf
    reasons = []
    for row in result.index:
        runs = runs_by_pipeline[row]
        parts = []
        raised = [r.failure for r in runs if r.failure]
        if raised:
            parts.append(f"fit failed in {len(raised)} of {n_folds} folds: {raised[0]}")
        diverged = sum(not r.converged for r in runs)
        if diverged:
            parts.append(f"ConvergenceWarning in {diverged} of {n_folds} folds")
        below = [
            r.score
            for r in runs
            if np.isfinite(r.score) and r.score < chance_scores[r.fold] - margin
        ]
        if below:
            parts.append(
                f"far below chance in {len(below)} of {n_folds} folds, "
                f"worst {min(below):.3f}"
            )
        reasons.append("; ".join(parts))
    return reasons


def decide(result, chance_scores, n_train, n_test):
    """Add the decision columns: ranks, ties with the best, chance."""
    alpha = 1 - CONFIDENCE
    ok = result["failure"] == ""
    result["rank"] = (
        result.groupby("model", sort=False)["mean"]
        .rank(method="min", ascending=False)
        .fillna(len(result))
        .astype(int)
    )
    result["diff_to_best"] = np.nan
    result["p_value_vs_best"] = np.nan
    result["tied_with_best"] = False
    result["recommendation"] = ""
    chance_mean = float(np.mean(chance_scores))
    result["chance"] = chance_mean
    beats = []
    for scores in result["fold_scores"]:
        if not np.isfinite(scores).all():
            beats.append(False)
            continue
        mean, _, p_value = paired(scores - chance_scores, n_train, n_test)
        beats.append(bool(mean > 0 and p_value < alpha))
    result["beats_chance"] = beats
    recommendations = {}
    for model, rows in result.groupby("model", sort=False):
        usable = rows[ok[rows.index]]
        excluded = [
            f"{result.at[row, 'scaler']} ({result.at[row, 'failure']})"
            for row in rows.index
            if not ok[row]
        ]
        if usable.empty:
            text = "none: every scaler failed"
        else:
            best = usable["mean"].idxmax()
            tied = []
            for row in rows.sort_values("mean", ascending=False, kind="stable").index:
                scores = result.at[row, "fold_scores"]
                if not np.isfinite(scores).all():
                    continue
                diffs = scores - result.at[best, "fold_scores"]
                mean, _, p_value = paired(diffs, n_train, n_test)
                result.at[row, "diff_to_best"] = mean
                result.at[row, "p_value_vs_best"] = 1.0 if row == best else p_value
                if ok[row] and (row == best or not p_value < alpha):
                    result.at[row, "tied_with_best"] = True
                    tied.append(result.at[row, "scaler"])
            text = (
                f"use {tied[0]}"
                if len(tied) == 1
                else f"any of {', '.join(tied)} (tied)"
            )
            if not result.at[best, "beats_chance"]:
                text += f"; but no scaler makes {model} beat chance ({chance_mean:.3f})"
        if excluded:
            text += f"; excluded: {', '.join(excluded)}"
        result.loc[rows.index, "recommendation"] = text
        recommendations[model] = text
    return recommendations, _best_pipeline(result, ok, n_train, n_test, alpha)


def _best_pipeline(result, ok, n_train, n_test, alpha):
    if not ok.any():
        result["best_pipeline"] = False
        return None
    best = result.loc[ok, "mean"].idxmax()
    result["best_pipeline"] = result.index == best
    tied = []
    for row in result.index[ok]:
        diffs = result.at[row, "fold_scores"] - result.at[best, "fold_scores"]
        if row != best and not paired(diffs, n_train, n_test)[2] < alpha:
            tied.append((result.at[row, "scaler"], result.at[row, "model"]))
    return {
        "scaler": result.at[best, "scaler"],
        "model": result.at[best, "model"],
        "mean": float(result.at[best, "mean"]),
        "std": float(result.at[best, "std"]),
        "beats_chance": bool(result.at[best, "beats_chance"]),
        "tied": tied,
    }


def versus_best_baseline(result, n_train, n_test):
    """The ``baseline`` and ``verdict`` columns: each L2 scaler vs the best other."""
    alpha = 1 - CONFIDENCE
    ok = result["failure"] == ""
    result["baseline"] = None
    result["diff_mean"] = np.nan
    result["diff_std"] = np.nan
    result["p_value"] = np.nan
    result["verdict"] = ""
    for model_name in dict.fromkeys(result["model"]):
        here = result["model"] == model_name
        baselines = result[here & ok & ~result["uses_l2"]]
        if baselines.empty:
            continue
        best = baselines["mean"].idxmax()
        result.loc[here, "baseline"] = result.at[best, "scaler"]
        result.at[best, "verdict"] = "baseline"
        for row in result[here & result["uses_l2"]].index:
            if not ok[row]:
                result.at[row, "verdict"] = "failed"
                continue
            diffs = result.at[row, "fold_scores"] - result.at[best, "fold_scores"]
            mean, std, p_value = paired(diffs, n_train, n_test)
            if p_value < alpha:
                verdict = "better" if mean > 0 else "worse"
            else:
                verdict = "tie"
            result.at[row, "diff_mean"] = mean
            result.at[row, "diff_std"] = std
            result.at[row, "p_value"] = p_value
            result.at[row, "verdict"] = verdict
