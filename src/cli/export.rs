//! `pharmakg export` and the shell's `:export`: choosing the part of the graph and the writer.

use super::exporters;
use crate::error::Error;
use crate::output::Subgraph;
use crate::store::{Graph, NodeId};
use std::io::Write;
use std::path::Path;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Graphviz DOT text.
    Dot,
    /// SVG drawn by Graphviz.
    Svg,
    /// PNG drawn by Graphviz.
    Png,
    /// The graph as JSON.
    Json,
    /// One fact per line: subject, type, object, confidence and evidence.
    Tsv,
    /// nodes.csv and edges.csv in the import layout, into a folder.
    Csv,
    /// CSV files for neo4j-admin import, into a folder.
    Neo4j,
    /// One entity per line with its label and aliases.
    Entities,
}

impl ExportFormat {
    /// The format's name as typed.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Dot => "dot",
            ExportFormat::Svg => "svg",
            ExportFormat::Png => "png",
            ExportFormat::Json => "json",
            ExportFormat::Tsv => "tsv",
            ExportFormat::Csv => "csv",
            ExportFormat::Neo4j => "neo4j",
            ExportFormat::Entities => "entities",
        }
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        <ExportFormat as clap::ValueEnum>::from_str(s, true).map_err(|_| {
            format!("unknown export format `{s}`; expected dot, svg, png, json, tsv, csv, neo4j or entities")
        })
    }
}

/// What to export and where.
#[derive(Debug, Clone)]
pub struct ExportRequest<'a> {
    /// The format.
    pub format: ExportFormat,
    /// The file or folder to write; `None` writes one-file formats to stdout.
    pub target: Option<&'a Path>,
    /// The entity to centre on: a name or alias.
    pub around: Option<&'a str>,
    /// Hops around the centre to include.
    pub depth: usize,
    /// Graphviz `rankdir` (LR, TB...), for the drawn formats.
    pub rankdir: Option<&'a str>,
}

/// Finds the one node a name or alias stands for; unknown or ambiguous names are errors that
/// say which.
pub fn resolve_one(graph: &Graph, name: &str) -> Result<NodeId, Error> {
    match graph.resolve_alias(name).as_slice() {
        [] => Err(Error::Other(format!("no entity is named `{name}`"))),
        [one] => Ok(*one),
        many => {
            let mut shown: Vec<String> = many
                .iter()
                .take(5)
                .map(|n| {
                    let labels: Vec<&str> = graph.node_labels(*n).collect();
                    format!(
                        "{} ({})",
                        graph.node_name(*n).unwrap_or("?"),
                        labels.join(":")
                    )
                })
                .collect();
            if many.len() > 5 {
                shown.push(format!("and {} more", many.len() - 5));
            }
            Err(Error::Other(format!(
                "`{name}` is ambiguous: it names {} entities: {}",
                many.len(),
                shown.join(", ")
            )))
        }
    }
}

/// Runs an export; `stdout` receives one-file formats when no target is given.
pub fn export(graph: &Graph, req: &ExportRequest, stdout: &mut dyn Write) -> Result<(), Error> {
    let sub = match req.around {
        Some(name) => Subgraph::around(graph, resolve_one(graph, name)?, req.depth),
        None => Subgraph::all(graph),
    };
    export_subgraph(graph, &sub, req, stdout)
}

/// Exports a given part of the graph (`req.around` is not consulted): the one writer behind
/// `pharmakg export`, the shell's `:export` and its drawing of a query's result.
pub fn export_subgraph(
    graph: &Graph,
    sub: &Subgraph,
    req: &ExportRequest,
    stdout: &mut dyn Write,
) -> Result<(), Error> {
    let mut bytes = Vec::new();
    match req.format {
        ExportFormat::Csv | ExportFormat::Neo4j => {
            let Some(dir) = req.target else {
                return Err(Error::Other(format!(
                    "{} export writes a folder: give it with -o DIR",
                    req.format.name()
                )));
            };
            return exporters::csv(graph, sub, dir, req.format == ExportFormat::Neo4j);
        }
        ExportFormat::Dot => exporters::dot(graph, sub, req.rankdir, &mut bytes)?,
        ExportFormat::Svg | ExportFormat::Png => {
            exporters::picture(graph, sub, req.rankdir, req.format.name(), &mut bytes)?
        }
        ExportFormat::Json => exporters::json(graph, sub, &mut bytes)?,
        ExportFormat::Tsv => exporters::facts_tsv(graph, sub, &mut bytes)?,
        ExportFormat::Entities => exporters::entities_tsv(graph, sub, &mut bytes)?,
    }
    match req.target {
        Some(path) => write_file(path, &bytes),
        None => match stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(Error::Other(format!("writing the export: {e}")))
            }
            _ => Ok(()),
        },
    }
}

/// Writes a whole file through a temporary file and a rename, so a failed export leaves no
/// half-written file behind.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let fail = |e: std::io::Error| Error::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::File {
            path: path.to_path_buf(),
            message: "names no file".into(),
        })?
        .to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;

    fn sample() -> Graph {
        let mut g = Graph::new();
        let k = g.add_node(&["Drug"], &[("name", Value::from("ketamine"))]);
        let n = g.add_node(&["Receptor"], &[("name", Value::from("NMDA receptor"))]);
        let d = g.add_node(&["Disorder"], &[("name", Value::from("depression"))]);
        let far = g.add_node(&["Symptom"], &[("name", Value::from("nausea"))]);
        g.add_edge(k, n, "ANTAGONIZES", &[("confidence", Value::Float(0.9))])
            .unwrap();
        g.add_edge(k, d, "TREATS", &[]).unwrap();
        g.add_edge(d, far, "CAUSES", &[]).unwrap();
        g.add_node(&["Drug"], &[("name", Value::from("twin"))]);
        g.add_node(&["Gene"], &[("name", Value::from("twin"))]);
        g
    }

    #[test]
    fn names_resolve_to_exactly_one_entity() {
        let g = sample();
        let k = resolve_one(&g, "KETAMINE").unwrap();
        assert_eq!(g.node_name(k), Some("ketamine"));
        let err = resolve_one(&g, "cocaine").unwrap_err().to_string();
        assert!(
            err.contains("no entity") && err.contains("cocaine"),
            "{err}"
        );
        let err = resolve_one(&g, "twin").unwrap_err().to_string();
        assert!(
            err.contains("ambiguous") && err.contains("2 entities"),
            "{err}"
        );
    }

    #[test]
    fn folder_formats_need_a_folder() {
        let g = sample();
        let req = ExportRequest {
            format: ExportFormat::Csv,
            target: None,
            around: None,
            depth: 1,
            rankdir: None,
        };
        let err = export(&g, &req, &mut Vec::new()).unwrap_err().to_string();
        assert!(err.contains("-o DIR"), "{err}");
    }

    #[test]
    fn formats_parse_by_name() {
        assert_eq!("NEO4J".parse::<ExportFormat>(), Ok(ExportFormat::Neo4j));
        assert!("xml".parse::<ExportFormat>().is_err());
    }
}
