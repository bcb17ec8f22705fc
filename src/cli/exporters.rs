//! The calls into the graph exporters (`output::{dot, render, json, tsv, csv}`), gathered in one
//! place so that the rest of the shell does not depend on their exact signatures.

use crate::error::Error;
use crate::output::csv::{write_csv_dir, CsvFlavour};
use crate::output::dot::{write_dot, DotOptions, RankDir};
use crate::output::json::{write_json, JsonLayout};
use crate::output::render::{render, ImageFormat};
use crate::output::tsv::{write_entities, write_facts};
use crate::output::Subgraph;
use crate::store::Graph;
use std::io::Write;
use std::path::Path;

fn write_error(e: std::io::Error) -> Error {
    Error::Other(format!("writing the export: {e}"))
}

fn dot_options(rankdir: Option<&str>) -> Result<DotOptions, Error> {
    let mut options = DotOptions::default();
    if let Some(dir) = rankdir {
        options.rankdir = dir.parse::<RankDir>().map_err(Error::Other)?;
    }
    Ok(options)
}

/// Graphviz DOT of a part of the graph, with an optional `rankdir` (LR, RL, TB, BT).
pub fn dot(
    graph: &Graph,
    sub: &Subgraph,
    rankdir: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    write_dot(graph, sub, &dot_options(rankdir)?, out).map_err(write_error)
}

/// A part of the graph drawn by Graphviz as `svg` or `png`.
pub fn picture(
    graph: &Graph,
    sub: &Subgraph,
    rankdir: Option<&str>,
    format: &str,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let image = format.parse::<ImageFormat>().map_err(Error::Other)?;
    render(graph, sub, &dot_options(rankdir)?, image, out)
}

/// A part of the graph as JSON.
pub fn json(graph: &Graph, sub: &Subgraph, out: &mut dyn Write) -> Result<(), Error> {
    write_json(graph, sub, JsonLayout::Pretty, out).map_err(write_error)
}

/// One fact per line.
pub fn facts_tsv(graph: &Graph, sub: &Subgraph, out: &mut dyn Write) -> Result<(), Error> {
    write_facts(graph, sub, out).map_err(write_error)
}

/// One entity per line.
pub fn entities_tsv(graph: &Graph, sub: &Subgraph, out: &mut dyn Write) -> Result<(), Error> {
    write_entities(graph, sub, out).map_err(write_error)
}

/// CSV files into a folder, in the import layout or neo4j-admin's.
pub fn csv(graph: &Graph, sub: &Subgraph, dir: &Path, neo4j: bool) -> Result<(), Error> {
    let flavour = if neo4j {
        CsvFlavour::Neo4j
    } else {
        CsvFlavour::Plain
    };
    write_csv_dir(graph, sub, dir, flavour).map(|_| ())
}
