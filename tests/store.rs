//! The store's openness and indexes, and ingestion's merging rules.

use pharmakg::ingest::{combine_confidence, EntitySpec, Ingest};
use pharmakg::model::DocName;
use pharmakg::store::{Graph, NodeId};
use pharmakg::{Evidence, Value};
use proptest::prelude::*;

fn evidence(doc: &str, sentence: &str, hedged: bool) -> Evidence {
    Evidence {
        doc: doc.into(),
        sentence: sentence.into(),
        start: 0,
        end: sentence.len() as u32,
        hedged,
    }
}

#[test]
fn store_holds_any_number_of_nodes_with_one_name() {
    let mut g = Graph::new();
    let a = g.add_node(&["Drug"], &[("name", "ketamine".into())]);
    let b = g.add_node(&["Drug"], &[("name", "ketamine".into())]);
    let c = g.add_node(&["Anything", "Else"], &[("name", "ketamine".into())]);
    assert_eq!(g.node_count(), 3);
    let mut named = g.nodes_named("ketamine").to_vec();
    named.sort();
    assert_eq!(named, vec![a, b, c]);
    assert_eq!(g.resolve_alias("KETAMINE").len(), 3);
    assert!(
        g.nodes_named("Ketamine").is_empty(),
        "names compare exactly"
    );
    g.verify_indexes().unwrap();
}

#[test]
fn store_accepts_open_vocabulary_and_several_labels() {
    let mut g = Graph::new();
    let n = g.add_node(
        &["B", "A", "B"],
        &[("weird key", Value::List(vec![1.into()]))],
    );
    let labels: Vec<&str> = g.node_labels(n).collect();
    assert_eq!(labels.len(), 2, "labels are deduplicated: {labels:?}");
    let m = g.add_node(&[], &[]);
    let e = g.add_edge(n, m, "ANY_TYPE_AT_ALL", &[]).unwrap();
    assert_eq!(g.edge_type(e), Some("ANY_TYPE_AT_ALL"));
    assert_eq!(
        g.edges_with_type(g.sym("ANY_TYPE_AT_ALL").unwrap()).count(),
        1
    );
}

#[test]
fn id_index_folds_integral_floats_and_refuses_unindexable_values() {
    let mut g = Graph::new();
    let n = g.add_node(&["X"], &[("id", 7.into())]);
    assert_eq!(
        g.nodes_with_prop("id", &Value::Int(7)).as_deref(),
        Some(&[n][..])
    );
    assert_eq!(
        g.nodes_with_prop("id", &Value::Float(7.0)).as_deref(),
        Some(&[n][..])
    );
    assert_eq!(g.nodes_with_prop("id", &Value::Float(7.5)).as_deref(), None);
    assert_eq!(
        g.nodes_with_prop("id", &Value::Int(8)).as_deref(),
        Some(&[][..])
    );
    assert_eq!(g.nodes_with_prop("id", &Value::Null), None);
    assert_eq!(g.nodes_with_prop("color", &Value::Int(7)), None);
    // A string or a boolean is another key than the integer, whatever their hashes.
    let text = g.add_node(&["X"], &[("id", "7".into())]);
    let flag = g.add_node(&["X"], &[("id", true.into())]);
    assert_eq!(
        g.nodes_with_prop("id", &Value::Int(7)).as_deref(),
        Some(&[n][..])
    );
    assert_eq!(
        g.nodes_with_prop("id", &"7".into()).as_deref(),
        Some(&[text][..])
    );
    assert_eq!(
        g.nodes_with_prop("id", &true.into()).as_deref(),
        Some(&[flag][..])
    );
}

