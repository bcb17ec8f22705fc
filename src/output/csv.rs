//! CSV of a subgraph as two files, nodes and edges, in two flavours.
//!
//! [`CsvFlavour::Plain`] is the layout [`crate::import::import_csv`] reads, so a graph made by
//! import comes back unchanged from an export and a fresh import:
//!
//! - `nodes.csv`: `id,label,name` and then one column per other node property key, sorted;
//! - `edges.csv`: `src,dst,type,confidence` and then one column per other edge property key.
//!
//! Other graphs keep what CSV can say: integers, finite floats and strings that do not read as
//! numbers come back as they were; booleans, lists, maps, empty strings, non-finite floats and
//! strings such as `"42"` come back as strings (or, when empty, not at all).
//!
//! [`CsvFlavour::Neo4j`] has the headers of Neo4j's bulk importer (`neo4j-admin database
//! import`): `nodes.csv` with `id:ID,:LABEL,name,...` and `relationships.csv` with
//! `:START_ID,:END_ID,:TYPE,confidence:double,...`; other columns carry a type suffix
//! (`:long`, `:double`, `:boolean`) when all their values share that type. Names may hold line
//! breaks, so pass `--multiline-fields=true` to that importer.
//!
//! Common rules: a node's id is its integer `id` property when every exported node has one and
//! no two are equal, and otherwise its position in the export (in which case `id` properties
//! are not written). Several labels are joined with `;`. An absent property is an empty cell.
//! Floats always have a decimal point or exponent (`2.0`), and NaN and infinities are written
//! `NaN`, `Infinity`, `-Infinity`; lists and maps are written as JSON text. Evidence and
//! mentions are not part of CSV: export JSON to keep them.

use crate::error::Error;
use crate::model::{format_float, Props, Value};
use crate::output::json::{non_finite, JsonValue};
use crate::output::subgraph::{LiveParts, Subgraph};
use crate::store::{Graph, NodeId, CONFIDENCE, ID, NAME};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Which program the CSV files are meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvFlavour {
    /// pharmakg's own importer.
    #[default]
    Plain,
    /// Neo4j's bulk importer.
    Neo4j,
}

impl CsvFlavour {
    /// The file names of the node and edge files in this flavour.
    pub fn file_names(self) -> (&'static str, &'static str) {
        match self {
            CsvFlavour::Plain => ("nodes.csv", "edges.csv"),
            CsvFlavour::Neo4j => ("nodes.csv", "relationships.csv"),
        }
    }
}

/// Writes the node and edge files of `sub` into `dir` (created when missing) and returns their
/// paths, nodes first.
pub fn write_csv_dir(
    graph: &Graph,
    sub: &Subgraph,
    dir: &Path,
    flavour: CsvFlavour,
) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    let (nodes_name, edges_name) = flavour.file_names();
    let nodes_path = dir.join(nodes_name);
    let edges_path = dir.join(edges_name);
    write_file(&nodes_path, |out| write_nodes(graph, sub, flavour, out))?;
    write_file(&edges_path, |out| write_edges(graph, sub, flavour, out))?;
    Ok(vec![nodes_path, edges_path])
}

fn file_error(path: &Path, e: io::Error) -> Error {
    Error::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn write_file(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), Error> {
    let file = File::create(path).map_err(|e| file_error(path, e))?;
    let mut out = BufWriter::new(file);
    body(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| file_error(path, e))
}

/// The id written for each exported node, in the order of `nodes`.
fn node_keys(graph: &Graph, nodes: &[NodeId]) -> Vec<i64> {
    let own: Option<Vec<i64>> = nodes
        .iter()
        .map(|n| match graph.node_prop(*n, ID) {
            Some(Value::Int(i)) => Some(*i),
            _ => None,
        })
        .collect();
    if let Some(ids) = own {
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        if sorted.windows(2).all(|w| w[0] != w[1]) {
            return ids;
        }
    }
    (0..nodes.len() as i64).collect()
}

/// The extra property columns: every key the given property lists use, except those the fixed
/// columns already hold, sorted, with the values' common type for Neo4j's header.
fn extra_columns<'a>(
    graph: &'a Graph,
    props: impl Iterator<Item = &'a Props>,
    skip: &[&str],
) -> Vec<(&'a str, ColumnType)> {
    let mut columns: BTreeMap<&str, ColumnType> = BTreeMap::new();
    for list in props {
        for (k, v) in list {
            let key = graph.resolve(*k);
            if skip.contains(&key) {
                continue;
            }
            let ty = ColumnType::of(v);
            columns
                .entry(key)
                .and_modify(|t| *t = t.join(ty))
                .or_insert(ty);
        }
    }
    columns.into_iter().collect()
}

/// The type Neo4j is told a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Long,
    Double,
    Boolean,
    Text,
}

impl ColumnType {
    fn of(v: &Value) -> ColumnType {
        match v {
            Value::Int(_) => ColumnType::Long,
            Value::Float(_) => ColumnType::Double,
            Value::Bool(_) => ColumnType::Boolean,
            _ => ColumnType::Text,
        }
    }

    fn join(self, other: ColumnType) -> ColumnType {
        use ColumnType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Long | Double, Long | Double) => Double,
            _ => Text,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            ColumnType::Long => ":long",
            ColumnType::Double => ":double",
            ColumnType::Boolean => ":boolean",
            ColumnType::Text => "",
        }
    }
}

