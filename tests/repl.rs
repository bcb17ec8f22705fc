//! The shell driven through stdin, as scripts drive it: meta-commands, errors, exit codes, and
//! no prompt in the output.

mod common;

use common::{run_with_stdin, seed_graph, seed_rows, stderr as err, stdout as out};
use std::path::Path;
use std::process::Output;

/// Runs `pharmakg repl [graph]` with `input` on stdin.
fn repl(graph: Option<&Path>, input: &str) -> Output {
    let graph = graph.map(|g| g.to_str().expect("utf-8 path").to_string());
    let mut args = vec!["repl"];
    args.extend(graph.as_deref());
    run_with_stdin(&args, input)
}

fn assert_no_prompt(o: &Output) {
    assert!(
        !out(o).contains("pharmakg("),
        "prompt on stdout: {}",
        out(o)
    );
    assert!(
        !err(o).contains("pharmakg("),
        "prompt on stderr: {}",
        err(o)
    );
}

#[test]
fn a_missing_graph_ends_the_shell_with_1() {
    let dir = tempfile::tempdir().unwrap();
    let o = repl(Some(&dir.path().join("absent.kg")), ":stats\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("absent.kg"), "{}", err(&o));
    assert!(out(&o).is_empty());
}

#[test]
fn stats_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let g = seed_graph(dir.path());
    let o = repl(Some(&g), ":stats\n");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("nodes: {}", seed_rows("nodes.csv").len()));
    assert_eq!(lines[1], format!("edges: {}", seed_rows("edges.csv").len()));
    assert_no_prompt(&o);
}

#[test]
fn schema_lists_labels_types_and_keys_with_counts() {
    let dir = tempfile::tempdir().unwrap();
    let g = seed_graph(dir.path());
    let o = repl(Some(&g), ":schema\n");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    let nodes = seed_rows("nodes.csv");
    let edges = seed_rows("edges.csv");
    for label in nodes.iter().map(|r| r[1].to_string()) {
        let n = nodes.iter().filter(|r| r[1] == *label).count();
        assert!(
            text.contains(&format!("  {label}: {n}\n")),
            "{label}: {text}"
        );
    }
    for ty in edges.iter().map(|r| r[2].to_string()) {
        let n = edges.iter().filter(|r| r[2] == *ty).count();
        assert!(text.contains(&format!("  {ty}: {n}\n")), "{ty}: {text}");
    }
    assert!(
        text.contains("node properties:\n") && text.contains(&format!("  name: {}\n", nodes.len())),
        "{text}"
    );
    assert_no_prompt(&o);
}

#[test]
fn help_lists_the_meta_commands() {
    let dir = tempfile::tempdir().unwrap();
    let g = seed_graph(dir.path());
    let o = repl(Some(&g), ":help\n");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    for cmd in [
        ":open", ":save", ":export", ":stats", ":schema", ":format", ":timing", ":param",
        ":params", ":quit",
    ] {
        assert!(out(&o).contains(cmd), "{cmd} missing from :help");
    }
    assert_no_prompt(&o);
}

#[test]
fn an_unknown_meta_command_fails_but_the_rest_runs() {
    let dir = tempfile::tempdir().unwrap();
    let g = seed_graph(dir.path());
    let o = repl(Some(&g), ":frobnicate\n:stats\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains(":frobnicate"), "{}", err(&o));
    assert!(out(&o).starts_with("nodes: "), "{}", out(&o));
    assert_no_prompt(&o);
}

#[test]
fn a_failed_statement_exits_with_1() {
    let dir = tempfile::tempdir().unwrap();
    let g = seed_graph(dir.path());
    let o = repl(Some(&g), "MATCH (n RETURN n;\n:stats\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("line 1"), "{}", err(&o));
    assert!(
        out(&o).starts_with("nodes: "),
        "the shell stopped: {}",
        out(&o)
    );
    assert_no_prompt(&o);
}

#[test]
fn a_failed_open_keeps_the_open_graph() {
    let dir = tempfile::tempdir().unwrap();
    let g = seed_graph(dir.path());
    let o = repl(Some(&g), ":open nowhere.kg\n:stats\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("nowhere.kg"), "{}", err(&o));
    let expected = format!("nodes: {}\n", seed_rows("nodes.csv").len());
    assert!(out(&o).starts_with(&expected), "{}", out(&o));
}

#[test]
fn statements_span_lines_and_print_in_the_chosen_format() {
    let dir = tempfile::tempdir().unwrap();
    let g = seed_graph(dir.path());
    let o = repl(
        Some(&g),
        ":format tsv\nMATCH (d:Drug)\n// the drugs\nRETURN d.name AS name\nORDER BY name;\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let mut drugs: Vec<String> = seed_rows("nodes.csv")
        .iter()
        .filter(|r| &r[1] == "Drug")
        .map(|r| r[2].to_string())
        .collect();
    drugs.sort();
    drugs.insert(0, "name".into());
    assert_eq!(out(&o).lines().collect::<Vec<_>>(), drugs);
    assert_no_prompt(&o);
}

#[test]
fn a_write_then_save_reaches_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let g = seed_graph(dir.path());
    let copy = dir.path().join("copy.kg");
    let input = format!(
        "CREATE (:Drug {{name: 'esketamine'}});\n:save {}\n",
        copy.display()
    );
    let o = repl(Some(&g), &input);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = repl(Some(&copy), ":stats\n");
    let expected = format!("nodes: {}\n", seed_rows("nodes.csv").len() + 1);
    assert!(out(&o).starts_with(&expected), "{}", out(&o));
}

#[test]
fn no_argument_opens_the_builtin_graph() {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("graphs/pharmacology.kg");
    let graph = pharmakg::store::persist::load(&shipped).unwrap();
    let o = repl(None, ":stats\n");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let expected = format!(
        "nodes: {}\nedges: {}\n",
        graph.node_count(),
        graph.edge_count()
    );
    assert!(out(&o).starts_with(&expected), "{}", out(&o));
    assert!(
        graph.node_count() > 100,
        "the shipped graph is the corpus, not a stub"
    );
}

#[test]
fn guardrails_are_settings_of_the_shell() {
    let o = repl(None, ":max-rows 3\nUNWIND range(1, 10) AS x RETURN x;\n");
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("row limit"), "{}", err(&o));
    let o = repl(None, ":max-rows 10\nUNWIND range(1, 10) AS x RETURN x;\n");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = repl(None, ":timeout 0\n");
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains(":timeout SECS"), "{}", err(&o));
}