#[test]
fn typed_expansion_sees_only_its_type_before_and_after_compaction() {
    let mut g = Graph::new();
    let k = g.add_node(&["Drug"], &[("name", "ketamine".into())]);
    let r = g.add_node(&["Receptor"], &[("name", "NMDA receptor".into())]);
    let s = g.add_node(&["Symptom"], &[("name", "dissociation".into())]);
    let blocks = g.add_edge(k, r, "ANTAGONIZES", &[]).unwrap();
    let causes = g.add_edge(k, s, "CAUSES", &[]).unwrap();
    let again = g.add_edge(k, r, "ANTAGONIZES", &[]).unwrap();
    let loop_edge = g.add_edge(k, k, "CAUSES", &[]).unwrap();
    let causes_ty = g.sym("CAUSES").unwrap();
    let antag = g.sym("ANTAGONIZES").unwrap();
    for round in 0..2 {
        let typed: Vec<_> = g.outgoing_typed(k, antag).collect();
        assert_eq!(typed, vec![(blocks, r), (again, r)], "round {round}");
        let mut caused: Vec<_> = g.outgoing_typed(k, causes_ty).collect();
        caused.sort();
        assert_eq!(caused, vec![(causes, s), (loop_edge, k)], "round {round}");
        assert_eq!(g.out_degree(k), 4, "round {round}");
        assert_eq!(g.in_degree(k), 1, "round {round}");
        assert_eq!(g.in_degree_typed(r, antag), 2, "round {round}");
        assert_eq!(g.out_degree_typed(r, antag), 0, "round {round}");
        // The second round reads the same edges from freshly built rows.
        g.compact();
    }
    g.remove_edge(blocks).unwrap();
    assert_eq!(
        g.outgoing_typed(k, antag).collect::<Vec<_>>(),
        vec![(again, r)]
    );
    assert_eq!(g.in_degree(r), 1);
    g.verify_indexes().unwrap();
}

#[test]
fn name_prefix_lookup_finds_exactly_the_names_that_start_with_it() {
    let mut g = Graph::new();
    let names = [
        "fluoxetine",
        "fluvoxamine",
        "flu",
        "fl\u{fc}gel",
        "fluoxetine hydrochloride",
        "Fluoxetine",
        "ketamine",
    ];
    let ids: Vec<NodeId> = names
        .iter()
        .map(|n| g.add_node(&["Drug"], &[("name", (*n).into())]))
        .collect();
    let numeric = g.add_node(&["Drug"], &[("name", 7.into())]);
    let expect = |prefix: &str| -> Vec<NodeId> {
        names
            .iter()
            .zip(&ids)
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(_, id)| *id)
            .collect()
    };
    for round in 0..2 {
        for prefix in ["flu", "fluox", "fluoxetine h", "fluoxetine", "fl", "", "z"] {
            assert_eq!(
                g.nodes_with_name_prefix(prefix),
                expect(prefix),
                "{prefix} {round}"
            );
        }
        assert!(!g.nodes_with_name_prefix("").contains(&numeric));
        // The second round reads postings built in bulk, as a loaded graph has them.
        g = Graph::from_records(g.to_records()).unwrap();
    }
    g.set_node_prop(ids[0], "name", "paroxetine".into())
        .unwrap();
    assert!(!g.nodes_with_name_prefix("fluox").contains(&ids[0]));
    assert!(g.nodes_with_name_prefix("parox").contains(&ids[0]));
    g.verify_indexes().unwrap();
}

#[test]
fn removing_a_connected_node_needs_detach() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], &[]);
    let b = g.add_node(&["B"], &[]);
    g.add_edge(a, b, "T", &[]).unwrap();
    assert!(g.remove_node(a).is_err());
    let (_, removed) = g.detach_remove_node(a).unwrap();
    assert_eq!(removed.len(), 1);
    assert_eq!(g.edge_count(), 0);
    assert_eq!(g.type_count(g.sym("T").unwrap()), 0);
    g.verify_indexes().unwrap();
}

#[test]
fn ingestion_merges_entities_by_name_and_alias_within_a_label() {
    let mut g = Graph::new();
    let mut ing = Ingest::new(&mut g);
    let mut spec = EntitySpec::new("ketamine", "Drug");
    spec.aliases = vec!["Ketalar".into()];
    let k1 = ing.entity(&spec);
    let k2 = ing.entity(&EntitySpec::new("KETALAR", "Drug"));
    let k3 = ing.entity(&EntitySpec::new("Ketamine", "Drug"));
    assert_eq!(k1, k2);
    assert_eq!(k1, k3);
    // The same word with another label is another entity.
    let other = ing.entity(&EntitySpec::new("ketamine", "Symptom"));
    assert_ne!(k1, other);
    assert_eq!(g.node_count(), 2);
    assert_eq!(g.node_name(k1), Some("ketamine"));
    // Every spelling seen becomes an alias, once.
    assert_eq!(g.resolve_alias("ketalar").as_slice(), &[k1]);
    g.verify_indexes().unwrap();
}

