#!/bin/sh
# Measures build throughput on one core: the corpus copied until it exceeds 50 MB, built in
# release mode; the dump prints the build time, and this script the MB/s.
# Usage: scripts/throughput.sh [COPIES=450]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
copies=${1:-450}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
i=1
while [ "$i" -le "$copies" ]; do
  mkdir -p "$work/in/r$i"
  for f in "$root"/graphs/corpus/*.md; do
    base=$(basename "$f" .md)
    cp "$f" "$work/in/r$i/$base-$i.md"
  done
  i=$((i + 1))
done
bytes=$(cat "$work"/in/*/*.md | wc -c)
cd "$root"
cargo build --quiet --release --example extract_dump
log=$(taskset -c 0 "${CARGO_TARGET_DIR:-target}/release/examples/extract_dump" "$work/f.tsv" "$work/e.tsv" "$work/in" 2>&1 | tail -1)
echo "$log"
secs=$(echo "$log" | sed -n 's/.* in \([0-9.]*\)s$/\1/p')
python3 -c "print(f'{$bytes/1e6:.1f} MB in {$secs:.2f} s: {$bytes/1e6/$secs:.1f} MB/s')"
