//! The `pharmakg` binary run as users run it: help, exit codes, error lines, stats and query
//! output.

use std::path::Path;
use std::process::Output;
mod common;

use common::{pharmakg, seed, seed_graph, seed_rows, stderr, stdout};

const SUBCOMMANDS: [&str; 6] = ["repl", "query", "build", "import", "export", "stats"];

#[test]
fn every_subcommand_has_help() {
    let top = pharmakg(&["--help"]);
    assert_eq!(top.status.code(), Some(0));
    for sub in SUBCOMMANDS {
        assert!(stdout(&top).contains(sub), "top-level help lacks {sub}");
        let o = pharmakg(&[sub, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{sub} --help");
        assert!(
            stdout(&o).contains(&format!("Usage: pharmakg {sub}")),
            "{sub} --help: {}",
            stdout(&o)
        );
    }
}

#[test]
fn usage_errors_exit_with_2() {
    let cases: &[&[&str]] = &[
        &["--no-such-flag"],
        &["stats"],
        &["export", "g.kg"],
        &["export", "g.kg", "--format", "xml"],
        &["export", "g.kg", "--format", "dot", "--depth", "2"],
        &["query", "g.kg"],
        &["query", "g.kg", "RETURN 1", "-f", "script.cypher"],
        &["query", "g.kg", "RETURN 1", "--format", "xml"],
        &["query", "g.kg", "RETURN 1", "--runs", "0"],
        &["import", "--nodes", "n.csv"],
        &["build", "-o", "g.kg"],
    ];
    for args in cases {
        let o = pharmakg(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?} printed on stdout");
    }
}

/// A failed load is one line on stderr that names the file, and exit code 1.
fn assert_one_line_about(o: &Output, name: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(err.contains(name), "does not name {name}: {err}");
    assert!(stdout(o).is_empty());
}

#[test]
fn a_missing_graph_file_is_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.kg");
    let m = missing.to_str().unwrap();
    assert_one_line_about(&pharmakg(&["stats", m]), "absent.kg");
    assert_one_line_about(&pharmakg(&["query", m, "RETURN 1"]), "absent.kg");
    assert_one_line_about(&pharmakg(&["export", m, "--format", "dot"]), "absent.kg");
    assert_one_line_about(&pharmakg(&["repl", m]), "absent.kg");
    assert_one_line_about(&pharmakg(&[m]), "absent.kg");
}

#[test]
fn a_garbage_graph_file_is_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.kg");
    std::fs::write(&garbage, b"this is not a graph\n\x00\x01\x02 at all\n").unwrap();
    let g = garbage.to_str().unwrap();
    assert_one_line_about(&pharmakg(&["stats", g]), "garbage.kg");
    assert_one_line_about(&pharmakg(&["query", g, "RETURN 1"]), "garbage.kg");
}

