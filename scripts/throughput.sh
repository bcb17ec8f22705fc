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
# The build's own wall time and processor time (reading the lexicon and the files, extracting,
# building the graph; not writing the TSV files). On a shared machine the wall clock also counts
# the time other machines took, so the processor time is the steadier measure of one core's
# throughput; both are printed. The files are read once before each run so that the run
# measures extraction, not the disk: on a machine that drops its page cache, a cold read of
# 21,600 small files takes longer than the build.
python3 - "$bytes" "${CARGO_TARGET_DIR:-target}/release/examples/extract_dump" "$work" "$runs" "$other" <<'PY'
import glob, math, re, statistics, subprocess, sys
size, exe, work, runs, other = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
files = sorted(glob.glob(f"{work}/in/*/*.md"))

def warm():
    for f in files:
        with open(f, "rb") as h:
            h.read()

def run(binary):
    warm()
    done = subprocess.run(["taskset", "-c", "0", binary, f"{work}/f.tsv", f"{work}/e.tsv",
                           f"{work}/in"], capture_output=True, text=True, check=True)
    log = done.stderr.strip().splitlines()[-1]
    # An extract_dump from before the processor time was printed gives the wall time only.
    found = re.search(r" in ([0-9.]+)s(?: \(cpu ([0-9.]+)s\))?$", log)
    return log, float(found.group(1)), float(found.group(2) or "nan")

mb = size / 1e6

def processor(cpu):
    return "" if math.isnan(cpu) else f" (processor time {cpu:.2f} s: {mb / cpu:.1f} MB/s)"

ours, theirs = [], []
for k in range(runs):
    log, secs, cpu = run(exe)
    ours.append((secs, cpu))
    if k == 0:
        print(log)
    print(f"{mb:.1f} MB in {secs:.2f} s: {mb / secs:.1f} MB/s{processor(cpu)}")
    if other:
        _, secs, cpu = run(other)
        theirs.append((secs, cpu))
        print(f"  other: {mb:.1f} MB in {secs:.2f} s: {mb / secs:.1f} MB/s{processor(cpu)}")

def medians(pairs):
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)

wall, cpu = medians(ours)
print(f"median of {runs}: {wall:.2f} s, {mb / wall:.1f} MB/s; processor time {cpu:.2f} s, "
      f"{mb / cpu:.1f} MB/s")
if other:
    other_wall, other_cpu = medians(theirs)
    ratio = "" if math.isnan(other_cpu) else f", {other_cpu / cpu:.2f}x processor time"
    print(f"other's median: {other_wall:.2f} s; other / ours: {other_wall / wall:.2f}x wall{ratio}")
PY
