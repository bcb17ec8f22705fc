//! EXPLAIN, PROFILE and the `mentions()` function.

use pharmakg::model::Value;
use pharmakg::query::ast::{Mode, Statement};
use pharmakg::query::parser::{parse, parse_statement};
use pharmakg::query::{execute, ExecOptions, QValue, QueryResult};
use pharmakg::store::Graph;
use std::collections::BTreeMap;

/// A small graph: three drugs, three disorders, treatments and one chain of relations.
fn graph() -> Graph {
    let mut g = Graph::new();
    run(
        &mut g,
        "CREATE (k:Drug {name: 'ketamine'}), (e:Drug {name: 'esketamine'}), \
         (m:Drug {name: 'morphine'}), (d:Disorder {name: 'depression'}), \
         (a:Disorder {name: 'anxiety'}), (p:Disorder {name: 'pain'}), (r:Receptor {name: 'NMDA'}), \
         (k)-[:TREATS]->(d), (k)-[:TREATS]->(p), (e)-[:TREATS]->(d), (m)-[:TREATS]->(p), \
         (k)-[:ANTAGONIST_OF]->(r), (r)-[:LINKED_TO]->(a), (d)-[:COMORBID_WITH]->(a)",
    );
    g
}

fn run(g: &mut Graph, q: &str) -> QueryResult {
    execute(g, q, &BTreeMap::new(), &ExecOptions::default())
        .unwrap_or_else(|e| panic!("{q}: {}", e.render(q)))
}

/// The plan lines of a result.
fn lines(r: &QueryResult) -> Vec<String> {
    assert_eq!(r.columns, vec!["plan".to_string()]);
    r.rows
        .iter()
        .map(|row| match &row[..] {
            [QValue::String(s)] => s.clone(),
            other => panic!("not a plan line: {other:?}"),
        })
        .collect()
}

fn explain(q: &str) -> String {
    let mut g = graph();
    lines(&run(&mut g, &format!("EXPLAIN {q}"))).join("\n")
}

#[test]
fn lookup_by_name_seeks_the_index() {
    insta::assert_snapshot!(explain("MATCH (n:Drug {name: 'ketamine'}) RETURN n.name"));
}

#[test]
fn where_equality_on_name_is_pushed_into_an_index_seek() {
    let plan = explain("MATCH (n:Drug) WHERE n.name = 'ketamine' RETURN n");
    assert!(plan.contains("NodeIndexSeek"), "{plan}");
    assert!(plan.contains("Filter"), "{plan}");
}

#[test]
fn label_scan_with_filter() {
    insta::assert_snapshot!(explain(
        "MATCH (n:Drug) WHERE n.name ENDS WITH 'k' RETURN n.name"
    ));
}

#[test]
fn name_prefix_filter_seeks_by_range() {
    insta::assert_snapshot!(explain(
        "MATCH (n:Drug) WHERE n.name STARTS WITH 'k' RETURN n.name"
    ));
}

#[test]
fn two_hop_expand() {
    insta::assert_snapshot!(explain(
        "MATCH (k:Drug {name: 'ketamine'})-[:ANTAGONIST_OF]->(r)-[:LINKED_TO]->(d:Disorder) \
         RETURN d.name"
    ));
}

#[test]
fn two_step_count_counts_paths_per_end_node() {
    insta::assert_snapshot!(explain(
        "MATCH (k:Drug {name: 'ketamine'})-[]->()-[]->(d:Disorder) \
         RETURN count(*) AS paths, count(DISTINCT d) AS disorders"
    ));
}

#[test]
fn two_step_count_walks_from_the_cheaper_end() {
    insta::assert_snapshot!(explain(
        "MATCH (d:Drug)-[:TREATS]->()-->(x {name: 'anxiety'}) RETURN d.name AS drug, count(*) AS n"
    ));
}

#[test]
fn degrees_grouped_by_name_are_aggregated_by_property() {
    insta::assert_snapshot!(explain(
        "MATCH (n)-[]->() RETURN n.name AS name, count(*) AS out_degree \
         ORDER BY out_degree DESC, name LIMIT 3"
    ));
}

