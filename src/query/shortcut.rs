//! Counting from the store instead of enumerating matches, where that is exact.
//!
//! A MATCH of one relationship whose far end is anonymous and unconstrained, feeding an
//! aggregation that only counts, needs the degree of each near node and not its edges
//! ([`Shortcut::Degree`]); a MATCH of one relationship with both ends anonymous, grouped by
//! `type(r)` at most, needs the number of edges per type ([`Shortcut::TypeCount`]); a MATCH of
//! two relationships through an anonymous middle node, feeding weighable aggregates, needs the
//! number of paths from each near node to each far node and not the paths themselves
//! ([`Shortcut::TwoHop`]). They are decided from the query text (and, for the two-step chain,
//! the end the matcher would start from), so EXPLAIN shows what running does; the executor
//! still falls back to matching when the query has deleted something, since deleted entities
//! stay in the store until it commits.

use super::aggregate::AggSpec;
use super::ast::*;

/// A way to feed an aggregation from store counts.
#[derive(Clone, Debug, PartialEq)]
pub enum Shortcut {
    /// Each match of `near` is fed once, weighted by its number of edges in `dir` (as seen from
    /// `near`) with one of `types` (any when empty).
    Degree {
        /// The node pattern whose matches are counted.
        near: NodePat,
        /// The direction of the counted edges, seen from `near`.
        dir: Dir,
        /// Allowed relationship types; empty for any.
        types: Vec<String>,
    },
    /// One row per relationship type (of `types`, or every type when empty) is fed, weighted by
    /// the number of edges of that type, with `var` bound to one of them.
    TypeCount {
        /// The relationship variable, used only as `type(var)` or counted.
        var: Option<String>,
        /// Allowed relationship types; empty for any.
        types: Vec<String>,
    },
    /// A chain `(near)-[]-(middle)-[]-(far)` whose relationships and middle node are unnamed:
    /// each match of the end the walk starts from is fed once per node at the other end,
    /// weighted by the number of paths between them (see [`TwoHopWalk`]).
    TwoHop {
        /// The pattern part, as written.
        part: PatternPart,
    },
}

/// A [`Shortcut::TwoHop`] chain oriented the way it is walked: from `near` through a middle
/// node with `mid_labels` to `far`.
#[derive(Clone, Debug, PartialEq)]
pub struct TwoHopWalk {
    /// The node the walk starts from, matched as the matcher would match it alone.
    pub near: NodePat,
    /// Labels the middle node must carry.
    pub mid_labels: Vec<String>,
    /// The far node: a variable and labels, no properties.
    pub far: NodePat,
    /// Per step, its direction as walked and its allowed types (empty for any).
    pub steps: [(Dir, Vec<String>); 2],
}

impl TwoHopWalk {
    /// The chain as walked, for EXPLAIN.
    pub fn text(&self) -> String {
        let rel = |(dir, types): &(Dir, Vec<String>)| RelPat {
            var: None,
            types: types.clone(),
            dir: *dir,
            range: None,
            props: None,
            span: Span::default(),
        };
        let mid = NodePat {
            var: None,
            labels: self.mid_labels.clone(),
            props: None,
            name_prefix: None,
            span: Span::default(),
        };
        let near = NodePat {
            name_prefix: None,
            ..self.near.clone()
        };
        PatternPart {
            var: None,
            shortest: None,
            start: near,
            chain: vec![
                (rel(&self.steps[0]), mid),
                (rel(&self.steps[1]), self.far.clone()),
            ],
            span: Span::default(),
        }
        .to_string()
    }
}

/// The walk of a [`Shortcut::TwoHop`] part, from its last node when `reversed` (as the matcher
/// plans it), or `None` when the far end of that walk has properties to check or is bound
/// already (one of `bound`): then the chain is matched.
pub fn two_hop_walk(part: &PatternPart, reversed: bool, bound: &[String]) -> Option<TwoHopWalk> {
    let [(r1, mid), (r2, last)] = part.chain.as_slice() else {
        return None;
    };
    let (near, far, steps) = if reversed {
        let flip = |d: Dir| if d == Dir::Out { Dir::In } else { Dir::Out };
        (
            last,
            &part.start,
            [
                (flip(r2.dir), r2.types.clone()),
                (flip(r1.dir), r1.types.clone()),
            ],
        )
    } else {
        (
            &part.start,
            last,
            [(r1.dir, r1.types.clone()), (r2.dir, r2.types.clone())],
        )
    };
    if far.props.is_some()
        || far.name_prefix.is_some()
        || far.var.as_ref().is_some_and(|v| bound.contains(v))
    {
        return None;
    }
    Some(TwoHopWalk {
        near: near.clone(),
        mid_labels: mid.labels.clone(),
        far: far.clone(),
        steps,
    })
}

fn anonymous(n: &NodePat) -> bool {
    n.var.is_none() && n.labels.is_empty() && n.props.is_none()
}

