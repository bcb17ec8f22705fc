//! Writing a query's result as a table, JSON, CSV or TSV.
//!
//! Nodes, relationships and paths are resolved against the graph they came from: in text they
//! read as openCypher patterns (`(:Drug {name: 'ketamine'})`), in JSON as objects.

use super::table::new_table;
use crate::model::{format_float, Value};
use crate::query::{PathValue, QValue, QueryResult};
use crate::store::{EdgeId, Graph, NodeId};
use serde_json::{json, Value as Json};
use std::io::{self, Write};

/// The formats a result can be printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultFormat {
    /// A table for people.
    Table,
    /// A JSON array with one object per row.
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row; scalars as plain text.
    Tsv,
}

impl ResultFormat {
    /// The format's name as typed by the user.
    pub fn name(self) -> &'static str {
        match self {
            ResultFormat::Table => "table",
            ResultFormat::Json => "json",
            ResultFormat::Csv => "csv",
            ResultFormat::Tsv => "tsv",
        }
    }
}

impl std::str::FromStr for ResultFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(ResultFormat::Table),
            "json" => Ok(ResultFormat::Json),
            "csv" => Ok(ResultFormat::Csv),
            "tsv" => Ok(ResultFormat::Tsv),
            _ => Err(format!(
                "unknown format `{s}`; expected table, json, csv or tsv"
            )),
        }
    }
}

/// How a table is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// The width to fit, usually the terminal's; `None` keeps cells whole.
    pub width: Option<u16>,
    /// The most rows to show; the rest are counted in a line under the table.
    pub max_rows: Option<usize>,
}

/// Writes the result in the given format; `table` applies to the table format only.
pub fn write_result(
    graph: &Graph,
    result: &QueryResult,
    format: ResultFormat,
    table: &TableOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ResultFormat::Table => write_table(graph, result, table, out),
        ResultFormat::Json => write_json(graph, result, out),
        ResultFormat::Csv => write_csv(graph, result, out),
        ResultFormat::Tsv => write_tsv(graph, result, out),
    }
}

