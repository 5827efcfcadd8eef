"""``python -m sklearn_l2``: a short demo, and the ``compare`` command.

``python -m sklearn_l2 compare --dataset wine`` cross-validates every scaler
ahead of a linear SVM, an RBF SVM and k-NN, prints a table and which scaler
to use per model, and can save a chart (``--plot``) and the results
(``--output``). See ``python -m sklearn_l2 compare --help``.
"""

import sys

from .compare._cli import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