#[test]
fn ingestion_merges_by_external_id_first() {
    let mut g = Graph::new();
    let mut ing = Ingest::new(&mut g);
    let mut a = EntitySpec::new("cocaine", "Drug");
    a.xref = Some("MESH:D003042".into());
    let mut b = EntitySpec::new("cocaine hydrochloride", "Drug");
    b.xref = Some("MESH:D003042".into());
    let n1 = ing.entity(&a);
    let n2 = ing.entity(&b);
    assert_eq!(n1, n2);
    assert_eq!(g.resolve_alias("Cocaine Hydrochloride").as_slice(), &[n1]);
}

#[test]
fn repeated_facts_join_one_edge_and_gather_evidence() {
    let mut g = Graph::new();
    let mut ing = Ingest::new(&mut g);
    let k = ing.entity(&EntitySpec::new("ketamine", "Drug"));
    let r = ing.entity(&EntitySpec::new("NMDA receptor", "Receptor"));
    let e1 = ing
        .fact(
            k,
            "ANTAGONIZES",
            r,
            0.6,
            Some(evidence("a.txt", "K blocks R.", false)),
        )
        .unwrap();
    let e2 = ing
        .fact(
            k,
            "ANTAGONIZES",
            r,
            0.6,
            Some(evidence("b.txt", "R is blocked by K.", false)),
        )
        .unwrap();
    // The same sentence again adds nothing.
    let e3 = ing
        .fact(
            k,
            "ANTAGONIZES",
            r,
            0.6,
            Some(evidence("b.txt", "R is blocked by K.", false)),
        )
        .unwrap();
    assert_eq!(e1, e2);
    assert_eq!(e2, e3);
    assert_eq!(g.edge_count(), 1);
    assert_eq!(g.edge(e1).unwrap().evidence.len(), 2);
    let c = g
        .edge_prop(e1, "confidence")
        .and_then(Value::as_f64)
        .unwrap();
    assert!((c - combine_confidence(0.6, 0.6)).abs() < 1e-12, "{c}");
    // Another type between the same ends is another edge.
    let mut ing = Ingest::new(&mut g);
    let e4 = ing.fact(k, "BINDS", r, 0.5, None).unwrap();
    assert_ne!(e1, e4);
}

#[test]
fn removing_a_document_takes_its_evidence_and_orphans_away() {
    let mut g = Graph::new();
    let mut ing = Ingest::new(&mut g);
    let k = ing.entity(&EntitySpec::new("ketamine", "Drug"));
    let r = ing.entity(&EntitySpec::new("NMDA receptor", "Receptor"));
    let h = ing.entity(&EntitySpec::new("hallucinations", "Symptom"));
    for n in [k, r, h] {
        ing.mention(n, "a.txt", 1).unwrap();
    }
    ing.mention(k, "b.txt", 2).unwrap();
    ing.mention(r, "b.txt", 1).unwrap();
    let shared = ing
        .fact(
            k,
            "ANTAGONIZES",
            r,
            0.6,
            Some(evidence("a.txt", "s1", false)),
        )
        .unwrap();
    ing.fact(
        k,
        "ANTAGONIZES",
        r,
        0.6,
        Some(evidence("b.txt", "s2", false)),
    )
    .unwrap();
    ing.fact(k, "CAUSES", h, 0.6, Some(evidence("a.txt", "s3", true)))
        .unwrap();
    ing.remove_document("a.txt").unwrap();
    assert_eq!(
        g.edge_count(),
        1,
        "the CAUSES edge read only from a.txt goes"
    );
    assert_eq!(g.edge(shared).unwrap().evidence.len(), 1);
    assert_eq!(g.node_count(), 2, "hallucinations was only in a.txt");
    assert!(g.resolve_alias("hallucinations").is_empty());
    assert_eq!(g.node(k).unwrap().mentions, vec![("b.txt".into(), 2)]);
    g.verify_indexes().unwrap();
}

