//! The executor's fast paths (aggregation fed straight from the matcher, counts read from the
//! store, top-k for ORDER BY with LIMIT, triangle closing, shortest paths stopping early) give
//! exactly the answers of the general path, on a graph with multi-edges, self-loops, several
//! labels, shared names and isolated nodes, and with entities deleted in the same query.

use pharmakg::query::{execute, ExecOptions, QValue, QueryResult};
use pharmakg::store::Graph;
use std::collections::BTreeMap;

fn run(g: &mut Graph, q: &str) -> QueryResult {
    execute(g, q, &BTreeMap::new(), &ExecOptions::default())
        .unwrap_or_else(|e| panic!("{q}: {}", e.render(q)))
}

/// Nodes a..f (two named `b`), several labels, types A, B, C, parallel edges, self-loops and an
/// isolated node.
fn graph() -> Graph {
    let mut g = Graph::new();
    run(
        &mut g,
        "CREATE (a:Drug {name: 'a', x: 1}), (b:Drug:Chem {name: 'b', x: 2}), \
         (b2:Disorder {name: 'b', x: 3}), (c:Disorder {name: 'c'}), (d:Gene {name: 'd', x: 2}), \
         (e {name: 'e'}), (f:Drug {name: 'f'}), \
         (a)-[:A {w: 1}]->(b), (a)-[:A {w: 2}]->(b), (a)-[:B]->(c), (a)-[:A]->(a), \
         (b)-[:B]->(c), (b)-[:C]->(b2), (b2)-[:A]->(c), (c)-[:A]->(a), (c)-[:C]->(c), \
         (d)-[:B]->(a), (d)-[:B]->(b), (b)-[:A]->(d), (e)-[:C]->(a), (a)-[:C]->(c)",
    );
    g
}

/// The rows as a sorted list, for comparing results whose order is not defined.
fn bag(r: &QueryResult) -> Vec<String> {
    let mut rows: Vec<String> = r.rows.iter().map(|row| format!("{row:?}")).collect();
    rows.sort();
    rows
}

