//! The query language: error messages people read, printing that parses back to the same
//! tree, and what queries do to a graph.

use pharmakg::model::{Evidence, Value};
use pharmakg::query::ast::*;
use pharmakg::query::parser::parse;
use pharmakg::query::{execute, prepare, ErrorKind, ExecOptions, Phase, QValue, QueryError};
use pharmakg::Graph;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

fn run(g: &mut Graph, q: &str) -> Result<Vec<Vec<QValue>>, QueryError> {
    execute(g, q, &BTreeMap::new(), &ExecOptions::default()).map(|r| r.rows)
}

fn rows(g: &mut Graph, q: &str) -> Vec<Vec<QValue>> {
    match run(g, q) {
        Ok(r) => r,
        Err(e) => panic!("{}", e.render(q)),
    }
}

fn err(q: &str) -> QueryError {
    let mut g = Graph::new();
    match run(&mut g, q) {
        Ok(r) => panic!("expected an error for {q}, got {r:?}"),
        Err(e) => e,
    }
}

fn s(x: &str) -> QValue {
    QValue::String(x.to_string())
}

// ----- error messages -----

#[test]
fn syntax_error_names_line_column_and_what_was_expected() {
    let q = "MATCH (n:Drug)\nRETURN n.name AS";
    let e = err(q);
    assert_eq!((e.kind, e.phase), (ErrorKind::SyntaxError, Phase::Compile));
    assert_eq!(e.line_col(q), Some((2, 17)));
    insta::assert_snapshot!(e.render(q));
}

#[test]
fn unclosed_node_pattern_is_explained_in_words() {
    let q = "MATCH (n:Drug RETURN n";
    let rendered = err(q).render(q);
    assert!(!rendered.contains("WHITESPACE") && !rendered.contains("node_pattern"));
    insta::assert_snapshot!(rendered);
}

#[test]
fn misspelt_clause_is_reported_at_its_start() {
    let q = "MATCH (n)\nRETRUN n";
    insta::assert_snapshot!(err(q).render(q));
}

#[test]
fn undefined_variable_points_at_the_variable() {
    let q = "MATCH (n) RETURN m.name";
    let e = err(q);
    assert_eq!(e.code, "UndefinedVariable");
    insta::assert_snapshot!(e.render(q));
}

#[test]
fn number_literal_errors_carry_their_codes() {
    assert_eq!(err("RETURN 9223372036854775808").code, "IntegerOverflow");
    assert_eq!(
        rows(&mut Graph::new(), "RETURN -9223372036854775808"),
        vec![vec![QValue::Int(i64::MIN)]]
    );
    assert_eq!(err("RETURN 0x1Z").code, "InvalidNumberLiteral");
    assert_eq!(err("RETURN 1.34E999").code, "FloatingPointOverflow");
    assert_eq!(err("RETURN '\\uH'").code, "InvalidUnicodeLiteral");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let q = format!("RETURN {}1{}", "(".repeat(5000), ")".repeat(5000));
    let e = err(&q);
    assert_eq!(e.code, "NestingTooDeep");
    let q = format!("RETURN {}1{}", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(err(&q).code, "NestingTooDeep");
    // Nesting within the limit still works.
    let q = format!("RETURN {}1{} AS x", "(".repeat(40), ")".repeat(40));
    assert_eq!(rows(&mut Graph::new(), &q), vec![vec![QValue::Int(1)]]);
}

#[test]
fn semantic_errors_map_to_their_codes() {
    let cases = [
        ("MATCH (a) CREATE (a)", "VariableAlreadyBound"),
        ("CREATE (a)-[:R|S]->(b)", "NoSingleRelationshipType"),
        ("CREATE (a)-[:R]-(b)", "RequiresDirectedRelationship"),
        (
            "MATCH (a) WHERE count(a) > 1 RETURN a",
            "InvalidAggregation",
        ),
        ("RETURN count(count(*))", "NestedAggregation"),
        ("RETURN 1 AS a, 2 AS a", "ColumnNameConflict"),
        ("WITH 1 + 1 RETURN 1", "NoExpressionAlias"),
        (
            "RETURN 1 AS a UNION RETURN 2 AS b",
            "DifferentColumnsInUnion",
        ),
        ("MATCH (n) RETURN n SKIP -1", "NegativeIntegerArgument"),
        ("RETURN nosuch(1)", "UnknownFunction"),
        ("MATCH ()-[r]-() MATCH (r) RETURN r", "VariableTypeConflict"),
    ];
    for (q, code) in cases {
        let e = err(q);
        assert_eq!(e.code, code, "{q}");
        assert_eq!(e.phase, Phase::Compile, "{q}");
    }
}

// ----- printing round trip -----

fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,6}".prop_filter("not a keyword", |s| !is_reserved(s)),
        Just("weird name".to_string()),
        Just("match".to_string()),
    ]
}

