//! Reading a payload: the bytes that serde and bincode wrote for [`GraphRecords`], read back
//! with bincode's own decoding traits, field by field, so that the millions of edges of a
//! large file cost a few integer reads each rather than a tower of serde visitors.
//!
//! A hostile file cannot turn the reader against the loader: strings are borrowed from the
//! payload and copied only once their length is known to fit in it, list lengths reserve at
//! most a few slots ahead of the elements actually read (or, for the top-level lists, no more
//! than the payload could hold), and property values nested too deeply are refused before
//! they exhaust the stack.
//!
//! The layout read, in bincode's standard configuration (little-endian, variable-length
//! integers): the symbol table (a list of strings), the nodes (labels, properties, mentions),
//! then the edges (source position, target position, type, properties, evidence). A value is
//! its variant's index followed by its content, as serde writes an enum.

use crate::model::{DocName, Edge, Evidence, Node, Props, Sym, Value};
use crate::store::bulk::{self, Unfinished};
use crate::store::{GraphRecords, StoreError};
use bincode::de::{BorrowDecode, BorrowDecoder, Decode};
use bincode::error::{AllowedEnumVariants, DecodeError};
use rustc_hash::FxHashSet;
use smallvec::SmallVec;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// How deeply lists and maps may nest inside a property value.
pub(super) const MAX_DEPTH: usize = 64;

/// Slots reserved ahead of reading a nested list, whatever length it claims.
const RESERVE_AHEAD: usize = 16;

/// What the reader needs besides the bytes: how many nodes and edges the payload could hold
/// at most, and where a refusal by the store is kept, so that the caller reports it in the
/// store's own words rather than as a decoding error.
pub(super) struct ReadState {
    /// The most nodes the payload can hold, so that a forged count reserves nothing more.
    pub(super) max_nodes: usize,
    /// The most edges the payload can hold.
    pub(super) max_edges: usize,
    /// The store's refusal, if it refused the records.
    pub(super) refused: Option<StoreError>,
}

impl ReadState {
    /// Limits for a payload of `len` bytes: a node takes at least three bytes (three list
    /// lengths), an edge at least five (two endpoints, a type, two list lengths).
    pub(super) fn for_payload(len: usize) -> Self {
        ReadState {
            max_nodes: len / 3,
            max_edges: len / 5,
            refused: None,
        }
    }
}

/// A graph built while its payload is read: edges go to the bulk builder as they are
/// decoded, so that they never sit in a second list.
pub(super) struct GraphPayload(pub(super) Unfinished);

impl<'de, 's> BorrowDecode<'de, &'s mut ReadState> for GraphPayload {
    fn borrow_decode<D: BorrowDecoder<'de, Context = &'s mut ReadState>>(
        d: &mut D,
    ) -> Result<Self, DecodeError> {
        let (max_nodes, max_edges) = (d.context().max_nodes, d.context().max_edges);
        let symbols = symbols(d, max_nodes)?;
        let mut names = DocNames::default();
        let nodes = nodes(d, max_nodes, &mut names)?;
        let refusal = RefCell::new(None);
        let keep = |e: StoreError| {
            let message = DecodeError::OtherString(e.to_string());
            refusal.borrow_mut().get_or_insert(e);
            message
        };
        let built = bulk::build(symbols, nodes, keep, |sink, _| {
            let count = len(d)?;
            sink.reserve(count.min(max_edges)).map_err(keep)?;
            for _ in 0..count {
                let (src, dst, edge) = edge(d, &mut names)?;
                sink.push(src, dst, edge).map_err(keep)?;
            }
            Ok(())
        });
        if let Some(e) = refusal.into_inner() {
            d.context().refused = Some(e);
        }
        built.map(GraphPayload)
    }
}

/// Whole records, read without building a graph.
pub(super) struct RecordsPayload(pub(super) GraphRecords);

impl<'de, 's> BorrowDecode<'de, &'s mut ReadState> for RecordsPayload {
    fn borrow_decode<D: BorrowDecoder<'de, Context = &'s mut ReadState>>(
        d: &mut D,
    ) -> Result<Self, DecodeError> {
        let (max_nodes, max_edges) = (d.context().max_nodes, d.context().max_edges);
        let symbols = symbols(d, max_nodes)?;
        let mut names = DocNames::default();
        let nodes = nodes(d, max_nodes, &mut names)?;
        let count = len(d)?;
        let mut edges = Vec::with_capacity(count.min(max_edges));
        for _ in 0..count {
            edges.push(edge(d, &mut names)?);
        }
        Ok(RecordsPayload(GraphRecords {
            symbols,
            nodes,
            edges,
        }))
    }
}

/// A list's length.
fn len<'de, D: BorrowDecoder<'de>>(d: &mut D) -> Result<usize, DecodeError> {
    let n = u64::decode(d)?;
    usize::try_from(n).map_err(|_| DecodeError::OutsideUsizeRange(n))
}

/// A string, copied out of the payload once its bytes are known to be there.
fn string<'de, D: BorrowDecoder<'de>>(d: &mut D) -> Result<String, DecodeError> {
    Ok(<&str>::borrow_decode(d)?.to_owned())
}

