//! Grouping and aggregate functions, folded one row at a time.
//!
//! Rows are fed as they are produced (straight from the pattern matcher when a MATCH feeds an
//! aggregating projection), so no table of matches is ever built. Groups are found by hashing
//! their key values consistently with the equality of [`total_cmp`] (the order grouping and
//! DISTINCT have always used), and are kept in the order they were first seen.

use super::ast::Expr;
use super::error::{ErrorKind, QueryError};
use super::expr::{self, eval, rt, total_cmp, Ctx, Scope};
use super::result::QValue;
use rustc_hash::{FxHashMap, FxHasher};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// Feeds `v` to a hasher so that values equal under [`total_cmp`] hash alike: integers and
/// floats stay apart (they never compare equal there), every NaN is one value, and so are
/// `0.0` and `-0.0`.
fn hash_value(v: &QValue, h: &mut FxHasher) {
    match v {
        QValue::Null => 0u8.hash(h),
        QValue::Bool(b) => (1u8, b).hash(h),
        QValue::Int(i) => (2u8, i).hash(h),
        QValue::Float(f) => {
            3u8.hash(h);
            if f.is_nan() {
                0u8.hash(h);
            } else if *f == 0.0 {
                0u64.hash(h);
            } else {
                f.to_bits().hash(h);
            }
        }
        QValue::String(s) => (4u8, s).hash(h),
        QValue::List(l) => {
            (5u8, l.len()).hash(h);
            l.iter().for_each(|x| hash_value(x, h));
        }
        QValue::Map(m) => {
            (6u8, m.len()).hash(h);
            for (k, x) in m {
                k.hash(h);
                hash_value(x, h);
            }
        }
        QValue::Node(n) => (7u8, n.index()).hash(h),
        QValue::Rel(r) => (8u8, r.index()).hash(h),
        QValue::Path(p) => {
            9u8.hash(h);
            p.nodes.iter().for_each(|n| n.index().hash(h));
            p.rels.iter().for_each(|r| r.index().hash(h));
        }
    }
}

fn hash_key(key: &[QValue]) -> u64 {
    let mut h = FxHasher::default();
    key.len().hash(&mut h);
    key.iter().for_each(|v| hash_value(v, &mut h));
    h.finish()
}

fn same_key(a: &[QValue], b: &[QValue]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| total_cmp(x, y) == Ordering::Equal)
}

/// A set of keys (rows of values) numbered in the order they were first inserted.
#[derive(Default)]
pub struct KeyTable {
    /// First key number per hash; further keys with the same hash are chained through `next`.
    index: FxHashMap<u64, usize>,
    keys: Vec<Vec<QValue>>,
    next: Vec<usize>,
}

const NONE: usize = usize::MAX;

impl KeyTable {
    /// The number of `key`, and whether it was new. A key is copied only when new.
    pub fn insert(&mut self, key: &[QValue]) -> (usize, bool) {
        self.insert_with(key, |k| k.to_vec())
    }

    /// Like [`Self::insert`], taking the key's values when it is new.
    pub fn insert_owned(&mut self, key: &mut Vec<QValue>) -> (usize, bool) {
        let (id, new) = self.insert_with(key, |_| Vec::new());
        if new {
            self.keys[id] = std::mem::take(key);
        }
        (id, new)
    }

    fn insert_with(
        &mut self,
        key: &[QValue],
        store: impl FnOnce(&[QValue]) -> Vec<QValue>,
    ) -> (usize, bool) {
        let h = hash_key(key);
        let head = self.index.get(&h).copied().unwrap_or(NONE);
        let mut i = head;
        while i != NONE {
            if same_key(&self.keys[i], key) {
                return (i, false);
            }
            i = self.next[i];
        }
        let id = self.keys.len();
        self.keys.push(store(key));
        self.next.push(head);
        self.index.insert(h, id);
        (id, true)
    }

    /// The keys, in the order they were first inserted.
    pub fn into_keys(self) -> Vec<Vec<QValue>> {
        self.keys
    }
}

/// Which aggregate function an accumulator computes.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Func {
    CountStar,
    Count,
    Collect,
    Min,
    Max,
    Sum,
    Avg,
}

/// One aggregate call of a projection.
pub struct AggSpec<'e> {
    func: Func,
    distinct: bool,
    arg: Option<&'e Expr>,
}

