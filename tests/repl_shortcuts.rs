//! The shell's shortcuts (`:neighbors`, `:path`, `:why`, `:find`) and `:export` of the last
//! result, driven through stdin on a small graph made by CREATE statements.

mod common;

use common::{run_with_stdin as run, stderr as err, stdout as out};
use std::process::Output;

/// A ketamine corner of the graph: an alias in another case, a name with a space, a two-hop
/// path with evidence, and an entity off on its own.
const GRAPH: &str = "\
CREATE (k:Drug {name: 'ketamine', aliases: ['Ketalar']}),
       (r:Receptor {name: 'NMDA receptor', aliases: ['NMDAR']}),
       (d:Disorder {name: 'depression'}),
       (m:Drug {name: 'memantine'}),
       (x:Drug {name: 'caffeine'}),
       (k)-[:ANTAGONIZES {confidence: 0.9}]->(r),
       (m)-[:ANTAGONIZES {confidence: 0.8}]->(r),
       (m)-[:ASSOCIATED_WITH {confidence: 0.3}]->(d);
";

/// Builds the small graph into a fresh file (emptying the built-in graph and saving the
/// result), then runs `pharmakg repl` on that file with `input` on stdin.
fn repl(input: &str) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let g = dir.path().join("g.kg");
    let built = run(
        &["repl"],
        &format!("MATCH (n) DETACH DELETE n;\n{GRAPH}:save {}\n", g.display()),
    );
    assert!(built.status.success(), "building: {}", err(&built));
    let o = run(&["repl", g.to_str().expect("utf-8 path")], input);
    drop(dir);
    o
}

/// The data rows of a TSV result (its header dropped).
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn why_takes_aliases_in_any_case_and_quoted_names() {
    let o = repl(":format tsv\n:why KETALAR \"nmda receptor\"\n");
    assert!(o.status.success(), "{}", err(&o));
    let rows = rows(&out(&o));
    assert_eq!(rows.len(), 1, "{}", out(&o));
    assert_eq!(rows[0][..3], ["ketamine", "ANTAGONIZES", "NMDA receptor"]);
    // The query is shown with its names as parameters, ready to paste back.
    let e = err(&o);
    assert!(
        e.contains(":param a 'KETALAR'\n:param b 'nmda receptor'\nMATCH"),
        "{e}"
    );
    assert!(e.contains("entity($a)") && !e.contains("entity('"), "{e}");
}

#[test]
fn the_shown_query_gives_the_same_result_when_pasted() {
    let o = repl(":format tsv\n:why ketalar nmdar\n");
    assert!(o.status.success(), "{}", err(&o));
    let shown: String = err(&o)
        .lines()
        .skip_while(|l| !l.starts_with(":param"))
        .take_while(|l| !l.starts_with('('))
        .map(|l| format!("{l}\n"))
        .collect();
    let again = repl(&format!(":format tsv\n:show-query off\n{shown}"));
    assert!(again.status.success(), "{}", err(&again));
    assert_eq!(out(&again), out(&o));
}

#[test]
fn neighbors_lists_each_relationship_with_its_direction() {
    let o = repl(":format tsv\n:neighbors nmdar\n");
    assert!(o.status.success(), "{}", err(&o));
    let mut got: Vec<(String, String)> = rows(&out(&o))
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("<-[:ANTAGONIZES]-".to_string(), "ketamine".to_string()),
            ("<-[:ANTAGONIZES]-".to_string(), "memantine".to_string()),
        ]
    );
}

#[test]
fn deeper_neighbors_count_hops() {
    let o = repl(":format tsv\n:neighbors KETAMINE 3\n");
    assert!(o.status.success(), "{}", err(&o));
    let got: Vec<(String, String)> = rows(&out(&o))
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        got,
        pairs(&[
            ("NMDA receptor", "1"),
            ("memantine", "2"),
            ("depression", "3")
        ])
    );
}

