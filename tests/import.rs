//! CSV import: a good pair of files, and every kind of malformed row named by file and line.

use pharmakg::import::{import_csv, Progress};
use pharmakg::{Error, Graph, NodeId, Value};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn good() -> Graph {
    let dir = fixture("good");
    import_csv(&dir.join("nodes.csv"), &dir.join("edges.csv"), None).unwrap()
}

fn by_id(g: &Graph, id: i64) -> NodeId {
    let found = g.nodes_with_prop("id", &Value::Int(id)).unwrap();
    assert_eq!(found.len(), 1, "node id {id}");
    found[0]
}

#[test]
fn good_files_import_with_typed_properties() {
    let g = good();
    assert_eq!(g.node_count(), 5);
    assert_eq!(g.edge_count(), 5);
    let ket = by_id(&g, 10);
    assert_eq!(g.node_name(ket), Some("ketamine"));
    assert_eq!(g.node_labels(ket).collect::<Vec<_>>(), ["Drug"]);
    assert_eq!(g.node_prop(ket, "dose_mg"), Some(&Value::Int(50)));
    assert_eq!(g.node_prop(ket, "half_life_h"), Some(&Value::Float(2.5)));
    assert_eq!(
        g.node_prop(ket, "note"),
        Some(&Value::from("NMDA antagonist, fast acting"))
    );
    let dep = by_id(&g, 20);
    assert_eq!(
        g.node_prop(dep, "dose_mg"),
        None,
        "empty field is no property"
    );
    let bup = by_id(&g, 40);
    assert_eq!(g.node_name(bup), Some("buprenorphine \"Subutex\""));
    assert_eq!(g.node_prop(bup, "half_life_h"), Some(&Value::Float(37.0)));
    let symptom = by_id(&g, 50);
    assert_eq!(g.node_name(symptom), None);
    assert_eq!(g.node_prop(symptom, "note"), Some(&Value::from("inf")));
    g.verify_indexes().unwrap();
}

#[test]
fn semicolons_separate_labels() {
    let g = good();
    let mut labels: Vec<_> = g.node_labels(by_id(&g, 30)).collect();
    labels.sort_unstable();
    assert_eq!(labels, ["Gene", "Target"]);
}

#[test]
fn edges_carry_confidence_and_extra_columns() {
    let g = good();
    let (bup, dep, grin) = (by_id(&g, 40), by_id(&g, 20), by_id(&g, 30));
    let treats: Vec<_> = g.outgoing(bup).filter(|(_, t)| *t == dep).collect();
    assert_eq!(treats.len(), 1);
    let e = treats[0].0;
    assert_eq!(g.edge_type(e), Some("TREATS"));
    assert_eq!(g.edge_prop(e, "confidence"), Some(&Value::Float(0.6)));
    assert_eq!(g.edge_prop(e, "pmid"), Some(&Value::Int(123)));
    let binds: Vec<_> = g.outgoing(bup).filter(|(_, t)| *t == grin).collect();
    assert_eq!(g.edge_type(binds[0].0), Some("BINDS"));
    assert_eq!(g.edge_prop(binds[0].0, "confidence"), None);
}

#[test]
fn edges_are_stored_in_file_order_and_saved_grouped_by_source() {
    let g = good();
    let id_of = |n: NodeId| g.node_prop(n, "id").cloned().unwrap();
    let pairs = |list: &[(i64, i64)]| -> Vec<(Value, Value)> {
        list.iter()
            .map(|(s, t)| (Value::Int(*s), Value::Int(*t)))
            .collect()
    };
    let order: Vec<(Value, Value)> = g
        .edge_ids()
        .map(|e| {
            let (s, t) = g.endpoints(e).unwrap();
            (id_of(s), id_of(t))
        })
        .collect();
    assert_eq!(
        order,
        pairs(&[(40, 20), (10, 20), (10, 30), (40, 30), (10, 50)])
    );
    // A saved graph lists each source's edges together, in the order they were added.
    let records = g.to_records();
    let id_key = records.symbols.iter().position(|s| s == "id").unwrap() as u32;
    let node_id = |position: u32| {
        let props = &records.nodes[position as usize].props;
        props.iter().find(|(k, _)| k.0 == id_key).unwrap().1.clone()
    };
    let saved: Vec<(Value, Value)> = records
        .edges
        .iter()
        .map(|(s, t, _)| (node_id(*s), node_id(*t)))
        .collect();
    assert_eq!(
        saved,
        pairs(&[(10, 20), (10, 30), (10, 50), (40, 20), (40, 30)])
    );
}

