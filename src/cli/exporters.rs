//! The calls into the graph exporters (`output::{dot, render, json, tsv, csv}`), gathered in one
//! place so that the rest of the shell does not depend on their exact signatures.
//!
//! Each function names, in its body, the exporter call it stands for; until that exporter
//! exists in this build, it reports the format as not available.

use crate::error::Error;
use crate::output::Subgraph;
use crate::store::Graph;
use std::io::Write;
use std::path::Path;

fn unavailable(what: &str) -> Error {
    Error::Other(format!("{what} is not available in this build"))
}

/// Graphviz DOT of a part of the graph, with an optional `rankdir` (LR, RL, TB, BT).
pub fn dot(
    _graph: &Graph,
    _sub: &Subgraph,
    _rankdir: Option<&str>,
    _out: &mut dyn Write,
) -> Result<(), Error> {
    // let options = dot_options(rankdir);
    // output::dot::write_dot(graph, sub, &options, out).map_err(write_error)
    Err(unavailable("DOT export"))
}

/// A part of the graph drawn by Graphviz as `svg` or `png`.
pub fn picture(
    _graph: &Graph,
    _sub: &Subgraph,
    _rankdir: Option<&str>,
    format: &str,
    _out: &mut dyn Write,
) -> Result<(), Error> {
    // let image = if format == "png" { ImageFormat::Png } else { ImageFormat::Svg };
    // output::render::render(graph, sub, &dot_options(rankdir), image, out)
    Err(unavailable(&format!("{format} drawing")))
}

/// A part of the graph as JSON.
pub fn json(_graph: &Graph, _sub: &Subgraph, _out: &mut dyn Write) -> Result<(), Error> {
    // output::json::write_json(graph, sub, JsonLayout::Pretty, out).map_err(write_error)
    Err(unavailable("JSON export"))
}

/// One fact per line.
pub fn facts_tsv(_graph: &Graph, _sub: &Subgraph, _out: &mut dyn Write) -> Result<(), Error> {
    // output::tsv::write_facts(graph, sub, out).map_err(write_error)
    Err(unavailable("TSV export"))
}

/// One entity per line.
pub fn entities_tsv(_graph: &Graph, _sub: &Subgraph, _out: &mut dyn Write) -> Result<(), Error> {
    // output::tsv::write_entities(graph, sub, out).map_err(write_error)
    Err(unavailable("entity export"))
}

/// CSV files into a folder, in the import layout or neo4j-admin's.
pub fn csv(_graph: &Graph, _sub: &Subgraph, _dir: &Path, neo4j: bool) -> Result<(), Error> {
    // let flavour = if neo4j { CsvFlavour::Neo4j } else { CsvFlavour::Plain };
    // output::csv::write_csv_dir(graph, sub, dir, flavour).map(|_| ())
    Err(unavailable(if neo4j {
        "neo4j export"
    } else {
        "CSV export"
    }))
}

// fn dot_options(rankdir: Option<&str>) -> DotOptions {
//     let mut options = DotOptions::default();
//     match rankdir {
//         Some("TB") => options.rankdir = RankDir::TB,
//         Some("BT") => options.rankdir = RankDir::BT,
//         Some("RL") => options.rankdir = RankDir::RL,
//         Some("LR") => options.rankdir = RankDir::LR,
//         _ => {}
//     }
//     options
// }
//
// fn write_error(e: std::io::Error) -> Error {
//     Error::Other(format!("writing the export: {e}"))
// }