/// Writes the result as a table; rows past `max_rows` are left out and counted. Strings show
/// without quotes, null as `null`, and everything else as [`value_text`] writes it.
pub fn write_table(
    graph: &Graph,
    result: &QueryResult,
    options: &TableOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let mut table = new_table(result.columns.iter().map(String::as_str), options.width);
    let shown = options
        .max_rows
        .map_or(result.rows.len(), |m| m.min(result.rows.len()));
    for row in &result.rows[..shown] {
        table.add_row(row.iter().map(|v| match v {
            // Top-level strings read better unquoted, as in other database shells; inside lists
            // and maps they keep their quotes.
            QValue::String(s) => s.clone(),
            other => value_text(graph, other),
        }));
    }
    writeln!(out, "{table}")?;
    let hidden = result.rows.len() - shown;
    if hidden > 0 {
        writeln!(
            out,
            "... {hidden} more row{} not shown (of {})",
            plural(hidden),
            result.rows.len()
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Writes the result as a JSON array with one object per row, keyed by column name in the
/// columns' order, one row per line; nothing for a result without columns.
pub fn write_json(graph: &Graph, result: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    // A statement without RETURN has no result to show.
    if result.columns.is_empty() {
        return Ok(());
    }
    // Objects are written field by field: a JSON map would reorder the columns by name.
    let key = |c: &str| serde_json::to_string(c).map_err(io::Error::other);
    let keys: Vec<String> = result
        .columns
        .iter()
        .map(|c| key(c))
        .collect::<io::Result<_>>()?;
    write!(out, "[")?;
    for (i, row) in result.rows.iter().enumerate() {
        write!(out, "{}\n  {{", if i == 0 { "" } else { "," })?;
        for (j, (k, v)) in keys.iter().zip(row).enumerate() {
            let value = serde_json::to_string(&value_json(graph, v)).map_err(io::Error::other)?;
            write!(out, "{}{k}: {value}", if j == 0 { "" } else { ", " })?;
        }
        write!(out, "}}")?;
    }
    writeln!(out, "{}]", if result.rows.is_empty() { "" } else { "\n" })
}

/// Writes the result as CSV with a header row; scalars as plain text, the rest as patterns.
pub fn write_csv(graph: &Graph, result: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&result.columns).map_err(csv_io)?;
    for row in &result.rows {
        w.write_record(row.iter().map(|v| plain_text(graph, v)))
            .map_err(csv_io)?;
    }
    w.flush()
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Writes the result as TSV: a header row of column names, then one line per row. Tabs,
/// newlines and backslashes inside values are escaped (`\t`, `\n`, `\\`), so every row is one
/// line.
pub fn write_tsv(graph: &Graph, result: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let header: Vec<String> = result.columns.iter().map(|c| tsv_escape(c)).collect();
    writeln!(out, "{}", header.join("\t"))?;
    for row in &result.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|v| tsv_escape(&plain_text(graph, v)))
            .collect();
        writeln!(out, "{}", cells.join("\t"))?;
    }
    Ok(())
}

fn tsv_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A value as plain text for CSV and TSV: strings unquoted, null empty, numbers as numbers,
/// everything else as [`value_text`] writes it.
pub fn plain_text(graph: &Graph, v: &QValue) -> String {
    match v {
        QValue::Null => String::new(),
        QValue::String(s) => s.clone(),
        other => value_text(graph, other),
    }
}

/// A value as openCypher text: strings quoted, nodes as `(:Label {props})`, relationships as
/// `[:TYPE {props}]`, paths as their chain of nodes and relationships.
pub fn value_text(graph: &Graph, v: &QValue) -> String {
    match v {
        QValue::Null => "null".to_string(),
        QValue::Bool(b) => b.to_string(),
        QValue::Int(i) => i.to_string(),
        QValue::Float(f) => format_float(*f),
        QValue::String(s) => Value::String(s.clone()).to_string(),
        QValue::List(items) => {
            let parts: Vec<String> = items.iter().map(|i| value_text(graph, i)).collect();
            format!("[{}]", parts.join(", "))
        }
        QValue::Map(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}: {}", value_text(graph, v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        QValue::Node(n) => node_text(graph, *n),
        QValue::Rel(e) => rel_text(graph, *e),
        QValue::Path(p) => path_text(graph, p),
    }
}

fn props_text(props: &std::collections::BTreeMap<String, Value>) -> String {
    if props.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = props.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!(" {{{}}}", parts.join(", "))
}

fn node_text(graph: &Graph, n: NodeId) -> String {
    if graph.node(n).is_none() {
        return "(deleted node)".to_string();
    }
    let labels: String = graph.node_labels(n).map(|l| format!(":{l}")).collect();
    format!("({labels}{})", props_text(&graph.node_props_map(n)))
}

fn rel_text(graph: &Graph, e: EdgeId) -> String {
    match graph.edge_type(e) {
        Some(ty) => format!("[:{ty}{}]", props_text(&graph.edge_props_map(e))),
        None => "[deleted relationship]".to_string(),
    }
}

fn path_text(graph: &Graph, p: &PathValue) -> String {
    let mut s = String::new();
    for (i, n) in p.nodes.iter().enumerate() {
        s.push_str(&node_text(graph, *n));
        if let Some(e) = p.rels.get(i) {
            // An edge leaving this node (or a self-loop) reads forwards.
            let forward = graph.endpoints(*e).is_none_or(|(src, _)| src == *n);
            if forward {
                s.push_str(&format!("-{}->", rel_text(graph, *e)));
            } else {
                s.push_str(&format!("<-{}-", rel_text(graph, *e)));
            }
        }
    }
    s
}

/// A value as JSON: nodes as `{id, labels, properties}`, relationships as
/// `{id, type, start, end, properties}`, paths as `{nodes, relationships}`. Non-finite floats,
/// which JSON cannot hold, become the strings `NaN`, `Inf` and `-Inf`.
pub fn value_json(graph: &Graph, v: &QValue) -> Json {
    match v {
        QValue::Null => Json::Null,
        QValue::Bool(b) => Json::Bool(*b),
        QValue::Int(i) => json!(i),
        QValue::Float(f) => float_json(*f),
        QValue::String(s) => Json::String(s.clone()),
        QValue::List(items) => Json::Array(items.iter().map(|i| value_json(graph, i)).collect()),
        QValue::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), value_json(graph, v)))
                .collect(),
        ),
        QValue::Node(n) => node_json(graph, *n),
        QValue::Rel(e) => rel_json(graph, *e),
        QValue::Path(p) => json!({
            "nodes": p.nodes.iter().map(|n| node_json(graph, *n)).collect::<Vec<_>>(),
            "relationships": p.rels.iter().map(|e| rel_json(graph, *e)).collect::<Vec<_>>(),
        }),
    }
}

fn float_json(f: f64) -> Json {
    serde_json::Number::from_f64(f)
        .map(Json::Number)
        .unwrap_or_else(|| Json::String(format_float(f)))
}

/// A stored value as JSON.
pub fn stored_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => json!(i),
        Value::Float(f) => float_json(*f),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(stored_json).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), stored_json(v))).collect()),
    }
}

fn props_json(props: &std::collections::BTreeMap<String, Value>) -> Json {
    Json::Object(
        props
            .iter()
            .map(|(k, v)| (k.clone(), stored_json(v)))
            .collect(),
    )
}

fn node_json(graph: &Graph, n: NodeId) -> Json {
    json!({
        "id": n.index(),
        "labels": graph.node_labels(n).collect::<Vec<_>>(),
        "properties": props_json(&graph.node_props_map(n)),
    })
}

