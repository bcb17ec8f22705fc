//! Decoding of nodes and edges that a hostile file cannot turn against the loader: values
//! nested too deeply are refused before they exhaust the stack, and a forged list length cannot
//! reserve more than a few slots ahead of the elements actually read.
//!
//! The types mirror [`Node`], [`Edge`] and [`Value`] field for field and variant for variant, so
//! they read exactly what those types write.

use crate::model::{Edge, Evidence, Node, Props, Sym, Value};
use crate::store::GraphRecords;
use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, Error as _, MapAccess, SeqAccess, VariantAccess,
    Visitor,
};
use serde::Deserialize;
use smallvec::SmallVec;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// How deeply lists and maps may nest inside a property value.
pub(super) const MAX_DEPTH: usize = 64;

/// Slots reserved ahead of reading, whatever length a list claims.
const RESERVE_AHEAD: usize = 16;

/// A node as the file holds it.
#[derive(Deserialize)]
pub(super) struct FileNode {
    #[serde(deserialize_with = "small_vec")]
    labels: SmallVec<[Sym; 1]>,
    #[serde(deserialize_with = "props")]
    props: Props,
    mentions: Vec<(String, u32)>,
}

impl From<FileNode> for Node {
    fn from(n: FileNode) -> Node {
        Node {
            labels: n.labels,
            props: n.props,
            mentions: n.mentions,
        }
    }
}

/// An edge as the file holds it.
#[derive(Deserialize)]
pub(super) struct FileEdge {
    ty: Sym,
    #[serde(deserialize_with = "props")]
    props: Props,
    evidence: Vec<Evidence>,
}

impl From<FileEdge> for Edge {
    fn from(e: FileEdge) -> Edge {
        Edge {
            ty: e.ty,
            props: e.props,
            evidence: e.evidence,
        }
    }
}

/// Whole records as the file holds them.
#[derive(Deserialize)]
pub(super) struct FileRecords {
    symbols: Vec<String>,
    nodes: Vec<FileNode>,
    edges: Vec<(u32, u32, FileEdge)>,
}

impl From<FileRecords> for GraphRecords {
    fn from(r: FileRecords) -> GraphRecords {
        GraphRecords {
            symbols: r.symbols,
            nodes: r.nodes.into_iter().map(Node::from).collect(),
            edges: r
                .edges
                .into_iter()
                .map(|(s, t, e)| (s, t, Edge::from(e)))
                .collect(),
        }
    }
}

/// A small vector whose reservation is capped, then grown by what is read.
fn small_vec<'de, D, A>(d: D) -> Result<SmallVec<A>, D::Error>
where
    D: Deserializer<'de>,
    A: smallvec::Array,
    A::Item: Deserialize<'de>,
{
    d.deserialize_seq(SeqOf(|| PhantomData::<A::Item>, PhantomData::<A>))
}

/// Property lists, each value read under the depth limit.
fn props<'de, D: Deserializer<'de>>(d: D) -> Result<Props, D::Error> {
    d.deserialize_seq(SeqOf(|| PairSeed, PhantomData))
}

/// Reads a sequence into a small vector, one element at a time with a fresh seed.
struct SeqOf<F, A>(F, PhantomData<A>);

impl<'de, F, S, Arr> Visitor<'de> for SeqOf<F, Arr>
where
    F: Fn() -> S,
    S: DeserializeSeed<'de, Value = Arr::Item>,
    Arr: smallvec::Array,
{
    type Value = SmallVec<Arr>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = SmallVec::new();
        out.reserve(seq.size_hint().unwrap_or(0).min(RESERVE_AHEAD));
        while let Some(item) = seq.next_element_seed((self.0)())? {
            out.push(item);
        }
        Ok(out)
    }
}

/// A (key, value) property pair with the value read from depth 0.
struct PairSeed;

impl<'de> DeserializeSeed<'de> for PairSeed {
    type Value = (Sym, Value);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_tuple(2, self)
    }
}

impl<'de> Visitor<'de> for PairSeed {
    type Value = (Sym, Value);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property key and value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let key: Sym = seq
            .next_element()?
            .ok_or_else(|| A::Error::invalid_length(0, &self))?;
        let value = seq
            .next_element_seed(ValueSeed(0))?
            .ok_or_else(|| A::Error::invalid_length(1, &self))?;
        Ok((key, value))
    }
}

/// A value nested `.0` levels deep.
#[derive(Clone, Copy)]
struct ValueSeed(usize);

const VARIANTS: &[&str] = &["Null", "Bool", "Int", "Float", "String", "List", "Map"];

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.0 > MAX_DEPTH {
            return Err(D::Error::custom(format!(
                "property values nested deeper than {MAX_DEPTH} levels"
            )));
        }
        d.deserialize_enum("Value", VARIANTS, self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property value")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (index, variant): (u32, _) = data.variant()?;
        let inner = ValueSeed(self.0 + 1);
        match index {
            0 => variant.unit_variant().map(|()| Value::Null),
            1 => variant.newtype_variant().map(Value::Bool),
            2 => variant.newtype_variant().map(Value::Int),
            3 => variant.newtype_variant().map(Value::Float),
            4 => variant.newtype_variant().map(Value::String),
            5 => variant
                .newtype_variant_seed(ListSeed(inner))
                .map(Value::List),
            6 => variant.newtype_variant_seed(MapSeed(inner)).map(Value::Map),
            other => Err(A::Error::custom(format!("unknown value kind {other}"))),
        }
    }
}

/// A list of values at one depth.
struct ListSeed(ValueSeed);

impl<'de> DeserializeSeed<'de> for ListSeed {
    type Value = Vec<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Value>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(RESERVE_AHEAD));
        while let Some(v) = seq.next_element_seed(self.0)? {
            out.push(v);
        }
        Ok(out)
    }
}

/// A map of values at one depth.
struct MapSeed(ValueSeed);

impl<'de> DeserializeSeed<'de> for MapSeed {
    type Value = BTreeMap<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MapSeed {
    type Value = BTreeMap<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.0)?;
            out.insert(key, value);
        }
        Ok(out)
    }
}
