//! CSV import of `nodes.csv` (id,label,name,...) and `edges.csv` (src,dst,type,confidence,...).
//!
//! Nodes keep their CSV id as the integer property `id`, which edges use to name their ends;
//! `label` may hold several labels separated by `;`; further columns become properties typed
//! by their text (integer, then float, else string; an empty field is no property). The whole
//! import is built aside and handed over only when every row was good.

use crate::error::Error;
use crate::model::{Edge, Node, Props, Sym, Value};
use crate::store::{EdgeSink, Graph, Interner, CONFIDENCE, ID, NAME};
use csv::{ByteRecord, Reader};
use rustc_hash::FxHashMap;
use std::fs::File;
use std::path::Path;

/// Reports import progress: bytes read so far out of the total.
pub trait Progress {
    /// Called now and then with the bytes read and the total bytes of both files.
    fn update(&self, done: u64, total: u64);
}

/// Rows between two progress reports.
const PROGRESS_EVERY: u64 = 1 << 16;

/// Imports a graph from the two CSV files; a malformed row fails the whole import with its file
/// and line, so nothing is half-imported.
pub fn import_csv(
    nodes: &Path,
    edges: &Path,
    progress: Option<&dyn Progress>,
) -> Result<Graph, Error> {
    let total = file_size(nodes)? + file_size(edges)?;
    let mut meter = Meter {
        progress,
        total,
        base: 0,
    };
    let mut interner = Interner::default();
    let (node_records, ids) = read_nodes(nodes, &mut interner, &mut meter)?;
    meter.base = file_size(nodes)?;
    let ids = IdMap::new(ids, node_records.len());
    // Edges go into the store as they are parsed, in file order, while other threads insert
    // them and index the nodes.
    let graph = Graph::build_streaming(
        interner.strings().to_vec(),
        node_records,
        Error::from,
        |sink, interner| read_edges(edges, &ids, interner, &mut meter, sink),
    )?;
    if let Some(p) = progress {
        p.update(total, total);
    }
    Ok(graph)
}

/// CSV node ids to node positions: a plain table when the ids are small non-negative numbers,
/// as exported ids usually are, else a hash map.
enum IdMap {
    Dense(Vec<u32>),
    Sparse(FxHashMap<i64, u32>),
}

impl IdMap {
    fn new(ids: FxHashMap<i64, u32>, nodes: usize) -> Self {
        let fits = ids
            .keys()
            .all(|&id| id >= 0 && (id as u64) < (nodes as u64).saturating_mul(2) + 1024);
        if !fits {
            return IdMap::Sparse(ids);
        }
        let len = ids.keys().max().map_or(0, |&m| m as usize + 1);
        let mut table = vec![u32::MAX; len];
        for (id, position) in ids {
            table[id as usize] = position;
        }
        IdMap::Dense(table)
    }

    fn get(&self, id: i64) -> Option<u32> {
        match self {
            IdMap::Dense(table) => usize::try_from(id)
                .ok()
                .and_then(|i| table.get(i))
                .copied()
                .filter(|&p| p != u32::MAX),
            IdMap::Sparse(map) => map.get(&id).copied(),
        }
    }
}

/// Progress reporting over both files.
struct Meter<'a> {
    progress: Option<&'a dyn Progress>,
    total: u64,
    /// Bytes of the files already read completely.
    base: u64,
}

impl Meter<'_> {
    fn tick(&self, rows: u64, byte: u64) {
        if rows % PROGRESS_EVERY == 0 {
            if let Some(p) = self.progress {
                p.update(self.base + byte, self.total);
            }
        }
    }
}

fn file_size(path: &Path) -> Result<u64, Error> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| Error::File {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })
}

/// A CSV file being read, with what every error message needs.
struct Table<'a> {
    path: &'a Path,
    reader: Reader<File>,
    /// Column positions by header name.
    columns: FxHashMap<String, usize>,
    width: usize,
}

