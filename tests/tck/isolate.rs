//! Running the cases in a child process, so that an engine that overflows its stack, aborts or
//! hangs costs one failed case instead of the whole run.
//!
//! The runner starts itself with `--tck-worker <first case>`; the worker runs the cases in order
//! and prints one line per case. When the worker dies or stays silent for too long, the parent
//! counts the case it was on as failed and starts a new worker at the next case.

use crate::report::Outcome;
use crate::run::{panic_hook, run_case};
use crate::suite::Job;
use crate::tiers::Disposition;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The argument that makes the runner a worker.
pub const WORKER_FLAG: &str = "--tck-worker";

/// How long one whole case may take before it counts as hung; each query also has its own
/// engine-side time limit.
const CASE_WATCHDOG: Duration = Duration::from_secs(60);

/// After this many crashed or hung cases the rest are not run.
const MAX_LOST: usize = 10;

/// Stack for the worker's case thread: unoptimised test builds of a recursive parser need more
/// than the 2 MiB a spawned thread gets by default.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// The most standard-error text kept from a worker, for the crash reason.
const STDERR_KEEP: usize = 2000;

/// One protocol line: case index, outcome letter and reason with `\` and newlines escaped.
pub fn encode(k: usize, outcome: &Outcome) -> String {
    let (letter, reason) = match outcome {
        Outcome::Passed => ('P', ""),
        Outcome::Failed(r) => ('F', r.as_str()),
        Outcome::Skipped(r) => ('S', r.as_str()),
    };
    let reason = reason.replace('\\', "\\\\").replace('\n', "\\n");
    format!("{k}\t{letter}\t{reason}")
}

/// Reads a protocol line back.
pub fn decode(line: &str) -> Option<(usize, Outcome)> {
    let mut parts = line.splitn(3, '\t');
    let k = parts.next()?.parse().ok()?;
    let letter = parts.next()?;
    let escaped = parts.next().unwrap_or("");
    let mut reason = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => reason.push('\n'),
                Some(other) => reason.push(other),
                None => reason.push('\\'),
            }
        } else {
            reason.push(c);
        }
    }
    Some((
        k,
        match letter {
            "P" => Outcome::Passed,
            "F" => Outcome::Failed(reason),
            "S" => Outcome::Skipped(reason),
            _ => return None,
        },
    ))
}

/// The worker: runs `jobs[start..]`, printing one protocol line per case.
pub fn worker(jobs: Vec<Job>, start: usize) -> io::Result<()> {
    std::panic::set_hook(Box::new(panic_hook));
    let runner = thread::Builder::new()
        .name("tck-case".into())
        .stack_size(WORKER_STACK)
        .spawn(move || -> io::Result<()> {
            let mut out = io::stdout().lock();
            for (k, job) in jobs.iter().enumerate().skip(start) {
                let outcome = match &job.disposition {
                    Disposition::Skip(_, reason) => Outcome::Skipped(reason.clone()),
                    Disposition::Run(_) => match run_case(&job.case) {
                        Ok(()) => Outcome::Passed,
                        Err(reason) => Outcome::Failed(reason),
                    },
                };
                writeln!(out, "{}", encode(k, &outcome))?;
                out.flush()?;
            }
            Ok(())
        })?;
    runner
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the case thread panicked")))
}

/// Starts a worker at case `start` of the TCK folder `root`.
fn spawn_worker(root: &Path, start: usize) -> io::Result<Child> {
    Command::new(std::env::current_exe()?)
        .arg(WORKER_FLAG)
        .arg(start.to_string())
        .env("PHARMAKG_TCK", root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
}

/// The last two lines of what a dead worker wrote to standard error.
fn last_words(stderr: &Mutex<String>) -> String {
    let text = stderr.lock().map(|s| s.clone()).unwrap_or_default();
    let mut lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .rev()
        .take(2)
        .collect();
    lines.reverse();
    if lines.is_empty() {
        "nothing on standard error".into()
    } else {
        lines.join(" / ")
    }
}

/// Runs all `jobs` (as loaded from `root`, in this order) in worker processes.
pub fn run_all(root: &Path, jobs: &[Job]) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; jobs.len()];
    let mut next = 0;
    let mut lost = 0;
    while next < jobs.len() {
        if lost >= MAX_LOST {
            let reason = format!("not run: {lost} earlier cases crashed or hung");
            for o in &mut outcomes[next..] {
                *o = Some(Outcome::Failed(reason.clone()));
            }
            break;
        }
        let mut child = match spawn_worker(root, next) {
            Ok(c) => c,
            Err(e) => {
                let reason = format!("not run: cannot start a worker process: {e}");
                for o in &mut outcomes[next..] {
                    *o = Some(Outcome::Failed(reason.clone()));
                }
                break;
            }
        };
        let (tx, rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        return;
                    }
                }
            });
        }
        let stderr_text = Arc::new(Mutex::new(String::new()));
        let mut stderr_reader = None;
        if let Some(mut stderr) = child.stderr.take() {
            let keep = Arc::clone(&stderr_text);
            stderr_reader = Some(thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stderr.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut s) = keep.lock() {
                        s.push_str(&String::from_utf8_lossy(&buf[..n]));
                        if s.len() > STDERR_KEEP * 2 {
                            let cut = s.len() - STDERR_KEEP;
                            let cut = (cut..s.len()).find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                            s.drain(..cut);
                        }
                    }
                }
            }));
        }
        loop {
            match rx.recv_timeout(CASE_WATCHDOG) {
                Ok(line) => match decode(&line) {
                    Some((k, outcome)) if k < jobs.len() => {
                        outcomes[k] = Some(outcome);
                        next = k + 1;
                    }
                    _ => {}
                },
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // Our own child: stop it, then move past the case it hung on.
                    let _ = child.kill();
                    let _ = child.wait();
                    outcomes[next] = Some(Outcome::Failed(format!(
                        "hung: no answer after {} s",
                        CASE_WATCHDOG.as_secs()
                    )));
                    next += 1;
                    lost += 1;
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait();
                    if let Some(reader) = stderr_reader.take() {
                        let _ = reader.join();
                    }
                    if next < jobs.len() {
                        let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
                        outcomes[next] = Some(Outcome::Failed(format!(
                            "the worker process died ({status}): {}",
                            last_words(&stderr_text)
                        )));
                        next += 1;
                        lost += 1;
                    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_lines_round_trip() {
        for outcome in [
            Outcome::Passed,
            Outcome::Failed("line 3: a\\b\nc\td".into()),
            Outcome::Skipped(String::new()),
        ] {
            assert_eq!(decode(&encode(7, &outcome)), Some((7, outcome)));
        }
        assert_eq!(decode("x\tP\t"), None);
        assert_eq!(decode("1\tQ\t"), None);
    }
}
