//! Graphviz DOT of a subgraph: one styled node per graph node, one labelled edge per
//! relationship, and a legend of the labels shown.
//!
//! Every identifier and attribute value is written as a quoted string through [`quote`], and
//! no HTML-like label or record shape is ever used, so no name can change the file's
//! structure, whatever characters it holds.

use crate::output::subgraph::{LiveParts, Subgraph};
use crate::store::{EdgeId, Graph, NodeId};
use std::collections::BTreeSet;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::str::FromStr;

/// The direction in which Graphviz ranks the graph (its `rankdir` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RankDir {
    /// Top to bottom.
    TB,
    /// Left to right: wide graphs of long names read best this way.
    #[default]
    LR,
    /// Bottom to top.
    BT,
    /// Right to left.
    RL,
}

impl fmt::Display for RankDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RankDir::TB => "TB",
            RankDir::LR => "LR",
            RankDir::BT => "BT",
            RankDir::RL => "RL",
        })
    }
}

impl FromStr for RankDir {
    type Err = String;

    /// Reads `TB`, `LR`, `BT` or `RL`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "TB" => Ok(RankDir::TB),
            "LR" => Ok(RankDir::LR),
            "BT" => Ok(RankDir::BT),
            "RL" => Ok(RankDir::RL),
            _ => Err(format!(
                "unknown rank direction `{s}`; expected one of TB, LR, BT, RL"
            )),
        }
    }
}

/// How the DOT file is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotOptions {
    /// The direction of ranks.
    pub rankdir: RankDir,
    /// A title drawn at the top of the picture, if any.
    pub title: Option<String>,
    /// Whether to draw a legend of the labels present.
    pub legend: bool,
}

impl Default for DotOptions {
    fn default() -> Self {
        DotOptions {
            rankdir: RankDir::default(),
            title: None,
            legend: true,
        }
    }
}

/// The look of the nodes of one label: a Graphviz shape and a fill colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeStyle {
    /// A Graphviz polygon shape name.
    pub shape: &'static str,
    /// A fill colour as `#rrggbb`.
    pub fill: &'static str,
}

/// The styles of the schema's labels, in the order used to pick a style for a node with several
/// labels. Shapes are all polygons (never `record`), so `{`, `}` and `|` in names stay text.
const STYLES: &[(&str, NodeStyle)] = &[
    ("Drug", style("box", "#8dd3c7")),
    ("DrugClass", style("folder", "#ffffb3")),
    ("Receptor", style("septagon", "#bebada")),
    ("Transporter", style("hexagon", "#fb8072")),
    ("Enzyme", style("octagon", "#80b1d3")),
    ("Neurotransmitter", style("diamond", "#fdb462")),
    ("Gene", style("parallelogram", "#b3de69")),
    ("CellType", style("invtrapezium", "#fccde5")),
    ("BrainRegion", style("house", "#d9d9d9")),
    ("Process", style("cds", "#bc80bd")),
    ("Symptom", style("trapezium", "#ccebc5")),
    ("Disorder", style("doubleoctagon", "#ffed6f")),
    ("Microbe", style("egg", "#e5c494")),
    ("Therapy", style("tab", "#b3cde3")),
    ("Measure", style("component", "#decbe4")),
];

/// The style of labels outside the schema, and of unlabelled nodes.
pub const DEFAULT_STYLE: NodeStyle = style("ellipse", "#ffffff");

const fn style(shape: &'static str, fill: &'static str) -> NodeStyle {
    NodeStyle { shape, fill }
}

/// The style of one label: the schema's fixed one, or [`DEFAULT_STYLE`].
pub fn label_style(label: &str) -> NodeStyle {
    STYLES
        .iter()
        .find(|(l, _)| *l == label)
        .map_or(DEFAULT_STYLE, |(_, s)| *s)
}

/// The style of a node: that of its first label in schema order, so that a node labelled both
/// `Drug` and something unknown still looks like a drug.
fn node_style(graph: &Graph, n: NodeId) -> NodeStyle {
    let labels: Vec<&str> = graph.node_labels(n).collect();
    STYLES
        .iter()
        .find(|(l, _)| labels.contains(l))
        .map_or(DEFAULT_STYLE, |(_, s)| *s)
}

/// The text a node is shown with: its name, or else its first label and index (`Drug 3`), or
/// `node 3` when it has no label either.
pub fn display_name(graph: &Graph, n: NodeId) -> String {
    if let Some(name) = graph.node_name(n) {
        return name.to_string();
    }
    let label = graph.node_labels(n).next().unwrap_or("node");
    format!("{label} {}", n.index())
}