/// One step of a random edit sequence.
#[derive(Debug, Clone)]
enum Op {
    AddNode(u8, Option<u8>, Option<i64>),
    AddEdge(usize, usize, u8),
    RemoveEdge(usize),
    DetachNode(usize),
    SetName(usize, Option<u8>),
    SetAliases(usize, Vec<u8>),
    AddLabel(usize, u8),
    RemoveLabel(usize, u8),
    /// Lays the adjacency out afresh, so later changes go to its overlay again.
    Compact,
    /// Rebuilds the graph in bulk from its records, as loading a file does, so later changes
    /// edit bulk-built indexes.
    Reload,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            0u8..4,
            proptest::option::of(0u8..5),
            proptest::option::of(0i64..5)
        )
            .prop_map(|(l, n, i)| Op::AddNode(l, n, i)),
        (any::<usize>(), any::<usize>(), 0u8..3).prop_map(|(a, b, t)| Op::AddEdge(a, b, t)),
        any::<usize>().prop_map(Op::RemoveEdge),
        any::<usize>().prop_map(Op::DetachNode),
        (any::<usize>(), proptest::option::of(0u8..5)).prop_map(|(n, v)| Op::SetName(n, v)),
        (any::<usize>(), proptest::collection::vec(0u8..5, 0..3))
            .prop_map(|(n, v)| Op::SetAliases(n, v)),
        (any::<usize>(), 0u8..4).prop_map(|(n, l)| Op::AddLabel(n, l)),
        (any::<usize>(), 0u8..4).prop_map(|(n, l)| Op::RemoveLabel(n, l)),
        Just(Op::Compact),
        Just(Op::Reload),
    ]
}

fn pick<T: Copy>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()])
}

fn name(v: u8) -> Value {
    // Names differing only in case exercise the case-insensitive alias index.
    Value::from(if v % 2 == 0 {
        format!("n{v}")
    } else {
        format!("N{}", v - 1)
    })
}

proptest! {
    #[test]
    fn indexes_stay_right_after_random_changes(ops in proptest::collection::vec(op(), 1..60)) {
        let mut g = Graph::new();
        for op in ops {
            let nodes: Vec<NodeId> = g.node_ids().collect();
            match op {
                Op::AddNode(l, n, i) => {
                    let mut props = Vec::new();
                    if let Some(n) = n { props.push(("name", name(n))); }
                    if let Some(i) = i { props.push(("id", Value::Int(i))); }
                    g.add_node(&[&format!("L{l}")], &props);
                }
                Op::AddEdge(a, b, t) => {
                    if let (Some(a), Some(b)) = (pick(&nodes, a), pick(&nodes, b)) {
                        g.add_edge(a, b, &format!("T{t}"), &[("confidence", 0.5.into())]).unwrap();
                    }
                }
                Op::RemoveEdge(e) => {
                    let edges: Vec<_> = g.edge_ids().collect();
                    if let Some(e) = pick(&edges, e) { g.remove_edge(e).unwrap(); }
                }
                Op::DetachNode(n) => {
                    if let Some(n) = pick(&nodes, n) { g.detach_remove_node(n).unwrap(); }
                }
                Op::SetName(n, v) => {
                    if let Some(n) = pick(&nodes, n) {
                        g.set_node_prop(n, "name", v.map_or(Value::Null, name)).unwrap();
                    }
                }
                Op::SetAliases(n, v) => {
                    if let Some(n) = pick(&nodes, n) {
                        let list = Value::List(v.into_iter().map(name).collect());
                        g.set_node_prop(n, "aliases", list).unwrap();
                    }
                }
                Op::AddLabel(n, l) => {
                    if let Some(n) = pick(&nodes, n) { g.add_label(n, &format!("L{l}")).unwrap(); }
                }
                Op::RemoveLabel(n, l) => {
                    if let Some(n) = pick(&nodes, n) { g.remove_label(n, &format!("L{l}")).unwrap(); }
                }
                Op::Compact => g.compact(),
                Op::Reload => g = Graph::from_records(g.to_records()).unwrap(),
            }
            prop_assert_eq!(g.verify_indexes(), Ok(()));
        }
        // Every live node is found through each index it belongs to.
        for n in g.node_ids().collect::<Vec<_>>() {
            if let Some(Value::String(s)) = g.node_prop(n, "name").cloned() {
                prop_assert!(g.nodes_named(&s).contains(&n));
                prop_assert!(g.resolve_alias(&s.to_uppercase()).contains(&n));
                for cut in 0..=s.len() {
                    let found = g.nodes_with_name_prefix(&s[..cut]);
                    prop_assert!(found.contains(&n));
                    for m in found {
                        prop_assert!(g.node_name(m).is_some_and(|x| x.starts_with(&s[..cut])));
                    }
                }
                // And nothing else: every node found holds exactly that name.
                for m in g.nodes_named(&s) {
                    prop_assert_eq!(g.node_name(m), Some(s.as_str()));
                }
                for m in g.resolve_alias(&s) {
                    let texts: Vec<String> = std::iter::once(g.node_prop(m, "name").cloned())
                        .chain(std::iter::once(g.node_prop(m, "aliases").cloned()))
                        .flatten()
                        .flat_map(|v| match v {
                            Value::List(items) => items,
                            other => vec![other],
                        })
                        .filter_map(|v| v.as_str().map(str::to_lowercase))
                        .collect();
                    prop_assert!(texts.contains(&s.to_lowercase()), "{:?} for {}", texts, s);
                }
            }
            let labels: Vec<String> = g.node_labels(n).map(str::to_string).collect();
            for l in labels {
                let sym = g.sym(&l).unwrap();
                prop_assert!(g.nodes_with_label(sym).any(|m| m == n));
            }
        }
    }
}

