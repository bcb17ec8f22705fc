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
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use suite::Job;
use tiers::Disposition;

/// How long one whole case may take before it counts as hung; each query also has its own
/// engine-side time limit.
const CASE_WATCHDOG: Duration = Duration::from_secs(60);

/// After this many hung cases the rest are not run: each hung case keeps a thread busy.
const MAX_HUNG: usize = 3;

fn main() -> ExitCode {
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
    let filter = env::var("PHARMAKG_TCK_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let verbose = env::var("PHARMAKG_TCK_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let report_path = env::var_os("PHARMAKG_TCK_REPORT").map(PathBuf::from);

    let file_tiers = suite.file_tiers;
    let jobs: Vec<Job> = suite
        .jobs
        .into_iter()
        .filter(|j| filter.as_deref().is_none_or(|f| j.name().contains(f)))
        .collect();

    let started = Instant::now();
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(run::panic_hook));
    let outcomes = run_all(Arc::new(jobs.clone()));
    std::panic::set_hook(previous_hook);
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

/// Runs every job on a worker thread, in order, replacing the worker when a case hangs.
fn run_all(jobs: Arc<Vec<Job>>) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; jobs.len()];
    let mut next = 0;
    let mut hung = 0;
    while next < jobs.len() {
        if hung >= MAX_HUNG {
            for o in &mut outcomes[next..] {
                *o = Some(Outcome::Failed(format!(
                    "not run: {hung} earlier cases hung"
                )));
            }
            break;
        }
        let (tx, rx) = mpsc::channel();
        let worker_jobs = Arc::clone(&jobs);
        let start = next;
        let spawned = thread::Builder::new()
            .name("tck-worker".into())
            .spawn(move || {
                for (k, job) in worker_jobs.iter().enumerate().skip(start) {
                    let outcome = match &job.disposition {
                        Disposition::Skip(_, reason) => Outcome::Skipped(reason.clone()),
                        Disposition::Run(_) => match run::run_case(&job.case) {
                            Ok(()) => Outcome::Passed,
                            Err(reason) => Outcome::Failed(reason),
                        },
                    };
                    if tx.send((k, outcome)).is_err() {
                        return;
                    }
                }
            });
        if let Err(e) = spawned {
            for o in &mut outcomes[next..] {
                *o = Some(Outcome::Failed(format!(
                    "not run: cannot start a thread: {e}"
                )));
            }
            break;
        }
        loop {
            match rx.recv_timeout(CASE_WATCHDOG) {
                Ok((k, outcome)) => {
                    outcomes[k] = Some(outcome);
                    next = k + 1;
                    if next == jobs.len() {
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    outcomes[next] = Some(Outcome::Failed(format!(
                        "hung: no answer after {} s",
                        CASE_WATCHDOG.as_secs()
                    )));
                    next += 1;
                    hung += 1;
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    outcomes[next] = Some(Outcome::Failed(
                        "the worker thread died while running this case".into(),
                    ));
                    next += 1;
                    break;
                }
            }
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Failed("not run".into())))
        .collect()
}