fn literal() -> impl Strategy<Value = Expr> {
    prop_oneof![
        Just(Expr::Lit(Literal::Null)),
        any::<bool>().prop_map(|b| Expr::Lit(Literal::Bool(b))),
        any::<i64>().prop_map(|i| Expr::Lit(Literal::Int(i))),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| Expr::Lit(Literal::Float(x))),
        any::<String>().prop_map(|s| Expr::Lit(Literal::String(s))),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal(),
        ident().prop_map(|v| Expr::Var(v, Span::default())),
        ident().prop_map(Expr::Param),
        Just(Expr::CountStar),
    ];
    leaf.prop_recursive(4, 48, 4, |inner| {
        let binop = prop_oneof![
            Just(BinOp::Or),
            Just(BinOp::Xor),
            Just(BinOp::And),
            Just(BinOp::Eq),
            Just(BinOp::Ne),
            Just(BinOp::Lt),
            Just(BinOp::Le),
            Just(BinOp::Gt),
            Just(BinOp::Ge),
            Just(BinOp::Regex),
            Just(BinOp::Add),
            Just(BinOp::Sub),
            Just(BinOp::Mul),
            Just(BinOp::Div),
            Just(BinOp::Mod),
            Just(BinOp::Pow),
            Just(BinOp::In),
            Just(BinOp::StartsWith),
            Just(BinOp::EndsWith),
            Just(BinOp::Contains),
        ];
        let b = |e: Expr| Box::new(e);
        prop_oneof![
            (binop, inner.clone(), inner.clone()).prop_map(move |(op, x, y)| Expr::Bin(
                op,
                b(x),
                b(y)
            )),
            (inner.clone(), ident()).prop_map(move |(x, k)| Expr::Prop(b(x), k)),
            (inner.clone(), inner.clone()).prop_map(move |(x, i)| Expr::Index(b(x), b(i))),
            (
                inner.clone(),
                proptest::option::of(inner.clone()),
                proptest::option::of(inner.clone())
            )
                .prop_map(move |(x, lo, hi)| Expr::Slice(b(x), lo.map(b), hi.map(b))),
            (inner.clone(), proptest::collection::vec(ident(), 1..3))
                .prop_map(move |(x, l)| Expr::HasLabels(b(x), l)),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Expr::List),
            proptest::collection::vec((ident(), inner.clone()), 0..4).prop_map(Expr::Map),
            inner.clone().prop_map(move |x| Expr::Not(b(x))),
            inner
                .clone()
                .prop_filter("a negated number is a literal", |x| !matches!(
                    x,
                    Expr::Lit(Literal::Int(_) | Literal::Float(_))
                ))
                .prop_map(move |x| Expr::Neg(b(x))),
            inner.clone().prop_map(move |x| Expr::Pos(b(x))),
            (inner.clone(), any::<bool>()).prop_map(move |(x, n)| Expr::IsNull(b(x), n)),
            (
                proptest::option::of(inner.clone()),
                proptest::collection::vec((inner.clone(), inner.clone()), 1..3),
                proptest::option::of(inner.clone())
            )
                .prop_map(move |(o, alts, d)| Expr::Case {
                    operand: o.map(b),
                    alts,
                    default: d.map(b),
                }),
            (
                prop_oneof![
                    Just("toUpper"),
                    Just("size"),
                    Just("coalesce"),
                    Just("count"),
                    Just("collect")
                ],
                any::<bool>(),
                proptest::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(n, d, args)| Expr::Call {
                    name: n.to_string(),
                    distinct: d,
                    args,
                    span: Span::default(),
                }),
            (
                ident(),
                inner.clone(),
                proptest::option::of(inner.clone()),
                proptest::option::of(inner.clone())
            )
                .prop_map(move |(v, l, f, m)| Expr::ListComp {
                    var: v,
                    list: b(l),
                    filter: f.map(b),
                    map: m.map(b),
                }),
        ]
    })
}

