//! What `:export` draws after a query: the entities and relationships its result touched.

use crate::cli::export::{export_subgraph, ExportFormat, ExportRequest};
use crate::error::Error;
use crate::output::Subgraph;
use crate::query::result::{QValue, QueryResult};
use crate::store::Graph;
use std::path::Path;

/// The nodes and relationships appearing anywhere in a result (inside lists, maps and paths
/// too), with the ends of every relationship. A result holding nodes but no relationship
/// draws the relationships among its nodes, so `RETURN n` still shows how they connect.
/// `None` when the result touched nothing.
pub fn touched(graph: &Graph, result: &QueryResult) -> Option<Subgraph> {
    let mut sub = Subgraph::default();
    let mut stack: Vec<&QValue> = result.rows.iter().flatten().collect();
    while let Some(v) = stack.pop() {
        match v {
            QValue::Node(n) => {
                sub.nodes.insert(*n);
            }
            QValue::Rel(e) => {
                sub.edges.insert(*e);
            }
            QValue::Path(p) => {
                sub.nodes.extend(p.nodes.iter().copied());
                sub.edges.extend(p.rels.iter().copied());
            }
            QValue::List(items) => stack.extend(items),
            QValue::Map(m) => stack.extend(m.values()),
            _ => {}
        }
    }
    for e in &sub.edges {
        if let Some((s, t)) = graph.endpoints(*e) {
            sub.nodes.insert(s);
            sub.nodes.insert(t);
        }
    }
    if sub.nodes.is_empty() {
        return None;
    }
    if sub.edges.is_empty() {
        sub = Subgraph::induced(graph, sub.nodes);
    }
    Some(sub)
}

/// Writes a part of the graph in an export format to a file (or, for CSV, a folder), through
/// the same writer as `pharmakg export`, so the file appears whole or not at all.
pub fn write(
    graph: &Graph,
    sub: &Subgraph,
    format: ExportFormat,
    target: &Path,
) -> Result<(), Error> {
    let req = ExportRequest {
        format,
        target: Some(target),
        around: None,
        depth: 0,
        rankdir: None,
    };
    export_subgraph(graph, sub, &req, &mut std::io::sink())
}
