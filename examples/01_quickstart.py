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
# # Quickstart: `L2Normalizer` in five minutes
#
# `L2Normalizer` divides every sample (row) by its length, so that only its
# direction is left. This notebook shows it in a pipeline, on dense and sparse
# data, per feature (`axis=0`), as a norm cap (`max_norm`), with missing
# values, and `norms` on its own as a gradient-norm calculator.

# %%
import numpy as np
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_l2 import L2Normalizer, normalize, norms

# %% [markdown]
# ## In a pipeline
#
# Breast-cancer measurements (scikit-learn's bundled copy of the Wisconsin
# diagnostic data) have features in very different units. We standardize
# them first, then put every sample on the unit sphere.

# %%
X, y = load_breast_cancer(return_X_y=True)
model = make_pipeline(StandardScaler(), L2Normalizer(), SVC())
scores = cross_val_score(model, X, y, cv=5)
print(f"StandardScaler + L2Normalizer + SVC: {scores.mean():.3f} ± {scores.std():.3f}")

# %% [markdown]
# ## Dense and sparse
#
# The output has norm 1 per row. Sparse input stays sparse, with the same
# stored entries, and the format is kept.

# %%
dense = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
print(L2Normalizer().fit_transform(dense))
print("row norms:", norms(L2Normalizer().fit_transform(dense)))

sparse = sp.csr_matrix(dense)
out = L2Normalizer().fit_transform(sparse)
print(type(out).__name__, out.nnz, "stored entries, like the input:", sparse.nnz)

# %% [markdown]
# The zero row stays zero: there is no direction to keep.
#
# ## Per feature: `axis=0`
#
# With `axis=0` the estimator learns each feature's norm on the training data
# and divides every feature by it, like a `MaxAbsScaler` with the L2 norm.
# It is invertible.

# %%
train = np.array([[1.0, 10.0], [2.0, 20.0], [2.0, 20.0]])
per_feature = L2Normalizer(axis=0).fit(train)
print("norms_:", per_feature.norms_)
scaled = per_feature.transform(train)
print(scaled)
print("columns have norm 1:", norms(scaled, axis=0))
print("round trip:", np.allclose(per_feature.inverse_transform(scaled), train))

# %% [markdown]
# ## A norm cap: `max_norm`
#
# `max_norm` shortens only the vectors that are longer than it, a max-norm
# constraint: short vectors keep their length.

# %%
vectors = np.array([[0.3, 0.4], [3.0, 4.0], [30.0, 40.0]])
capped = L2Normalizer(max_norm=2.0).fit_transform(vectors)
print(capped)
print("norms before:", norms(vectors), "after:", norms(capped))

# %% [markdown]
# ## Missing values
#
# NaN is ignored when the norm is computed and stays NaN in the output, so an
# imputer can come later in the pipeline.

# %%
with_gaps = np.array([[3.0, np.nan, 4.0], [np.nan, np.nan, 2.0]])
print(normalize(with_gaps))

# %% [markdown]
# ## `norms` as a gradient-norm calculator
#
# Gradient clipping and convergence checks need the length of a gradient
# vector. `norms` computes it without overflow, in any p-norm. Here is the
# gradient of the logistic loss of a linear model at `w = 0` on the
# standardized breast-cancer data, one gradient per sample and their mean.
# The L1 norm adds up every coordinate's contribution; the L2 norm is the
# euclidean length; for a vector with `n` coordinates,
# `L2 ≤ L1 ≤ sqrt(n) · L2`.

# %%
Xs = StandardScaler().fit_transform(X)
w = np.zeros(Xs.shape[1])
p = 1 / (1 + np.exp(-Xs @ w))
per_sample_gradients = (p - y)[:, None] * Xs
mean_gradient = per_sample_gradients.mean(axis=0, keepdims=True)
l1, l2 = norms(mean_gradient, "l1")[0], norms(mean_gradient, "l2")[0]
n = Xs.shape[1]
print(f"mean gradient: L1 = {l1:.4f}, L2 = {l2:.4f}, sqrt(n)·L2 = {np.sqrt(n) * l2:.4f}")

# %% tags=["remove-cell"]
assert l2 <= l1 <= np.sqrt(n) * l2

# %% [markdown]
# Per-sample gradient norms are what differentially-private SGD clips with
# `max_norm`: the largest ones are shortened, the others left alone.

# %%
import matplotlib.pyplot as plt

per_sample_l2 = norms(per_sample_gradients)
clipped = normalize(per_sample_gradients, max_norm=2.0)
fig, ax = plt.subplots(figsize=(6, 3))
ax.hist(per_sample_l2, bins=40, alpha=0.6, label="before")
ax.hist(norms(clipped), bins=40, alpha=0.6, label="after max_norm=2")
ax.set_xlabel("L2 norm of a per-sample gradient")
ax.set_ylabel("samples")
ax.legend()
plt.show()
