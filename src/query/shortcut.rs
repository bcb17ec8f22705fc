//! Counting from the store instead of enumerating matches, where that is exact.
//!
//! A MATCH of one relationship whose far end is anonymous and unconstrained, feeding an
//! aggregation that only counts, needs the degree of each near node and not its edges
//! ([`Shortcut::Degree`]); a MATCH of one relationship with both ends anonymous, grouped by
//! `type(r)` at most, needs the number of edges per type ([`Shortcut::TypeCount`]). Both are
//! decided from the query text alone, so EXPLAIN shows what running does; the executor still
//! falls back to matching when the query has deleted something, since deleted entities stay in
//! the store until it commits.

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
    // Every aggregate must be one the grouper knows; note whether all of them only count
    // rows, and whether all of them may take weighted rows.
    let (mut any, mut known, mut counts, mut weighable) = (false, true, true, true);
    let exprs = p
        .items
        .iter()
        .map(|i| &i.expr)
        .chain(p.order.iter().map(|(e, _)| e))
        .chain(p.filter.iter());
    for e in exprs.clone() {
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
    if !any || !known {
        return None;
    }
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