#[test]
fn name_taken_from_an_earlier_row_is_sought_per_row() {
    let plan = explain("MATCH (a:Drug) MATCH (b {name: a.name}) RETURN b");
    assert!(plan.contains("NodeIndexSeek (b {name: a.name})"), "{plan}");
    assert!(plan.contains("NodeByLabelScan (a:Drug)"), "{plan}");
}

#[test]
fn walk_starts_from_the_cheaper_end() {
    // The far end is found by name, so the walk is reversed and starts there.
    let plan = explain("MATCH (d:Drug)-[:TREATS]->(x {name: 'pain'}) RETURN d.name");
    let first = plan.lines().last().unwrap_or_default().trim().to_string();
    assert!(first.starts_with("NodeIndexSeek (x"), "{plan}");
    assert!(plan.contains("Expand (x)<-[:TREATS]-(d:Drug)"), "{plan}");
}

#[test]
fn var_length_count_distinct_runs_breadth_first() {
    insta::assert_snapshot!(explain(
        "MATCH (k:Drug {name: 'ketamine'})-[*1..3]->(d:Disorder) \
         RETURN count(DISTINCT d) AS disorders"
    ));
}

#[test]
fn var_length_with_duplicates_counted_expands_every_trail() {
    let plan = explain("MATCH (k:Drug {name: 'ketamine'})-[*1..3]->(d) RETURN count(d) AS n");
    assert!(plan.contains("VarLengthExpand"), "{plan}");
    assert!(!plan.contains("BFSDistinct"), "{plan}");
}

#[test]
fn shortest_path() {
    insta::assert_snapshot!(explain(
        "MATCH p = shortestPath((a {name: 'esketamine'})-[*..4]-(b {name: 'anxiety'})) \
         RETURN length(p)"
    ));
}

#[test]
fn aggregation_with_order_by_and_limit() {
    insta::assert_snapshot!(explain(
        "MATCH (d:Drug)-[:TREATS]->(x:Disorder) \
         RETURN x.name AS disorder, count(d) AS drugs ORDER BY drugs DESC LIMIT 2"
    ));
}

#[test]
fn create_is_planned_but_not_run() {
    let mut g = graph();
    let before = g.node_count();
    let r = run(
        &mut g,
        "EXPLAIN CREATE (n:Drug {name: 'naloxone'})-[:ANTAGONIST_OF]->(:Receptor {name: 'MOR'})",
    );
    assert_eq!(g.node_count(), before, "EXPLAIN must not change the graph");
    insta::assert_snapshot!(lines(&r).join("\n"));
}

#[test]
fn union_has_one_branch_per_query() {
    let plan =
        explain("MATCH (n:Drug) RETURN n.name AS x UNION MATCH (n:Disorder) RETURN n.name AS x");
    assert!(plan.starts_with("Union DISTINCT"), "{plan}");
    assert_eq!(plan.matches("NodeByLabelScan").count(), 2, "{plan}");
}

/// Splits a PROFILE line into its operator text and measured rows, checking the time is there.
fn rows_of(line: &str) -> (String, Option<usize>) {
    match line.split_once("  rows=") {
        None => (line.trim().to_string(), None),
        Some((op, rest)) => {
            let (rows, time) = rest.split_once(" time=").unwrap_or((rest, ""));
            if !time.is_empty() {
                let ms = time.trim_end_matches("ms");
                assert!(ms.parse::<f64>().is_ok_and(|t| t >= 0.0), "{line}");
            }
            (op.trim().to_string(), rows.parse().ok())
        }
    }
}