#[test]
fn import_names_a_missing_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.kg");
    let o = pharmakg(&[
        "import",
        "--nodes",
        dir.path().join("nowhere.csv").to_str().unwrap(),
        "--edges",
        seed("edges.csv").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_one_line_about(&o, "nowhere.csv");
    assert!(!out.exists(), "a failed import wrote a graph");
}

#[test]
fn build_names_a_missing_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.kg");
    let o = pharmakg(&[
        "build",
        dir.path().join("no-such-text.md").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_one_line_about(&o, "no-such-text.md");
    assert!(!out.exists());
}

#[test]
fn a_bad_param_is_an_error_not_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = pharmakg(&[
        "query",
        dir.path().join("g.kg").to_str().unwrap(),
        "RETURN $x",
        "--param",
        "novalue",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("name=value"), "{}", stderr(&o));
}

#[test]
fn import_reports_a_bad_row_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes.csv");
    std::fs::write(
        &nodes,
        "id,label,name\n1,Drug,ketamine\nnot-a-number,Drug,oops\n",
    )
    .unwrap();
    let edges = dir.path().join("edges.csv");
    std::fs::write(&edges, "src,dst,type,confidence\n").unwrap();
    let out = dir.path().join("g.kg");
    let o = pharmakg(&[
        "import",
        "--nodes",
        nodes.to_str().unwrap(),
        "--edges",
        edges.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_one_line_about(&o, "nodes.csv");
    assert!(stderr(&o).contains(":3"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn stats_prints_counts_as_plain_integers() {
    let dir = tempfile::tempdir().unwrap();
    let graph = seed_graph(dir.path());
    let o = pharmakg(&["stats", graph.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("nodes: {}", seed_rows("nodes.csv").len()));
    assert_eq!(lines[1], format!("edges: {}", seed_rows("edges.csv").len()));
    let drugs = seed_rows("nodes.csv")
        .iter()
        .filter(|r| &r[1] == "Drug")
        .count();
    assert!(
        lines.contains(&format!("  Drug: {drugs}").as_str()),
        "{out}"
    );
    let treats = seed_rows("edges.csv")
        .iter()
        .filter(|r| &r[2] == "TREATS")
        .count();
    assert!(
        lines.contains(&format!("  TREATS: {treats}").as_str()),
        "{out}"
    );
    let size = std::fs::metadata(&graph).unwrap().len();
    assert!(
        lines.contains(&format!("file size (bytes): {size}").as_str()),
        "{out}"
    );
    // Every line is a heading or `name: integer`.
    for line in &lines {
        let (_, value) = line.rsplit_once(": ").unwrap_or((line, ""));
        assert!(
            line.ends_with(':') || value.parse::<u64>().is_ok(),
            "not a plain integer: {line}"
        );
    }
}

#[test]
fn query_tsv_is_a_header_then_one_row_per_result() {
    let dir = tempfile::tempdir().unwrap();
    let graph = seed_graph(dir.path());
    let o = pharmakg(&[
        "query",
        graph.to_str().unwrap(),
        "MATCH (d:Drug)-[:TREATS]->(x) RETURN d.name AS drug, x.name AS target ORDER BY drug, target",
        "--format",
        "tsv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names: std::collections::HashMap<String, String> = seed_rows("nodes.csv")
        .iter()
        .map(|r| (r[0].to_string(), r[2].to_string()))
        .collect();
    let mut expected: Vec<String> = seed_rows("edges.csv")
        .iter()
        .filter(|r| &r[2] == "TREATS")
        .map(|r| format!("{}\t{}", names[&r[0]], names[&r[1]]))
        .collect();
    expected.sort();
    expected.insert(0, "drug\ttarget".to_string());
    let out = stdout(&o);
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn query_scripts_params_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let graph = seed_graph(dir.path());
    let g = graph.to_str().unwrap();
    let script = dir.path().join("add.cypher");
    std::fs::write(
        &script,
        "// add a drug\nCREATE (:Drug {name: $name});\n\nMATCH (d:Drug {name: $name}) RETURN d.name AS name",
    )
    .unwrap();
    let s = script.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "query",
            g,
            "-f",
            s,
            "--format",
            "tsv",
            "--param",
            "name='esketamine'",
        ];
        args.extend_from_slice(extra);
        pharmakg(&args)
    };
    let count = || {
        let o = pharmakg(&[
            "query",
            g,
            "MATCH (d:Drug) RETURN count(d) AS n",
            "--format",
            "tsv",
        ]);
        stdout(&o).lines().nth(1).unwrap_or_default().to_string()
    };
    let drugs = seed_rows("nodes.csv")
        .iter()
        .filter(|r| &r[1] == "Drug")
        .count();
    let o = run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "name\nesketamine\n");
    assert!(stderr(&o).contains("--save"), "{}", stderr(&o));
    assert_eq!(count(), drugs.to_string(), "changed without --save");
    let o = run(&["--save"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(count(), (drugs + 1).to_string(), "not saved with --save");
}

#[test]
fn runs_report_timing_on_stderr_only() {
    let dir = tempfile::tempdir().unwrap();
    let graph = seed_graph(dir.path());
    let o = pharmakg(&[
        "query",
        graph.to_str().unwrap(),
        "MATCH (d:Drug) RETURN d.name AS name",
        "--format",
        "tsv",
        "--runs",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.starts_with("runs="))
        .expect("timing line");
    let fields: Vec<&str> = line.split(' ').collect();
    assert_eq!(fields[0], "runs=3");
    assert!(fields[1]
        .strip_prefix("median_ms=")
        .unwrap()
        .parse::<f64>()
        .is_ok());
    assert!(fields[2]
        .strip_prefix("min_ms=")
        .unwrap()
        .parse::<f64>()
        .is_ok());
    let drugs = seed_rows("nodes.csv")
        .iter()
        .filter(|r| &r[1] == "Drug")
        .count();
    assert_eq!(fields[3], format!("rows={drugs}"));
    assert!(!stdout(&o).contains("runs="));
}

#[test]
fn export_refuses_unknown_and_ambiguous_names() {
    let dir = tempfile::tempdir().unwrap();
    let graph = seed_graph(dir.path());
    let o = pharmakg(&[
        "export",
        graph.to_str().unwrap(),
        "--format",
        "dot",
        "--around",
        "no such drug",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no such drug"), "{}", stderr(&o));
}

#[test]
fn the_shipped_graph_equals_a_rebuild_from_the_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut rebuilt = pharmakg::Graph::new();
    let request = pharmakg::extract::BuildRequest {
        inputs: vec![root.join("graphs/corpus")],
        ..Default::default()
    };
    pharmakg::extract::build_into(&mut rebuilt, &request, &|_, _| {}).unwrap();
    let shipped = std::fs::read(root.join("graphs/pharmacology.kg")).unwrap();
    assert!(
        pharmakg::store::persist::to_bytes(&rebuilt) == shipped,
        "graphs/pharmacology.kg is stale: rebuild it with the command in graphs/README.md"
    );
}