struct Recorder(RefCell<Vec<(u64, u64)>>);

impl Progress for Recorder {
    fn update(&self, done: u64, total: u64) {
        self.0.borrow_mut().push((done, total));
    }
}

#[test]
fn progress_ends_at_the_total_size() {
    let dir = fixture("good");
    let (nodes, edges) = (dir.join("nodes.csv"), dir.join("edges.csv"));
    let total = std::fs::metadata(&nodes).unwrap().len() + std::fs::metadata(&edges).unwrap().len();
    let recorder = Recorder(RefCell::new(Vec::new()));
    import_csv(&nodes, &edges, Some(&recorder)).unwrap();
    let calls = recorder.0.into_inner();
    assert_eq!(calls.last(), Some(&(total, total)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
}

/// Writes the two files into a fresh folder and imports them, expecting an input error.
fn import_error(nodes: &str, edges: &str) -> (String, usize, String) {
    let dir = tempfile::tempdir().unwrap();
    let (np, ep) = (dir.path().join("nodes.csv"), dir.path().join("edges.csv"));
    std::fs::write(&np, nodes).unwrap();
    std::fs::write(&ep, edges).unwrap();
    match import_csv(&np, &ep, None) {
        Err(Error::Input {
            path,
            line,
            message,
        }) => {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            (file, line, message)
        }
        Err(other) => panic!("expected an input error, got {other:?}"),
        Ok(g) => panic!("expected an error, got a graph of {} nodes", g.node_count()),
    }
}

const NODES: &str = "id,label,name\n1,Drug,ketamine\n2,Disorder,depression\n";
const EDGES: &str = "src,dst,type,confidence\n1,2,TREATS,0.9\n";

#[test]
fn node_row_with_wrong_field_count() {
    let (file, line, msg) = import_error("id,label,name\n1,Drug,a\n2,Drug\n", EDGES);
    assert_eq!((file.as_str(), line), ("nodes.csv", 3));
    assert!(msg.contains("expected 3 fields, found 2"), "{msg}");
}

#[test]
fn non_integer_node_id() {
    let (file, line, msg) = import_error("id,label,name\n1,Drug,a\nx7,Drug,b\n", EDGES);
    assert_eq!((file.as_str(), line), ("nodes.csv", 3));
    assert!(msg.contains("\"x7\" is not an integer"), "{msg}");
}

#[test]
fn duplicate_node_id() {
    let (file, line, msg) = import_error("id,label,name\n1,Drug,a\n2,Drug,b\n1,Drug,c\n", EDGES);
    assert_eq!((file.as_str(), line), ("nodes.csv", 4));
    assert!(
        msg.contains("duplicate node id 1 (first on line 2)"),
        "{msg}"
    );
}

#[test]
fn line_numbers_count_quoted_newlines() {
    let (file, line, _) = import_error("id,label,name\n1,Drug,\"two\nlines\"\nx,Drug,b\n", EDGES);
    assert_eq!((file.as_str(), line), ("nodes.csv", 4));
}

#[test]
fn missing_node_header_column() {
    let (file, line, msg) = import_error("id,name\n1,a\n", EDGES);
    assert_eq!((file.as_str(), line), ("nodes.csv", 1));
    assert!(msg.contains("missing header column(s) label"), "{msg}");
}

#[test]
fn missing_edge_header_column() {
    let (file, line, msg) = import_error(NODES, "src,dst,confidence\n1,2,0.9\n");
    assert_eq!((file.as_str(), line), ("edges.csv", 1));
    assert!(msg.contains("missing header column(s) type"), "{msg}");
}

#[test]
fn empty_edge_file_has_no_header() {
    let (file, line, msg) = import_error(NODES, "");
    assert_eq!((file.as_str(), line), ("edges.csv", 1));
    assert!(msg.contains("header"), "{msg}");
}

#[test]
fn unknown_source_id() {
    let (file, line, msg) = import_error(NODES, "src,dst,type,confidence\n1,2,T,0.5\n9,2,T,0.5\n");
    assert_eq!((file.as_str(), line), ("edges.csv", 3));
    assert!(msg.contains("unknown source node id 9"), "{msg}");
}

#[test]
fn unknown_target_id() {
    let (file, line, msg) = import_error(NODES, "src,dst,type,confidence\n1,8,T,0.5\n");
    assert_eq!((file.as_str(), line), ("edges.csv", 2));
    assert!(msg.contains("unknown target node id 8"), "{msg}");
}

#[test]
fn non_integer_edge_end() {
    let (file, line, msg) = import_error(NODES, "src,dst,type,confidence\n1,two,T,0.5\n");
    assert_eq!((file.as_str(), line), ("edges.csv", 2));
    assert!(
        msg.contains("target node id \"two\" is not an integer"),
        "{msg}"
    );
}

#[test]
fn bad_confidence() {
    for bad in ["high", "NaN", "inf", "0.5.1"] {
        let edges = format!("src,dst,type,confidence\n1,2,T,0.5\n2,1,T,{bad}\n");
        let (file, line, msg) = import_error(NODES, &edges);
        assert_eq!((file.as_str(), line), ("edges.csv", 3), "{bad}");
        assert!(msg.contains("is not a number"), "{bad}: {msg}");
    }
}

#[test]
fn edge_row_with_wrong_field_count() {
    let (file, line, msg) = import_error(NODES, "src,dst,type,confidence\n1,2,T,0.5,extra\n");
    assert_eq!((file.as_str(), line), ("edges.csv", 2));
    assert!(msg.contains("expected 4 fields, found 5"), "{msg}");
}

#[test]
fn empty_relationship_type() {
    let (file, line, msg) = import_error(NODES, "src,dst,type,confidence\n1,2,,0.5\n");
    assert_eq!((file.as_str(), line), ("edges.csv", 2));
    assert!(msg.contains("empty relationship type"), "{msg}");
}

#[test]
fn duplicate_header_column() {
    let (file, line, msg) = import_error("id,label,name,name\n1,Drug,a,b\n", EDGES);
    assert_eq!((file.as_str(), line), ("nodes.csv", 1));
    assert!(msg.contains("\"name\" appears twice"), "{msg}");
}

#[test]
fn missing_file_is_named() {
    let dir = fixture("good");
    let err = import_csv(&dir.join("nodes.csv"), &dir.join("absent.csv"), None).unwrap_err();
    assert!(err.to_string().contains("absent.csv"), "{err}");
}

#[test]
fn generated_benchmark_data_imports() {
    // The shared generator's layout, when it sits beside the crate (or where
    // PHARMAKG_BENCH_DIR says); skipped otherwise.
    let bench = std::env::var_os("PHARMAKG_BENCH_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench"),
        PathBuf::from,
    );
    let gen = bench.join("gen.py");
    if !gen.exists() {
        eprintln!("skipped: no generator at {}", gen.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(&gen)
        .args(["--size", "tiny", "--no-jsonl", "--out"])
        .arg(dir.path())
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {}
        _ => {
            eprintln!("skipped: python3 could not run the generator");
            return;
        }
    }
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("meta.json")).unwrap())
            .unwrap();
    let g = import_csv(
        &dir.path().join("nodes.csv"),
        &dir.path().join("edges.csv"),
        None,
    )
    .unwrap();
    assert_eq!(Some(g.node_count() as u64), meta["nodes"].as_u64());
    assert_eq!(Some(g.edge_count() as u64), meta["edges"].as_u64());
    let ket = meta["anchors"]["ketamine"].as_i64().unwrap();
    let found = g.nodes_with_prop("id", &Value::Int(ket)).unwrap();
    assert_eq!(g.node_name(found[0]), Some("ketamine"));
    for (label, count) in meta["label_counts"].as_object().unwrap() {
        let held = g.sym(label).map_or(0, |sym| g.label_count(sym));
        assert_eq!(Some(held as u64), count.as_u64(), "{label}");
    }
}

#[test]
fn negative_and_huge_ids_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let (np, ep) = (dir.path().join("nodes.csv"), dir.path().join("edges.csv"));
    std::fs::write(&np, "id,label,name\n-5,Drug,a\n9000000000,Gene,b\n").unwrap();
    std::fs::write(&ep, "src,dst,type,confidence\n-5,9000000000,BINDS,0.5\n").unwrap();
    let g = import_csv(&np, &ep, None).unwrap();
    let (a, b) = (by_id(&g, -5), by_id(&g, 9_000_000_000));
    assert_eq!(g.outgoing(a).map(|(_, t)| t).collect::<Vec<_>>(), [b]);
    std::fs::write(&ep, "src,dst,type,confidence\n-5,7,BINDS,0.5\n").unwrap();
    let err = import_csv(&np, &ep, None).unwrap_err();
    assert!(
        err.to_string().contains("unknown target node id 7"),
        "{err}"
    );
}
