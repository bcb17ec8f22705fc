#!/bin/sh
# Builds the seed documents and scores facts and entities with the shared scorer.
# Usage: scripts/eval_seeds.sh [SHARED_DIR] [extra score.py args...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$root/../shared}
[ $# -gt 0 ] && shift
out=${TMPDIR:-/tmp}/pharmakg-seeds
mkdir -p "$out"
cargo run --quiet --release --example extract_dump -- "$out/facts.tsv" "$out/entities.tsv" "$shared/seeds"
python3 "$shared/eval/score.py" "$out/facts.tsv" --entities "$out/entities.tsv" "$@"
