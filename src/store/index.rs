//! Secondary indexes: exact property values and case-folded aliases to nodes.

use crate::model::Value;
use petgraph::stable_graph::NodeIndex;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

/// A node handle, stable across deletions of other nodes.
pub type NodeId = NodeIndex<u32>;

/// The nodes that share one indexed value; most values belong to a single node.
pub type NodeList = SmallVec<[NodeId; 1]>;

/// The form of a property value that an index can hold. Integral floats fold into integers,
/// because openCypher's equality holds between `1` and `1.0`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IndexKey {
    /// An integer, or a float with an integral value.
    Int(i64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
}

impl IndexKey {
    /// The key for a value, or `None` when the value cannot be indexed (null, NaN, lists, maps,
    /// non-integral floats): a lookup of such a value must scan instead.
    pub fn of(value: &Value) -> Option<IndexKey> {
        match value {
            Value::Int(i) => Some(IndexKey::Int(*i)),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Some(IndexKey::Int(*f as i64))
            }
            Value::String(s) => Some(IndexKey::Str(s.clone())),
            Value::Bool(b) => Some(IndexKey::Bool(*b)),
            _ => None,
        }
    }
}

/// Maps the values of one property to the nodes that hold them.
#[derive(Clone, Debug, Default)]
pub struct ValueIndex {
    map: FxHashMap<IndexKey, NodeList>,
}

impl ValueIndex {
    /// Records that `node` holds `value`.
    pub fn insert(&mut self, value: &Value, node: NodeId) {
        if let Some(key) = IndexKey::of(value) {
            self.map.entry(key).or_default().push(node);
        }
    }

    /// Forgets that `node` holds `value`.
    pub fn remove(&mut self, value: &Value, node: NodeId) {
        let Some(key) = IndexKey::of(value) else {
            return;
        };
        if let Some(list) = self.map.get_mut(&key) {
            list.retain(|n| *n != node);
            if list.is_empty() {
                self.map.remove(&key);
            }
        }
    }

    /// The nodes holding a value equal to `value`, or `None` when the index cannot answer (the
    /// value is not indexable): then the caller scans.
    pub fn get(&self, value: &Value) -> Option<&[NodeId]> {
        let key = IndexKey::of(value)?;
        Some(self.map.get(&key).map_or(&[][..], |l| l.as_slice()))
    }

    /// Every (key, nodes) entry, for consistency checks.
    pub fn entries(&self) -> impl Iterator<Item = (&IndexKey, &NodeList)> {
        self.map.iter()
    }
}

/// Maps case-folded names and aliases to nodes, for explicit name resolution.
#[derive(Clone, Debug, Default)]
pub struct AliasIndex {
    map: FxHashMap<String, NodeList>,
}

/// Case-folds a name for alias lookup: lower case, whitespace collapsed, trimmed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

impl AliasIndex {
    /// Records that `node` answers to `text`.
    pub fn insert(&mut self, text: &str, node: NodeId) {
        let list = self.map.entry(fold(text)).or_default();
        if !list.contains(&node) {
            list.push(node);
        }
    }

    /// Forgets that `node` answers to `text`.
    pub fn remove(&mut self, text: &str, node: NodeId) {
        let key = fold(text);
        if let Some(list) = self.map.get_mut(&key) {
            list.retain(|n| *n != node);
            if list.is_empty() {
                self.map.remove(&key);
            }
        }
    }

    /// The nodes answering to `text`, case-insensitively.
    pub fn get(&self, text: &str) -> &[NodeId] {
        self.map.get(&fold(text)).map_or(&[][..], |l| l.as_slice())
    }

    /// Every (folded text, nodes) entry, for consistency checks and completion.
    pub fn entries(&self) -> impl Iterator<Item = (&String, &NodeList)> {
        self.map.iter()
    }
}
