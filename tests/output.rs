//! The graph exports: DOT (checked with an independent DOT parser and, when installed, with
//! Graphviz itself), SVG/PNG rendering, JSON, facts and entities TSV, CSV and Neo4j CSV.

use graphviz_rust::dot_structures::{
    Attribute, EdgeTy, Graph as DotGraph, GraphAttributes, Id, Stmt, Vertex,
};
use pharmakg::error::Error;
use pharmakg::output::csv::{write_csv_dir, write_edges, write_nodes, CsvFlavour};
use pharmakg::output::dot::{label_style, write_dot, DotOptions, RankDir, DEFAULT_STYLE};
use pharmakg::output::json::{write_json, JsonLayout};
use pharmakg::output::render::{ImageFormat, RenderLimits, Renderer, DOT_NOT_FOUND};
use pharmakg::output::tsv::{write_entities, write_facts, FACTS_HEADER};
use pharmakg::output::Subgraph;
use pharmakg::{Evidence, Graph, NodeId, Value};
use proptest::prelude::*;
use std::collections::BTreeMap;

// ----- fixtures -----

fn ev(doc: &str, sentence: &str, start: u32, hedged: bool) -> Evidence {
    Evidence {
        doc: doc.into(),
        sentence: sentence.to_string(),
        start,
        end: start + sentence.len() as u32,
        hedged,
    }
}

/// A small fixed graph of the schema's shape, the subject of the snapshots.
struct Small {
    graph: Graph,
    ketamine: NodeId,
    nmda: NodeId,
    cyp: NodeId,
}

fn small() -> Small {
    let mut g = Graph::new();
    let ketamine = g.add_node(
        &["Drug"],
        &[
            ("name", "ketamine".into()),
            ("xref", "MESH:D007649".into()),
            ("aliases", Value::List(vec!["Ketalar".into()])),
        ],
    );
    let nmda = g.add_node(&["Receptor"], &[("name", "NMDA receptor".into())]);
    let depression = g.add_node(
        &["Disorder"],
        &[
            ("name", "depression".into()),
            ("xref", "MESH:D003866".into()),
        ],
    );
    let halluc = g.add_node(&["Symptom"], &[("name", "hallucinations".into())]);
    let cyp = g.add_node(&["Enzyme"], &[("name", "CYP3A4".into())]);
    for (n, doc, count) in [
        (ketamine, "a.txt", 2),
        (ketamine, "b.txt", 1),
        (nmda, "a.txt", 1),
        (depression, "b.txt", 1),
    ] {
        g.add_mentions(n, doc, count).unwrap();
    }
    let conf = |c: f64| [("confidence", Value::Float(c))];
    let e0 = g
        .add_edge(ketamine, nmda, "ANTAGONIZES", &conf(0.9))
        .unwrap();
    g.add_evidence(
        e0,
        ev("a.txt", "Ketamine blocks the NMDA receptor.", 0, false),
    )
    .unwrap();
    let e1 = g
        .add_edge(ketamine, depression, "TREATS", &conf(0.7))
        .unwrap();
    // a.txt gives two sentences, the later one listed first; one is hedged, one is not.
    g.set_evidence(
        e1,
        vec![
            ev("b.txt", "Ketamine may treat depression.", 10, true),
            ev("a.txt", "Later, ketamine may relieve depression.", 90, true),
            ev("a.txt", "Ketamine treats depression.", 40, false),
        ],
    )
    .unwrap();
    let e2 = g.add_edge(ketamine, halluc, "CAUSES", &conf(0.5)).unwrap();
    g.set_evidence(
        e2,
        vec![
            ev("a.txt", "Ketamine may cause hallucinations.", 120, true),
            ev("b.txt", "Hallucinations might follow.", 60, true),
        ],
    )
    .unwrap();
    g.add_edge(ketamine, cyp, "METABOLIZED_BY", &conf(1.0))
        .unwrap();
    Small {
        graph: g,
        ketamine,
        nmda,
        cyp,
    }
}

/// Names and symbols that break naive DOT, TSV and CSV writers.
const HOSTILE: &[&str] = &[
    r#"say "hi""#,
    r"back\slash",
    "ends with \\",
    "two\nlines",
    "<b>bold</b>",
    "}",
    "{",
    "|",
    "{a|b}|<p>",
    r"\N \G \L \n",
    "];\" -> \"n0",
    "/* not a comment",
    "// nor this",
    "# nor this",
    "ケタミン, ü, ✓",
    "tab\there",
    "",
];

fn hostile() -> Graph {
    let mut g = Graph::new();
    let mut ids = Vec::new();
    for (i, name) in HOSTILE.iter().enumerate() {
        let label = if i % 2 == 0 {
            "Drug"
        } else {
            "Weird\"La\\bel<x>"
        };
        ids.push(g.add_node(&[label], &[("name", (*name).into())]));
    }
    for w in ids.windows(2) {
        let e = g.add_edge(w[0], w[1], "REL \"}|{\"", &[]).unwrap();
        g.add_evidence(
            e,
            ev("d\"oc\t1", "Sentence with \"quotes\"\nand\\more.", 0, true),
        )
        .unwrap();
    }
    g
}

