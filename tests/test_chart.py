"""The ``--plot`` chart: a common axis from 0 (or chance) to the best score."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler

from sklearn_l2 import L2Normalizer, compare_scalers
from sklearn_l2.compare._chart import (
    AT_CHANCE_COLOR,
    RECOMMENDED_COLOR,
    figure,
    score_limits,
)

pytest.importorskip("matplotlib")

SCALERS = {"none": "passthrough", "std": StandardScaler(), "L2": L2Normalizer()}
MODELS = {"k-NN": KNeighborsClassifier(), "3-NN": KNeighborsClassifier(3)}


@pytest.fixture(scope="module")
def result():
    X, y = load_iris(return_X_y=True)
    return compare_scalers(X, y, scalers=SCALERS, models=MODELS, cv=3, n_repeats=1)


@pytest.fixture(scope="module")
def fig(result):
    return figure(result, "iris")


def panels(fig):
    return [ax for ax in fig.axes if ax.get_title()]


def test_one_panel_per_model(fig):
    assert [ax.get_title() for ax in panels(fig)] == list(MODELS)


def test_every_panel_shares_one_axis_from_zero_to_one(fig):
    for ax in panels(fig):
        assert ax.get_xlim() == (0.0, 1.0)


def test_chance_line_is_drawn_in_every_panel(fig, result):
    chance = result.attrs["chance"]["mean"]
    for ax in panels(fig):
        positions = [
            line.get_xdata()[0]
            for line in ax.get_lines()
            if line.get_linestyle() == "--"
        ]
        assert positions == [chance]


def test_recommended_bars_are_coloured(fig, result):
    from matplotlib.colors import to_rgba

    for ax, model in zip(panels(fig), MODELS, strict=True):
        rows = result[result["model"] == model]
        colours = [
            to_rgba(bar.get_facecolor()) == to_rgba(RECOMMENDED_COLOR)
            for bar in ax.patches
        ]
        assert colours == list(rows["tied_with_best"] & rows["beats_chance"])


def test_best_scaler_is_starred(fig, result):
    for ax, model in zip(panels(fig), MODELS, strict=True):
        starred = [t.get_text() for t in ax.texts if "★" in t.get_text()]
        means = result[result["model"] == model]["mean"]
        # Equal means share the first rank, and the star.
        assert starred == [f"{means.max():.3f} ★"] * int((means == means.max()).sum())


def test_pipelines_at_chance_have_their_own_colour():
    from matplotlib.colors import to_rgba
    from sklearn.datasets import make_circles
    from sklearn.svm import LinearSVC

    # Two rings: no linear model beats guessing.
    X, y = make_circles(n_samples=120, factor=0.5, noise=0.05, random_state=0)
    result = compare_scalers(
        X,
        y,
        scalers={"std": StandardScaler()},
        models={"linear SVM": LinearSVC(random_state=0)},
        cv=3,
        n_repeats=1,
    )
    (ax,) = panels(figure(result, "rings"))
    (bar,) = ax.patches
    assert to_rgba(bar.get_facecolor()) == to_rgba(AT_CHANCE_COLOR)


def test_legend_names_chance_and_the_marks(fig):
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert any(label.startswith("chance (DummyClassifier)") for label in labels)
    assert any(label.startswith("recommended") for label in labels)
    assert "uses L2Normalizer" in labels


def test_error_scores_end_at_zero():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] + rng.normal(0, 0.1, 60)
    result = compare_scalers(
        X,
        y,
        scalers={"std": StandardScaler()},
        models={"k-NN": KNeighborsRegressor()},
        scoring="neg_mean_absolute_error",
        cv=3,
        n_repeats=1,
    )
    left, right = score_limits(result)
    assert right == 0.0
    assert left < result.attrs["chance"]["mean"]
    assert left < result["mean"].min()


def test_error_bars_stop_at_the_best_possible_score():
    # Every fold but one scores 1.0: mean + std is above 1.
    from matplotlib.collections import LineCollection

    X, y = load_iris(return_X_y=True)
    X, y = X[50:], y[50:]
    result = compare_scalers(
        X,
        y,
        scalers={"std": StandardScaler()},
        models={"k-NN": KNeighborsClassifier()},
        cv=5,
        n_repeats=2,
    )
    assert (result["mean"] + result["std"]).max() > 0.95
    (ax,) = panels(figure(result, "versicolor or virginica"))
    (bars,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    ends = [x for segment in bars.get_segments() for x, _ in segment]
    assert max(ends) <= 1.0


def test_tuned_values_are_written_next_to_the_scores():
    X, y = load_iris(return_X_y=True)
    result = compare_scalers(
        X,
        y,
        scalers={"std": StandardScaler()},
        models={"k-NN": KNeighborsClassifier()},
        param_grids={"k-NN": {"n_neighbors": [3, 9]}},
        cv=3,
        n_repeats=1,
    )
    fig = figure(result, "iris")
    (ax,) = panels(fig)
    (label,) = [t.get_text() for t in ax.texts]
    assert label.endswith(result.loc[0, "params"])
    (legend,) = fig.legends
    assert "n_neighbors in 3/9" in legend.get_title().get_text()


def test_failed_pipeline_is_drawn_as_failed():
    from matplotlib.colors import to_rgba

    from sklearn_l2.compare._chart import FAILED_COLOR
    from tests._compare_testing import NonConvergingScaler

    X, y = load_iris(return_X_y=True)
    result = compare_scalers(
        X,
        y,
        scalers={"std": StandardScaler(), "warns": NonConvergingScaler()},
        models={"k-NN": KNeighborsClassifier()},
        cv=3,
        n_repeats=1,
    )
    (ax,) = panels(figure(result, "iris"))
    assert to_rgba(ax.patches[1].get_facecolor()) == to_rgba(FAILED_COLOR)
    assert "failed (!)" in [t.get_text() for t in ax.texts]
