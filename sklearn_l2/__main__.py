"""``python -m sklearn_l2``: a short demonstration."""

import numpy as np
from sklearn.datasets import load_wine
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import normalize as sklearn_normalize
from sklearn.svm import SVC

from . import L2Normalizer, __version__, normalize


def main():
    print(f"sklearn-l2 {__version__}\n")
    rows = np.array([[1e155, 1.0], [1e-160, 1e-160]])
    print("rows:\n", rows)
    print("sklearn.preprocessing.normalize:\n", sklearn_normalize(rows))
    print("sklearn_l2.normalize:\n", normalize(rows), "\n")
    X, y = load_wine(return_X_y=True)
    scores = cross_val_score(make_pipeline(L2Normalizer(), SVC()), X, y, cv=5)
    print(f"wine, L2Normalizer + SVC, 5-fold accuracy: {scores.mean():.3f}")


if __name__ == "__main__":
    main()
