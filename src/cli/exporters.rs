//! The calls into the graph exporters (`output::{dot, render, json, tsv, csv}`), gathered in one
//! place so that the rest of the shell does not depend on their exact signatures.
//!
//! Each function names the exporter call it stands for; until that exporter exists in this
//! build, it reports the format as not available.

use crate::error::Error;
use crate::output::Subgraph;
use crate::store::Graph;
use std::io::Write;
use std::path::Path;

fn unavailable(what: &str) -> Error {
    Error::Other(format!("{what} is not available in this build"))
}

/// Graphviz DOT of a part of the graph, with an optional `rankdir`.
/// Stands for `output::dot::write_dot(graph, sub, &DotOptions { rankdir, .. }, out)`.
pub fn dot(
    _graph: &Graph,
    _sub: &Subgraph,
    _rankdir: Option<&str>,
    _out: &mut dyn Write,
) -> Result<(), Error> {
    Err(unavailable("DOT export"))
}

/// DOT text drawn by Graphviz as `svg` or `png`.
/// Stands for `output::render::render(dot, format)`.
pub fn render(_dot: &str, format: &str) -> Result<Vec<u8>, Error> {
    Err(unavailable(&format!("{format} drawing")))
}

/// The whole graph as JSON. Stands for `output::json::write_json(graph, out)`.
pub fn json(_graph: &Graph, _out: &mut dyn Write) -> Result<(), Error> {
    Err(unavailable("JSON export"))
}

/// One fact per line. Stands for `output::tsv::write_facts(graph, out)`.
pub fn facts_tsv(_graph: &Graph, _out: &mut dyn Write) -> Result<(), Error> {
    Err(unavailable("TSV export"))
}

/// One entity per line. Stands for `output::tsv::write_entities(graph, out)`.
pub fn entities_tsv(_graph: &Graph, _out: &mut dyn Write) -> Result<(), Error> {
    Err(unavailable("entity export"))
}

/// CSV files into a folder, in the import layout or neo4j-admin's.
/// Stands for `output::csv::write_csv(graph, dir, flavour)`.
pub fn csv(_graph: &Graph, _dir: &Path, neo4j: bool) -> Result<(), Error> {
    Err(unavailable(if neo4j {
        "neo4j export"
    } else {
        "CSV export"
    }))
}