// ----- a DOT reading of our own output, through an independent parser -----

/// The content of a quoted DOT string, as Graphviz reads it in a label.
fn unquote(id: &Id) -> String {
    let Id::Escaped(raw) = id else {
        panic!("every id must be a quoted string, found {id:?}");
    };
    let inner = &raw[1..raw.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => panic!("a dangling backslash in {raw}"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// An attribute name: one of the writer's fixed identifiers, written bare.
fn key(id: &Id) -> String {
    match id {
        Id::Plain(k) if k.chars().all(|c| c.is_ascii_lowercase()) => k.clone(),
        other => panic!("unexpected attribute name {other:?}"),
    }
}

type Attrs = BTreeMap<String, String>;

fn attrs(list: &[Attribute]) -> Attrs {
    list.iter()
        .map(|Attribute(k, v)| (key(k), unquote(v)))
        .collect()
}

#[derive(Debug, Default)]
struct ParsedDot {
    graph_attrs: Attrs,
    nodes: BTreeMap<String, Attrs>,
    edges: Vec<(String, String, Attrs)>,
    clusters: BTreeMap<String, (Attrs, BTreeMap<String, Attrs>)>,
}

fn parse_dot(text: &str) -> ParsedDot {
    let parsed = graphviz_rust::parse(text).unwrap_or_else(|e| panic!("invalid DOT: {e}\n{text}"));
    let DotGraph::DiGraph { stmts, .. } = parsed else {
        panic!("not a digraph");
    };
    let mut out = ParsedDot::default();
    for stmt in stmts {
        match stmt {
            Stmt::Node(n) => {
                out.nodes.insert(unquote(&n.id.0), attrs(&n.attributes));
            }
            Stmt::Edge(e) => {
                let EdgeTy::Pair(Vertex::N(a), Vertex::N(b)) = &e.ty else {
                    panic!("unexpected edge form {:?}", e.ty);
                };
                out.edges
                    .push((unquote(&a.0), unquote(&b.0), attrs(&e.attributes)));
            }
            Stmt::Attribute(Attribute(k, v)) => {
                out.graph_attrs.insert(key(&k), unquote(&v));
            }
            Stmt::GAttribute(GraphAttributes::Graph(list)) => out.graph_attrs.extend(attrs(&list)),
            Stmt::GAttribute(_) => {}
            Stmt::Subgraph(s) => {
                let mut cluster = (Attrs::new(), BTreeMap::new());
                for inner in s.stmts {
                    match inner {
                        Stmt::Attribute(Attribute(k, v)) => {
                            cluster.0.insert(key(&k), unquote(&v));
                        }
                        Stmt::Node(n) => {
                            cluster.1.insert(unquote(&n.id.0), attrs(&n.attributes));
                        }
                        other => panic!("unexpected statement in a subgraph: {other:?}"),
                    }
                }
                out.clusters.insert(unquote(&s.id), cluster);
            }
        }
    }
    out
}

fn dot_text(g: &Graph, sub: &Subgraph, options: &DotOptions) -> String {
    let mut buf = Vec::new();
    write_dot(g, sub, options, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

/// What a name looks like once drawn: the writer turns line ends into breaks and other
/// control characters into spaces.
fn drawn(name: &str) -> String {
    name.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

/// True when Graphviz answered that it is not installed: such checks are skipped.
fn graphviz_missing(result: &Result<(), Error>) -> bool {
    match result {
        Err(Error::Other(m)) if m == DOT_NOT_FOUND => {
            eprintln!("skipped: Graphviz's `dot` is not installed");
            true
        }
        _ => false,
    }
}

// ----- DOT -----

#[test]
fn hostile_names_leave_dot_valid_and_labels_exact() {
    let g = hostile();
    let text = dot_text(&g, &Subgraph::all(&g), &DotOptions::default());
    let parsed = parse_dot(&text);
    assert_eq!(parsed.nodes.len(), HOSTILE.len());
    for n in g.node_ids() {
        let node = &parsed.nodes[&format!("n{}", n.index())];
        let name = g.node_name(n).unwrap();
        assert_eq!(node["label"], drawn(name), "label of {name:?}");
    }
    assert_eq!(parsed.edges.len(), g.edge_count());
    for (_, _, a) in &parsed.edges {
        assert_eq!(a["label"], "REL \"}|{\"");
    }
    let legend = &parsed.clusters["cluster_legend"].1;
    let mut legend_labels: Vec<&str> = legend
        .iter()
        .filter(|(id, _)| *id != "legend_hedged")
        .map(|(_, a)| a["label"].as_str())
        .collect();
    legend_labels.sort();
    assert_eq!(legend_labels, ["Drug", "Weird\"La\\bel<x>"]);
}

#[test]
fn graphviz_draws_hostile_names_as_text() {
    let g = hostile();
    let mut svg = Vec::new();
    let result = Renderer::default().render(
        &g,
        &Subgraph::all(&g),
        &DotOptions::default(),
        ImageFormat::Svg,
        &mut svg,
    );
    if graphviz_missing(&result) {
        return;
    }
    result.unwrap();
    let svg = String::from_utf8(svg).unwrap();
    let text_re = regex::Regex::new(r"<text[^>]*>([^<]*)</text>").unwrap();
    let entity_re = regex::Regex::new(r"&#(x?)([0-9a-fA-F]+);").unwrap();
    let texts: Vec<String> = text_re
        .captures_iter(&svg)
        .map(|c| {
            let t = entity_re.replace_all(&c[1], |m: &regex::Captures| {
                let radix = if &m[1] == "x" { 16 } else { 10 };
                u32::from_str_radix(&m[2], radix)
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
                    .unwrap_or_default()
            });
            t.replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        })
        .collect();
    for name in HOSTILE.iter().filter(|n| !n.trim().is_empty()) {
        for line in drawn(name).split('\n') {
            assert!(
                texts.iter().any(|t| t == line),
                "{line:?} is not drawn as text; texts: {texts:?}"
            );
        }
    }
}

#[test]
fn png_rendering_gives_a_png() {
    let s = small();
    let mut png = Vec::new();
    let result = Renderer::default().render(
        &s.graph,
        &Subgraph::all(&s.graph),
        &DotOptions::default(),
        ImageFormat::Png,
        &mut png,
    );
    if graphviz_missing(&result) {
        return;
    }
    result.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
}

#[test]
fn a_missing_graphviz_is_reported_with_how_to_install_it() {
    let s = small();
    let renderer = Renderer {
        program: "pharmakg-test-no-such-program".into(),
        ..Renderer::default()
    };
    let err = renderer
        .render(
            &s.graph,
            &Subgraph::all(&s.graph),
            &DotOptions::default(),
            ImageFormat::Svg,
            Vec::new(),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), DOT_NOT_FOUND);
}

#[test]
fn a_graph_too_large_to_draw_is_refused_with_a_way_out() {
    let s = small();
    let renderer = Renderer {
        program: "pharmakg-test-no-such-program".into(),
        limits: RenderLimits {
            max_nodes: 4,
            max_edges: 100,
        },
    };
    let all = Subgraph::all(&s.graph);
    let err = renderer.check_size(&all).unwrap_err().to_string();
    assert!(
        err.contains("5 nodes") && err.contains("--around NAME --depth K"),
        "{err}"
    );
    // The refusal comes before Graphviz is looked for.
    let err = renderer
        .render(
            &s.graph,
            &all,
            &DotOptions::default(),
            ImageFormat::Svg,
            Vec::new(),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("--around"), "{err}");
    let few_edges = Renderer {
        limits: RenderLimits {
            max_nodes: 100,
            max_edges: 3,
        },
        ..renderer.clone()
    };
    assert!(few_edges.check_size(&all).is_err());
    let around = Subgraph::around(&s.graph, s.nmda, 1);
    assert!(renderer.check_size(&around).is_ok());
}

#[test]
fn edges_are_dashed_only_when_all_their_evidence_is_hedged() {
    let s = small();
    let parsed = parse_dot(&dot_text(
        &s.graph,
        &Subgraph::all(&s.graph),
        &DotOptions::default(),
    ));
    let style_of = |ty: &str| {
        let (_, _, a) = parsed
            .edges
            .iter()
            .find(|(_, _, a)| a["label"] == ty)
            .unwrap();
        a.get("style").cloned()
    };
    assert_eq!(style_of("CAUSES").as_deref(), Some("dashed"));
    assert_eq!(style_of("TREATS"), None, "one sentence is not hedged");
    assert_eq!(style_of("ANTAGONIZES"), None);
    assert_eq!(
        style_of("METABOLIZED_BY"),
        None,
        "no evidence is not hedged evidence"
    );
}

#[test]
fn nodes_are_styled_by_label_and_the_legend_lists_labels_present() {
    let s = small();
    let parsed = parse_dot(&dot_text(
        &s.graph,
        &Subgraph::all(&s.graph),
        &DotOptions::default(),
    ));
    let drug = &parsed.nodes[&format!("n{}", s.ketamine.index())];
    assert_eq!(drug["shape"], label_style("Drug").shape);
    assert_eq!(drug["fillcolor"], label_style("Drug").fill);
    let (attrs, legend) = &parsed.clusters["cluster_legend"];
    assert_eq!(attrs["label"], "Legend");
    assert!(legend["legend_hedged"]["label"].contains("hedged"));
    let mut labels: Vec<(&str, &str)> = legend
        .iter()
        .filter(|(id, _)| *id != "legend_hedged")
        .map(|(_, a)| a)
        .map(|a| (a["label"].as_str(), a["shape"].as_str()))
        .collect();
    labels.sort();
    assert_eq!(
        labels,
        [
            ("Disorder", label_style("Disorder").shape),
            ("Drug", label_style("Drug").shape),
            ("Enzyme", label_style("Enzyme").shape),
            ("Receptor", label_style("Receptor").shape),
            ("Symptom", label_style("Symptom").shape),
        ]
    );

    let mut g = Graph::new();
    g.add_node(&["Spaceship"], &[]);
    let parsed = parse_dot(&dot_text(&g, &Subgraph::all(&g), &DotOptions::default()));
    let node = &parsed.nodes["n0"];
    assert_eq!(
        node["label"], "Spaceship 0",
        "an unnamed node shows its label and index"
    );
    assert_eq!(node["shape"], DEFAULT_STYLE.shape);

    let no_legend = DotOptions {
        legend: false,
        ..DotOptions::default()
    };
    let parsed = parse_dot(&dot_text(&g, &Subgraph::all(&g), &no_legend));
    assert!(parsed.clusters.is_empty());
}

#[test]
fn a_neighbourhood_holds_only_nearby_nodes() {
    let s = small();
    let g = &s.graph;
    let around = Subgraph::around(g, s.cyp, 1);
    let parsed = parse_dot(&dot_text(g, &around, &DotOptions::default()));
    let mut ids: Vec<&String> = parsed.nodes.keys().collect();
    ids.sort();
    let mut expected = [
        format!("n{}", s.ketamine.index()),
        format!("n{}", s.cyp.index()),
    ];
    expected.sort();
    assert_eq!(ids, expected.iter().collect::<Vec<_>>());
    assert_eq!(parsed.edges.len(), 1);
    assert_eq!(parsed.edges[0].2["label"], "METABOLIZED_BY");
    let legend: Vec<&str> = parsed.clusters["cluster_legend"]
        .1
        .values()
        .map(|a| a["label"].as_str())
        .collect();
    assert_eq!(legend.len(), 2, "{legend:?}");
}

#[test]
fn title_and_rank_direction_are_graph_attributes() {
    let s = small();
    let options = DotOptions {
        rankdir: RankDir::TB,
        title: Some("Ketamine \"pharmacology\"\n{draft}".into()),
        legend: true,
    };
    let parsed = parse_dot(&dot_text(&s.graph, &Subgraph::all(&s.graph), &options));
    assert_eq!(parsed.graph_attrs["rankdir"], "TB");
    assert_eq!(
        parsed.graph_attrs["label"],
        "Ketamine \"pharmacology\"\n{draft}"
    );
}

#[test]
fn dot_of_a_small_graph() {
    let s = small();
    let options = DotOptions {
        title: Some("ketamine".into()),
        ..DotOptions::default()
    };
    insta::assert_snapshot!(dot_text(&s.graph, &Subgraph::all(&s.graph), &options));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_name_and_type_survive_dot(name in any::<String>(), ty in any::<String>(), label in "\\PC*") {
        let mut g = Graph::new();
        let a = g.add_node(&[&label], &[("name", name.as_str().into())]);
        let b = g.add_node(&["Drug"], &[]);
        g.add_edge(a, b, &ty, &[]).unwrap();
        let parsed = parse_dot(&dot_text(&g, &Subgraph::all(&g), &DotOptions::default()));
        prop_assert_eq!(&parsed.nodes["n0"]["label"], &drawn(&name));
        prop_assert_eq!(&parsed.edges[0].2["label"], &drawn(&ty));
        prop_assert_eq!(parsed.edges.len(), 1);
    }

    #[test]
    fn any_text_keeps_tsv_rows_whole(name in any::<String>(), sentence in any::<String>(), doc in any::<String>()) {
        let mut g = Graph::new();
        let a = g.add_node(&["Drug"], &[("name", name.as_str().into())]);
        let e = g.add_edge(a, a, "REL", &[]).unwrap();
        g.add_evidence(e, Evidence { doc: doc.into(), sentence, start: 0, end: 1, hedged: false }).unwrap();
        let text = facts_text(&g, &Subgraph::all(&g));
        let lines: Vec<&str> = text.lines().collect();
        prop_assert_eq!(lines.len(), 2);
        prop_assert!(text.ends_with('\n'));
        prop_assert_eq!(lines[1].split('\t').count(), FACTS_HEADER.len());
    }
}

// ----- JSON -----

fn json_of(g: &Graph, sub: &Subgraph, layout: JsonLayout) -> serde_json::Value {
    let mut buf = Vec::new();
    write_json(g, sub, layout, &mut buf).unwrap();
    serde_json::from_slice(&buf).unwrap()
}

#[test]
fn json_holds_every_property_mention_and_evidence() {
    let mut s = small();
    let g = &mut s.graph;
    g.set_node_prop(s.nmda, "potency", Value::Float(f64::NAN))
        .unwrap();
    g.set_node_prop(s.nmda, "ceiling", Value::Float(f64::NEG_INFINITY))
        .unwrap();
    g.set_node_prop(
        s.nmda,
        "meta",
        Value::Map([("subunits".to_string(), Value::Int(4))].into()),
    )
    .unwrap();
    let g = &s.graph;
    let doc = json_of(g, &Subgraph::all(g), JsonLayout::Pretty);
    let nodes = doc["nodes"].as_array().unwrap();
    let edges = doc["edges"].as_array().unwrap();
    assert_eq!(nodes.len(), g.node_count());
    assert_eq!(edges.len(), g.edge_count());

    for n in g.node_ids() {
        let j = nodes.iter().find(|j| j["id"] == n.index() as u64).unwrap();
        let labels: Vec<&str> = g.node_labels(n).collect();
        assert_eq!(j["labels"], serde_json::json!(labels));
        let props = j["properties"].as_object().unwrap();
        assert_eq!(props.len(), g.node_props_map(n).len());
        let mentions: Vec<(String, u32)> = g
            .node(n)
            .unwrap()
            .mentions
            .iter()
            .map(|(d, c)| (d.to_string(), *c))
            .collect();
        let jm: Vec<(String, u32)> = j["mentions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["doc"].as_str().unwrap().to_string(),
                    m["count"].as_u64().unwrap() as u32,
                )
            })
            .collect();
        assert_eq!(jm, mentions);
    }
    let ket = &nodes[s.ketamine.index()];
    assert_eq!(ket["properties"]["name"], "ketamine");
    assert_eq!(ket["properties"]["aliases"], serde_json::json!(["Ketalar"]));
    let nmda = &nodes[s.nmda.index()]["properties"];
    assert_eq!(nmda["potency"], "NaN");
    assert_eq!(nmda["ceiling"], "-Infinity");
    assert_eq!(nmda["meta"], serde_json::json!({"subunits": 4}));

    for (j, e) in edges.iter().zip(g.edge_ids()) {
        let (src, dst) = g.endpoints(e).unwrap();
        assert_eq!(j["id"], e.index() as u64);
        assert_eq!(j["source"], src.index() as u64);
        assert_eq!(j["target"], dst.index() as u64);
        assert_eq!(j["type"], g.edge_type(e).unwrap());
        assert_eq!(
            j["properties"]["confidence"].as_f64(),
            g.edge_prop(e, "confidence").and_then(Value::as_f64)
        );
        let evidence: Vec<Evidence> = serde_json::from_value(j["evidence"].clone()).unwrap();
        assert_eq!(evidence, g.edge(e).unwrap().evidence);
    }
}

#[test]
fn json_keeps_hostile_text_exactly_and_compact_is_one_line() {
    let g = hostile();
    let mut buf = Vec::new();
    write_json(&g, &Subgraph::all(&g), JsonLayout::Compact, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert_eq!(text.lines().count(), 1);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let names: Vec<&str> = doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["properties"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, HOSTILE);
    assert_eq!(
        doc["edges"][0]["evidence"][0]["sentence"],
        "Sentence with \"quotes\"\nand\\more."
    );
}

#[test]
fn json_of_a_neighbourhood_leaves_the_rest_out() {
    let s = small();
    let doc = json_of(
        &s.graph,
        &Subgraph::around(&s.graph, s.nmda, 1),
        JsonLayout::Compact,
    );
    assert_eq!(doc["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(doc["edges"].as_array().unwrap().len(), 1);
    assert_eq!(doc["edges"][0]["type"], "ANTAGONIZES");
}

// ----- TSV -----

fn facts_text(g: &Graph, sub: &Subgraph) -> String {
    let mut buf = Vec::new();
    write_facts(g, sub, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn facts_have_one_row_per_edge_and_document() {
    let s = small();
    let text = facts_text(&s.graph, &Subgraph::all(&s.graph));
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        text.lines().next().unwrap(),
        "doc\tsubject\tsubject_label\tsubject_id\trelation\tobject\tobject_label\tobject_id\thedged\tsentence"
    );
    let body = &rows[1..];
    // ANTAGONIZES: a; TREATS: a, b; CAUSES: a, b; METABOLIZED_BY: no evidence.
    assert_eq!(body.len(), 6);
    assert_eq!(
        body[0],
        [
            "a.txt",
            "ketamine",
            "Drug",
            "MESH:D007649",
            "ANTAGONIZES",
            "NMDA receptor",
            "Receptor",
            "",
            "false",
            "Ketamine blocks the NMDA receptor."
        ]
    );
    // The earliest sentence of a.txt, not hedged since one a.txt sentence is not.
    assert_eq!(body[1][0], "a.txt");
    assert_eq!(body[1][7], "MESH:D003866");
    assert_eq!(body[1][8], "false");
    assert_eq!(body[1][9], "Ketamine treats depression.");
    assert_eq!(body[2][0], "b.txt");
    assert_eq!(body[2][8], "true");
    assert_eq!((body[3][0], body[3][8]), ("a.txt", "true"));
    assert_eq!((body[4][0], body[4][8]), ("b.txt", "true"));
    assert_eq!(
        body[5],
        [
            "",
            "ketamine",
            "Drug",
            "MESH:D007649",
            "METABOLIZED_BY",
            "CYP3A4",
            "Enzyme",
            "",
            "false",
            ""
        ]
    );
}

#[test]
fn facts_escape_rather_than_quote() {
    let g = hostile();
    let text = facts_text(&g, &Subgraph::all(&g));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), g.edge_count() + 1);
    for line in &lines {
        assert_eq!(line.split('\t').count(), FACTS_HEADER.len(), "{line}");
    }
    let first: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(
        first[0], "d\"oc 1",
        "a tab in the document name becomes a space"
    );
    assert_eq!(first[1], r#"say "hi""#);
    assert_eq!(first[5], r"back\\slash");
    assert_eq!(first[6], r#"Weird"La\\bel<x>"#);
    assert_eq!(first[8], "true");
    assert_eq!(first[9], r#"Sentence with "quotes" and\\more."#);
    let third: Vec<&str> = lines[3].split('\t').collect();
    assert_eq!(third[5], "two lines");
}

#[test]
fn facts_of_a_small_graph() {
    let s = small();
    insta::assert_snapshot!(facts_text(&s.graph, &Subgraph::all(&s.graph)));
}

#[test]
fn entities_have_one_row_per_node_and_document() {
    let mut s = small();
    s.graph.add_mentions(s.cyp, "c\td.txt", 1).unwrap();
    let mut buf = Vec::new();
    write_entities(&s.graph, &Subgraph::all(&s.graph), &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert_eq!(
        text,
        "doc\tname\tlabel\n\
         a.txt\tketamine\tDrug\n\
         b.txt\tketamine\tDrug\n\
         a.txt\tNMDA receptor\tReceptor\n\
         b.txt\tdepression\tDisorder\n\
         c d.txt\tCYP3A4\tEnzyme\n"
    );
}

// ----- CSV -----

fn read_csv(bytes: &[u8]) -> Table {
    let mut r = csv::Reader::from_reader(bytes);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// A CSV file read back: its header and its rows.
type Table = (Vec<String>, Vec<Vec<String>>);

fn csv_pair(g: &Graph, flavour: CsvFlavour) -> (Table, Table) {
    let sub = Subgraph::all(g);
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    write_nodes(g, &sub, flavour, &mut nodes).unwrap();
    write_edges(g, &sub, flavour, &mut edges).unwrap();
    (read_csv(&nodes), read_csv(&edges))
}

#[test]
fn plain_csv_has_the_importer_layout() {
    let mut s = small();
    s.graph.add_label(s.ketamine, "Anesthetic").unwrap();
    s.graph
        .set_node_prop(s.nmda, "score", Value::Float(3.0))
        .unwrap();
    let ((nh, nodes), (eh, edges)) = csv_pair(&s.graph, CsvFlavour::Plain);
    assert_eq!(nh, ["id", "label", "name", "aliases", "score", "xref"]);
    assert_eq!(eh, ["src", "dst", "type", "confidence"]);
    // No node has an `id` property, so positions serve as ids.
    assert_eq!(
        nodes[0],
        [
            "0",
            "Drug;Anesthetic",
            "ketamine",
            "[\"Ketalar\"]",
            "",
            "MESH:D007649"
        ]
    );
    assert_eq!(nodes[1], ["1", "Receptor", "NMDA receptor", "", "3.0", ""]);
    assert_eq!(edges[0], ["0", "1", "ANTAGONIZES", "0.9"]);
    assert_eq!(edges[3], ["0", "4", "METABOLIZED_BY", "1.0"]);
}

#[test]
fn csv_uses_the_nodes_own_ids_when_unique() {
    let mut g = Graph::new();
    let a = g.add_node(&["Drug"], &[("id", Value::Int(70)), ("name", "a".into())]);
    let b = g.add_node(&["Drug"], &[("id", Value::Int(-5)), ("name", "b".into())]);
    g.add_edge(b, a, "INTERACTS_WITH", &[("since", Value::Int(1999))])
        .unwrap();
    let ((nh, nodes), (eh, edges)) = csv_pair(&g, CsvFlavour::Plain);
    assert_eq!(nh, ["id", "label", "name"]);
    assert_eq!(nodes, [["70", "Drug", "a"], ["-5", "Drug", "b"]]);
    assert_eq!(eh, ["src", "dst", "type", "confidence", "since"]);
    assert_eq!(edges, [["-5", "70", "INTERACTS_WITH", "", "1999"]]);

    // A duplicate id makes positions the ids again.
    g.set_node_prop(b, "id", Value::Int(70)).unwrap();
    let ((_, nodes), (_, edges)) = csv_pair(&g, CsvFlavour::Plain);
    assert_eq!(nodes, [["0", "Drug", "a"], ["1", "Drug", "b"]]);
    assert_eq!(edges[0][..2], ["1", "0"]);
}

#[test]
fn neo4j_csv_has_the_bulk_importer_headers() {
    let mut s = small();
    s.graph.add_label(s.ketamine, "Anesthetic").unwrap();
    s.graph
        .set_node_prop(s.nmda, "rank", Value::Int(2))
        .unwrap();
    s.graph
        .set_node_prop(s.cyp, "rank", Value::Float(2.5))
        .unwrap();
    s.graph
        .set_node_prop(s.cyp, "human", Value::Bool(true))
        .unwrap();
    let e = s.graph.edge_ids().next().unwrap();
    s.graph.set_edge_prop(e, "year", Value::Int(2006)).unwrap();
    let ((nh, nodes), (eh, edges)) = csv_pair(&s.graph, CsvFlavour::Neo4j);
    assert_eq!(
        nh,
        [
            "id:ID",
            ":LABEL",
            "name",
            "aliases",
            "human:boolean",
            "rank:double",
            "xref"
        ]
    );
    assert_eq!(nodes[0][..3], ["0", "Drug;Anesthetic", "ketamine"]);
    assert_eq!(
        eh,
        [
            ":START_ID",
            ":END_ID",
            ":TYPE",
            "confidence:double",
            "year:long"
        ]
    );
    assert_eq!(edges[0], ["0", "1", "ANTAGONIZES", "0.9", "2006"]);
}

#[test]
fn csv_quotes_hostile_text_and_refuses_clashing_columns() {
    let g = hostile();
    let ((_, nodes), (_, edges)) = csv_pair(&g, CsvFlavour::Plain);
    let names: Vec<&str> = nodes.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, HOSTILE);
    assert_eq!(edges[0][2], "REL \"}|{\"");

    let mut g = Graph::new();
    g.add_node(&["Drug"], &[("label", "x".into())]);
    let err = write_nodes(&g, &Subgraph::all(&g), CsvFlavour::Plain, Vec::new()).unwrap_err();
    assert!(err.to_string().contains("`label`"), "{err}");
    let mut g = Graph::new();
    g.add_node(&["Drug"], &[("a:b", "x".into())]);
    assert!(write_nodes(&g, &Subgraph::all(&g), CsvFlavour::Plain, Vec::new()).is_ok());
    let err = write_nodes(&g, &Subgraph::all(&g), CsvFlavour::Neo4j, Vec::new()).unwrap_err();
    assert!(err.to_string().contains("`a:b`"), "{err}");
}

#[test]
fn csv_folder_gets_both_files() {
    let s = small();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out").join("csv");
    let paths = write_csv_dir(
        &s.graph,
        &Subgraph::all(&s.graph),
        &target,
        CsvFlavour::Neo4j,
    )
    .unwrap();
    assert_eq!(
        paths,
        [target.join("nodes.csv"), target.join("relationships.csv")]
    );
    let nodes = std::fs::read(&paths[0]).unwrap();
    assert_eq!(read_csv(&nodes).1.len(), 5);

    // A folder that cannot be made is an error naming it.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let err = write_csv_dir(
        &s.graph,
        &Subgraph::all(&s.graph),
        &blocker.join("sub"),
        CsvFlavour::Plain,
    )
    .unwrap_err();
    assert!(err.to_string().contains("file"), "{err}");
}

/// A node row of the importer: id, label, name and further properties.
type NodeRow = (i64, &'static str, &'static str, Vec<(&'static str, Value)>);

/// A graph as import makes one: integer ids, labels, a name, typed extra properties.
fn imported_shape() -> Graph {
    let mut g = Graph::new();
    let rows: [NodeRow; 4] = [
        (
            1,
            "Drug",
            "ketamine",
            vec![("weight", Value::Float(237.7)), ("schedule", Value::Int(3))],
        ),
        (
            2,
            "Receptor",
            "NMDA receptor, \"GluN\"",
            vec![("family", "ionotropic".into())],
        ),
        (7, "Disorder", "depression\nmajor", vec![]),
        (
            9,
            "Drug;Anesthetic",
            "esketamine",
            vec![("weight", Value::Float(2.0))],
        ),
    ];
    let mut ids = Vec::new();
    for (id, label, name, extra) in rows {
        let mut props = vec![("id", Value::Int(id)), ("name", name.into())];
        props.extend(extra);
        let labels: Vec<&str> = label.split(';').collect();
        ids.push(g.add_node(&labels, &props));
    }
    g.add_edge(
        ids[0],
        ids[1],
        "ANTAGONIZES",
        &[
            ("confidence", Value::Float(0.9)),
            ("source", "review".into()),
        ],
    )
    .unwrap();
    g.add_edge(
        ids[0],
        ids[2],
        "TREATS",
        &[("confidence", Value::Float(0.75))],
    )
    .unwrap();
    g.add_edge(
        ids[3],
        ids[1],
        "ANTAGONIZES",
        &[
            ("confidence", Value::Float(1.0)),
            ("year", Value::Int(2019)),
        ],
    )
    .unwrap();
    g
}

type Canonical = (
    Vec<(Vec<String>, BTreeMap<String, Value>)>,
    Vec<(Value, Value, String, BTreeMap<String, Value>)>,
);

/// The graph's content independent of node and edge order: nodes by their properties, edges by
/// their ends' ids.
fn canonical(g: &Graph) -> Canonical {
    let mut nodes: Vec<_> = g
        .node_ids()
        .map(|n| {
            let mut labels: Vec<String> = g.node_labels(n).map(String::from).collect();
            labels.sort();
            (labels, g.node_props_map(n))
        })
        .collect();
    nodes.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    let mut edges: Vec<_> = g
        .edge_ids()
        .map(|e| {
            let (s, t) = g.endpoints(e).unwrap();
            (
                g.node_prop(s, "id").cloned().unwrap_or_default(),
                g.node_prop(t, "id").cloned().unwrap_or_default(),
                g.edge_type(e).unwrap().to_string(),
                g.edge_props_map(e),
            )
        })
        .collect();
    edges.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    (nodes, edges)
}

#[test]
fn csv_export_imports_back_to_the_same_graph() {
    let g = imported_shape();
    let dir = tempfile::tempdir().unwrap();
    let paths = write_csv_dir(&g, &Subgraph::all(&g), dir.path(), CsvFlavour::Plain).unwrap();
    let back = pharmakg::import::import_csv(&paths[0], &paths[1], None).unwrap();
    assert_eq!(canonical(&back), canonical(&g));
    // And once more, so that an export of an import is stable too.
    let dir2 = tempfile::tempdir().unwrap();
    let paths2 =
        write_csv_dir(&back, &Subgraph::all(&back), dir2.path(), CsvFlavour::Plain).unwrap();
    let again = pharmakg::import::import_csv(&paths2[0], &paths2[1], None).unwrap();
    assert_eq!(canonical(&again), canonical(&g));
}

// ----- subgraphs -----

#[test]
fn neighbourhoods_grow_with_depth() {
    let s = small();
    let g = &s.graph;
    let alone = Subgraph::around(g, s.nmda, 0);
    assert_eq!(alone.nodes.len(), 1);
    assert!(alone.edges.is_empty());
    let near = Subgraph::around(g, s.nmda, 1);
    assert_eq!((near.nodes.len(), near.edges.len()), (2, 1));
    // Two hops reach every node through ketamine, against the edges' direction.
    assert_eq!(Subgraph::around(g, s.nmda, 2), Subgraph::all(g));
}

#[test]
fn a_stale_subgraph_is_written_as_far_as_it_holds() {
    let mut s = small();
    let sub = Subgraph::all(&s.graph);
    s.graph.detach_remove_node(s.nmda).unwrap();
    let g = &s.graph;
    let parts = sub.live_parts(g);
    assert_eq!((parts.nodes.len(), parts.edges.len()), (4, 3));

    let parsed = parse_dot(&dot_text(g, &sub, &DotOptions::default()));
    assert_eq!((parsed.nodes.len(), parsed.edges.len()), (4, 3));
    assert!(!parsed.nodes.contains_key(&format!("n{}", s.nmda.index())));
    let doc = json_of(g, &sub, JsonLayout::Compact);
    assert_eq!(doc["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(doc["edges"].as_array().unwrap().len(), 3);
    assert!(!facts_text(g, &sub).contains("NMDA"));
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    write_nodes(g, &sub, CsvFlavour::Plain, &mut nodes).unwrap();
    write_edges(g, &sub, CsvFlavour::Plain, &mut edges).unwrap();
    assert_eq!((read_csv(&nodes).1.len(), read_csv(&edges).1.len()), (4, 3));
}

/// An output that refuses every write, like a closed pipe.
struct Refusing;

impl std::io::Write for Refusing {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "closed",
        ))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "closed",
        ))
    }
}

#[test]
fn a_failing_output_is_an_error_not_a_panic() {
    let s = small();
    let (g, all) = (&s.graph, Subgraph::all(&s.graph));
    let kind = |r: std::io::Result<()>| r.unwrap_err().kind();
    use std::io::ErrorKind::BrokenPipe;
    assert_eq!(
        kind(write_dot(g, &all, &DotOptions::default(), Refusing)),
        BrokenPipe
    );
    assert_eq!(
        kind(write_json(g, &all, JsonLayout::Compact, Refusing)),
        BrokenPipe
    );
    assert_eq!(kind(write_facts(g, &all, Refusing)), BrokenPipe);
    assert_eq!(kind(write_entities(g, &all, Refusing)), BrokenPipe);
    assert_eq!(
        kind(write_nodes(g, &all, CsvFlavour::Plain, Refusing)),
        BrokenPipe
    );
    assert_eq!(
        kind(write_edges(g, &all, CsvFlavour::Neo4j, Refusing)),
        BrokenPipe
    );
    let drawn =
        Renderer::default().render(g, &all, &DotOptions::default(), ImageFormat::Svg, Refusing);
    if !graphviz_missing(&drawn) {
        assert!(drawn.unwrap_err().to_string().contains("closed"));
    }
}
