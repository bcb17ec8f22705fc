//! Measures extraction alone (reading, cleaning, splitting, mentions, patterns), without the
//! store: prints bytes, seconds and MB/s.
//!
//! Usage: extract_bench INPUT...
//!
//! EXTRACT_BENCH_OUT=FILE also writes every document's entities and facts to FILE (outside the
//! timing), so that an optimisation can be checked to change nothing.

use pharmakg::extract::lexicon::Lexicon;
use pharmakg::extract::{extract_document, read_documents};
use std::path::{Path, PathBuf};

fn files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p)
            .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.sort();
        for q in v {
            files(&q, out);
        }
    } else {
        out.push(p.to_path_buf());
    }
}

/// This process's CPU time in seconds, where /proc tells it (Linux): on a shared machine it
/// measures the work done better than the wall clock does.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which ends with the last ')'): utime and stime are the
    // 12th and 13th, in clock ticks of 1/100 s.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let mut paths = Vec::new();
    for a in std::env::args().skip(1) {
        files(Path::new(&a), &mut paths);
    }
    let contents: Vec<(PathBuf, Vec<u8>)> = paths
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    let bytes: usize = contents.iter().map(|(_, b)| b.len()).sum();
    let (lex, _) = Lexicon::new(&[]);
    let cpu_started = cpu_seconds();
    let started = std::time::Instant::now();
    let (mut facts, mut warnings) = (0usize, Vec::new());
    // EXTRACT_BENCH_MENTIONS=1 times the lexicon scan alone.
    let mentions_only = std::env::var("EXTRACT_BENCH_MENTIONS").is_ok();
    let out_path = std::env::var_os("EXTRACT_BENCH_OUT");
    let mut kept = Vec::new();
    for (p, b) in &contents {
        if mentions_only {
            let text = String::from_utf8_lossy(b);
            facts += lex.find(&text, &text.to_ascii_lowercase()).len();
            continue;
        }
        for doc in read_documents(p, b, &mut warnings) {
            let ex = extract_document(doc, &lex);
            facts += ex.facts.len();
            if out_path.is_some() {
                kept.push(ex);
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_started
        .zip(cpu_seconds())
        .map(|(a, b)| {
            format!(
                " (CPU {:.2} s: {:.1} MB/s)",
                b - a,
                bytes as f64 / 1e6 / (b - a)
            )
        })
        .unwrap_or_default();
    println!(
        "{:.1} MB, {facts} candidate facts in {secs:.2} s: {:.1} MB/s{cpu}",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
    if let Some(path) = out_path {
        let mut text = String::new();
        for ex in &kept {
            let names: Vec<&str> = ex.entities.iter().map(|e| e.spec.name.as_str()).collect();
            text.push_str(&format!("# {} {:?}\n", ex.document.name, ex.entities));
            for f in &ex.facts {
                text.push_str(&format!(
                    "{:?} {} {}\n",
                    f, names[f.subject], names[f.object]
                ));
            }
        }
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("cannot write {}: {e}", path.to_string_lossy());
        }
    }
}
