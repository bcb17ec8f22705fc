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
# The build's own wall time, and the process's CPU time (the whole run: reading the lexicon,
# building, writing the TSV files), which a busy shared machine disturbs less.
python3 - "$bytes" "${CARGO_TARGET_DIR:-target}/release/examples/extract_dump" "$work" <<'PY'
import re, resource, subprocess, sys
size, exe, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
run = subprocess.run(["taskset", "-c", "0", exe, f"{work}/f.tsv", f"{work}/e.tsv", f"{work}/in"],
                     capture_output=True, text=True, check=True)
log = run.stderr.strip().splitlines()[-1]
print(log)
secs = float(re.search(r" in ([0-9.]+)s$", log).group(1))
use = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = use.ru_utime + use.ru_stime
print(f"{size / 1e6:.1f} MB in {secs:.2f} s: {size / 1e6 / secs:.1f} MB/s "
      f"(process CPU {cpu:.2f} s: {size / 1e6 / cpu:.1f} MB/s)")
PY