impl<'a> Table<'a> {
    fn open(path: &'a Path, required: &[&str]) -> Result<Self, Error> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(path)
            .map_err(|e| Error::File {
                path: path.to_path_buf(),
                message: format!("cannot open: {e}"),
            })?;
        let mut table = Table {
            path,
            reader,
            columns: FxHashMap::default(),
            width: 0,
        };
        let headers = match table.reader.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(table.csv_error(&e, 1)),
        };
        if headers.is_empty() {
            return Err(table.error(1, "the file is empty; expected a header line"));
        }
        table.width = headers.len();
        for (i, raw) in headers.iter().enumerate() {
            let name = std::str::from_utf8(raw)
                .map_err(|_| table.error(1, format!("column {} name is not UTF-8", i + 1)))?
                .trim_start_matches('\u{feff}')
                .trim();
            if name.is_empty() {
                return Err(table.error(1, format!("column {} has no name", i + 1)));
            }
            if table.columns.insert(name.to_string(), i).is_some() {
                return Err(table.error(1, format!("column {name:?} appears twice")));
            }
        }
        let missing: Vec<&str> = required
            .iter()
            .filter(|c| !table.columns.contains_key(**c))
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(table.error(
                1,
                format!(
                    "missing header column(s) {}; expected {}",
                    missing.join(", "),
                    required.join(",")
                ),
            ));
        }
        Ok(table)
    }

    fn error(&self, line: u64, message: impl Into<String>) -> Error {
        Error::Input {
            path: self.path.to_path_buf(),
            line: line as usize,
            message: message.into(),
        }
    }

    fn csv_error(&self, e: &csv::Error, fallback_line: u64) -> Error {
        let line = e.position().map_or(fallback_line, |p| p.line());
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("expected {expected_len} fields, found {len}"),
            csv::ErrorKind::Io(io) => format!("cannot read: {io}"),
            _ => e.to_string(),
        };
        self.error(line, message)
    }

    /// Reads the next row into `record`; false at the end. Returns the row's line.
    fn next(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, Error> {
        let fallback = self.reader.position().line();
        match self.reader.read_byte_record(record) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(record.position().map_or(fallback, |p| p.line()))),
            Err(e) => Err(self.csv_error(&e, fallback)),
        }
    }

    /// Columns that are not among `known`, with their property symbols.
    fn extra_columns(&self, known: &[&str], interner: &mut Interner) -> Vec<(usize, Sym)> {
        let mut extra: Vec<(usize, &String)> = self
            .columns
            .iter()
            .filter(|(name, _)| !known.contains(&name.as_str()))
            .map(|(name, i)| (*i, name))
            .collect();
        extra.sort_unstable();
        extra
            .into_iter()
            .map(|(i, name)| (i, interner.intern(name)))
            .collect()
    }

    fn text<'r>(&self, record: &'r ByteRecord, col: usize, line: u64) -> Result<&'r str, Error> {
        std::str::from_utf8(record.get(col).unwrap_or_default())
            .map_err(|_| self.error(line, format!("field {} is not valid UTF-8", col + 1)))
    }

    fn integer(
        &self,
        record: &ByteRecord,
        col: usize,
        line: u64,
        what: &str,
    ) -> Result<i64, Error> {
        let text = self.text(record, col, line)?.trim();
        text.parse::<i64>()
            .map_err(|_| self.error(line, format!("{what} {text:?} is not an integer")))
    }
}

/// True when text looks like a decimal number, so that words such as `inf` or `NaN` stay
/// strings.
fn numeric_looking(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
}

/// The property value a field's text stands for; `None` for an empty field.
fn infer(text: &str) -> Option<Value> {
    if text.is_empty() {
        return None;
    }
    let trimmed = text.trim();
    if numeric_looking(trimmed) {
        if let Ok(i) = trimmed.parse::<i64>() {
            return Some(Value::Int(i));
        }
        if let Ok(f) = trimmed.parse::<f64>() {
            return Some(Value::Float(f));
        }
    }
    Some(Value::String(text.to_string()))
}

/// Adds the extra columns of a row as properties.
fn add_extras(
    table: &Table,
    record: &ByteRecord,
    extras: &[(usize, Sym)],
    line: u64,
    props: &mut Props,
) -> Result<(), Error> {
    for (col, key) in extras {
        if let Some(v) = infer(table.text(record, *col, line)?) {
            props.push((*key, v));
        }
    }
    Ok(())
}

