//! `pharmakg export` and the shell's `:export`: choosing the part of the graph and the writer.

use super::exporters;
use crate::error::Error;
use crate::model::Value;
use crate::output::Subgraph;
use crate::store::{Graph, NodeId};
use std::collections::BTreeMap;
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
    /// True for formats that write a folder of files rather than one file.
    pub fn writes_folder(self) -> bool {
        matches!(self, ExportFormat::Csv | ExportFormat::Neo4j)
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
    match graph.resolve_alias(name) {
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

/// A new graph holding only the nodes and edges of `sub`, with their properties and evidence:
/// what the whole-graph writers (JSON, TSV, CSV) receive for `--around`.
pub fn extract_subgraph(graph: &Graph, sub: &Subgraph) -> Result<Graph, Error> {
    let mut out = Graph::new();
    let mut map = BTreeMap::new();
    for &n in &sub.nodes {
        let Some(node) = graph.node(n) else { continue };
        let labels: Vec<&str> = graph.node_labels(n).collect();
        let props: Vec<(String, Value)> = graph.node_props_map(n).into_iter().collect();
        let props: Vec<(&str, Value)> =
            props.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let m = out.add_node(&labels, &props);
        for (doc, count) in &node.mentions {
            out.add_mentions(m, doc, *count)?;
        }
        map.insert(n, m);
    }
    for &e in &sub.edges {
        let (Some((s, t)), Some(edge), Some(ty)) =
            (graph.endpoints(e), graph.edge(e), graph.edge_type(e))
        else {
            continue;
        };
        let (Some(&s), Some(&t)) = (map.get(&s), map.get(&t)) else {
            continue;
        };
        let props: Vec<(String, Value)> = graph.edge_props_map(e).into_iter().collect();
        let props: Vec<(&str, Value)> =
            props.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let id = out.add_edge(s, t, ty, &props)?;
        out.set_evidence(id, edge.evidence.clone())?;
    }
    Ok(out)
}

/// Runs an export; `stdout` receives one-file formats when no target is given.
pub fn export(graph: &Graph, req: &ExportRequest, stdout: &mut dyn Write) -> Result<(), Error> {
    let sub = match req.around {
        Some(name) => Some(Subgraph::around(
            graph,
            resolve_one(graph, name)?,
            req.depth,
        )),
        None => None,
    };
    let mut bytes = Vec::new();
    match req.format {
        ExportFormat::Csv | ExportFormat::Neo4j => return export_folder(graph, sub.as_ref(), req),
        ExportFormat::Dot | ExportFormat::Svg | ExportFormat::Png => {
            let whole;
            let s = match &sub {
                Some(s) => s,
                None => {
                    whole = Subgraph::all(graph);
                    &whole
                }
            };
            exporters::dot(graph, s, req.rankdir, &mut bytes)?;
            if req.format != ExportFormat::Dot {
                let dot = String::from_utf8(bytes)
                    .map_err(|_| Error::Other("the DOT text is not UTF-8".into()))?;
                bytes = exporters::render(&dot, req.format.name())?;
            }
        }
        ExportFormat::Json | ExportFormat::Tsv | ExportFormat::Entities => {
            let part;
            let g = match &sub {
                Some(s) => {
                    part = extract_subgraph(graph, s)?;
                    &part
                }
                None => graph,
            };
            match req.format {
                ExportFormat::Json => exporters::json(g, &mut bytes)?,
                ExportFormat::Tsv => exporters::facts_tsv(g, &mut bytes)?,
                _ => exporters::entities_tsv(g, &mut bytes)?,
            }
        }
    }
    match req.target {
        Some(path) => write_file(path, &bytes),
        None => stdout
            .write_all(&bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::Other(format!("writing the export: {e}"))),
    }
}

/// Writes the folder formats (CSV, neo4j).
fn export_folder(graph: &Graph, sub: Option<&Subgraph>, req: &ExportRequest) -> Result<(), Error> {
    let Some(dir) = req.target else {
        return Err(Error::Other(format!(
            "{} export writes a folder: give it with -o DIR",
            req.format.name()
        )));
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::File {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let part;
    let g = match sub {
        Some(s) => {
            part = extract_subgraph(graph, s)?;
            &part
        }
        None => graph,
    };
    exporters::csv(g, dir, req.format == ExportFormat::Neo4j)
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
    fn a_subgraph_copy_keeps_only_its_part() {
        let g = sample();
        let k = resolve_one(&g, "ketamine").unwrap();
        let part = extract_subgraph(&g, &Subgraph::around(&g, k, 1)).unwrap();
        assert_eq!(part.node_count(), 3);
        assert_eq!(part.edge_count(), 2);
        let k2 = resolve_one(&part, "ketamine").unwrap();
        let (e, _) = part
            .outgoing(k2)
            .find(|(e, _)| part.edge_type(*e) == Some("ANTAGONIZES"))
            .unwrap();
        assert_eq!(part.edge_prop(e, "confidence"), Some(&Value::Float(0.9)));
        assert!(part.resolve_alias("nausea").is_empty());
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