/// A DOT quoted string holding `text` exactly: `"` and `\` are backslash-escaped and line
/// breaks become `\n` (which Graphviz draws as a line break in labels). Other control
/// characters, which Graphviz would choke on or draw as garbage, become spaces.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                // A Windows line end is one break, not two.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// True when an edge has evidence and every piece of it is hedged: such a fact is drawn
/// dashed. An edge without evidence (one imported from CSV, say) is drawn solid.
fn all_hedged(graph: &Graph, e: EdgeId) -> bool {
    graph
        .edge(e)
        .is_some_and(|edge| !edge.evidence.is_empty() && edge.evidence.iter().all(|ev| ev.hedged))
}

/// Writes `sub` as a Graphviz digraph. Output is deterministic: nodes and edges appear in
/// index order and the legend in label order.
pub fn write_dot(
    graph: &Graph,
    sub: &Subgraph,
    options: &DotOptions,
    out: impl Write,
) -> io::Result<()> {
    // Writers emit many small pieces: buffer them, whatever `out` is.
    let mut out = BufWriter::new(out);
    let LiveParts { nodes, edges } = sub.live_parts(graph);
    writeln!(out, "digraph {} {{", quote("pharmakg"))?;
    writeln!(out, "  rankdir={};", quote(&options.rankdir.to_string()))?;
    writeln!(out, "  fontname={};", quote("Helvetica"))?;
    if let Some(title) = &options.title {
        writeln!(out, "  label={};", quote(title))?;
        writeln!(out, "  labelloc={};", quote("t"))?;
    }
    writeln!(
        out,
        "  node [style={}, fontname={}];",
        quote("filled"),
        quote("Helvetica")
    )?;
    writeln!(
        out,
        "  edge [fontname={}, fontsize=\"10\"];",
        quote("Helvetica")
    )?;

    for &n in &nodes {
        let s = node_style(graph, n);
        let labels: Vec<&str> = graph.node_labels(n).collect();
        writeln!(
            out,
            "  {} [label={}, shape={}, fillcolor={}, tooltip={}];",
            quote(&format!("n{}", n.index())),
            quote(&display_name(graph, n)),
            quote(s.shape),
            quote(s.fill),
            quote(&labels.join(":")),
        )?;
    }

    for &(e, s, t) in &edges {
        let ty = graph.edge_type(e).unwrap_or_default();
        write!(
            out,
            "  {} -> {} [label={}",
            quote(&format!("n{}", s.index())),
            quote(&format!("n{}", t.index())),
            quote(ty),
        )?;
        if all_hedged(graph, e) {
            write!(out, ", style={}", quote("dashed"))?;
        }
        writeln!(out, "];")?;
    }

    if options.legend {
        let present: BTreeSet<&str> = nodes.iter().flat_map(|n| graph.node_labels(*n)).collect();
        let any_dashed = edges.iter().any(|(e, _, _)| all_hedged(graph, *e));
        if !present.is_empty() {
            writeln!(out, "  subgraph {} {{", quote("cluster_legend"))?;
            writeln!(out, "    label={};", quote("Legend"))?;
            writeln!(out, "    style={};", quote("rounded"))?;
            for (i, label) in present.iter().enumerate() {
                let s = label_style(label);
                writeln!(
                    out,
                    "    {} [label={}, shape={}, fillcolor={}];",
                    quote(&format!("legend{i}")),
                    quote(label),
                    quote(s.shape),
                    quote(s.fill),
                )?;
            }
            if any_dashed {
                writeln!(
                    out,
                    "    {} [label={}, shape={}, style={}];",
                    quote("legend_hedged"),
                    quote("- - -  hedged evidence only"),
                    quote("plaintext"),
                    quote("solid"),
                )?;
            }
            writeln!(out, "  }}")?;
        }
    }
    writeln!(out, "}}")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_what_breaks_dot() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("x\r\ny\nz"), r#""x\ny\nz""#);
        assert_eq!(quote("nul\0bell\x07"), "\"nul bell \"");
        assert_eq!(quote("<b>{x|y}</b>"), "\"<b>{x|y}</b>\"");
        assert_eq!(quote("ends with \\"), "\"ends with \\\\\"");
    }

    #[test]
    fn rankdir_parses_any_case_and_refuses_others() {
        assert_eq!("lr".parse::<RankDir>(), Ok(RankDir::LR));
        assert_eq!("BT".parse::<RankDir>(), Ok(RankDir::BT));
        assert!("up".parse::<RankDir>().unwrap_err().contains("up"));
    }

    #[test]
    fn unknown_labels_get_the_default_style() {
        assert_eq!(label_style("Spaceship"), DEFAULT_STYLE);
        let mut seen: Vec<NodeStyle> = vec![DEFAULT_STYLE];
        for (label, s) in STYLES {
            assert_eq!(label_style(label), *s);
            assert!(
                !seen.iter().any(|o| o.shape == s.shape || o.fill == s.fill),
                "{label}"
            );
            seen.push(*s);
        }
    }
}
