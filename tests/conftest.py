import numpy as np
import pytest
import scipy.sparse as sp

SPARSE_CONTAINERS = [
    getattr(sp, f"{fmt}_{kind}")
    for fmt in ("csr", "csc", "coo", "bsr", "lil", "dok", "dia")
    for kind in ("matrix", "array")
]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def sparse_random(rng, shape, density=0.3, dtype=np.float64):
    """A random CSR matrix with some empty rows and negative values."""
    X = sp.random(*shape, density=density, format="csr", dtype=dtype, random_state=rng)
    X.data -= 0.5
    return X
