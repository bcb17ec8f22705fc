//! Helpers shared by the tests that run the real `pharmakg` binary.
// Each test binary uses only some of these.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `pharmakg ARGS` with no input.
pub fn pharmakg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pharmakg"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// Runs `pharmakg ARGS` with `input` on stdin.
pub fn run_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pharmakg"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // The program may end before reading everything (a graph that fails to load): a closed
    // pipe is then expected, and the exit status tells the rest.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes());
    child.wait_with_output().expect("the program ends")
}

/// What a run printed on stdout.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a run printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file of the hand-stated test graph.
pub fn seed(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/seed")
        .join(file)
}

/// The data rows of a seed CSV file.
pub fn seed_rows(file: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(seed(file))
        .expect("seed file")
        .records()
        .map(|r| r.expect("seed row"))
        .collect()
}

/// Imports the seed CSV files into a graph file in `dir`.
pub fn seed_graph(dir: &Path) -> PathBuf {
    let out = dir.join("seed.kg");
    let o = pharmakg(&[
        "import",
        "--nodes",
        seed("nodes.csv").to_str().expect("utf-8 path"),
        "--edges",
        seed("edges.csv").to_str().expect("utf-8 path"),
        "-o",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(o.status.success(), "import failed: {}", stderr(&o));
    out
}
