#!/bin/sh
# Builds the BioCreative V CDR development set and scores its CAUSES facts.
# Retrain the pair model first, on the training set only, with:
#   cargo run --release --example train_cid -- SHARED/bc5cdr/CDR_TrainingSet.PubTator.txt src/extract/cid_model.txt
# Usage: scripts/eval_cdr.sh [SHARED_DIR] [Development|Training]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$root/../shared}
set_name=${2:-Development}
gold="$shared/bc5cdr/CDR_${set_name}Set.PubTator.txt"
out=${TMPDIR:-/tmp}/pharmakg-cdr
mkdir -p "$out"
cargo run --quiet --release --example extract_dump -- "$out/facts.tsv" "$out/entities.tsv" "$gold"
python3 "$shared/bc5cdr/score_cdr.py" "$out/facts.tsv" "$gold"