fn node_pat() -> impl Strategy<Value = NodePat> {
    (
        proptest::option::of(ident()),
        proptest::collection::vec(ident(), 0..3),
        proptest::option::of(proptest::collection::vec((ident(), literal()), 0..3)),
    )
        .prop_map(|(var, labels, props)| NodePat {
            var,
            labels,
            props: props.map(Expr::Map),
            name_prefix: None,
            span: Span::default(),
        })
}

fn rel_pat() -> impl Strategy<Value = RelPat> {
    (
        proptest::option::of(ident()),
        proptest::collection::vec(ident(), 0..3),
        prop_oneof![Just(Dir::Out), Just(Dir::In), Just(Dir::Both)],
        proptest::option::of((proptest::option::of(0u64..5), proptest::option::of(0u64..5))),
    )
        .prop_map(|(var, mut types, dir, range)| {
            types.dedup();
            RelPat {
                var,
                types,
                dir,
                range,
                props: None,
                span: Span::default(),
            }
        })
}

fn query() -> impl Strategy<Value = Query> {
    let part = (
        proptest::option::of(ident()),
        node_pat(),
        proptest::collection::vec((rel_pat(), node_pat()), 0..3),
    )
        .prop_map(|(var, start, chain)| PatternPart {
            var,
            shortest: None,
            start,
            chain,
            span: Span::default(),
        });
    let item = (expr(), proptest::option::of(ident())).prop_map(|(expr, alias)| ProjItem {
        expr,
        alias,
        text: String::new(),
        span: Span::default(),
    });
    (
        any::<bool>(),
        proptest::collection::vec(part, 1..3),
        proptest::option::of(expr()),
        any::<bool>(),
        proptest::collection::vec(item, 1..3),
        proptest::collection::vec((expr(), any::<bool>()), 0..2),
        proptest::option::of(any::<u32>()),
    )
        .prop_map(
            |(optional, pattern, filter, distinct, items, order, limit)| Query {
                first: SingleQuery {
                    clauses: vec![
                        Clause::Match {
                            optional,
                            pattern,
                            filter,
                        },
                        Clause::Return(Projection {
                            distinct,
                            star: false,
                            items,
                            order,
                            skip: None,
                            limit: limit.map(|l| Expr::Lit(Literal::Int(l as i64))),
                            filter: None,
                        }),
                    ],
                },
                unions: Vec::new(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn printed_expressions_parse_back_to_the_same_tree(e in expr()) {
        let text = format!("RETURN {e} AS x");
        let parsed = parse(&text).map_err(|err| TestCaseError::fail(err.render(&text)))?;
        let Clause::Return(p) = &parsed.first.clauses[0] else {
            return Err(TestCaseError::fail("not a RETURN"));
        };
        prop_assert_eq!(&p.items[0].expr, &e, "{}", text);
    }

    #[test]
    fn printed_queries_parse_back_to_the_same_tree(q in query()) {
        let text = q.to_string();
        let parsed = parse(&text).map_err(|err| TestCaseError::fail(err.render(&text)))?;
        prop_assert_eq!(&parsed, &q, "{}", text);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,60}") {
        let _ = prepare(&text);
    }
}

// ----- behaviour -----

fn pharmacology() -> Graph {
    let mut g = Graph::new();
    rows(
        &mut g,
        "CREATE (k:Drug {name: 'ketamine', id: 1, aliases: ['Ketalar']}),
                (e:Drug {name: 'esketamine', id: 2}),
                (d:Disorder {name: 'depression', id: 3}),
                (n:Receptor {name: 'NMDA receptor', id: 4}),
                (k)-[:TREATS {confidence: 0.9}]->(d),
                (e)-[:TREATS {confidence: 0.7}]->(d),
                (k)-[:ANTAGONIST_OF]->(n),
                (n)-[:ASSOCIATED_WITH]->(d)",
    );
    g
}

#[test]
fn column_names_keep_the_text_as_written() {
    let mut g = pharmacology();
    let r = execute(
        &mut g,
        "MATCH (d:Drug) RETURN d.name, cOuNt( * ), toUpper(d.name) AS up ORDER BY d.name",
        &BTreeMap::new(),
        &ExecOptions::default(),
    )
    .unwrap();
    assert_eq!(r.columns, vec!["d.name", "cOuNt( * )", "up"]);
    assert_eq!(
        r.rows,
        vec![
            vec![s("esketamine"), QValue::Int(1), s("ESKETAMINE")],
            vec![s("ketamine"), QValue::Int(1), s("KETAMINE")],
        ]
    );
}

#[test]
fn aggregates_group_by_the_other_columns() {
    let mut g = pharmacology();
    let r = rows(
        &mut g,
        "MATCH (x)-[r:TREATS]->(d) RETURN d.name, avg(r.confidence), count(DISTINCT x), collect(x.name)",
    );
    assert_eq!(r.len(), 1);
    assert_eq!(r[0][0], s("depression"));
    match &r[0][1] {
        QValue::Float(f) => assert!((f - 0.8).abs() < 1e-12),
        other => panic!("avg gave {other:?}"),
    }
    assert_eq!(r[0][2], QValue::Int(2));
    let QValue::List(names) = &r[0][3] else {
        panic!("collect gave {:?}", r[0][3]);
    };
    assert_eq!(names.len(), 2);
}

#[test]
fn variable_length_and_shortest_paths() {
    let mut g = pharmacology();
    let r = rows(
        &mut g,
        "MATCH (k {name: 'ketamine'})-[*1..3]->(d:Disorder) RETURN count(DISTINCT d), count(*)",
    );
    assert_eq!(r, vec![vec![QValue::Int(1), QValue::Int(2)]]);
    let r = rows(
        &mut g,
        "MATCH p = shortestPath((a {name: 'ketamine'})-[*..6]->(b {name: 'depression'})) RETURN length(p), [n IN nodes(p) | n.name]",
    );
    assert_eq!(
        r,
        vec![vec![
            QValue::Int(1),
            QValue::List(vec![s("ketamine"), s("depression")])
        ]]
    );
    let r = rows(
        &mut g,
        "MATCH p = allShortestPaths((a {name: 'ketamine'})-[*]-(b {name: 'esketamine'})) RETURN length(p)",
    );
    assert_eq!(r, vec![vec![QValue::Int(2)]]);
}

#[test]
fn where_on_an_indexed_property_gives_the_same_answer_as_a_scan() {
    let mut g = pharmacology();
    let indexed = rows(&mut g, "MATCH (n) WHERE n.id = 3 RETURN n.name");
    let scanned = rows(&mut g, "MATCH (n) WHERE n.id + 0 = 3 RETURN n.name");
    assert_eq!(indexed, vec![vec![s("depression")]]);
    assert_eq!(indexed, scanned);
    let none = rows(&mut g, "MATCH (n) WHERE n.id = 3 AND n.name = 'x' RETURN n");
    assert!(none.is_empty());
}

#[test]
fn entity_resolves_names_and_aliases_case_insensitively() {
    let mut g = pharmacology();
    let r = rows(
        &mut g,
        "RETURN entity('KETALAR').name, entity('Depression').name, entity('nothing')",
    );
    assert_eq!(r, vec![vec![s("ketamine"), s("depression"), QValue::Null]]);
}

#[test]
fn evidence_lists_the_sentences_behind_a_relationship() {
    let mut g = pharmacology();
    let e = g.edge_ids().next().unwrap();
    g.add_evidence(
        e,
        Evidence {
            doc: "a.txt".into(),
            sentence: "Ketamine may relieve depression.".into(),
            start: 0,
            end: 32,
            hedged: true,
        },
    )
    .unwrap();
    let r = rows(
        &mut g,
        "MATCH ()-[r]->() WITH evidence(r) AS ev WHERE size(ev) > 0 RETURN ev[0].doc, ev[0].hedged",
    );
    assert_eq!(r, vec![vec![s("a.txt"), QValue::Bool(true)]]);
}

#[test]
fn three_valued_logic_and_functions() {
    let mut g = Graph::new();
    let r = rows(
        &mut g,
        "RETURN null AND false, null OR true, null = null, 1 = 1.0, id(null), size('héllo'), \
         toLower('ABC'), [1, 2, 3][-1], [1, 2, 3][1..], coalesce(null, 2)",
    );
    assert_eq!(
        r,
        vec![vec![
            QValue::Bool(false),
            QValue::Bool(true),
            QValue::Null,
            QValue::Bool(true),
            QValue::Null,
            QValue::Int(5),
            s("abc"),
            QValue::Int(3),
            QValue::List(vec![QValue::Int(2), QValue::Int(3)]),
            QValue::Int(2),
        ]]
    );
    let e = run(&mut g, "RETURN 9223372036854775807 + 1").unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.phase),
        ("IntegerOverflow", Phase::Runtime)
    );
}

