#!/usr/bin/env bash
# Builds the seed documents with the real CLI, exports facts and entities, scores them with the
# shared scorer, and fails below triple precision 0.75 or F1 0.50. Skips when ../shared is absent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${PHARMAKG_SHARED:-$root/../shared}
bin=${PHARMAKG_BIN:-$root/target/debug/pharmakg}
if [ ! -f "$shared/eval/score.py" ] || [ ! -d "$shared/seeds" ]; then
    echo "seed score: skipped, no shared evaluation folder at $shared"
    exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" build "$shared/seeds" -o "$out/seeds.kg" 2>"$out/build.log"
"$bin" export "$out/seeds.kg" --format tsv -o "$out/facts.tsv"
"$bin" export "$out/seeds.kg" --format entities -o "$out/entities.tsv"
python3 "$shared/eval/score.py" "$out/facts.tsv" --entities "$out/entities.tsv" | tee "$out/score.txt"
python3 - "$out/score.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"^triples: P=([0-9.]+) R=([0-9.]+) F1=([0-9.]+)", text, re.M)
if not m:
    sys.exit("seed score: no triples line in the scorer's output")
p, f1 = float(m.group(1)), float(m.group(3))
if p < 0.75 or f1 < 0.50:
    sys.exit(f"seed score: triple precision {p} (needs 0.75) or F1 {f1} (needs 0.50) too low")
print(f"seed score: triple precision {p}, F1 {f1}: above the floor")
PY
