//! Secondary indexes: exact property values and case-folded aliases to nodes.

use crate::model::{prop_get, Node, Sym, Value};
use petgraph::stable_graph::NodeIndex;
use roaring::RoaringBitmap;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use smallvec::SmallVec;
use std::hash::{Hash, Hasher};

/// A node handle, stable across deletions of other nodes.
pub type NodeId = NodeIndex<u32>;

/// The nodes that share one indexed value; most values belong to a single node.
pub type NodeList = SmallVec<[NodeId; 1]>;

/// The form of a property value that an index can hold. Integral floats fold into integers,
/// because openCypher's equality holds between `1` and `1.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndexKey<'v> {
    /// An integer, or a float with an integral value.
    Int(i64),
    /// A string.
    Str(&'v str),
    /// A boolean.
    Bool(bool),
}

impl<'v> IndexKey<'v> {
    /// The key for a value, or `None` when the value cannot be indexed (null, NaN, lists, maps,
    /// non-integral floats): a lookup of such a value must scan instead.
    pub fn of(value: &'v Value) -> Option<IndexKey<'v>> {
        match value {
            Value::Int(i) => Some(IndexKey::Int(*i)),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Some(IndexKey::Int(*f as i64))
            }
            Value::String(s) => Some(IndexKey::Str(s)),
            Value::Bool(b) => Some(IndexKey::Bool(*b)),
            _ => None,
        }
    }

    fn hash(&self) -> u64 {
        let mut h = FxHasher::default();
        Hash::hash(self, &mut h);
        h.finish()
    }
}

// The indexes below map a hash of each key to the nodes holding it, not the key itself: no
// copy of a million names is made. A lookup therefore returns candidates, which the store
// checks against the nodes' own values (module `mod.rs`), so that a hash collision never
// yields a wrong node.

/// Key hashes to nodes: a sorted array of (hash, node) pairs built in one pass when a graph is
/// loaded (a sort, where a million hash-table inserts would each miss the cache), plus the
/// changes made since, kept aside.
#[derive(Clone, Debug, Default)]
pub(crate) struct Postings {
    base: Vec<(u64, u32)>,
    added: FxHashMap<u64, NodeList>,
    /// Pairs of `base` that no longer hold.
    removed: FxHashSet<(u64, u32)>,
}

impl Postings {
    /// Postings holding exactly these pairs.
    pub(crate) fn from_pairs(mut pairs: Vec<(u64, u32)>) -> Postings {
        pairs.sort_unstable();
        pairs.dedup();
        Postings {
            base: pairs,
            ..Postings::default()
        }
    }

    fn base_range(&self, hash: u64) -> &[(u64, u32)] {
        let start = self.base.partition_point(|(h, _)| *h < hash);
        let end = start + self.base[start..].partition_point(|(h, _)| *h == hash);
        &self.base[start..end]
    }

    fn in_base(&self, hash: u64, node: u32) -> bool {
        self.base_range(hash).iter().any(|(_, n)| *n == node)
    }

    fn insert(&mut self, hash: u64, node: NodeId) {
        let slot = node.index() as u32;
        if self.in_base(hash, slot) {
            self.removed.remove(&(hash, slot));
        } else {
            let list = self.added.entry(hash).or_default();
            if !list.contains(&node) {
                list.push(node);
            }
        }
    }

    fn remove(&mut self, hash: u64, node: NodeId) {
        if let Some(list) = self.added.get_mut(&hash) {
            if let Some(i) = list.iter().position(|n| *n == node) {
                list.remove(i);
                if list.is_empty() {
                    self.added.remove(&hash);
                }
                return;
            }
        }
        let slot = node.index() as u32;
        if self.in_base(hash, slot) {
            self.removed.insert((hash, slot));
        }
    }

    fn get(&self, hash: u64) -> NodeList {
        let mut out: NodeList = self
            .base_range(hash)
            .iter()
            .filter(|pair| self.removed.is_empty() || !self.removed.contains(pair))
            .map(|(_, n)| NodeId::new(*n as usize))
            .collect();
        if let Some(list) = self.added.get(&hash) {
            out.extend_from_slice(list);
        }
        out
    }

