#!/usr/bin/env python3
"""Storage benchmark: pharmakg's CSV import, .kg save and .kg load against Kùzu's bulk load.

For each size, the shared generator writes nodes.csv / edges.csv (once, outside the repository),
then:
  * `storage_bench ... import` imports the CSVs and saves a .kg file (release build), under
    /usr/bin/time -v for peak memory;
  * `storage_bench ... load` loads that .kg file alone, again under /usr/bin/time -v;
  * the shared Kùzu runner bulk-loads the same CSVs (CREATE TABLE + COPY FROM) and reopens the
    database; no queries are run.
Then a side-by-side table with ratios is printed.

Usage:
  benches/storage_vs_kuzu.py [--sizes medium large] [--bench-dir ../shared/bench]
                             [--data-dir DIR] [--venv DIR] [--skip-kuzu]

The Kùzu runner needs `kuzu==0.11.3` in a virtual environment; --venv names it and it is created
there when missing. Only the Python standard library is used here.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TMP = tempfile.gettempdir()


def run(cmd, **kw):
    """Runs a command, returning stdout+stderr as text; fails loudly on a non-zero exit."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}")
    return p.stdout


def key_values(text):
    """key=value lines (and `# system size k=v ...` lines) into a dict of strings."""
    out = {}
    for m in re.finditer(r"(\w+)=(\S+)", text):
        out[m.group(1)] = m.group(2)
    return out


def peak_rss_mb(text):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    return int(m.group(1)) / 1024 if m else float("nan")


def cpu_s(text):
    """User plus system CPU seconds from /usr/bin/time -v: on a busy machine, wall time
    overstates the work done."""
    user = re.search(r"User time \(seconds\): ([\d.]+)", text)
    system = re.search(r"System time \(seconds\): ([\d.]+)", text)
    return float(user.group(1)) + float(system.group(1)) if user and system else None


def timed(cmd):
    """Runs under /usr/bin/time -v; returns (key=values, peak RSS in MiB, CPU seconds)."""
    out = run(["/usr/bin/time", "-v"] + cmd)
    return key_values(out.split("\tCommand being timed")[0]), peak_rss_mb(out), cpu_s(out)


def build(target_dir):
    run(["cargo", "build", "--release", "--quiet", "--example", "storage_bench"], cwd=ROOT)
    return os.path.join(target_dir, "release", "examples", "storage_bench")


def generate(bench_dir, data_dir, size):
    out = os.path.join(data_dir, size)
    if not (os.path.exists(os.path.join(out, "nodes.csv"))
            and os.path.exists(os.path.join(out, "edges.csv"))):
        run([sys.executable, os.path.join(bench_dir, "gen.py"), "--size", size,
             "--no-jsonl", "--out", out])
    return out


def kuzu_runner(bench_dir, venv):
    """A private copy of the Kùzu runner (it writes results next to itself) and its Python."""
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        run([sys.executable, "-m", "venv", venv])
        run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "kuzu==0.11.3"])
    work = os.path.join(TMP, "pharmakg-kuzu-runner")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for name in ("run_kuzu.py", "bench_common.py"):
        shutil.copy(os.path.join(bench_dir, name), work)
    for name in ("queries", "queries_kuzu"):
        src = os.path.join(bench_dir, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(work, name))
    return py, os.path.join(work, "run_kuzu.py")


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def ratio(ours, theirs):
    if ours is None or theirs is None or ours == 0:
        return "-"
    return f"{theirs / ours:.2f}x"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["medium", "large"])
    ap.add_argument("--bench-dir", default=os.path.join(ROOT, "..", "shared", "bench"))
    ap.add_argument("--data-dir", default=os.path.join(TMP, "pharmakg-bench-data"))
    ap.add_argument("--venv", default=os.path.join(TMP, "pharmakg-kuzu-venv"))
    ap.add_argument("--skip-kuzu", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.bench_dir, "gen.py")):
        sys.exit(f"no generator in {a.bench_dir}; pass --bench-dir")

    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = build(target)
    kuzu = None if a.skip_kuzu else kuzu_runner(a.bench_dir, a.venv)

    for size in a.sizes:
        data = generate(a.bench_dir, a.data_dir, size)
        nodes, edges = os.path.join(data, "nodes.csv"), os.path.join(data, "edges.csv")
        kg = os.path.join(data, "graph.kg")
        imp, imp_rss, imp_cpu = timed([exe, nodes, edges, kg, "import"])
        lod, lod_rss, lod_cpu = timed([exe, nodes, edges, kg, "load"])
        print(f"# pharmakg {size} " + " ".join(f"{k}={v}" for k, v in {**imp, **lod}.items())
              + f" import_peak_rss_mb={imp_rss:.0f} load_peak_rss_mb={lod_rss:.0f}"
              + f" import_process_cpu_s={imp_cpu:.2f} load_process_cpu_s={lod_cpu:.2f}")
        kz = {}
        kz_rss = kz_cpu = None
        if kuzu:
            py, script = kuzu
            kz, kz_rss, kz_cpu = timed([py, script, "--size", size, "--data", data,
                                   "--runs", "1", "--only", "Q99"])
            print(f"# kuzu {size} " + " ".join(f"{k}={v}" for k, v in kz.items())
                  + f" process_peak_rss_mb={kz_rss:.0f} process_cpu_s={kz_cpu:.2f}")

        f = lambda d, k: float(d[k]) if k in d else None
        rows = [
            ("CSV -> store, s (Kùzu: COPY FROM)", f(imp, "import_s"), f(kz, "load_s")),
            ("save .kg, s", f(imp, "save_s"), None),
            ("Kùzu CSV split (Python), s", None, f(kz, "prep_s")),
            ("load .kg / reopen db, s", f(lod, "load_s"), f(kz, "open_s")),
            ("whole process CPU, import+save / runner, s", imp_cpu, kz_cpu),
            ("whole process CPU, load, s", lod_cpu, None),
            ("peak RSS import+save / COPY, MiB", imp_rss, f(kz, "peak_rss_load_mb")),
            ("peak RSS load, MiB", lod_rss, None),
            ("on disk, MiB", f(imp, "kg_bytes") / (1 << 20) if "kg_bytes" in imp else None,
             f(kz, "disk_mb")),
        ]
        print(f"\n{size}: {imp.get('nodes')} nodes, {imp.get('edges')} edges")
        width = max(len(r[0]) for r in rows)
        print(f"| {'metric'.ljust(width)} | pharmakg | kuzu     | kuzu/pharmakg |")
        print(f"|{'-' * (width + 2)}|----------|----------|---------------|")
        for name, ours, theirs in rows:
            print(f"| {name.ljust(width)} | {fmt(ours).rjust(8)} | {fmt(theirs).rjust(8)} "
                  f"| {ratio(ours, theirs).rjust(13)} |")
        print()


if __name__ == "__main__":
    main()
