#!/bin/sh
# Measures build throughput on one core: the corpus copied until it exceeds 50 MB, built in
# release mode; the dump prints the build time, and this script the MB/s of each run and
# their median.
# Usage: scripts/throughput.sh [COPIES=450] [RUNS=3] [OTHER_EXTRACT_DUMP]
# With a third argument (an extract_dump built from another commit), the two binaries run
# alternately on the same files and the script also prints the ratio of their median times.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
copies=${1:-450}
runs=${2:-3}
other=${3:-}
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
# building, writing the TSV files), which a busy shared machine disturbs less. The files are
# read once before each run so that the run measures extraction, not the disk: on a machine
# that drops its page cache, a cold read of 21,600 small files takes longer than the build.
python3 - "$bytes" "${CARGO_TARGET_DIR:-target}/release/examples/extract_dump" "$work" "$runs" "$other" <<'PY'
import glob, re, resource, statistics, subprocess, sys
size, exe, work, runs, other = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
files = sorted(glob.glob(f"{work}/in/*/*.md"))

def warm():
    for f in files:
        with open(f, "rb") as h:
            h.read()

def run(binary):
    warm()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(["taskset", "-c", "0", binary, f"{work}/f.tsv", f"{work}/e.tsv",
                           f"{work}/in"], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    log = done.stderr.strip().splitlines()[-1]
    secs = float(re.search(r" in ([0-9.]+)s$", log).group(1))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return log, secs, cpu

mb = size / 1e6
ours, theirs = [], []
for k in range(runs):
    log, secs, cpu = run(exe)
    ours.append(secs)
    if k == 0:
        print(log)
    print(f"{mb:.1f} MB in {secs:.2f} s: {mb / secs:.1f} MB/s (process CPU {cpu:.2f} s: {mb / cpu:.1f} MB/s)")
    if other:
        _, secs, _ = run(other)
        theirs.append(secs)
        print(f"  other: {mb:.1f} MB in {secs:.2f} s: {mb / secs:.1f} MB/s")
median = statistics.median(ours)
print(f"median of {runs}: {median:.2f} s, {mb / median:.1f} MB/s")
if other:
    print(f"other's median: {statistics.median(theirs):.2f} s; other / ours: "
          f"{statistics.median(theirs) / median:.2f}x")
PY