#[test]
fn profile_counts_rows_per_clause_and_runs_the_query() {
    let mut g = graph();
    let r = run(
        &mut g,
        "PROFILE MATCH (d:Drug)-[:TREATS]->(x:Disorder) WHERE x.name <> 'pain' \
         RETURN d.name AS drug ORDER BY drug",
    );
    let ls = lines(&r);
    let measured: Vec<(String, Option<usize>)> = ls.iter().map(|l| rows_of(l)).collect();
    let find = |prefix: &str| {
        measured
            .iter()
            .find(|(op, _)| op.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {ls:?}"))
            .1
    };
    // Three drugs to start from, four TREATS edges to disorders; two reach depression.
    assert_eq!(find("NodeByLabelScan"), Some(3), "{ls:?}");
    assert_eq!(find("Expand"), Some(4), "{ls:?}");
    assert_eq!(find("Filter"), Some(2), "{ls:?}");
    assert_eq!(find("Sort"), Some(2), "{ls:?}");
    assert!(
        ls.iter().filter(|l| l.contains("time=")).count() >= 2,
        "{ls:?}"
    );

    // PROFILE runs writes.
    let before = g.node_count();
    let r = run(
        &mut g,
        "PROFILE UNWIND [1, 2, 3] AS i CREATE (:Dose {mg: i})",
    );
    assert_eq!(g.node_count(), before + 3);
    let ls = lines(&r);
    assert_eq!(
        rows_of(&ls[0]),
        ("Create (:Dose {mg: i})".to_string(), Some(3))
    );
    assert_eq!(rows_of(&ls[1]).1, Some(3), "{ls:?}");
}

#[test]
fn explain_and_profile_round_trip_through_display() {
    for text in [
        "EXPLAIN MATCH (n:Drug) RETURN n",
        "profile MATCH (n) RETURN count(*) AS c",
        "MATCH (n) RETURN n",
    ] {
        let st = parse_statement(text).expect(text);
        let printed = st.to_string();
        assert_eq!(parse_statement(&printed).expect(&printed), st, "{printed}");
    }
    let st = parse_statement("Explain RETURN 1 AS x").expect("parses");
    assert_eq!(st.mode, Mode::Explain);
    assert!(parse("EXPLAIN RETURN 1 AS x").is_err());
    // EXPLAIN is not a clause: it only leads a statement.
    let mut g = graph();
    assert!(execute(
        &mut g,
        "MATCH (n) EXPLAIN RETURN n",
        &BTreeMap::new(),
        &ExecOptions::default()
    )
    .is_err());
    // A variable may still be called explain.
    let r = run(&mut g, "UNWIND [1] AS explain RETURN explain");
    assert_eq!(r.rows, vec![vec![QValue::Int(1)]]);
}

mod round_trip {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn printed_statements_parse_back(
            mode in prop_oneof![Just(Mode::Run), Just(Mode::Explain), Just(Mode::Profile)],
            label in "[A-Z][a-z]{0,6}",
            limit in 0u32..100,
        ) {
            let text = format!("MATCH (n:{label}) RETURN n.name AS x ORDER BY x LIMIT {limit}");
            let query = parse(&text).map_err(|e| TestCaseError::fail(e.render(&text)))?;
            let st = Statement { mode, query };
            let printed = st.to_string();
            let back = parse_statement(&printed).map_err(|e| TestCaseError::fail(e.render(&printed)))?;
            prop_assert_eq!(back, st);
        }
    }
}

#[test]
fn mentions_lists_documents_with_counts_sorted_by_document() {
    let mut g = graph();
    let node = g
        .nodes_with_prop("name", &Value::String("ketamine".into()))
        .and_then(|ns| ns.first().copied())
        .expect("ketamine is in the graph");
    g.add_mentions(node, "z.md", 1).expect("node exists");
    g.add_mentions(node, "a.md", 2).expect("node exists");
    g.add_mentions(node, "a.md", 1).expect("node exists");
    let r = run(
        &mut g,
        "MATCH (k {name: 'ketamine'}) RETURN mentions(k) AS m",
    );
    let doc = |d: &str, c: i64| {
        QValue::Map(BTreeMap::from([
            ("count".to_string(), QValue::Int(c)),
            ("doc".to_string(), QValue::String(d.to_string())),
        ]))
    };
    assert_eq!(
        r.rows,
        vec![vec![QValue::List(vec![doc("a.md", 3), doc("z.md", 1)])]]
    );

    let r = run(
        &mut g,
        "MATCH (n {name: 'morphine'}) RETURN mentions(n) AS m, mentions(null) AS z",
    );
    assert_eq!(r.rows, vec![vec![QValue::List(Vec::new()), QValue::Null]]);
    let q = "MATCH ()-[r]->() RETURN mentions(r) AS m";
    assert!(execute(&mut g, q, &BTreeMap::new(), &ExecOptions::default()).is_err());
}