fn rel_json(graph: &Graph, e: EdgeId) -> Json {
    let (start, end) = graph
        .endpoints(e)
        .map_or((Json::Null, Json::Null), |(s, t)| {
            (json!(s.index()), json!(t.index()))
        });
    json!({
        "id": e.index(),
        "type": graph.edge_type(e),
        "start": start,
        "end": end,
        "properties": props_json(&graph.edge_props_map(e)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Graph, QueryResult) {
        let mut g = Graph::new();
        let k = g.add_node(&["Drug"], &[("name", Value::from("ketamine"))]);
        let r = g.add_node(&["Receptor"], &[("name", Value::from("NMDA receptor"))]);
        let e = g
            .add_edge(k, r, "ANTAGONIZES", &[("confidence", Value::Float(0.9))])
            .unwrap();
        let result = QueryResult {
            columns: vec!["d".into(), "name".into(), "n".into(), "r".into()],
            rows: vec![
                vec![
                    QValue::Node(k),
                    QValue::String("tab\there".into()),
                    QValue::Int(3),
                    QValue::Rel(e),
                ],
                vec![
                    QValue::Null,
                    QValue::String("plain".into()),
                    QValue::Float(1.0),
                    QValue::Path(PathValue {
                        nodes: vec![r, k],
                        rels: vec![e],
                    }),
                ],
            ],
        };
        (g, result)
    }

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut buf = Vec::new();
        f(&mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn tsv_has_a_header_and_one_line_per_row() {
        let (g, r) = sample();
        let out = text(|w| write_tsv(&g, &r, w));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "d\tname\tn\tr");
        assert_eq!(
            lines[1],
            "(:Drug {name: 'ketamine'})\ttab\\there\t3\t[:ANTAGONIZES {confidence: 0.9}]"
        );
        // A path walked against an edge's direction shows the arrow pointing back.
        assert_eq!(
            lines[2],
            "\tplain\t1.0\t(:Receptor {name: 'NMDA receptor'})<-[:ANTAGONIZES {confidence: 0.9}]-(:Drug {name: 'ketamine'})"
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let (g, mut r) = sample();
        r.rows[0][1] = QValue::String("a,b".into());
        let out = text(|w| write_csv(&g, &r, w));
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][1], "a,b");
        assert_eq!(&rows[1][0], "");
    }

    #[test]
    fn json_rows_are_objects_keyed_by_column() {
        let (g, r) = sample();
        let out = text(|w| write_json(&g, &r, w));
        let v: Json = serde_json::from_str(&out).unwrap();
        // One row a line, columns in their order.
        assert_eq!(out.lines().count(), 4, "{out}");
        let first = out.lines().nth(1).unwrap();
        let pos = |k: &str| first.find(&format!("\"{k}\":")).unwrap();
        assert!(pos("d") < pos("name") && pos("name") < pos("n") && pos("n") < pos("r"));
        assert_eq!(v[0]["d"]["labels"], json!(["Drug"]));
        assert_eq!(v[0]["d"]["properties"]["name"], json!("ketamine"));
        assert_eq!(v[0]["r"]["type"], json!("ANTAGONIZES"));
        assert_eq!(v[1]["d"], Json::Null);
        assert_eq!(v[1]["n"], json!(1.0));
        assert_eq!(v[1]["r"]["nodes"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn an_empty_result_is_an_empty_array() {
        let r = QueryResult {
            columns: vec!["x".into()],
            rows: vec![],
        };
        assert_eq!(text(|w| write_json(&Graph::new(), &r, w)), "[]\n");
    }

    #[test]
    fn non_finite_floats_stay_valid_json() {
        let g = Graph::new();
        let r = QueryResult {
            columns: vec!["x".into()],
            rows: vec![vec![QValue::Float(f64::NAN)]],
        };
        let out = text(|w| write_json(&g, &r, w));
        let v: Json = serde_json::from_str(&out).unwrap();
        assert_eq!(v[0]["x"], json!("NaN"));
    }

    #[test]
    fn tables_show_top_level_strings_unquoted() {
        let (g, r) = sample();
        let out = text(|w| write_table(&g, &r, &TableOptions::default(), w));
        assert!(out.contains("┆ plain "), "{out}");
        assert!(out.contains("(:Drug {name: 'ketamine'})"), "{out}");
        assert!(out.contains("│ null "), "{out}");
    }

    #[test]
    fn long_tables_are_cut_with_a_count() {
        let g = Graph::new();
        let r = QueryResult {
            columns: vec!["i".into()],
            rows: (0..10).map(|i| vec![QValue::Int(i)]).collect(),
        };
        let opts = TableOptions {
            width: Some(60),
            max_rows: Some(3),
        };
        let out = text(|w| write_table(&g, &r, &opts, w));
        assert!(out.contains("│ 2 │"), "{out}");
        assert!(!out.contains("│ 3 │"), "{out}");
        assert!(out.contains("7 more rows not shown (of 10)"), "{out}");
        let all = text(|w| write_table(&g, &r, &TableOptions::default(), w));
        assert!(all.contains("│ 9 │") && !all.contains("not shown"), "{all}");
    }

    #[test]
    fn formats_parse_by_name() {
        for f in [
            ResultFormat::Table,
            ResultFormat::Json,
            ResultFormat::Csv,
            ResultFormat::Tsv,
        ] {
            assert_eq!(f.name().parse::<ResultFormat>().unwrap(), f);
        }
        assert!("xml".parse::<ResultFormat>().is_err());
    }
}