#[test]
fn path_walks_hop_by_hop_with_evidence_columns() {
    let o = repl(":format tsv\n:path Ketalar DEPRESSION\n");
    assert!(o.status.success(), "{}", err(&o));
    let hops: Vec<(String, String, String)> = rows(&out(&o))
        .into_iter()
        .map(|r| (r[2].clone(), r[3].clone(), r[4].clone()))
        .collect();
    let want = [
        ("ketamine", "ANTAGONIZES", "NMDA receptor"),
        ("memantine", "ANTAGONIZES", "NMDA receptor"),
        ("memantine", "ASSOCIATED_WITH", "depression"),
    ];
    assert_eq!(
        hops,
        want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    let header = out(&o).lines().next().unwrap_or_default().to_string();
    assert!(header.ends_with("evidence"), "{header}");
}

#[test]
fn find_matches_names_and_aliases_in_any_case() {
    let o = repl(":format tsv\n:find nmda\n:find INE\n");
    assert!(o.status.success(), "{}", err(&o));
    let names: Vec<String> = out(&o)
        .lines()
        .filter(|l| !l.starts_with("name\t"))
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        names,
        ["NMDA receptor", "caffeine", "ketamine", "memantine"]
    );
}

#[test]
fn unknown_names_are_named() {
    let o =
        repl(":why ketamine \"nmda recepter\"\n:path nowhere ketamine\n:neighbors NMDA receptor\n");
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(
        e.contains("line 1: :why: no entity is named `nmda recepter`"),
        "{e}"
    );
    assert!(
        e.contains("line 2: :path: no entity is named `nowhere`"),
        "{e}"
    );
    assert!(
        e.contains("line 3: usage: :neighbors NAME [DEPTH]") && e.contains("quote"),
        "{e}"
    );
    assert!(out(&o).is_empty(), "{}", out(&o));
}

/// The node and edge statements of a DOT file.
fn dot_counts(dot: &str) -> (usize, usize) {
    let is_node_id = |l: &str| {
        l.strip_prefix("\"n")
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    };
    let lines: Vec<&str> = dot
        .lines()
        .map(str::trim)
        .filter(|l| is_node_id(l))
        .collect();
    let edges = lines.iter().filter(|l| l.contains(" -> ")).count();
    let nodes = lines.len() - edges;
    (nodes, edges)
}

#[test]
fn export_draws_what_the_last_result_touched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (q, s, all) = (
        dir.path().join("q.dot"),
        dir.path().join("s.dot"),
        dir.path().join("all.dot"),
    );
    let o = repl(&format!(
        ":export dot {}\n\
         MATCH (m:Drug {{name: 'memantine'}})-[r]->(x) RETURN x.name, [r];\n:export dot {}\n\
         :why ketamine nmdar\n:export dot {}\n",
        all.display(),
        q.display(),
        s.display()
    ));
    assert!(o.status.success(), "{}", err(&o));
    let read = |p: &std::path::Path| std::fs::read_to_string(p).expect("the export was written");
    assert_eq!(dot_counts(&read(&all)), (5, 3), "{}", read(&all));
    assert_eq!(dot_counts(&read(&q)), (3, 2), "{}", read(&q));
    let why = read(&s);
    assert_eq!(dot_counts(&why), (2, 1), "{why}");
    assert!(
        why.contains("ketamine") && !why.contains("memantine"),
        "{why}"
    );
}

#[test]
fn export_after_neighbors_draws_the_neighbourhood() {
    let dir = tempfile::tempdir().expect("temp dir");
    let n = dir.path().join("n.dot");
    let o = repl(&format!(":neighbors NMDAR\n:export dot {}\n", n.display()));
    assert!(o.status.success(), "{}", err(&o));
    let dot = std::fs::read_to_string(&n).expect("the export was written");
    assert_eq!(dot_counts(&dot), (3, 2), "{dot}");
    assert!(
        !dot.contains("depression") && !dot.contains("caffeine"),
        "{dot}"
    );
}