    /// The nodes under any key in `lo..=hi`.
    fn range(&self, lo: u64, hi: u64) -> Vec<NodeId> {
        let start = self.base.partition_point(|(h, _)| *h < lo);
        let end = start + self.base[start..].partition_point(|(h, _)| *h <= hi);
        let mut out: Vec<NodeId> = self.base[start..end]
            .iter()
            .filter(|pair| self.removed.is_empty() || !self.removed.contains(pair))
            .map(|(_, n)| NodeId::new(*n as usize))
            .collect();
        for (h, list) in &self.added {
            if (lo..=hi).contains(h) {
                out.extend_from_slice(list);
            }
        }
        out
    }

    /// The nodes that are the only live node under their hash, in hash order.
    pub(crate) fn alone(&self) -> Vec<NodeId> {
        let live = |pair: &(u64, u32)| self.removed.is_empty() || !self.removed.contains(pair);
        let mut out = Vec::new();
        for run in self.base.chunk_by(|a, b| a.0 == b.0) {
            let mut alive = run.iter().filter(|p| live(p));
            if let (Some((h, n)), None) = (alive.next(), alive.next()) {
                if self.added.is_empty() || !self.added.contains_key(h) {
                    out.push(NodeId::new(*n as usize));
                }
            }
        }
        for (h, list) in &self.added {
            if let [n] = list.as_slice() {
                if !self.base_range(*h).iter().any(live) {
                    out.push(*n);
                }
            }
        }
        out
    }

    /// Every hash with its nodes, sorted: what two postings holding the same pairs share,
    /// however they were built.
    pub(crate) fn entries(&self) -> Vec<(u64, Vec<NodeId>)> {
        let mut pairs: Vec<(u64, u32)> = self
            .base
            .iter()
            .filter(|pair| !self.removed.contains(pair))
            .copied()
            .chain(
                self.added
                    .iter()
                    .flat_map(|(h, list)| list.iter().map(|n| (*h, n.index() as u32))),
            )
            .collect();
        pairs.sort_unstable();
        let mut out: Vec<(u64, Vec<NodeId>)> = Vec::new();
        for (h, n) in pairs {
            match out.last_mut() {
                Some((last, list)) if *last == h => list.push(NodeId::new(n as usize)),
                _ => out.push((h, vec![NodeId::new(n as usize)])),
            }
        }
        out
    }
}

/// Maps the values of one property to the nodes that hold them (by hash; see above).
#[derive(Clone, Debug, Default)]
pub struct ValueIndex {
    pub(crate) postings: Postings,
}

impl ValueIndex {
    /// The hash a value is indexed under, or `None` when it cannot be indexed.
    pub(crate) fn hash_of(value: &Value) -> Option<u64> {
        IndexKey::of(value).map(|k| k.hash())
    }

    /// Records that `node` holds `value`.
    pub fn insert(&mut self, value: &Value, node: NodeId) {
        if let Some(h) = Self::hash_of(value) {
            self.postings.insert(h, node);
        }
    }

    /// Forgets that `node` holds `value`.
    pub fn remove(&mut self, value: &Value, node: NodeId) {
        if let Some(h) = Self::hash_of(value) {
            self.postings.remove(h, node);
        }
    }

    /// The nodes that may hold a value equal to `value` (a superset, to be checked), or `None`
    /// when the index cannot answer (the value is not indexable): then the caller scans.
    pub fn candidates(&self, value: &Value) -> Option<NodeList> {
        Some(self.postings.get(Self::hash_of(value)?))
    }
}

/// True when two values are the same index key: what an indexed lookup matches.
pub fn same_key(a: &Value, b: &Value) -> bool {
    matches!((IndexKey::of(a), IndexKey::of(b)), (Some(x), Some(y)) if x == y)
}

/// Maps case-folded names and aliases to nodes, for explicit name resolution (by hash of the
/// folded text; see above).
#[derive(Clone, Debug, Default)]
pub struct AliasIndex {
    pub(crate) postings: Postings,
}