fn plan(g: &mut Graph, q: &str) -> String {
    run(g, &format!("EXPLAIN {q}"))
        .rows
        .iter()
        .map(|r| format!("{:?}", r[0]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `fast` and the same query with `WITH *` after its MATCH, which stores the matches in a
/// table and aggregates them afterwards (no streaming, no store counts), and compares.
fn same_as_general(g: &mut Graph, matching: &str, returning: &str) -> QueryResult {
    let fast = run(g, &format!("{matching} {returning}"));
    let general = run(g, &format!("{matching} WITH * {returning}"));
    assert_eq!(fast.columns, general.columns);
    assert_eq!(bag(&fast), bag(&general), "{matching} {returning}");
    fast
}

#[test]
fn counts_per_type_come_from_the_store_and_match_the_edges() {
    let mut g = graph();
    let q = "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n, count(r) AS m";
    assert!(plan(&mut g, q).contains("RelationshipCountFromStore"));
    let r = same_as_general(
        &mut g,
        "MATCH ()-[r]->()",
        "RETURN type(r) AS t, count(*) AS n, count(r) AS m",
    );
    // Against the store's own edges.
    let mut want: BTreeMap<String, i64> = BTreeMap::new();
    for e in g.edge_ids() {
        *want
            .entry(g.edge_type(e).unwrap_or_default().to_string())
            .or_default() += 1;
    }
    let got: BTreeMap<String, i64> = r
        .rows
        .iter()
        .map(|row| match &row[..] {
            [QValue::String(t), QValue::Int(n), QValue::Int(m)] if n == m => (t.clone(), *n),
            other => panic!("unexpected row {other:?}"),
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn typed_and_ungrouped_edge_counts_agree_with_matching() {
    let mut g = graph();
    same_as_general(
        &mut g,
        "MATCH ()-[r:A|C|NOPE]->()",
        "RETURN type(r) AS t, count(*) AS n",
    );
    same_as_general(&mut g, "MATCH ()-->()", "RETURN count(*) AS n");
    same_as_general(&mut g, "MATCH ()<-[:B]-()", "RETURN count(*) AS n");
    same_as_general(&mut g, "MATCH ()-[:NOPE]->()", "RETURN count(*) AS n");
    let r = run(&mut g, "MATCH ()-->() RETURN count(*) AS n");
    assert_eq!(r.rows, vec![vec![QValue::Int(g.edge_count() as i64)]]);
}

#[test]
fn relationship_used_beyond_its_type_is_matched() {
    let mut g = graph();
    let q = "MATCH ()-[r]->() RETURN r.w AS w, count(*) AS n";
    assert!(!plan(&mut g, q).contains("RelationshipCountFromStore"));
    same_as_general(&mut g, "MATCH ()-[r]->()", "RETURN r.w AS w, count(*) AS n");
    let q = "MATCH ()-[r]->() RETURN type(r) AS t, count(DISTINCT r) AS n";
    assert!(!plan(&mut g, q).contains("RelationshipCountFromStore"));
    same_as_general(
        &mut g,
        "MATCH ()-[r]->()",
        "RETURN type(r) AS t, count(DISTINCT r) AS n",
    );
}

#[test]
fn degrees_replace_expansion_and_agree_with_matching() {
    let mut g = graph();
    let q = "MATCH (n)-[]->() RETURN n.name AS name, count(*) AS d";
    let p = plan(&mut g, q);
    assert!(p.contains("GetDegree"), "{p}");
    assert!(!p.contains("Expand"), "{p}");
    // Shared names group two nodes; self-loops count once per direction.
    same_as_general(
        &mut g,
        "MATCH (n)-[]->()",
        "RETURN n.name AS name, count(*) AS d",
    );
    same_as_general(
        &mut g,
        "MATCH (n:Drug)<-[:A|B]-()",
        "RETURN n, count(*) AS d",
    );
    same_as_general(
        &mut g,
        "MATCH ()-[:A]->(n)",
        "RETURN n.x AS x, count(n) AS c, count(DISTINCT n) AS k, min(n.name) AS lo, max(n.name) AS hi",
    );
    same_as_general(&mut g, "MATCH (n {x: 2})-->()", "RETURN count(*) AS d");
    same_as_general(&mut g, "MATCH (n)-[:NOPE]->()", "RETURN count(*) AS d");
}

#[test]
fn degree_of_a_bound_node() {
    let mut g = graph();
    same_as_general(
        &mut g,
        "MATCH (n:Drug) WITH n MATCH (n)-->()",
        "RETURN n.name AS name, count(*) AS d",
    );
}

#[test]
fn aggregates_that_copies_change_are_not_weighted() {
    let mut g = graph();
    let q = "MATCH (n)-->() RETURN sum(n.x) AS s, collect(n.name) AS c";
    assert!(!plan(&mut g, q).contains("GetDegree"));
    let fast = run(&mut g, q);
    let general = run(
        &mut g,
        "MATCH (n)-->() WITH * RETURN sum(n.x) AS s, collect(n.name) AS c",
    );
    assert_eq!(fast.rows[0][0], general.rows[0][0]);
    match (&fast.rows[0][1], &general.rows[0][1]) {
        (QValue::List(a), QValue::List(b)) => {
            let (mut a, mut b) = (a.clone(), b.clone());
            a.sort_by_key(|v| format!("{v:?}"));
            b.sort_by_key(|v| format!("{v:?}"));
            assert_eq!(a, b);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn counts_after_deletes_in_the_same_query_leave_deleted_entities_out() {
    // Deleting in the query, then counting, must give what counting gives once the deletion
    // is committed.
    let cases = [
        (
            "MATCH (x {name: 'a'})-[r:A]->() DELETE r",
            "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n",
        ),
        (
            "MATCH (x {name: 'c'}) DETACH DELETE x",
            "MATCH (n)-->() RETURN n.name AS name, count(*) AS n",
        ),
        (
            "MATCH (x {name: 'd'}) DETACH DELETE x",
            "MATCH ()<--(n) RETURN n.name AS name, count(*) AS n",
        ),
    ];
    for (delete, count) in cases {
        let mut g = graph();
        let together = run(&mut g, &format!("{delete} WITH count(*) AS gone {count}"));
        let p = plan(&mut g, &format!("{delete} WITH count(*) AS gone {count}"));
        assert!(
            !p.contains("CountFromStore") && !p.contains("GetDegree"),
            "{p}"
        );
        let mut g2 = graph();
        run(&mut g2, delete);
        let after = run(&mut g2, count);
        assert_eq!(bag(&together), bag(&after), "{delete} / {count}");
    }
}

#[test]
fn streamed_aggregation_with_where_optional_and_keys() {
    let mut g = graph();
    same_as_general(
        &mut g,
        "MATCH (a)-[r]->(b) WHERE r.w IS NULL OR a <> b",
        "RETURN labels(a) AS l, type(r) AS t, count(*) AS n, collect(DISTINCT b.name) AS bs",
    );
    same_as_general(
        &mut g,
        "MATCH (n) OPTIONAL MATCH (n)-[:B]->(m)",
        "RETURN n.name AS name, count(m) AS c, count(*) AS rows",
    );
    same_as_general(
        &mut g,
        "MATCH (n:Nope)",
        "RETURN count(*) AS n, min(n.x) AS m, collect(n) AS c",
    );
    same_as_general(
        &mut g,
        "MATCH (n:Nope)",
        "RETURN n.name AS k, count(*) AS n",
    );
    same_as_general(
        &mut g,
        "MATCH (a)-->(b)-->(c)",
        "RETURN a.x AS x, sum(c.x) AS s, avg(b.x) AS v, max(c.x) AS hi",
    );
}

#[test]
fn grouping_keeps_integers_and_floats_apart_and_nan_together() {
    let mut g = Graph::new();
    let r = run(
        &mut g,
        "UNWIND [1, 1.0, 0.0, -0.0, 0.0/0.0, 0.0/0.0, 'a', 'a', null] AS v \
         RETURN v, count(*) AS n ORDER BY n DESC, v",
    );
    let shown: Vec<String> = r.rows.iter().map(|row| format!("{row:?}")).collect();
    assert_eq!(r.rows.len(), 6, "{shown:?}");
}

#[test]
fn top_k_matches_a_full_sort_then_slice() {
    let mut g = graph();
    let full = run(
        &mut g,
        "MATCH (n)-[r]->(m) RETURN n.name AS a, m.name AS b, type(r) AS t ORDER BY a DESC, t",
    );
    for (skip, limit) in [(0, 0), (0, 1), (0, 3), (2, 4), (5, 100), (100, 1)] {
        let r = run(
            &mut g,
            &format!(
                "MATCH (n)-[r]->(m) RETURN n.name AS a, m.name AS b, type(r) AS t \
                 ORDER BY a DESC, t SKIP {skip} LIMIT {limit}"
            ),
        );
        // Ties (same a and t) must come in the same order as in the full sort.
        let want: Vec<_> = full.rows.iter().skip(skip).take(limit).cloned().collect();
        assert_eq!(r.rows, want, "SKIP {skip} LIMIT {limit}");
    }
}

/// Triangles a->b->c with a->c, three distinct relationships, counted over the store's edges.
fn brute_force_triangles(g: &Graph) -> i64 {
    let edges: Vec<_> = g
        .edge_ids()
        .filter_map(|e| Some((e, g.endpoints(e)?)))
        .collect();
    let mut n = 0;
    for (e1, (a, b)) in &edges {
        for (e2, (b2, c)) in &edges {
            if b2 != b || e2 == e1 {
                continue;
            }
            for (e3, (a3, c3)) in &edges {
                if a3 == a && c3 == c && e3 != e1 && e3 != e2 {
                    n += 1;
                }
            }
        }
    }
    n
}

#[test]
fn triangles_match_a_brute_force_count() {
    let mut g = graph();
    let r = run(
        &mut g,
        "MATCH (a)-[r1]->(b)-[r2]->(c), (a)-[r3]->(c) RETURN count(*) AS n",
    );
    assert_eq!(r.rows, vec![vec![QValue::Int(brute_force_triangles(&g))]]);
    same_as_general(
        &mut g,
        "MATCH (a:Drug)-->(b)-->(c), (a)-->(c)",
        "RETURN count(*) AS n",
    );
}

#[test]
fn triangles_through_a_hub_match_a_brute_force_count() {
    // The hub's list of closing edges is long enough to be looked up by node, not searched.
    let mut g = Graph::new();
    run(&mut g, "CREATE (h:Hub {name: 'h'})-[:A]->(h)");
    run(
        &mut g,
        "MATCH (h:Hub) UNWIND range(0, 99) AS i CREATE (h)-[:A]->(:N {i: i})",
    );
    run(
        &mut g,
        "MATCH (a:N), (b:N) WHERE b.i = (a.i * 7 + 3) % 100 CREATE (a)-[:B]->(b)",
    );
    run(
        &mut g,
        "MATCH (h:Hub), (a:N) WHERE a.i % 10 = 0 CREATE (h)-[:C]->(a)",
    );
    let r = run(
        &mut g,
        "MATCH (a)-[r1]->(b)-[r2]->(c), (a)-[r3]->(c) RETURN count(*) AS n",
    );
    let want = brute_force_triangles(&g);
    assert!(want > 100, "{want}");
    assert_eq!(r.rows, vec![vec![QValue::Int(want)]]);
}

#[test]
fn shortest_path_length_is_the_least_trail_length() {
    let mut g = graph();
    for (from, to) in [("a", "c"), ("e", "d"), ("d", "c"), ("c", "b"), ("f", "a")] {
        let sp = run(
            &mut g,
            &format!(
                "MATCH p = shortestPath((x {{name: '{from}'}})-[*..5]->(y {{name: '{to}'}})) \
                 RETURN min(length(p)) AS n"
            ),
        );
        let trails = run(
            &mut g,
            &format!(
                "MATCH p = (x {{name: '{from}'}})-[*1..5]->(y {{name: '{to}'}}) \
                 RETURN min(length(p)) AS n"
            ),
        );
        assert_eq!(sp.rows, trails.rows, "{from} -> {to}");
    }
    let all = run(
        &mut g,
        "MATCH p = allShortestPaths((x {name: 'd'})-[*..5]->(y {name: 'c'})) RETURN count(p) AS n",
    );
    let trails = run(
        &mut g,
        "MATCH p = (x {name: 'd'})-[*2]->(y {name: 'c'}) RETURN count(p) AS n",
    );
    assert_eq!(all.rows, trails.rows);
}

#[test]
fn profile_reports_rows_of_counted_and_streamed_matches() {
    let mut g = graph();
    let r = run(
        &mut g,
        "PROFILE MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n",
    );
    let text: Vec<String> = r.rows.iter().map(|row| format!("{:?}", row[0])).collect();
    assert!(
        text[0].contains("StreamingAggregate") && text[0].contains("rows=3"),
        "{text:?}"
    );
    assert!(
        text[1].contains("RelationshipCountFromStore") && text[1].contains("rows=3"),
        "{text:?}"
    );
}

#[test]
fn many_label_checks_on_reached_nodes_agree_with_the_records() {
    // Enough nodes that label checks past the first node switch to a bitmap of the label.
    let mut g = Graph::new();
    run(&mut g, "CREATE (:Hub {name: 'h'})");
    run(
        &mut g,
        "MATCH (h:Hub) UNWIND range(1, 3000) AS i CREATE (h)-[:A]->(n:N {i: i}) \
         WITH n, i WHERE i % 3 = 0 SET n:L",
    );
    let count = |g: &mut Graph, q: &str| match &run(g, q).rows[..] {
        [row] => row[0].clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        count(&mut g, "MATCH (:Hub)-->(x:L) RETURN count(*)"),
        QValue::Int(1000)
    );
    assert_eq!(
        count(&mut g, "MATCH (:Hub)-->(x:L:N) RETURN count(*)"),
        QValue::Int(1000)
    );
    assert_eq!(
        count(&mut g, "MATCH (:Hub)-->(x:Nope) RETURN count(*)"),
        QValue::Int(0)
    );
    // Labels removed and nodes deleted earlier in the same query are seen.
    assert_eq!(
        count(
            &mut g,
            "MATCH (x:L) WHERE x.i % 2 = 0 REMOVE x:L WITH count(*) AS c \
             MATCH (:Hub)-->(x:L) RETURN count(*)"
        ),
        QValue::Int(500)
    );
    assert_eq!(
        count(
            &mut g,
            "MATCH (x:L) WHERE x.i % 5 = 0 DETACH DELETE x WITH count(*) AS c \
             MATCH (:Hub)-->(x:L) RETURN count(*)"
        ),
        QValue::Int(400)
    );
}

#[test]
fn name_prefix_seek_finds_what_the_scan_finds() {
    let mut g = graph();
    run(
        &mut g,
        "CREATE (:Drug {name: 'fluoxetine'}), (:Drug {name: 'fluvoxamine'}), \
         (:Disorder {name: 'flu'}), (:Drug {name: 'Fluoxetine'}), (:Drug {name: 7}), \
         (:Drug {name: 'fluoxetine hydrochloride'}), (:Drug), (:Drug {name: 'fl\u{fc}gel'})",
    );
    let q = "MATCH (d:Drug) WHERE d.name STARTS WITH 'flu' RETURN d.name";
    assert!(
        plan(&mut g, q).contains("NodeIndexSeekByRange"),
        "{}",
        plan(&mut g, q)
    );
    for prefix in [
        "'flu'",
        "'fluoxetine h'",
        "'fl'",
        "''",
        "'z'",
        "null",
        "7",
        "'b'",
    ] {
        let fast = run(
            &mut g,
            &format!("MATCH (d) WHERE d.name STARTS WITH {prefix} AND d.x IS NULL RETURN d.name"),
        );
        // OR false keeps the same truth values but is no conjunct the planner moves.
        let general = run(
            &mut g,
            &format!("MATCH (d) WHERE (d.name STARTS WITH {prefix} OR false) AND d.x IS NULL RETURN d.name"),
        );
        assert_eq!(bag(&fast), bag(&general), "{prefix}");
    }
    let labelled = same_as_general(
        &mut g,
        "MATCH (d:Drug) WHERE d.name STARTS WITH 'flu'",
        "RETURN count(*) AS n",
    );
    assert_eq!(labelled.rows, vec![vec![QValue::Int(3)]]);
}

/// Like [`same_as_general`] with parameters, comparing rows in order when `ordered`.
fn same_with_params(
    g: &mut Graph,
    matching: &str,
    returning: &str,
    params: &BTreeMap<String, pharmakg::model::Value>,
    ordered: bool,
) -> QueryResult {
    let exec = |g: &mut Graph, q: &str| {
        execute(g, q, params, &ExecOptions::default())
            .unwrap_or_else(|e| panic!("{q}: {}", e.render(q)))
    };
    let fast = exec(g, &format!("{matching} {returning}"));
    let general = exec(g, &format!("{matching} WITH * {returning}"));
    assert_eq!(fast.columns, general.columns);
    if ordered {
        assert_eq!(fast.rows, general.rows, "{matching} {returning}");
    } else {
        assert_eq!(bag(&fast), bag(&general), "{matching} {returning}");
    }
    fast
}

#[test]
fn two_step_chains_are_counted_per_far_node_and_agree_with_matching() {
    let mut g = graph();
    let q = "MATCH (k:Drug {name: 'a'})-[]->()-[]->(s:Disorder) \
             RETURN count(*) AS paths, count(DISTINCT s) AS symptoms";
    assert!(
        plan(&mut g, q).contains("CountPaths"),
        "{}",
        plan(&mut g, q)
    );
    let r = same_as_general(
        &mut g,
        "MATCH (k:Drug {name: 'a'})-[]->()-[]->(s:Disorder)",
        "RETURN count(*) AS paths, count(DISTINCT s) AS symptoms",
    );
    assert!(matches!(r.rows[0][0], QValue::Int(n) if n > 0), "{r:?}");
    // Every direction pair (steps back along the first edge and self-loops included), typed
    // steps, labelled middle and far nodes, anonymous or named ends, grouping keys.
    let steps = ["-->", "<--", "-[:A]->", "<-[:A|C]-"];
    let middles = ["()", "(:Drug)"];
    let fars = ["(s)", "(s:Disorder)", "()"];
    let starts = ["(k {name: 'a'})", "(k:Drug)", "()"];
    for s1 in steps {
        for s2 in steps {
            for mid in middles {
                for far in fars {
                    for start in starts {
                        let matching = format!("MATCH {start}{s1}{mid}{s2}{far}");
                        same_as_general(&mut g, &matching, "RETURN count(*) AS n");
                        if far.starts_with("(s") {
                            same_as_general(
                                &mut g,
                                &matching,
                                "RETURN count(DISTINCT s) AS d, count(s) AS c, \
                                 collect(DISTINCT s.name) AS names, max(s.x) AS x",
                            );
                            if start.starts_with("(k") {
                                same_as_general(
                                    &mut g,
                                    &matching,
                                    "RETURN k.name AS k, s.name AS s, count(*) AS n",
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    // Unknown types and labels, and a far node with two labels.
    for matching in [
        "MATCH (k)-[:NOPE]->()-->(s)",
        "MATCH (k)-->(:Nope)-->(s)",
        "MATCH (k)-->()<--(s:Nope)",
        "MATCH (k)<--()-->(s:Drug:Chem)",
    ] {
        same_as_general(
            &mut g,
            matching,
            "RETURN k.name AS k, count(*) AS n, count(DISTINCT s) AS d",
        );
    }
}

#[test]
fn two_step_chains_walked_from_either_end_or_from_bound_nodes() {
    let mut g = graph();
    // The far end has an index: the walk starts there and counts back.
    let q = "MATCH (k)-->()-->(s {name: 'c'}) RETURN k.name AS k, count(*) AS n";
    assert!(
        plan(&mut g, q).contains("CountPaths"),
        "{}",
        plan(&mut g, q)
    );
    same_as_general(
        &mut g,
        "MATCH (k)-->()-->(s {name: 'c'})",
        "RETURN k.name AS k, count(*) AS n",
    );
    same_as_general(
        &mut g,
        "MATCH (k:Drug)<--()-->(s {name: 'b'})",
        "RETURN k.name AS k, count(DISTINCT s) AS n",
    );
    // Both ends with properties: the chain is matched.
    let both = "MATCH (k {name: 'a'})-->()-->(s {name: 'c'}) RETURN count(*) AS n";
    assert!(!plan(&mut g, both).contains("CountPaths"));
    same_as_general(
        &mut g,
        "MATCH (k {name: 'a'})-->()-->(s {name: 'c'})",
        "RETURN count(*) AS n",
    );
    // Bound before the chain, at either end, or the same node at both ends.
    same_as_general(
        &mut g,
        "MATCH (k:Drug) MATCH (k)-->()-->(s)",
        "RETURN k.name AS k, count(*) AS n, count(DISTINCT s) AS d",
    );
    same_as_general(
        &mut g,
        "MATCH (s:Disorder) MATCH (k)-->()-->(s)",
        "RETURN s.name AS s, count(*) AS n, count(DISTINCT k) AS d",
    );
    same_as_general(
        &mut g,
        "MATCH (k:Drug), (s:Disorder) MATCH (k)-->()-->(s)",
        "RETURN count(*) AS n",
    );
    same_as_general(&mut g, "MATCH (k)-->()-->(k)", "RETURN count(*) AS n");
    // The far end's properties read the near end.
    same_as_general(
        &mut g,
        "MATCH (k)-->()-->(s {name: k.name})",
        "RETURN count(*) AS n",
    );
    same_as_general(
        &mut g,
        "MATCH (k:Drug)-->()<--(s {x: k.x})",
        "RETURN count(*) AS n",
    );
    same_as_general(&mut g, "MATCH (k)-->()<--(k)", "RETURN count(*) AS n");
    // Parameters in the near node's properties.
    for name in ["a", "b", "c", "zzz"] {
        let params = BTreeMap::from([(
            "n".to_string(),
            pharmakg::model::Value::String(name.to_string()),
        )]);
        same_with_params(
            &mut g,
            "MATCH (k {name: $n})-->()-->(s)",
            "RETURN count(*) AS n, count(DISTINCT s) AS d",
            &params,
            false,
        );
    }
}

/// A graph where several self-loops, parallel edges and back-and-forth pairs meet, built
/// from a fixed sequence so that it is the same on every run.
fn tangled() -> Graph {
    let mut g = Graph::new();
    run(
        &mut g,
        "UNWIND range(0, 11) AS i \
         CREATE (:N {i: i, name: 'n' + toString(i % 5)})",
    );
    run(
        &mut g,
        "MATCH (a:N), (b:N) WHERE (a.i * 5 + b.i * 3) % 7 = 0 \
         CREATE (a)-[:A]->(b), (a)-[:B]->(b)",
    );
    run(
        &mut g,
        "MATCH (a:N), (b:N) WHERE (a.i + b.i) % 4 = 1 CREATE (a)-[:A]->(b)",
    );
    run(&mut g, "MATCH (a:N) WHERE a.i % 3 = 0 SET a:M");
    g
}

#[test]
fn two_step_counts_on_a_tangled_graph_agree_with_matching() {
    let mut g = tangled();
    for s1 in ["-->", "<--", "-[:A]->", "<-[:B]-"] {
        for s2 in ["-->", "<--", "-[:B]->", "<-[:A]-"] {
            for (mid, far) in [("()", "(s)"), ("(:M)", "(s:M)"), ("()", "(s:M)")] {
                let matching = format!("MATCH (k:N){s1}{mid}{s2}{far}");
                same_as_general(
                    &mut g,
                    &matching,
                    "RETURN k.i AS k, count(*) AS n, count(DISTINCT s) AS d",
                );
            }
        }
    }
}

#[test]
fn degree_groups_by_a_repeated_property_agree_with_matching() {
    let mut g = graph();
    // Names shared by several nodes, missing, integral as an integer and as a float.
    run(
        &mut g,
        "CREATE (x {x: 5})-[:A]->(y {name: 7}), (z {name: 7.0})-[:A]->(x), \
         (w {name: 'b'})-[:A]->(w), (v {name: 'b'})-[:B]->(x), (u)-[:B]->(v), (t {name: 7})",
    );
    let q = "MATCH (n)-[]->() RETURN n.name AS name, count(*) AS out_degree \
             ORDER BY out_degree DESC, name LIMIT 10";
    let p = plan(&mut g, q);
    assert!(
        p.contains("GetDegree") && p.contains("AggregateByProperty"),
        "{p}"
    );
    let r = same_as_general(
        &mut g,
        "MATCH (n)-[]->()",
        "RETURN n.name AS name, count(*) AS out_degree ORDER BY out_degree DESC, name LIMIT 10",
    );
    // The two nodes named 'b' with edges (and the two added ones) make one group.
    let b = r
        .rows
        .iter()
        .find(|row| row[0] == QValue::String("b".into()))
        .map(|row| row[1].clone());
    let mut want = 0;
    for n in g.node_ids() {
        if g.node_name(n) == Some("b") {
            want += g.out_degree(n) as i64;
        }
    }
    assert_eq!(b, Some(QValue::Int(want)));
    let endings = [
        "ORDER BY d DESC, name LIMIT 3",
        "ORDER BY d DESC LIMIT 2",
        "ORDER BY d LIMIT 2",
        "ORDER BY d DESC, name SKIP 2 LIMIT 3",
        "ORDER BY d DESC LIMIT 0",
        "ORDER BY d DESC LIMIT 100",
        "ORDER BY name LIMIT 3",
        "ORDER BY d, name DESC",
        "",
    ];
    // The same graph loaded from its records: its indexes are built in bulk.
    let mut loaded = Graph::from_records(g.to_records()).expect("records of a live graph load");
    for end in [
        "ORDER BY d DESC, name LIMIT 3",
        "ORDER BY d DESC LIMIT 2",
        "",
    ] {
        let q = format!("RETURN n.name AS name, count(*) AS d {end}");
        let a = same_with_params(&mut g, "MATCH (n)-->()", &q, &BTreeMap::new(), true);
        let b = same_with_params(&mut loaded, "MATCH (n)-->()", &q, &BTreeMap::new(), true);
        assert_eq!(bag(&a), bag(&b), "{q}");
    }
    for pattern in [
        "MATCH (n)-->()",
        "MATCH (n)<--()",
        "MATCH (n:Drug)-->()",
        "MATCH (n)-[:A|C]->()",
        "MATCH (n)<-[:B]-()",
    ] {
        for end in endings {
            let ordered = end.contains("ORDER BY");
            same_with_params(
                &mut g,
                pattern,
                &format!("RETURN n.name AS name, count(*) AS d {end}"),
                &BTreeMap::new(),
                ordered,
            );
            same_with_params(
                &mut g,
                pattern,
                &format!("RETURN n.name AS name, count(n) AS d, count(*) AS e {end}"),
                &BTreeMap::new(),
                ordered,
            );
        }
        same_with_params(
            &mut g,
            pattern,
            "WITH n.x AS name, count(*) AS d ORDER BY d DESC LIMIT 3 WHERE d > 1 \
             RETURN name, d",
            &BTreeMap::new(),
            true,
        );
        same_with_params(
            &mut g,
            pattern,
            "RETURN n.name AS name, count(*) AS d ORDER BY count(*) DESC, name LIMIT $k",
            &BTreeMap::from([("k".to_string(), pharmakg::model::Value::Int(2))]),
            true,
        );
    }
}