/// Reads the nodes, in file order, with a map from CSV id to position.
fn read_nodes(
    path: &Path,
    interner: &mut Interner,
    meter: &mut Meter,
) -> Result<(Vec<Node>, FxHashMap<i64, u32>), Error> {
    const KNOWN: [&str; 3] = ["id", "label", "name"];
    let mut table = Table::open(path, &KNOWN)?;
    let (c_id, c_label, c_name) = (
        table.columns["id"],
        table.columns["label"],
        table.columns["name"],
    );
    let extras = table.extra_columns(&KNOWN, interner);
    let (k_id, k_name) = (interner.intern(ID), interner.intern(NAME));
    let mut nodes = Vec::new();
    let mut ids: FxHashMap<i64, u32> = FxHashMap::default();
    let mut first_line: Vec<u64> = Vec::new();
    let mut record = ByteRecord::new();
    while let Some(line) = table.next(&mut record)? {
        let id = table.integer(&record, c_id, line, "node id")?;
        let position = u32::try_from(nodes.len())
            .map_err(|_| table.error(line, "more nodes than the store can hold"))?;
        if let Some(&earlier) = ids.get(&id) {
            return Err(table.error(
                line,
                format!(
                    "duplicate node id {id} (first on line {})",
                    first_line[earlier as usize]
                ),
            ));
        }
        ids.insert(id, position);
        first_line.push(line);
        let mut node = Node::default();
        for label in table.text(&record, c_label, line)?.split(';') {
            let label = label.trim();
            if !label.is_empty() {
                node.labels.push(interner.intern(label));
            }
        }
        node.props.push((k_id, Value::Int(id)));
        let name = table.text(&record, c_name, line)?;
        if !name.is_empty() {
            node.props.push((k_name, Value::String(name.to_string())));
        }
        add_extras(&table, &record, &extras, line, &mut node.props)?;
        nodes.push(node);
        meter.tick(nodes.len() as u64, table.reader.position().byte());
    }
    Ok((nodes, ids))
}

/// Reads the edges, in file order, with their ends as node positions, into the sink.
fn read_edges(
    path: &Path,
    ids: &IdMap,
    interner: &mut Interner,
    meter: &mut Meter,
    sink: &mut EdgeSink,
) -> Result<(), Error> {
    const KNOWN: [&str; 4] = ["src", "dst", "type", "confidence"];
    let mut table = Table::open(path, &KNOWN)?;
    let (c_src, c_dst, c_type, c_conf) = (
        table.columns["src"],
        table.columns["dst"],
        table.columns["type"],
        table.columns["confidence"],
    );
    let extras = table.extra_columns(&KNOWN, interner);
    let k_conf = interner.intern(CONFIDENCE);
    sink.allow_symbols(interner.strings().len());
    let mut rows = 0u64;
    let mut record = ByteRecord::new();
    // Most files use a handful of types; remembering the last one skips most interner lookups.
    let mut last_type: Option<(Vec<u8>, Sym)> = None;
    while let Some(line) = table.next(&mut record)? {
        let end = |col: usize, what: &str| -> Result<u32, Error> {
            let id = table.integer(&record, col, line, what)?;
            ids.get(id)
                .ok_or_else(|| table.error(line, format!("unknown {what} {id}")))
        };
        let src = end(c_src, "source node id")?;
        let dst = end(c_dst, "target node id")?;
        let ty_bytes = record.get(c_type).unwrap_or_default();
        let ty = match &last_type {
            Some((bytes, sym)) if bytes.as_slice() == ty_bytes => *sym,
            _ => {
                let text = table.text(&record, c_type, line)?.trim();
                if text.is_empty() {
                    return Err(table.error(line, "empty relationship type"));
                }
                let sym = interner.intern(text);
                sink.allow_symbols(interner.strings().len());
                last_type = Some((ty_bytes.to_vec(), sym));
                sym
            }
        };
        let mut props = Props::new();
        let conf_text = table.text(&record, c_conf, line)?.trim();
        if !conf_text.is_empty() {
            let conf = conf_text
                .parse::<f64>()
                .ok()
                .filter(|c| c.is_finite() && numeric_looking(conf_text))
                .ok_or_else(|| {
                    table.error(line, format!("confidence {conf_text:?} is not a number"))
                })?;
            props.push((k_conf, Value::Float(conf)));
        }
        add_extras(&table, &record, &extras, line, &mut props)?;
        let edge = Edge {
            ty,
            props,
            evidence: Vec::new(),
        };
        sink.push(src, dst, edge)?;
        rows += 1;
        meter.tick(rows, table.reader.position().byte());
    }
    Ok(())
}
