//! Builds a graph from text and writes two TSV files for scoring: facts (one row per edge and
//! document) and entities (one row per node and document that mentions it).
//!
//! Usage: extract_dump FACTS.tsv ENTITIES.tsv INPUT...

use nix::sys::resource::{getrusage, UsageWho};
use pharmakg::extract::{build_into, BuildRequest};
use pharmakg::store::XREF;
use pharmakg::{Graph, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// The text with tabs and line breaks as spaces; most text has none and is not copied.
fn clean(s: &str) -> Cow<'_, str> {
    if s.contains(['\t', '\n', '\r']) {
        Cow::Owned(s.replace(['\t', '\n', '\r'], " "))
    } else {
        Cow::Borrowed(s)
    }
}

/// The processor time this process has used, user and system: unlike the wall clock, it leaves
/// out the time a busy shared machine gives to others.
fn cpu_seconds() -> f64 {
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    getrusage(UsageWho::RUSAGE_SELF)
        .map(|u| seconds(u.user_time()) + seconds(u.system_time()))
        .unwrap_or(0.0)
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
    let cpu_before = cpu_seconds();
    let report = build_into(&mut graph, &request, &|_, _| {})?;
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!(
        "{} documents, {} sentences, {} mentions, {} nodes, {} edges in {secs:.2}s (cpu {cpu:.2}s)",
        report.documents,
        report.sentences,
        report.mentions,
        graph.node_count(),
        graph.edge_count()
    );
    // Each node's columns, cleaned once: (name, label, xref).
    let columns: BTreeMap<_, (Cow<str>, &str, &str)> = graph
        .node_ids()
        .map(|n| {
            let xref = match graph.node_prop(n, XREF) {
                Some(Value::String(s)) => s.as_str(),
                _ => "",
            };
            let name = clean(graph.node_name(n).unwrap_or(""));
            (n, (name, graph.node_labels(n).next().unwrap_or(""), xref))
        })
        .collect();
    let blank = (Cow::Borrowed(""), "", "");
    let cols = |n| columns.get(&n).unwrap_or(&blank);
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
        let ((sn, sl, sx), (on, ol, ox)) = (cols(s), cols(o));
        for (doc, (hedged, sentence)) in by_doc {
            writeln!(
                facts,
                "{doc}\t{sn}\t{sl}\t{sx}\t{ty}\t{on}\t{ol}\t{ox}\t{hedged}\t{}",
                clean(sentence)
            )?;
        }
    }
    let mut ents = std::io::BufWriter::new(std::fs::File::create(&args[1])?);
    writeln!(ents, "doc\tname\tlabel")?;
    for n in graph.node_ids() {
        let Some(node) = graph.node(n) else { continue };
        let (name, label, _) = cols(n);
        for (doc, _) in &node.mentions {
            writeln!(ents, "{doc}\t{name}\t{label}")?;
        }
    }
    Ok(())
}
