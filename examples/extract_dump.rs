//! Builds a graph from text and writes two TSV files for scoring: facts (one row per edge and
//! document) and entities (one row per node and document that mentions it).
//!
//! Usage: extract_dump FACTS.tsv ENTITIES.tsv INPUT...

use pharmakg::extract::{build_into, BuildRequest};
use pharmakg::store::XREF;
use pharmakg::{Graph, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        return Err("usage: extract_dump FACTS.tsv ENTITIES.tsv INPUT...".into());
    }
    let request = BuildRequest {
        inputs: args[2..].iter().map(PathBuf::from).collect(),
        ..Default::default()
    };
    let mut graph = Graph::new();
    let started = std::time::Instant::now();
    let report = build_into(&mut graph, &request, &|_, _| {})?;
    let secs = started.elapsed().as_secs_f64();
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!(
        "{} documents, {} sentences, {} mentions, {} nodes, {} edges in {secs:.2}s",
        report.documents,
        report.sentences,
        report.mentions,
        graph.node_count(),
        graph.edge_count()
    );
    let name = |n| graph.node_name(n).unwrap_or("").to_string();
    let label = |n| graph.node_labels(n).next().unwrap_or("").to_string();
    let xref = |n| match graph.node_prop(n, XREF) {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let mut facts = std::io::BufWriter::new(std::fs::File::create(&args[0])?);
    writeln!(
        facts,
        "doc\tsubject\tsubject_label\tsubject_id\trelation\tobject\tobject_label\tobject_id\thedged\tsentence"
    )?;
    for e in graph.edge_ids() {
        let (Some(edge), Some((s, o))) = (graph.edge(e), graph.endpoints(e)) else {
            continue;
        };
        let ty = graph.resolve(edge.ty);
        let mut by_doc: BTreeMap<&str, (bool, &str)> = BTreeMap::new();
        for ev in &edge.evidence {
            let entry = by_doc.entry(&ev.doc).or_insert((true, &ev.sentence));
            entry.0 &= ev.hedged;
        }
        for (doc, (hedged, sentence)) in by_doc {
            writeln!(
                facts,
                "{doc}\t{}\t{}\t{}\t{ty}\t{}\t{}\t{}\t{hedged}\t{}",
                clean(&name(s)),
                label(s),
                xref(s),
                clean(&name(o)),
                label(o),
                xref(o),
                clean(sentence)
            )?;
        }
    }
    let mut ents = std::io::BufWriter::new(std::fs::File::create(&args[1])?);
    writeln!(ents, "doc\tname\tlabel")?;
    for n in graph.node_ids() {
        let Some(node) = graph.node(n) else { continue };
        for (doc, _) in &node.mentions {
            writeln!(ents, "{doc}\t{}\t{}", clean(&name(n)), label(n))?;
        }
    }
    Ok(())
}