impl<'e> AggSpec<'e> {
    /// The spec of an aggregating expression (`count(*)` or a call to an aggregate function).
    pub fn new(e: &'e Expr) -> Option<Self> {
        let (func, distinct, arg) = match e {
            Expr::CountStar => (Func::CountStar, false, None),
            Expr::Call {
                name,
                distinct,
                args,
                ..
            } => {
                let func = match name.to_ascii_lowercase().as_str() {
                    "count" => Func::Count,
                    "collect" => Func::Collect,
                    "min" => Func::Min,
                    "max" => Func::Max,
                    "sum" => Func::Sum,
                    "avg" => Func::Avg,
                    _ => return None,
                };
                (func, *distinct, args.first())
            }
            _ => return None,
        };
        Some(AggSpec {
            func,
            distinct,
            arg,
        })
    }

    /// True when feeding a row with weight `w` gives the same result as feeding `w` copies of
    /// it: counts, and DISTINCT or extreme values, which copies cannot change.
    pub fn weighable(&self) -> bool {
        match self.func {
            Func::CountStar => true,
            Func::Count => true,
            Func::Min | Func::Max => true,
            Func::Collect | Func::Sum | Func::Avg => self.distinct,
        }
    }

    /// True for `count(*)` and non-DISTINCT `count(x)`, whose result only depends on how many
    /// rows (with a non-null argument) there were.
    pub fn counts_rows(&self) -> bool {
        matches!(self.func, Func::CountStar | Func::Count) && !self.distinct
    }

    /// The argument expression, if any.
    pub fn arg(&self) -> Option<&'e Expr> {
        self.arg
    }
}

/// The running state of one aggregate over one group: a bare count for the usual
/// `count(*)` / `count(x)`, so that many groups stay small.
enum Acc {
    Count(u64),
    Full(Box<FullAcc>),
}

/// The running state of any aggregate.
#[derive(Default)]
struct FullAcc {
    seen: Option<KeyTable>,
    count: u64,
    list: Vec<QValue>,
    best: Option<QValue>,
    int_sum: Option<i64>,
    float_sum: f64,
    all_int: bool,
}

impl Acc {
    fn new(spec: &AggSpec) -> Self {
        if spec.counts_rows() {
            Acc::Count(0)
        } else {
            Acc::Full(Box::new(FullAcc::new(spec)))
        }
    }

    fn add_rows(&mut self, weight: u64) {
        match self {
            Acc::Count(n) => *n += weight,
            Acc::Full(f) => f.count += weight,
        }
    }

    fn feed(&mut self, spec: &AggSpec, v: QValue, weight: u64) -> Result<(), QueryError> {
        match self {
            Acc::Count(n) => {
                if !matches!(v, QValue::Null) {
                    *n += weight;
                }
                Ok(())
            }
            Acc::Full(f) => f.feed(spec, v, weight),
        }
    }

    fn finish(self, spec: &AggSpec) -> Result<QValue, QueryError> {
        match self {
            Acc::Count(n) => Ok(QValue::Int(n as i64)),
            Acc::Full(f) => f.finish(spec),
        }
    }
}

impl FullAcc {
    fn new(spec: &AggSpec) -> Self {
        FullAcc {
            seen: spec.distinct.then(KeyTable::default),
            int_sum: Some(0),
            all_int: true,
            ..FullAcc::default()
        }
    }

