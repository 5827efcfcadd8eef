"""Walk the catalogue of bad inputs in the docs: each raises what it says.

The catalogue (``docs/bad_inputs.csv``) is shown in the documentation, so
this test keeps the documented errors and the code in step.
"""

import csv
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_l2 import L2Normalizer, normalize, norms

CATALOGUE = Path(__file__).parents[1] / "docs" / "bad_inputs.csv"
NAMESPACE = {
    "np": np,
    "sp": sp,
    "normalize": normalize,
    "norms": norms,
    "L2Normalizer": L2Normalizer,
}
ERRORS = {
    "ValueError": ValueError,
    "InvalidParameterError": InvalidParameterError,
    "NotFittedError": NotFittedError,
    "AttributeError": AttributeError,
}


def load_catalogue():
    with CATALOGUE.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", load_catalogue(), ids=lambda row: row["case"])
def test_bad_input_raises_the_documented_error(row):
    with pytest.raises(ERRORS[row["error"]]) as caught:
        eval(row["call"], dict(NAMESPACE))
    assert row["message"] in str(caught.value)


def test_catalogue_has_distinct_cases():
    rows = load_catalogue()
    assert len({row["call"] for row in rows}) == len(rows) >= 25