fn sym<'de, D: BorrowDecoder<'de>>(d: &mut D) -> Result<Sym, DecodeError> {
    Ok(Sym(u32::decode(d)?))
}

/// The document names read so far: every mention and piece of evidence of one document
/// shares one copy of its name, as they did in the graph that was saved.
#[derive(Default)]
struct DocNames(FxHashSet<DocName>);

impl DocNames {
    fn read<'de, D: BorrowDecoder<'de>>(&mut self, d: &mut D) -> Result<DocName, DecodeError> {
        let name = <&str>::borrow_decode(d)?;
        if let Some(known) = self.0.get(name) {
            return Ok(known.clone());
        }
        let fresh = DocName::from(name);
        self.0.insert(fresh.clone());
        Ok(fresh)
    }
}

/// The symbol table; a symbol takes at least its length byte, a node three.
fn symbols<'de, D: BorrowDecoder<'de>>(
    d: &mut D,
    max_nodes: usize,
) -> Result<Vec<String>, DecodeError> {
    let count = len(d)?;
    let mut out = Vec::with_capacity(count.min(max_nodes.saturating_mul(3)));
    for _ in 0..count {
        out.push(string(d)?);
    }
    Ok(out)
}

fn nodes<'de, D: BorrowDecoder<'de>>(
    d: &mut D,
    max_nodes: usize,
    names: &mut DocNames,
) -> Result<Vec<Node>, DecodeError> {
    let count = len(d)?;
    let mut out = Vec::with_capacity(count.min(max_nodes));
    for _ in 0..count {
        let labels = small_list(d, sym)?;
        let props = props(d)?;
        let mentions = list(d, |d| Ok((names.read(d)?, u32::decode(d)?)))?;
        out.push(Node {
            labels,
            props,
            mentions,
        });
    }
    Ok(out)
}

/// An edge as (source position, target position, edge).
fn edge<'de, D: BorrowDecoder<'de>>(
    d: &mut D,
    names: &mut DocNames,
) -> Result<(u32, u32, Edge), DecodeError> {
    let src = u32::decode(d)?;
    let dst = u32::decode(d)?;
    let ty = sym(d)?;
    let props = props(d)?;
    let evidence = list(d, |d| evidence(d, names))?;
    Ok((
        src,
        dst,
        Edge {
            ty,
            props,
            evidence,
        },
    ))
}

fn evidence<'de, D: BorrowDecoder<'de>>(
    d: &mut D,
    names: &mut DocNames,
) -> Result<Evidence, DecodeError> {
    Ok(Evidence {
        doc: names.read(d)?,
        sentence: string(d)?,
        start: u32::decode(d)?,
        end: u32::decode(d)?,
        hedged: bool::decode(d)?,
    })
}

fn props<'de, D: BorrowDecoder<'de>>(d: &mut D) -> Result<Props, DecodeError> {
    small_list(d, |d| Ok((sym(d)?, value(d, 0)?)))
}

/// A nested list, its reservation capped.
fn list<'de, D: BorrowDecoder<'de>, T>(
    d: &mut D,
    mut item: impl FnMut(&mut D) -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let count = len(d)?;
    let mut out = Vec::with_capacity(count.min(RESERVE_AHEAD));
    for _ in 0..count {
        out.push(item(d)?);
    }
    Ok(out)
}

/// A short list kept inline when it fits, its reservation capped.
fn small_list<'de, D: BorrowDecoder<'de>, A: smallvec::Array>(
    d: &mut D,
    mut item: impl FnMut(&mut D) -> Result<A::Item, DecodeError>,
) -> Result<SmallVec<A>, DecodeError> {
    let count = len(d)?;
    let mut out = SmallVec::new();
    out.reserve(count.min(RESERVE_AHEAD));
    for _ in 0..count {
        out.push(item(d)?);
    }
    Ok(out)
}

const VALUE_VARIANTS: AllowedEnumVariants = AllowedEnumVariants::Range { min: 0, max: 6 };

/// A property value nested `depth` levels deep.
fn value<'de, D: BorrowDecoder<'de>>(d: &mut D, depth: usize) -> Result<Value, DecodeError> {
    if depth > MAX_DEPTH {
        return Err(DecodeError::OtherString(format!(
            "property values nested deeper than {MAX_DEPTH} levels"
        )));
    }
    Ok(match u32::decode(d)? {
        0 => Value::Null,
        1 => Value::Bool(bool::decode(d)?),
        2 => Value::Int(i64::decode(d)?),
        3 => Value::Float(f64::decode(d)?),
        4 => Value::String(string(d)?),
        5 => Value::List(list(d, |d| value(d, depth + 1))?),
        6 => {
            let count = len(d)?;
            let mut map = BTreeMap::new();
            for _ in 0..count {
                let key = string(d)?;
                map.insert(key, value(d, depth + 1)?);
            }
            Value::Map(map)
        }
        found => {
            return Err(DecodeError::UnexpectedVariant {
                type_name: "Value",
                allowed: &VALUE_VARIANTS,
                found,
            })
        }
    })
}