#[test]
fn a_failed_query_leaves_the_graph_as_it_was() {
    let mut g = pharmacology();
    let before = g.to_records();
    let e = run(
        &mut g,
        "MATCH (n) SET n.seen = true CREATE (m:New) WITH n, m MATCH (d:Drug) DELETE d RETURN 1 / 0",
    )
    .unwrap_err();
    assert_eq!(e.code, "DeleteConnectedNode");
    let after = g.to_records();
    assert_eq!(format!("{:?}", before.nodes), format!("{:?}", after.nodes));
    assert_eq!(after.edges.len(), before.edges.len());
    assert_eq!(g.node_count(), 4);
    g.verify_indexes().unwrap();
    // The same changes, committed, are visible.
    rows(&mut g, "MATCH (d:Drug) DETACH DELETE d");
    assert_eq!(g.node_count(), 2);
    g.verify_indexes().unwrap();
}

#[test]
fn guardrails_stop_long_or_large_queries() {
    let mut g = Graph::new();
    let opts = ExecOptions {
        max_rows: 10,
        ..ExecOptions::default()
    };
    let e = execute(
        &mut g,
        "UNWIND range(1, 100) AS x RETURN x",
        &BTreeMap::new(),
        &opts,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(e.message.contains("row limit"), "{}", e.message);

    let cancel = Arc::new(AtomicBool::new(true));
    let opts = ExecOptions {
        cancel: Some(cancel),
        ..ExecOptions::default()
    };
    let e = execute(
        &mut g,
        "UNWIND range(1, 5000) AS x RETURN count(*)",
        &BTreeMap::new(),
        &opts,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(e.message.contains("cancelled"), "{}", e.message);

    let opts = ExecOptions {
        timeout: Duration::ZERO,
        ..ExecOptions::default()
    };
    let e = execute(
        &mut g,
        "UNWIND range(1, 5000) AS x RETURN count(*)",
        &BTreeMap::new(),
        &opts,
    )
    .unwrap_err();
    assert!(e.message.contains("time limit"), "{}", e.message);
}

#[test]
fn parameters_bind_by_name() {
    let mut g = pharmacology();
    let mut params = BTreeMap::new();
    params.insert("name".to_string(), Value::from("ketamine"));
    let r = execute(
        &mut g,
        "MATCH (d:Drug {name: $name})-[:TREATS]->(x) RETURN x.name",
        &params,
        &ExecOptions::default(),
    )
    .unwrap();
    assert_eq!(r.rows, vec![vec![s("depression")]]);
    let e = execute(
        &mut g,
        "RETURN $missing",
        &BTreeMap::new(),
        &ExecOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.code, "ParameterMissing");
}

#[test]
fn merge_set_remove_and_union() {
    let mut g = pharmacology();
    rows(
        &mut g,
        "MERGE (d:Drug {name: 'ketamine'}) ON MATCH SET d.seen = 1",
    );
    rows(
        &mut g,
        "MERGE (d:Drug {name: 'psilocybin'}) ON CREATE SET d.new = true",
    );
    let r = rows(
        &mut g,
        "MATCH (d:Drug) RETURN d.name AS n, d.seen AS s, d.new AS x ORDER BY n",
    );
    assert_eq!(
        r,
        vec![
            vec![s("esketamine"), QValue::Null, QValue::Null],
            vec![s("ketamine"), QValue::Int(1), QValue::Null],
            vec![s("psilocybin"), QValue::Null, QValue::Bool(true)],
        ]
    );
    rows(
        &mut g,
        "MATCH (d:Drug {name: 'psilocybin'}) REMOVE d:Drug, d.new",
    );
    let r = rows(
        &mut g,
        "MATCH (d:Drug) RETURN d.name AS n UNION MATCH (x:Disorder) RETURN x.name AS n",
    );
    assert_eq!(r.len(), 3);
}

#[test]
fn distinct_end_nodes_agree_with_full_trail_enumeration() {
    let mut g = Graph::new();
    // A ring a -> b -> c -> a with a chord and a tail, so trails revisit nodes.
    rows(
        &mut g,
        "CREATE (a:N {name: 'a'})-[:R]->(b:N {name: 'b'})-[:R]->(c:N {name: 'c'})-[:R]->(a),
                (a)-[:R]->(c), (c)-[:R]->(d:N {name: 'd'}), (d)-[:S]->(e:N {name: 'e'})",
    );
    for range in ["*", "*1..2", "*0..3", "*..1", "*1..3"] {
        for rel in ["", ":R"] {
            let fast = rows(
                &mut g,
                &format!("MATCH (x {{name: 'a'}})-[{rel}{range}]->(y) RETURN count(DISTINCT y)"),
            );
            // count(*) needs every trail, so this runs the full enumeration.
            let full = rows(
                &mut g,
                &format!(
                    "MATCH (x {{name: 'a'}})-[{rel}{range}]->(y) RETURN count(DISTINCT y), count(*)"
                ),
            );
            assert_eq!(fast[0][0], full[0][0], "{rel}{range}");
        }
    }
    let r = rows(
        &mut g,
        "MATCH (x {name: 'a'})-[*1..3]->(y) RETURN collect(DISTINCT y.name) AS names",
    );
    let QValue::List(mut names) = r[0][0].clone() else {
        panic!("{r:?}");
    };
    names.sort_by_key(|v| format!("{v:?}"));
    assert_eq!(names, vec![s("a"), s("b"), s("c"), s("d"), s("e")]);
}

/// Each writing clause, followed in the same statement by a runtime failure, changes nothing:
/// not the nodes, edges, properties or labels, not the indexes. (New names may stay in the
/// symbol table; they name nothing.)
#[test]
fn every_writing_clause_is_undone_when_its_statement_fails() {
    let writes = [
        "CREATE (:New {name: 'x'})-[:T]->(:New)",
        "MERGE (:Drug {name: 'cocaine'})",
        "MATCH (k:Drug {name: 'ketamine'}) MERGE (k)-[:CAUSES]->(:Symptom {name: 'nausea'})",
        "MATCH (n) SET n.name = 'renamed', n.id = 99, n:Extra",
        "MATCH (n:Drug) SET n += {aliases: ['x'], new: 1}",
        "MATCH (n) REMOVE n.name, n:Drug",
        "MATCH ()-[r]->() SET r.confidence = 0.0 DELETE r",
        "MATCH (n:Disorder) DETACH DELETE n",
        "MATCH (k:Drug {name: 'ketamine'})-[r:TREATS]->() DELETE r",
    ];
    for write in writes {
        let mut g = pharmacology();
        let before = g.to_records();
        let q = format!("{write} WITH 1 AS one LIMIT 1 RETURN one / 0");
        let e = run(&mut g, &q).expect_err(&q);
        assert_eq!(e.kind, ErrorKind::ArgumentError, "{q}");
        let after = g.to_records();
        assert_eq!(after.nodes, before.nodes, "{q} left node changes behind");
        assert_eq!(after.edges, before.edges, "{q} left edge changes behind");
        g.verify_indexes().unwrap();
        assert_eq!(g.nodes_named("ketamine").len(), 1, "{q}");
        // The same write without the failure does change the graph, so the check above bites.
        rows(&mut g, write);
        let written = g.to_records();
        assert!(
            written.nodes != before.nodes || written.edges != before.edges,
            "{write} changed nothing"
        );
    }
}

/// List quantifiers follow three-valued logic: a definite answer decides, else an unknown
/// element makes the result null.
#[test]
fn list_quantifiers_with_nulls() {
    let mut g = Graph::new();
    let cases = [
        ("all(x IN [1, 2] WHERE x > 0)", QValue::Bool(true)),
        ("all(x IN [1, null] WHERE x > 0)", QValue::Null),
        ("all(x IN [1, -1, null] WHERE x > 0)", QValue::Bool(false)),
        ("any(x IN [null, 1] WHERE x > 0)", QValue::Bool(true)),
        ("any(x IN [null, -1] WHERE x > 0)", QValue::Null),
        ("any(x IN [] WHERE x > 0)", QValue::Bool(false)),
        ("none(x IN [1, null] WHERE x > 0)", QValue::Bool(false)),
        ("none(x IN [null, -1] WHERE x > 0)", QValue::Null),
        ("none(x IN [-1] WHERE x > 0)", QValue::Bool(true)),
        ("single(x IN [1, 2, null] WHERE x > 0)", QValue::Bool(false)),
        ("single(x IN [1, null] WHERE x > 0)", QValue::Null),
        ("single(x IN [1, -1] WHERE x > 0)", QValue::Bool(true)),
        ("single(x IN [-1] WHERE x > 0)", QValue::Bool(false)),
    ];
    for (expr, expected) in cases {
        let got = rows(&mut g, &format!("RETURN {expr} AS v"));
        assert_eq!(got, vec![vec![expected]], "{expr}");
    }
}