/// The header of the extra columns, refusing keys the flavour cannot carry.
fn extra_header(
    columns: &[(&str, ColumnType)],
    fixed: &[&str],
    flavour: CsvFlavour,
    what: &str,
) -> io::Result<Vec<String>> {
    columns
        .iter()
        .map(|(key, ty)| {
            if fixed.contains(key) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("the {what} property `{key}` has the name of a fixed column"),
                ));
            }
            match flavour {
                CsvFlavour::Plain => Ok(key.to_string()),
                CsvFlavour::Neo4j if key.contains(':') => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "the {what} property `{key}` holds `:`, which Neo4j's importer reads as a \
                         type"
                    ),
                )),
                CsvFlavour::Neo4j => Ok(format!("{key}{}", ty.suffix())),
            }
        })
        .collect()
}

/// A cell's text for a value (see the module documentation).
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_finite() => format_float(*f),
        Value::Float(f) => non_finite(*f).to_string(),
        Value::String(s) => s.clone(),
        Value::List(_) | Value::Map(_) => {
            serde_json::to_string(&JsonValue(value)).unwrap_or_default()
        }
    }
}

fn prop_cell(graph: &Graph, props: &Props, key: &str) -> String {
    graph
        .sym(key)
        .and_then(|k| crate::model::prop_get(props, k))
        .map(cell)
        .unwrap_or_default()
}

/// Writes the node file of `sub`.
pub fn write_nodes(
    graph: &Graph,
    sub: &Subgraph,
    flavour: CsvFlavour,
    out: impl Write,
) -> io::Result<()> {
    let LiveParts { nodes, .. } = sub.live_parts(graph);
    let keys = node_keys(graph, &nodes);
    let columns = extra_columns(
        graph,
        nodes
            .iter()
            .filter_map(|n| graph.node(*n))
            .map(|n| &n.props),
        &[ID, NAME],
    );
    let fixed: [&str; 3] = match flavour {
        CsvFlavour::Plain => ["id", "label", "name"],
        CsvFlavour::Neo4j => ["id:ID", ":LABEL", "name"],
    };
    let mut header: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    header.extend(extra_header(&columns, &fixed, flavour, "node")?);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&header)?;
    for (n, key) in nodes.iter().zip(keys) {
        let Some(node) = graph.node(*n) else { continue };
        let labels: Vec<&str> = graph.node_labels(*n).collect();
        let mut row = vec![
            key.to_string(),
            labels.join(";"),
            prop_cell(graph, &node.props, NAME),
        ];
        row.extend(
            columns
                .iter()
                .map(|(k, _)| prop_cell(graph, &node.props, k)),
        );
        w.write_record(&row)?;
    }
    w.flush()
}

/// Writes the edge (relationship) file of `sub`; edge ends are named by the node file's ids.
pub fn write_edges(
    graph: &Graph,
    sub: &Subgraph,
    flavour: CsvFlavour,
    out: impl Write,
) -> io::Result<()> {
    let LiveParts { nodes, edges } = sub.live_parts(graph);
    let key_of: HashMap<NodeId, i64> = nodes
        .iter()
        .copied()
        .zip(node_keys(graph, &nodes))
        .collect();
    let columns = extra_columns(
        graph,
        edges
            .iter()
            .filter_map(|(e, _, _)| graph.edge(*e))
            .map(|e| &e.props),
        &[CONFIDENCE],
    );
    let fixed: [&str; 4] = match flavour {
        CsvFlavour::Plain => ["src", "dst", "type", "confidence"],
        CsvFlavour::Neo4j => [":START_ID", ":END_ID", ":TYPE", "confidence:double"],
    };
    let mut header: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    header.extend(extra_header(&columns, &fixed, flavour, "relationship")?);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&header)?;
    for (e, s, t) in edges {
        let (Some(edge), Some(src), Some(dst)) = (graph.edge(e), key_of.get(&s), key_of.get(&t))
        else {
            continue;
        };
        let mut row = vec![
            src.to_string(),
            dst.to_string(),
            graph.resolve(edge.ty).to_string(),
            prop_cell(graph, &edge.props, CONFIDENCE),
        ];
        row.extend(
            columns
                .iter()
                .map(|(k, _)| prop_cell(graph, &edge.props, k)),
        );
        w.write_record(&row)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_back_as_the_same_type() {
        assert_eq!(cell(&Value::Float(2.0)), "2.0");
        assert!(cell(&Value::Float(2.0)).parse::<i64>().is_err());
        assert_eq!(
            cell(&Value::Float(f64::INFINITY)).parse::<f64>(),
            Ok(f64::INFINITY)
        );
        assert!(cell(&Value::Float(f64::NAN))
            .parse::<f64>()
            .is_ok_and(f64::is_nan));
        assert_eq!(cell(&Value::Int(-3)), "-3");
        assert_eq!(
            cell(&Value::List(vec![Value::from("a"), Value::Int(1)])),
            r#"["a",1]"#
        );
    }

    #[test]
    fn column_types_widen_to_what_holds_every_value() {
        use ColumnType::*;
        assert_eq!(Long.join(Double), Double);
        assert_eq!(Long.join(Long), Long);
        assert_eq!(Boolean.join(Long), Text);
        assert_eq!(Text.join(Double), Text);
    }
}
