//! The data model shared by every layer: property values, nodes, edges and their evidence.
//!
//! The vocabulary is open, as in openCypher: labels, relationship types and property keys are
//! interned strings ([`Sym`]) rather than a closed enum, so a graph can hold any of them.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// An interned string: a label, a relationship type or a property key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Sym(pub u32);

/// A property value, with openCypher's value types that a graph can store.
#[derive(Clone, Debug, Serialize, Deserialize, Default)]
pub enum Value {
    /// The absence of a value.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A UTF-8 string.
    String(String),
    /// An ordered list of values.
    List(Vec<Value>),
    /// A map from keys to values, kept sorted by key so that output is deterministic.
    Map(BTreeMap<String, Value>),
}

impl Value {
    /// The name of the value's type, as error messages show it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Float(_) => "Float",
            Value::String(_) => "String",
            Value::List(_) => "List",
            Value::Map(_) => "Map",
        }
    }

    /// The string inside, when the value is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a float, when it is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// Structural equality for storage and tests: integers and floats are distinct, NaN equals NaN.
/// The query language's own equality (with null and numeric coercion) lives in the executor.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits() || a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            _ => false,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl fmt::Display for Value {
    /// Writes the value as openCypher literal text (strings single-quoted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{}", format_float(*x)),
            Value::String(s) => write_quoted(f, s),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Map(m) => {
                write!(f, "{{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// Writes a string as an openCypher string literal: single-quoted, with quotes, backslashes
/// and control characters escaped, so that it reads back as the same string.
pub fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    write!(f, "'")?;
    for c in s.chars() {
        match c {
            '\'' => write!(f, "\\'")?,
            '\\' => write!(f, "\\\\")?,
            '\n' => write!(f, "\\n")?,
            '\t' => write!(f, "\\t")?,
            '\r' => write!(f, "\\r")?,
            '\u{8}' => write!(f, "\\b")?,
            '\u{c}' => write!(f, "\\f")?,
            c if c.is_control() => write!(f, "\\u{:04X}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    write!(f, "'")
}

/// Formats a float so that it always reads back as a float (`1.0`, not `1`), with `NaN`, `Inf`
/// and `-Inf` spelled as openCypher prints them.
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "Inf" } else { "-Inf" }.to_string()
    } else {
        let s = format!("{x:?}");
        if s.contains(['.', 'e', 'E']) {
            s
        } else {
            format!("{s}.0")
        }
    }
}

/// A total order over values used for sorting (ORDER BY, deterministic output): openCypher's
/// global sort order, with maps, lists, strings, booleans, numbers, then null.
pub fn total_cmp(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Map(_) => 0,
            Value::List(_) => 3,
            Value::String(_) => 5,
            Value::Bool(_) => 6,
            Value::Int(_) | Value::Float(_) => 7,
            Value::Null => 9,
        }
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            match (x.is_nan(), y.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            }
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::List(x), Value::List(y)) => {
            for (p, q) in x.iter().zip(y) {
                let o = total_cmp(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Map(x), Value::Map(y)) => {
            for ((ka, va), (kb, vb)) in x.iter().zip(y) {
                let o = ka.cmp(kb).then_with(|| total_cmp(va, vb));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A document's name (its file name, or its PubMed id), shared by every mention and every
/// piece of evidence of that document instead of copied into each.
pub type DocName = Arc<str>;

/// Where a fact was read: the document, the sentence and the byte span of that sentence in the
/// document (UTF-8 offsets), and whether the text hedged it ("may", "suggests").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
pub struct Evidence {
    /// The document's file name, or its PubMed id for PubTator input.
    pub doc: DocName,
    /// The sentence the fact was read from, as it stands in the document.
    pub sentence: String,
    /// Byte offset of the sentence's start in the document.
    pub start: u32,
    /// Byte offset just past the sentence's end in the document.
    pub end: u32,
    /// True when the text states the fact with a hedge.
    pub hedged: bool,
}

/// Properties of a node or an edge: a short list of (key, value) pairs sorted by key.
/// One pair is kept inline, so an edge whose only property is `confidence` needs no heap
/// allocation.
pub type Props = SmallVec<[(Sym, Value); 1]>;

/// A node: its labels, its properties and the documents that mention it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// The node's labels, sorted and without duplicates.
    pub labels: SmallVec<[Sym; 1]>,
    /// The node's properties, sorted by key.
    pub props: Props,
    /// Documents that mention the node, with how many times, sorted by document.
    pub mentions: Vec<(DocName, u32)>,
}

/// An edge (relationship): its type, its properties and the evidence it was read from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// The relationship type.
    pub ty: Sym,
    /// The edge's properties, sorted by key.
    pub props: Props,
    /// The sentences the edge was read from.
    pub evidence: Vec<Evidence>,
}

/// Looks a key up in a property list.
pub fn prop_get(props: &Props, key: Sym) -> Option<&Value> {
    props
        .binary_search_by_key(&key, |(k, _)| *k)
        .ok()
        .map(|i| &props[i].1)
}

/// Sets a key in a property list, keeping it sorted; setting null removes the key, as in
/// openCypher. Returns the previous value.
pub fn prop_set(props: &mut Props, key: Sym, value: Value) -> Option<Value> {
    match props.binary_search_by_key(&key, |(k, _)| *k) {
        Ok(i) if value.is_null() => Some(props.remove(i).1),
        Ok(i) => Some(std::mem::replace(&mut props[i].1, value)),
        Err(_) if value.is_null() => None,
        Err(i) => {
            props.insert(i, (key, value));
            None
        }
    }
}