#[test]
fn mentions_given_in_order_are_appended_and_others_merged_in_place() {
    let mut g = Graph::new();
    let mut ing = Ingest::new(&mut g);
    let k = ing.entity(&EntitySpec::new("ketamine", "Drug"));
    ing.mention(k, "b.txt", 1).unwrap();
    // After the last document: appended as given.
    ing.mentions_in_order(k, &[("c.txt", 2), ("d.txt", 3)])
        .unwrap();
    // Before it, or on a document already held: each one put in its place, counts added.
    ing.mentions_in_order(k, &[("a.txt", 4), ("c.txt", 5)])
        .unwrap();
    let expected: Vec<(DocName, u32)> = [("a.txt", 4), ("b.txt", 1), ("c.txt", 7), ("d.txt", 3)]
        .iter()
        .map(|&(d, c)| (d.into(), c))
        .collect();
    assert_eq!(g.node(k).unwrap().mentions, expected);
}

/// One step of a random ingestion: a fact with evidence, a document taken out, or a new
/// ingestion over the graph as it stands (as `build --into` starts one).
#[derive(Debug, Clone)]
enum Step {
    Fact {
        relation: usize,
        doc: usize,
        sentence: usize,
        hedged: bool,
    },
    Remove(usize),
    Reopen,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0..3usize, 0..3usize, 0..3usize, any::<bool>()).prop_map(
            |(relation, doc, sentence, hedged)| Step::Fact { relation, doc, sentence, hedged }
        ),
        1 => (0..3usize).prop_map(Step::Remove),
        1 => Just(Step::Reopen),
    ]
}

proptest! {
    /// However documents' evidence interleaves, repeats, goes and comes back, and whatever the
    /// graph held before, each edge holds each piece of evidence exactly once, in arrival
    /// order: the same as a plain list that checks every earlier entry.
    #[test]
    fn evidence_is_held_once_however_documents_arrive(
        steps in prop::collection::vec(step(), 0..40),
    ) {
        const RELATIONS: [&str; 3] = ["ANTAGONIZES", "CAUSES", "TREATS"];
        const DOCS: [&str; 3] = ["a.txt", "b.txt", "c.txt"];
        const SENTENCES: [&str; 3] = ["K blocks R.", "R is blocked by K.", "K, an R blocker."];
        let mut g = Graph::new();
        let mut expected: Vec<Vec<Evidence>> = vec![Vec::new(); RELATIONS.len()];
        let mut ing = Ingest::new(&mut g);
        let k = ing.entity(&EntitySpec::new("ketamine", "Drug"));
        let r = ing.entity(&EntitySpec::new("NMDA receptor", "Receptor"));
        for n in [k, r] {
            ing.mention(n, "kept.txt", 1).unwrap();
        }
        for next in steps {
            match next {
                Step::Fact { relation, doc, sentence, hedged } => {
                    let ev = evidence(DOCS[doc], SENTENCES[sentence], hedged);
                    ing.fact(k, RELATIONS[relation], r, 0.5, Some(ev.clone())).unwrap();
                    if !expected[relation].contains(&ev) {
                        expected[relation].push(ev);
                    }
                }
                Step::Remove(doc) => {
                    ing.remove_document(DOCS[doc]).unwrap();
                    for list in &mut expected {
                        list.retain(|ev| &*ev.doc != DOCS[doc]);
                    }
                }
                Step::Reopen => {
                    drop(ing);
                    ing = Ingest::new(&mut g);
                }
            }
        }
        drop(ing);
        for (relation, want) in RELATIONS.iter().zip(&expected) {
            let sym = g.sym(relation);
            let held: Vec<Evidence> = g
                .edge_ids()
                .filter(|&e| g.edge(e).is_some_and(|edge| Some(edge.ty) == sym))
                .flat_map(|e| g.edge(e).unwrap().evidence.clone())
                .collect();
            prop_assert_eq!(&held, want, "{}", relation);
        }
    }
}
