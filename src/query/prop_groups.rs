//! Grouping by one property of a node and counting, reading the key from the store in place.
//!
//! `RETURN n.name AS name, count(*) AS c` over a million nodes spends its time building and
//! hashing a key row per node. Here a string key is hashed as the store holds it, without a
//! copy, and only the groups that can reach the answer become rows: when the ORDER BY starts
//! with a count and a LIMIT follows, groups whose count cannot reach the first SKIP + LIMIT
//! rows are dropped before any row is built. Keys that are not strings (missing properties,
//! numbers...) are grouped as the general grouper groups them.

use super::aggregate::{AggSpec, Finished, KeyTable};
use super::ast::Expr;
use super::error::QueryError;
use super::expr::{eval, from_value, Ctx, Scope};
use super::result::QValue;
use crate::model::{prop_get, Sym, Value};
use crate::store::{Graph, NodeId};
use rustc_hash::FxHashMap;

/// A group's key: a string as the store holds it, or any other value by its number in a
/// [`KeyTable`].
enum Key<'g> {
    Str(&'g str),
    Other(usize),
    /// The only node with its value.
    Alone(NodeId),
}

/// Which rows an aggregate counts.
enum Counted<'e> {
    /// Every row.
    Rows,
    /// Rows where the argument is not null.
    NonNull(&'e Expr),
}

/// The groups kept for an ORDER BY that starts with a count, then LIMIT.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TopCount {
    /// Which aggregate the ORDER BY starts with.
    pub agg: usize,
    /// Whether it sorts descending.
    pub desc: bool,
    /// How many rows the query keeps (SKIP + LIMIT).
    pub wanted: usize,
}

/// Groups nodes by one property and counts rows per group.
pub struct PropGroups<'g, 'e> {
    g: &'g Graph,
    key: Option<Sym>,
    /// Bits over node indices: nodes whose value no other node has.
    alone: Option<Vec<u64>>,
    aggs: Vec<Counted<'e>>,
    strs: FxHashMap<&'g str, u32>,
    others: KeyTable,
    /// Per key of `others`, its group.
    other_groups: Vec<usize>,
    keys: Vec<Key<'g>>,
    /// Per group, one count per aggregate.
    counts: Vec<u64>,
}

/// The node variable and property key when an aggregation's only grouping key is `v.key` and
/// every aggregate counts rows (`count(*)`, non-DISTINCT `count(x)`).
pub fn applies<'k>(keys: &[&'k Expr], aggs: &[&Expr]) -> Option<(&'k str, &'k str)> {
    let [Expr::Prop(target, key)] = keys else {
        return None;
    };
    let Expr::Var(v, _) = target.as_ref() else {
        return None;
    };
    aggs.iter()
        .all(|a| AggSpec::new(a).is_some_and(|s| s.counts_rows()))
        .then_some((v.as_str(), key.as_str()))
}

