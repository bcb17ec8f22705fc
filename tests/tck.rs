//! Runs the openCypher TCK feature files (tiers 1 and 2) against the query engine, in process.
//!
//! Environment:
//! * `PHARMAKG_TCK`: the TCK folder (with `features/`, `tiers.txt`, `skip.txt`); by default
//!   `../shared/tck` next to the crate. When the default folder is absent the run is skipped.
//! * `PHARMAKG_TCK_VERBOSE=1`: print every failing case with its reason.
//! * `PHARMAKG_TCK_FILTER=text`: run only cases whose feature path or title contains `text`
//!   (the recorded pass levels are then not checked).
//! * `PHARMAKG_TCK_REPORT=path`: write every failing case with its reason to `path`.
//!
//! The run fails when a tier passes fewer cases than `tests/tck-baseline.txt` records.

// Cargo builds this harness-less target with `cfg(test)`, so the modules' unit tests compile
// here without running (they run in the `tck_units` target) and look unused.
#![cfg_attr(test, allow(dead_code, unused_imports))]

#[path = "tck/compare.rs"]
mod compare;
#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/isolate.rs"]
mod isolate;
#[path = "tck/report.rs"]
mod report;
#[path = "tck/run.rs"]
mod run;
#[path = "tck/side_effects.rs"]
mod side_effects;
#[path = "tck/steps.rs"]
mod steps;
#[path = "tck/suite.rs"]
mod suite;
#[path = "tck/tiers.rs"]
mod tiers;
#[path = "tck/values.rs"]
mod values;

use report::Outcome;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use suite::Job;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == isolate::WORKER_FLAG) {
        return worker(args.get(pos + 1).map(String::as_str));
    }
    let (root, explicit) = match env::var_os("PHARMAKG_TCK") {
        Some(p) => (PathBuf::from(p), true),
        None => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tck"),
            false,
        ),
    };
    if !root.join("features").is_dir() {
        if explicit {
            eprintln!(
                "tck: PHARMAKG_TCK names {}, which has no features/ folder",
                root.display()
            );
            return ExitCode::FAILURE;
        }
        println!(
            "tck: skipped, no TCK folder at {} (set PHARMAKG_TCK to run it)",
            root.display()
        );
        return ExitCode::SUCCESS;
    }
    let suite = match suite::load(&root) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tck: cannot load the TCK: {e}");
            return ExitCode::FAILURE;
        }
    };
    for path in &suite.unlisted {
        println!("tck: warning: {path} is not in tiers.txt; counted as tier 2");
    }
    for entry in &suite.stale_skips {
        println!("tck: warning: skip.txt entry {entry} matches no scenario");
    }
    let filter = filter();
    let verbose = env::var("PHARMAKG_TCK_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let report_path = env::var_os("PHARMAKG_TCK_REPORT").map(PathBuf::from);
    let file_tiers = suite.file_tiers;
    let jobs = select(suite.jobs, filter.as_deref());

    let started = Instant::now();
    let outcomes = isolate::run_all(&root, &jobs);
    let elapsed = started.elapsed();

    let mut out = std::io::stdout().lock();
    let written = (|| -> std::io::Result<()> {
        use std::io::Write;
        report::write_table(&mut out, &jobs, &outcomes)?;
        report::write_counts(&mut out, &jobs, &file_tiers)?;
        if verbose {
            report::write_failures(&mut out, &jobs, &outcomes)?;
        }
        writeln!(
            out,
            "ran {} cases in {:.1} s",
            jobs.len(),
            elapsed.as_secs_f64()
        )?;
        Ok(())
    })();
    if let Err(e) = written {
        eprintln!("tck: cannot write the report: {e}");
        return ExitCode::FAILURE;
    }
    let tallies = report::per_tier(&jobs, &outcomes);
    for (tier, t) in &tallies {
        println!("{}", report::summary_line(*tier, t));
    }
    if let Some(path) = report_path {
        let mut text = Vec::new();
        let written = report::write_failures(&mut text, &jobs, &outcomes)
            .and_then(|()| fs::write(&path, &text));
        if let Err(e) = written {
            eprintln!("tck: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("tck: failures written to {}", path.display());
    }
    if filter.is_some() {
        println!("tck: filtered run; recorded pass levels not checked");
        return ExitCode::SUCCESS;
    }
    check_baseline(&tallies)
}

/// The `PHARMAKG_TCK_FILTER` text, when set.
fn filter() -> Option<String> {
    env::var("PHARMAKG_TCK_FILTER")
        .ok()
        .filter(|f| !f.is_empty())
}

/// The cases whose name (feature path and title) contains the filter text.
fn select(jobs: Vec<Job>, filter: Option<&str>) -> Vec<Job> {
    jobs.into_iter()
        .filter(|j| filter.is_none_or(|f| j.name().contains(f)))
        .collect()
}

/// Worker mode: the parent process passes the TCK folder in `PHARMAKG_TCK` and the first case
/// to run; the cases are selected exactly as the parent selected them.
fn worker(start: Option<&str>) -> ExitCode {
    let Some(start) = start.and_then(|s| s.parse().ok()) else {
        eprintln!(
            "tck: {} needs the index of the first case",
            isolate::WORKER_FLAG
        );
        return ExitCode::FAILURE;
    };
    let Some(root) = env::var_os("PHARMAKG_TCK") else {
        eprintln!("tck: a worker needs PHARMAKG_TCK");
        return ExitCode::FAILURE;
    };
    let jobs = match suite::load(Path::new(&root)) {
        Ok(s) => select(s.jobs, filter().as_deref()),
        Err(e) => {
            eprintln!("tck: cannot load the TCK: {e}");
            return ExitCode::FAILURE;
        }
    };
    match isolate::worker(jobs, start) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tck: worker: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Compares pass counts with `tests/tck-baseline.txt`.
fn check_baseline(tallies: &std::collections::BTreeMap<u8, report::Tally>) -> ExitCode {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tck-baseline.txt");
    let levels = match fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| report::parse_baseline(&t))
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tck: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let regressions = report::regressions(&levels, tallies);
    if regressions.is_empty() {
        return ExitCode::SUCCESS;
    }
    for r in regressions {
        eprintln!("tck: regression: {r}");
    }
    ExitCode::FAILURE
}