/// Case-folds a name for alias lookup: lower case, whitespace collapsed, trimmed.
pub fn fold(text: &str) -> String {
    folded(text).collect()
}

/// The characters of [`fold`]'s result, without building it.
fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    text.split_whitespace().enumerate().flat_map(|(i, word)| {
        let space = (i > 0).then_some(' ');
        space
            .into_iter()
            .chain(word.chars().flat_map(char::to_lowercase))
    })
}

/// True when two texts fold to the same name.
pub fn same_folded(a: &str, b: &str) -> bool {
    folded(a).eq(folded(b))
}

/// The hash a text is indexed under in the alias index.
pub(crate) fn folded_hash(text: &str) -> u64 {
    let mut h = FxHasher::default();
    for c in folded(text) {
        h.write_u32(c as u32);
    }
    h.finish()
}

impl AliasIndex {
    /// Records that `node` answers to `text`.
    pub fn insert(&mut self, text: &str, node: NodeId) {
        self.postings.insert(folded_hash(text), node);
    }

    /// Forgets that `node` answers to `text`.
    pub fn remove(&mut self, text: &str, node: NodeId) {
        self.postings.remove(folded_hash(text), node);
    }

    /// The nodes that may answer to `text`, case-insensitively (a superset, to be checked).
    pub fn candidates(&self, text: &str) -> NodeList {
        self.postings.get(folded_hash(text))
    }
}

/// A name's first eight bytes as a big-endian number, zero-padded: names sort by it as their
/// bytes do, so every name with a given prefix lies in one range of keys.
fn prefix_key(bytes: &[u8]) -> u64 {
    let mut key = [0u8; 8];
    let n = bytes.len().min(8);
    key[..n].copy_from_slice(&bytes[..n]);
    u64::from_be_bytes(key)
}

/// String `name` values by their leading bytes, for `STARTS WITH` lookups.
#[derive(Clone, Debug, Default)]
pub struct PrefixIndex {
    pub(crate) postings: Postings,
}

impl PrefixIndex {
    /// Records that `node` holds `value` (only strings are held).
    pub fn insert(&mut self, value: &Value, node: NodeId) {
        if let Value::String(s) = value {
            self.postings.insert(prefix_key(s.as_bytes()), node);
        }
    }

    /// Forgets that `node` holds `value`.
    pub fn remove(&mut self, value: &Value, node: NodeId) {
        if let Value::String(s) = value {
            self.postings.remove(prefix_key(s.as_bytes()), node);
        }
    }

    /// The nodes whose string may start with `prefix` (a superset, to be checked).
    pub fn candidates(&self, prefix: &str) -> Vec<NodeId> {
        let bytes = prefix.as_bytes();
        if bytes.len() >= 8 {
            let key = prefix_key(bytes);
            return self.postings.range(key, key);
        }
        let mut hi = [0xffu8; 8];
        hi[..bytes.len()].copy_from_slice(bytes);
        self.postings
            .range(prefix_key(bytes), u64::from_be_bytes(hi))
    }
}

/// The property keys whose values the node indexes hold.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IndexedKeys {
    /// The `name` key.
    pub name: Sym,
    /// The `id` key.
    pub id: Sym,
    /// The `aliases` key.
    pub aliases: Sym,
}

impl IndexedKeys {
    /// True when changing `key` changes what the indexes hold.
    pub(crate) fn covers(&self, key: Sym) -> bool {
        key == self.name || key == self.id || key == self.aliases
    }
}

/// Every index over nodes: `name` and `id` values, names and aliases case-folded, labels.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeIndexes {
    /// `name` values to nodes.
    pub names: ValueIndex,
    /// `id` values to nodes.
    pub ids: ValueIndex,
    /// Case-folded names and aliases to nodes.
    pub aliases: AliasIndex,
    /// String names by their leading bytes.
    pub name_prefixes: PrefixIndex,
    /// Label to the bitmap of its nodes' indices.
    pub by_label: FxHashMap<Sym, RoaringBitmap>,
}