impl<'g, 'e> PropGroups<'g, 'e> {
    /// Groups by property `key` of nodes of `g`, folding the aggregate calls `aggs` (all
    /// accepted by [`applies`]). `once` promises that no node is fed twice.
    pub fn new(g: &'g Graph, key: &str, aggs: &[&'e Expr], once: bool) -> Self {
        let alone = once
            .then(|| g.nodes_alone_in_index(key))
            .flatten()
            .map(|nodes| {
                let mut bits = vec![0u64; g.node_bound().div_ceil(64)];
                for n in nodes {
                    if let Some(w) = bits.get_mut(n.index() / 64) {
                        *w |= 1 << (n.index() % 64);
                    }
                }
                bits
            });
        let aggs = aggs
            .iter()
            .map(|a| match AggSpec::new(a).and_then(|s| s.arg()) {
                Some(arg) => Counted::NonNull(arg),
                None => Counted::Rows,
            })
            .collect();
        PropGroups {
            g,
            key: g.sym(key),
            alone,
            aggs,
            strs: FxHashMap::default(),
            others: KeyTable::default(),
            other_groups: Vec::new(),
            keys: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// Adds a row where the grouped variable is bound to `n`, counted `weight` times.
    pub fn feed(
        &mut self,
        n: NodeId,
        ctx: &Ctx,
        scope: Scope,
        weight: u64,
    ) -> Result<(), QueryError> {
        let i = n.index();
        let alone = self
            .alone
            .as_ref()
            .is_some_and(|bits| bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1));
        let value: Option<&'g Value> = match (self.key, self.g.node(n)) {
            _ if alone => None,
            (Some(k), Some(node)) => prop_get(&node.props, k),
            _ => None,
        };
        let group = match value {
            _ if alone => {
                self.keys.push(Key::Alone(n));
                self.keys.len() - 1
            }
            Some(Value::String(s)) => {
                let next = self.keys.len() as u32;
                let g = *self.strs.entry(s.as_str()).or_insert(next);
                if g == next {
                    self.keys.push(Key::Str(s));
                }
                g as usize
            }
            other => {
                let v = other.map_or(QValue::Null, from_value);
                let (id, new) = self.others.insert(std::slice::from_ref(&v));
                if new {
                    self.other_groups.push(self.keys.len());
                    self.keys.push(Key::Other(id));
                }
                self.other_groups[id]
            }
        };
        let n_aggs = self.aggs.len();
        if group * n_aggs == self.counts.len() {
            self.counts.resize(self.counts.len() + n_aggs, 0);
        }
        for (i, a) in self.aggs.iter().enumerate() {
            let counted = match a {
                Counted::Rows => true,
                Counted::NonNull(e) => !matches!(eval(e, ctx, scope)?, QValue::Null),
            };
            if counted {
                self.counts[group * n_aggs + i] += weight;
            }
        }
        Ok(())
    }

    /// The groups in the order first seen, as the general grouper returns them: the key, then
    /// the counts. With `top`, only groups that may be among the first `wanted` rows.
    pub fn finish(self, top: Option<TopCount>) -> Vec<Finished> {
        let n_aggs = self.aggs.len();
        let count = |g: usize, a: usize| self.counts[g * n_aggs + a];
        // The count the last wanted row has: groups beyond it in the ORDER BY's first key
        // cannot be among the wanted rows; ties with it may.
        let bar = top.and_then(|t| {
            if t.wanted >= self.keys.len() || t.agg >= n_aggs {
                return None;
            }
            let mut all: Vec<u64> = (0..self.keys.len()).map(|g| count(g, t.agg)).collect();
            if t.wanted == 0 {
                return Some((t, None));
            }
            let nth = if t.desc {
                *all.select_nth_unstable_by(t.wanted - 1, |a, b| b.cmp(a)).1
            } else {
                *all.select_nth_unstable(t.wanted - 1).1
            };
            Some((t, Some(nth)))
        });
        let others = self.others.into_keys();
        let mut out = Vec::new();
        for (g, key) in self.keys.iter().enumerate() {
            if let Some((t, nth)) = bar {
                let c = count(g, t.agg);
                let keep = match nth {
                    None => false,
                    Some(nth) if t.desc => c >= nth,
                    Some(nth) => c <= nth,
                };
                if !keep {
                    continue;
                }
            }
            let mut row = Vec::with_capacity(1 + n_aggs);
            row.push(match key {
                Key::Str(s) => QValue::String(s.to_string()),
                Key::Other(i) => others
                    .get(*i)
                    .and_then(|k| k.first())
                    .cloned()
                    .unwrap_or(QValue::Null),
                Key::Alone(n) => match (self.key, self.g.node(*n)) {
                    (Some(k), Some(node)) => {
                        prop_get(&node.props, k).map_or(QValue::Null, from_value)
                    }
                    _ => QValue::Null,
                },
            });
            row.extend((0..n_aggs).map(|a| QValue::Int(count(g, a) as i64)));
            out.push((None, row));
        }
        out
    }
}