/// The shortcut that computes the MATCH (`optional`, `pattern`, `filter`) followed by the
/// aggregating projection `p` exactly, if any. `bound` are the variables bound before the MATCH.
pub fn find(
    optional: bool,
    pattern: &[PatternPart],
    filter: Option<&Expr>,
    p: &Projection,
    bound: &[String],
) -> Option<Shortcut> {
    if optional || filter.is_some() || p.star {
        return None;
    }
    let [part] = pattern else {
        return None;
    };
    if part.chain.len() == 2 {
        return two_hop(part, p);
    }
    let [(rel, end)] = part.chain.as_slice() else {
        return None;
    };
    if part.var.is_some()
        || part.shortest.is_some()
        || rel.props.is_some()
        || rel.range.is_some()
        || rel.dir == Dir::Both
    {
        return None;
    }
    let (counts, weighable) = aggregates(p)?;
    let exprs = projected(p);
    if anonymous(&part.start) && anonymous(end) {
        if let Some(v) = &rel.var {
            if bound.contains(v) || !exprs.clone().all(|e| only_type_of(e, v)) {
                return None;
            }
        }
        if !counts {
            return None;
        }
        return Some(Shortcut::TypeCount {
            var: rel.var.clone(),
            types: rel.types.clone(),
        });
    }
    if rel.var.is_some() || !weighable {
        return None;
    }
    let (near, dir) = if anonymous(end) {
        (&part.start, rel.dir)
    } else if anonymous(&part.start) {
        let flipped = if rel.dir == Dir::Out {
            Dir::In
        } else {
            Dir::Out
        };
        (end, flipped)
    } else {
        return None;
    };
    // The count is per node, so the node must be in the rows.
    near.var.as_ref()?;
    Some(Shortcut::Degree {
        near: near.clone(),
        dir,
        types: rel.types.clone(),
    })
}

/// The expressions of an aggregating projection: items, ORDER BY keys and WHERE.
fn projected(p: &Projection) -> impl Iterator<Item = &Expr> + Clone {
    p.items
        .iter()
        .map(|i| &i.expr)
        .chain(p.order.iter().map(|(e, _)| e))
        .chain(p.filter.iter())
}

/// Whether every aggregate of `p` only counts rows, and whether every one may take weighted
/// rows; `None` when `p` has no aggregate or one the grouper does not know.
fn aggregates(p: &Projection) -> Option<(bool, bool)> {
    let (mut any, mut known, mut counts, mut weighable) = (false, true, true, true);
    for e in projected(p) {
        e.walk(&mut |x| {
            if x.is_aggregate() {
                any = true;
                match AggSpec::new(x) {
                    Some(s) => {
                        counts &= s.counts_rows();
                        weighable &= s.weighable();
                    }
                    None => known = false,
                }
            }
        });
    }
    (any && known).then_some((counts, weighable))
}

/// [`Shortcut::TwoHop`] for a two-relationship part, when its rows (the end nodes and what was
/// bound before) only feed weighable aggregates, so that equal rows may be fed once, weighted.
fn two_hop(part: &PatternPart, p: &Projection) -> Option<Shortcut> {
    let [(r1, mid), (r2, end)] = part.chain.as_slice() else {
        return None;
    };
    let plain = |r: &RelPat| {
        r.var.is_none() && r.props.is_none() && r.range.is_none() && r.dir != Dir::Both
    };
    if part.var.is_some()
        || part.shortest.is_some()
        || !plain(r1)
        || !plain(r2)
        || mid.var.is_some()
        || mid.props.is_some()
    {
        return None;
    }
    // Each end is bound once, by the walk: the same variable at both ends makes the far end a
    // check rather than a binding (as does one bound before, see [`two_hop_walk`]).
    if part.start.var.is_some() && part.start.var == end.var {
        return None;
    }
    // An end whose properties read the other end's variable is checked against it, not
    // matched alone.
    let ends = [&part.start.var, &end.var];
    for n in [&part.start, end] {
        let mut reads_end = false;
        if let Some(props) = &n.props {
            props.walk(&mut |x| {
                reads_end |=
                    matches!(x, Expr::Var(v, _) if ends.iter().any(|e| e.as_ref() == Some(v)));
            });
        }
        if reads_end {
            return None;
        }
    }
    let (_, weighable) = aggregates(p)?;
    weighable.then(|| Shortcut::TwoHop { part: part.clone() })
}

/// True when `var` appears in `e` only as `type(var)` or as the argument of a non-DISTINCT
/// `count(var)` (a relationship is never null, so counting it counts rows).
fn only_type_of(e: &Expr, var: &str) -> bool {
    match e {
        Expr::Var(v, _) => v != var,
        Expr::Call {
            name,
            args,
            distinct,
            ..
        } if matches!(args.as_slice(), [Expr::Var(v, _)] if v == var)
            && (name.eq_ignore_ascii_case("type")
                || (name.eq_ignore_ascii_case("count") && !*distinct)) =>
        {
            true
        }
        Expr::ListComp { .. } | Expr::Quantifier { .. } => {
            // A comprehension may rebind the name; refuse rather than track scopes.
            let mut mentions = false;
            e.walk(&mut |x| mentions |= matches!(x, Expr::Var(v, _) if v == var));
            !mentions
        }
        _ => {
            let mut ok = true;
            super::plan::visit_children(e, &mut |c| ok &= only_type_of(c, var));
            ok
        }
    }
}

/// The pattern of the near node of a [`Shortcut::Degree`] alone, which the matcher walks to
/// find the nodes whose degrees are read.
pub fn near_part(near: &NodePat) -> PatternPart {
    PatternPart {
        var: None,
        shortest: None,
        start: near.clone(),
        chain: Vec::new(),
        span: Span::default(),
    }
}