    fn feed(&mut self, spec: &AggSpec, v: QValue, weight: u64) -> Result<(), QueryError> {
        if spec.func == Func::CountStar {
            self.count += weight;
            return Ok(());
        }
        if matches!(v, QValue::Null) {
            return Ok(());
        }
        let weight = match &mut self.seen {
            Some(seen) => {
                if !seen.insert(std::slice::from_ref(&v)).1 {
                    return Ok(());
                }
                1
            }
            None => weight,
        };
        match spec.func {
            Func::CountStar | Func::Count => self.count += weight,
            Func::Collect => {
                self.list.push(v);
            }
            // The first of equal minima and the last of equal maxima, as the standard library's
            // `min_by` and `max_by` keep them.
            Func::Min => {
                if self
                    .best
                    .as_ref()
                    .is_none_or(|b| total_cmp(&v, b) == Ordering::Less)
                {
                    self.best = Some(v);
                }
            }
            Func::Max => {
                if self
                    .best
                    .as_ref()
                    .is_none_or(|b| total_cmp(&v, b) != Ordering::Less)
                {
                    self.best = Some(v);
                }
            }
            Func::Sum | Func::Avg => {
                self.count += 1;
                match v {
                    QValue::Int(i) => {
                        self.int_sum = self.int_sum.and_then(|s| s.checked_add(i));
                        self.float_sum += i as f64;
                    }
                    QValue::Float(f) => {
                        self.all_int = false;
                        self.int_sum = None;
                        self.float_sum += f;
                    }
                    other => {
                        let name = if spec.func == Func::Sum { "sum" } else { "avg" };
                        return Err(rt(
                            ErrorKind::TypeError,
                            "InvalidArgumentType",
                            format!("{name}() needs numbers, got {}", expr::type_name(&other)),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(self, spec: &AggSpec) -> Result<QValue, QueryError> {
        Ok(match spec.func {
            Func::CountStar | Func::Count => QValue::Int(self.count as i64),
            Func::Collect => QValue::List(self.list),
            Func::Min | Func::Max => self.best.unwrap_or(QValue::Null),
            Func::Sum => match (self.all_int, self.int_sum) {
                (true, Some(s)) => QValue::Int(s),
                (true, None) => {
                    return Err(rt(
                        ErrorKind::ArgumentError,
                        "IntegerOverflow",
                        "sum() overflowed 64 bits",
                    ))
                }
                (false, _) => QValue::Float(self.float_sum),
            },
            Func::Avg if self.count == 0 => QValue::Null,
            Func::Avg => QValue::Float(self.float_sum / self.count as f64),
        })
    }
}

/// Groups rows by key expressions and folds aggregates over each group.
pub struct Grouper<'e> {
    keys: Vec<&'e Expr>,
    specs: Vec<AggSpec<'e>>,
    table: KeyTable,
    /// Per group, the first row fed to it (non-aggregated expressions are read from it).
    firsts: Vec<Vec<QValue>>,
    /// The accumulators, one per aggregate call for each group in turn.
    accs: Vec<Acc>,
    key_buf: Vec<QValue>,
    /// Whether each group's first row is kept.
    keep_first: bool,
}

/// One finished group: its first row (when kept, and `None` for the single empty group of an
/// aggregation without keys over no rows), then its key values followed by its aggregate
/// results.
pub type Finished = (Option<Vec<QValue>>, Vec<QValue>);

impl<'e> Grouper<'e> {
    /// A grouper over the given key expressions and aggregate calls; `keep_first` keeps the
    /// first row of each group, for expressions that read more than keys and aggregates.
    pub fn new(keys: Vec<&'e Expr>, aggs: &[&'e Expr], keep_first: bool) -> Self {
        Grouper {
            keep_first,
            keys,
            specs: aggs.iter().filter_map(|a| AggSpec::new(a)).collect(),
            table: KeyTable::default(),
            firsts: Vec::new(),
            accs: Vec::new(),
            key_buf: Vec::new(),
        }
    }

    /// The aggregate calls, in the order their results are returned.
    pub fn specs(&self) -> &[AggSpec<'e>] {
        &self.specs
    }

    /// Adds a row, counted `weight` times (only for aggregates where that is exact, see
    /// [`AggSpec::weighable`]).
    pub fn feed(&mut self, ctx: &Ctx, scope: Scope, weight: u64) -> Result<(), QueryError> {
        // Without keys there is one group, found without hashing.
        let (g, new) = if self.keys.is_empty() {
            (0, self.firsts.is_empty())
        } else {
            self.key_buf.clear();
            for k in &self.keys {
                self.key_buf.push(eval(k, ctx, scope)?);
            }
            self.table.insert_owned(&mut self.key_buf)
        };
        if new {
            // The key's vector becomes the group's row: room for the results too.
            self.key_buf = Vec::with_capacity(self.keys.len() + self.specs.len());
            self.firsts.push(if self.keep_first {
                scope.values.to_vec()
            } else {
                Vec::new()
            });
            self.accs.extend(self.specs.iter().map(Acc::new));
        }
        let n = self.specs.len();
        for (spec, acc) in self.specs.iter().zip(&mut self.accs[g * n..(g + 1) * n]) {
            match spec.arg {
                _ if spec.func == Func::CountStar => acc.add_rows(weight),
                Some(e) => acc.feed(spec, eval(e, ctx, scope)?, weight)?,
                None => {}
            }
        }
        Ok(())
    }

    /// True when no row was fed.
    pub fn is_empty(&self) -> bool {
        self.firsts.is_empty()
    }

    /// Every group, in the order first seen.
    pub fn finish(self) -> Result<Vec<Finished>, QueryError> {
        let specs = self.specs;
        if self.firsts.is_empty() && self.keys.is_empty() {
            let values = specs
                .iter()
                .map(|s| Acc::new(s).finish(s))
                .collect::<Result<_, _>>()?;
            return Ok(vec![(None, values)]);
        }
        let n = specs.len();
        let mut accs = self.accs.into_iter();
        let keep = self.keep_first;
        self.firsts
            .into_iter()
            .zip(
                self.table
                    .into_keys()
                    .into_iter()
                    .chain(std::iter::repeat(Vec::new())),
            )
            .map(|(first, mut key)| {
                for (s, a) in specs.iter().zip(accs.by_ref().take(n)) {
                    key.push(a.finish(s)?);
                }
                Ok((keep.then_some(first), key))
            })
            .collect()
    }
}