impl NodeIndexes {
    /// The indexes of a node table (slot `i` holds node `i`), built in one pass with room
    /// reserved up front: what loading a file does, on a thread of its own.
    pub(crate) fn build(keys: IndexedKeys, nodes: &[Option<Node>]) -> NodeIndexes {
        let live = nodes.iter().flatten().count();
        let mut names = Vec::with_capacity(live);
        let mut ids = Vec::with_capacity(live);
        let mut aliases = Vec::with_capacity(live);
        let mut prefixes = Vec::with_capacity(live);
        // Slots rise, so each label's bitmap is built by appending.
        let mut labels: FxHashMap<Sym, Vec<u32>> = FxHashMap::default();
        for (i, node) in nodes.iter().enumerate() {
            let Some(node) = node else { continue };
            let slot = i as u32;
            for l in &node.labels {
                labels.entry(*l).or_default().push(slot);
            }
            if let Some(name) = prop_get(&node.props, keys.name) {
                if let Some(h) = ValueIndex::hash_of(name) {
                    names.push((h, slot));
                }
                if let Value::String(s) = name {
                    prefixes.push((prefix_key(s.as_bytes()), slot));
                }
            }
            if let Some(h) = prop_get(&node.props, keys.id).and_then(ValueIndex::hash_of) {
                ids.push((h, slot));
            }
            for text in alias_texts(node, keys) {
                aliases.push((folded_hash(text), slot));
            }
        }
        NodeIndexes {
            names: ValueIndex {
                postings: Postings::from_pairs(names),
            },
            ids: ValueIndex {
                postings: Postings::from_pairs(ids),
            },
            aliases: AliasIndex {
                postings: Postings::from_pairs(aliases),
            },
            name_prefixes: PrefixIndex {
                postings: Postings::from_pairs(prefixes),
            },
            by_label: labels
                .into_iter()
                .map(|(l, slots)| {
                    let bitmap = RoaringBitmap::from_sorted_iter(slots).unwrap_or_default();
                    (l, bitmap)
                })
                .collect(),
        }
    }

    /// Records node `n` in every index.
    pub(crate) fn add(&mut self, keys: IndexedKeys, n: NodeId, node: &Node) {
        let slot = n.index() as u32;
        for label in &node.labels {
            match self.by_label.get_mut(label) {
                Some(set) => {
                    set.insert(slot);
                }
                None => {
                    self.by_label
                        .insert(*label, RoaringBitmap::from_iter([slot]));
                }
            }
        }
        self.add_values(keys, n, node);
    }

    fn add_values(&mut self, keys: IndexedKeys, n: NodeId, node: &Node) {
        if let Some(v) = prop_get(&node.props, keys.name) {
            self.names.insert(v, n);
            self.name_prefixes.insert(v, n);
        }
        if let Some(v) = prop_get(&node.props, keys.id) {
            self.ids.insert(v, n);
        }
        for text in alias_texts(node, keys) {
            self.aliases.insert(text, n);
        }
    }

    /// Forgets node `n` in every index.
    pub(crate) fn remove(&mut self, keys: IndexedKeys, n: NodeId, node: &Node) {
        let slot = n.index() as u32;
        for label in &node.labels {
            if let Some(set) = self.by_label.get_mut(label) {
                set.remove(slot);
                if set.is_empty() {
                    self.by_label.remove(label);
                }
            }
        }
        if let Some(v) = prop_get(&node.props, keys.name) {
            self.names.remove(v, n);
            self.name_prefixes.remove(v, n);
        }
        if let Some(v) = prop_get(&node.props, keys.id) {
            self.ids.remove(v, n);
        }
        for text in alias_texts(node, keys) {
            self.aliases.remove(text, n);
        }
    }
}

/// The texts a node answers to: its name and its aliases.
pub(crate) fn alias_texts(node: &Node, keys: IndexedKeys) -> impl Iterator<Item = &str> {
    let name = match prop_get(&node.props, keys.name) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let aliases = match prop_get(&node.props, keys.aliases) {
        Some(Value::List(items)) => items.as_slice(),
        _ => &[],
    };
    name.into_iter()
        .chain(aliases.iter().filter_map(Value::as_str))
}
