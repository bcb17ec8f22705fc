//! EXPLAIN and PROFILE: the plan of a statement as a tree of operators.
//!
//! The tree is read off the executor's and matcher's own decisions (which end of a pattern a
//! walk starts from and how its first node is found, whether a WHERE equality is pushed into an
//! index lookup, whether a variable-length step runs breadth-first over distinct end nodes), so
//! it shows what running the statement would do. The executor runs clause by clause, so PROFILE
//! measures per clause: the topmost operator of each clause carries the rows that clause passed
//! on and the time it took; inside a MATCH, each part's first operator (index seek, label scan...)
//! carries the nodes it started from, and the operator under the `Filter` the rows the pattern
//! matched before the WHERE. Operators inside a clause are not timed separately.

use super::ast::*;
use super::error::QueryError;
use super::exec::{
    grouped_by_property, only_distinct_ends, pattern_vars, push_down, streams_into, two_hop_plan,
    ClauseStat, Guard,
};
use super::expr::Ctx;
use super::matcher::{AnchorKind, Matcher, NAME_PREFIX};
use super::result::{QValue, QueryResult};
use super::shortcut::{self, Shortcut};
use super::ExecOptions;
use crate::model::Value;
use crate::store::Graph;
use std::collections::BTreeMap;

/// One operator of a plan, with the operators feeding it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanOp {
    /// The operator, e.g. `NodeByLabelScan`.
    pub name: String,
    /// What it works on, e.g. `(n:Drug)`.
    pub detail: String,
    /// The operators whose rows it reads.
    pub children: Vec<PlanOp>,
    /// PROFILE only: rows produced.
    pub rows: Option<usize>,
    /// PROFILE only: time spent, in milliseconds.
    pub ms: Option<f64>,
}

impl PlanOp {
    fn new(name: &str, detail: impl Into<String>) -> Self {
        PlanOp {
            name: name.to_string(),
            detail: detail.into(),
            children: Vec::new(),
            rows: None,
            ms: None,
        }
    }

    /// The tree as indented lines, the root first and each input two spaces further in.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.write_lines(0, &mut out);
        out
    }

    fn write_lines(&self, depth: usize, out: &mut Vec<String>) {
        let mut line = format!("{}{}", "  ".repeat(depth), self.name);
        if !self.detail.is_empty() {
            line.push(' ');
            line.push_str(&self.detail);
        }
        if let Some(r) = self.rows {
            line.push_str(&format!("  rows={r}"));
        }
        if let Some(ms) = self.ms {
            line.push_str(&format!(" time={ms:.3}ms"));
        }
        out.push(line);
        for c in &self.children {
            c.write_lines(depth + 1, out);
        }
    }

    /// The tree as a one-column (`plan`) result, one row per operator.
    pub fn to_result(&self) -> QueryResult {
        QueryResult {
            columns: vec!["plan".to_string()],
            rows: self
                .lines()
                .into_iter()
                .map(|l| vec![QValue::String(l)])
                .collect(),
        }
    }
}

/// The plan of a checked query over `graph`; `stats` (from a profiled run) adds rows and times.
pub fn plan(
    graph: &Graph,
    params: &BTreeMap<String, Value>,
    q: &Query,
    stats: Option<&[Vec<ClauseStat>]>,
) -> Result<PlanOp, QueryError> {
    let stat = |i: usize| stats.and_then(|s| s.get(i)).map(|v| v.as_slice());
    let first = single(graph, params, &q.first, stat(0))?;
    if q.unions.is_empty() {
        return Ok(first);
    }
    let distinct = q.unions.iter().any(|(all, _)| !*all);
    let mut op = PlanOp::new("Union", if distinct { "DISTINCT" } else { "ALL" });
    op.children.push(first);
    for (i, (_, sq)) in q.unions.iter().enumerate() {
        op.children.push(single(graph, params, sq, stat(i + 1))?);
    }
    Ok(op)
}

/// Builds a chain of operators, each new one reading the previous.
struct Chain {
    top: Option<PlanOp>,
}

impl Chain {
    fn push(&mut self, mut op: PlanOp) {
        if let Some(prev) = self.top.take() {
            op.children.push(prev);
        }
        self.top = Some(op);
    }

    fn measure(&mut self, rows: usize, ms: Option<f64>) {
        if let Some(t) = &mut self.top {
            t.rows = Some(rows);
            t.ms = ms;
        }
    }
}

fn single(
    graph: &Graph,
    params: &BTreeMap<String, Value>,
    q: &SingleQuery,
    stats: Option<&[ClauseStat]>,
) -> Result<PlanOp, QueryError> {
    let mut chain = Chain { top: None };
    let mut names: Vec<String> = Vec::new();
    // Set when the previous MATCH feeds the projection being planned directly.
    let mut streamed = false;
    // Set when that MATCH's groups are folded by a property of its near node.
    let mut by_property = false;
    for (i, clause) in q.clauses.iter().enumerate() {
        let stat = stats.and_then(|s| s.get(i));
        let fused = streams_into(clause, q.clauses.get(i + 1));
        // Deleted entities stay in the store until the query commits, so after a DELETE the
        // executor matches rather than counts.
        let deleted_before = q.clauses[..i]
            .iter()
            .any(|c| matches!(c, Clause::Delete { .. }));
        let mut counted = fused
            .filter(|_| !deleted_before)
            .and_then(|(o, pat, f, p)| shortcut::find(o, pat, f, p, &names));
        // A two-step count is oriented as the matcher would walk the chain, or not made.
        let mut walk = None;
        if let Some(Shortcut::TwoHop { part }) = &counted {
            walk = two_hop_plan(graph, params, part, &names)?;
            if walk.is_none() {
                counted = None;
            }
        }
        match clause {
            Clause::Match {
                optional,
                pattern,
                filter,
            } => {
                let new_vars = pattern_vars(pattern, &names);
                let pushed = filter
                    .as_ref()
                    .and_then(|f| push_down(pattern, f, &new_vars));
                let walked = pushed.as_deref().unwrap_or(pattern);
                let distinct_ends =
                    only_distinct_ends(pattern, filter.as_ref(), q.clauses.get(i + 1));
                let mut all = names.clone();
                all.extend(new_vars.iter().cloned());
                let mut bound = vec![true; names.len()];
                bound.resize(all.len(), false);
                streamed = fused.is_some();
                if let Some(sc) = &counted {
                    let text = walked
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    match sc {
                        Shortcut::TypeCount { .. } => {
                            chain.push(PlanOp::new("RelationshipCountFromStore", text));
                        }
                        Shortcut::Degree { near, .. } => {
                            let part = super::shortcut::near_part(near);
                            let ctx = PartCtx {
                                names: &all,
                                distinct_ends: false,
                                starts: stat.map(|s| s.starts.first().copied().unwrap_or(0)),
                            };
                            match_part(graph, params, &ctx, &mut bound, &part, &mut chain)?;
                            chain.push(PlanOp::new("GetDegree", text));
                            by_property = fused
                                .is_some_and(|(_, _, _, p)| grouped_by_property(p, sc).is_some());
                        }
                        Shortcut::TwoHop { .. } => {
                            if let Some(w) = &walk {
                                let part = super::shortcut::near_part(&w.near);
                                let ctx = PartCtx {
                                    names: &all,
                                    distinct_ends: false,
                                    starts: stat.map(|s| s.starts.first().copied().unwrap_or(0)),
                                };
                                match_part(graph, params, &ctx, &mut bound, &part, &mut chain)?;
                                chain.push(PlanOp::new("CountPaths", w.text()));
                            }
                        }
                    }
                    if let Some(s) = stat {
                        chain.measure(s.rows, Some(s.ms));
                    }
                    names = all;
                    continue;
                }
                for (pi, part) in walked.iter().enumerate() {
                    let starts = stat.map(|s| s.starts.get(pi).copied().unwrap_or(0));
                    let ctx = PartCtx {
                        names: &all,
                        distinct_ends,
                        starts,
                    };
                    match_part(graph, params, &ctx, &mut bound, part, &mut chain)?;
                }
                if let Some(f) = filter {
                    if let Some(m) = stat.and_then(|s| s.matched) {
                        chain.measure(m, None);
                    }
                    chain.push(PlanOp::new("Filter", format!("[{f}]")));
                }
                if *optional {
                    chain.push(PlanOp::new("Optional", ""));
                }
                names = all;
            }
            Clause::Unwind { expr, var, .. } => {
                chain.push(PlanOp::new("Unwind", format!("{expr} AS {var}")));
                names.push(var.clone());
            }
            Clause::With(p) | Clause::Return(p) => {
                let how = match (streamed, by_property) {
                    (true, true) => Folding::ByProperty,
                    (true, false) => Folding::Streamed,
                    (false, _) => Folding::Rows,
                };
                names = projection(p, &names, how, &mut chain);
                streamed = false;
                by_property = false;
            }
            Clause::Create(parts) => {
                let text: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
                chain.push(PlanOp::new("Create", text.join(", ")));
                names.extend(pattern_vars(parts, &names));
            }
            Clause::Merge { part, .. } => {
                chain.push(PlanOp::new("Merge", part.to_string()));
                names.extend(pattern_vars(std::slice::from_ref(part), &names));
            }
            Clause::Set(items) => {
                let text: Vec<String> = items.iter().map(set_item_text).collect();
                chain.push(PlanOp::new("Set", text.join(", ")));
            }
            Clause::Remove(items) => {
                let text: Vec<String> = items.iter().map(remove_item_text).collect();
                chain.push(PlanOp::new("Remove", text.join(", ")));
            }
            Clause::Delete { detach, exprs } => {
                let text: Vec<String> = exprs.iter().map(|e| e.to_string()).collect();
                let name = if *detach { "DetachDelete" } else { "Delete" };
                chain.push(PlanOp::new(name, text.join(", ")));
            }
        }
        if let Some(s) = stat {
            chain.measure(s.rows, Some(s.ms));
        }
    }
    Ok(chain.top.unwrap_or_else(|| PlanOp::new("EmptyResult", "")))
}

/// What planning one pattern part needs to know about its clause.
struct PartCtx<'a> {
    /// The variables of the clause's rows.
    names: &'a [String],
    /// Whether the executor lets variable-length steps keep distinct end nodes only.
    distinct_ends: bool,
    /// PROFILE: the nodes the part's walk started from.
    starts: Option<usize>,
}

/// The operators for one pattern part, as the matcher would walk it.
fn match_part(
    graph: &Graph,
    params: &BTreeMap<String, Value>,
    pc: &PartCtx,
    bound: &mut [bool],
    part: &PatternPart,
    chain: &mut Chain,
) -> Result<(), QueryError> {
    let names = pc.names;
    let ctx = Ctx {
        graph,
        params,
        dead: None,
    };
    let mut guard = Guard::new(&ExecOptions::default());
    let mut m = Matcher::new(&ctx, names, &mut guard);
    m.distinct_ends = pc.distinct_ends;
    let plan = m.plan_part(part, bound)?;
    let mut nodes: Vec<&NodePat> = vec![&part.start];
    let mut rels: Vec<&RelPat> = Vec::new();
    for (r, n) in &part.chain {
        rels.push(r);
        nodes.push(n);
    }
    if plan.reversed {
        nodes.reverse();
        rels.reverse();
    }
    let first = nodes[0];
    match plan.anchor {
        AnchorKind::Bound => {
            chain.push(PlanOp::new("Argument", short(first)));
        }
        AnchorKind::IndexSeek(key) if key == NAME_PREFIX => {
            let prefix = first
                .name_prefix
                .as_ref()
                .map_or(String::new(), |e| e.to_string());
            let detail = format!("{first} {key} {prefix}");
            chain.push(PlanOp::new("NodeIndexSeekByRange", detail));
        }
        AnchorKind::IndexSeek(key) => {
            let name = if key == crate::store::ID {
                "NodeByIdSeek"
            } else {
                "NodeIndexSeek"
            };
            chain.push(PlanOp::new(name, first.to_string()));
        }
        AnchorKind::LabelScan(label) => {
            let mut op = PlanOp::new("NodeByLabelScan", format!("({}:{label})", var(first)));
            if first.labels.len() > 1 || first.props.is_some() {
                op.detail = format!("{op} checking {first}", op = op.detail);
            }
            chain.push(op);
        }
        AnchorKind::AllNodes => {
            let mut op = PlanOp::new("AllNodesScan", format!("({})", var(first)));
            if !first.labels.is_empty() || first.props.is_some() {
                op.detail = format!("{op} checking {first}", op = op.detail);
            }
            chain.push(op);
        }
    }
    if let Some(n) = pc.starts {
        chain.measure(n, None);
    }
    if let Some(shortest) = part.shortest {
        let (rel, end) = match part.chain.first() {
            Some((r, n)) => (r.to_string(), n.to_string()),
            None => (String::new(), String::new()),
        };
        let name = if shortest {
            "AllShortestPaths"
        } else {
            "ShortestPath"
        };
        chain.push(PlanOp::new(name, format!("{}{rel}{end}", short(first))));
    } else {
        for (k, (rel, (dir, bfs))) in rels.iter().zip(plan.steps).enumerate() {
            let mut walked = (*rel).clone();
            walked.dir = dir;
            let near = nodes[k];
            let far = nodes[k + 1];
            let far_bound = slot(names, &far.var).is_some_and(|i| bound[i]);
            let name = match (rel.range.is_some(), bfs, far_bound) {
                (true, true, _) => "BFSDistinct",
                (true, false, _) => "VarLengthExpand",
                (false, _, true) => "ExpandInto",
                (false, _, false) => "Expand",
            };
            let far_text = if far_bound {
                short(far)
            } else {
                far.to_string()
            };
            chain.push(PlanOp::new(
                name,
                format!("{}{walked}{far_text}", short(near)),
            ));
            if let Some(i) = slot(names, &far.var) {
                bound[i] = true;
            }
        }
    }
    for v in std::iter::once(&part.start.var)
        .chain(part.chain.iter().flat_map(|(r, n)| [&r.var, &n.var]))
        .chain(std::iter::once(&part.var))
    {
        if let Some(i) = slot(names, v) {
            bound[i] = true;
        }
    }
    Ok(())
}

fn slot(names: &[String], v: &Option<String>) -> Option<usize> {
    v.as_ref().and_then(|v| names.iter().position(|n| n == v))
}

fn var(n: &NodePat) -> &str {
    n.var.as_deref().unwrap_or("")
}

/// A node by its variable only, for places where its labels and properties were shown already.
fn short(n: &NodePat) -> String {
    format!("({})", var(n))
}

/// How an aggregating projection receives its rows.
#[derive(Clone, Copy, PartialEq)]
enum Folding {
    /// From a table of rows.
    Rows,
    /// Straight from the MATCH before it.
    Streamed,
    /// Straight from degree counts, grouped by a property read in place.
    ByProperty,
}

/// The operators of a WITH or RETURN, in the order the executor applies them; returns the
/// projected names.
fn projection(p: &Projection, names: &[String], how: Folding, chain: &mut Chain) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    let mut out_names: Vec<String> = Vec::new();
    if p.star {
        let mut vars: Vec<&String> = names.iter().filter(|n| !n.starts_with('\u{0}')).collect();
        vars.sort();
        vars.dedup();
        for v in vars {
            items.push(v.clone());
            out_names.push(v.clone());
        }
    }
    for i in &p.items {
        items.push(match &i.alias {
            Some(a) => format!("{} AS {a}", i.expr),
            None => i.expr.to_string(),
        });
        out_names.push(match (&i.alias, &i.expr) {
            (Some(a), _) => a.clone(),
            (None, Expr::Var(v, _)) => v.clone(),
            (None, _) => i.text.clone(),
        });
    }
    let aggregating = p.items.iter().any(|i| i.expr.has_aggregate());
    let name = match (aggregating, how) {
        (true, Folding::ByProperty) => "AggregateByProperty",
        (true, Folding::Streamed) => "StreamingAggregate",
        (true, Folding::Rows) => "Aggregate",
        (false, _) => "Projection",
    };
    chain.push(PlanOp::new(name, format!("[{}]", items.join(", "))));
    if p.distinct {
        chain.push(PlanOp::new("Distinct", ""));
    }
    let keys: Vec<String> = p
        .order
        .iter()
        .map(|(e, desc)| format!("{e}{}", if *desc { " DESC" } else { "" }))
        .collect();
    let keys = format!("[{}]", keys.join(", "));
    let sorted = !p.order.is_empty();
    match (sorted, &p.skip, &p.limit) {
        (true, None, Some(l)) => chain.push(PlanOp::new("Top", format!("{keys} LIMIT {l}"))),
        (sorted, skip, limit) => {
            if sorted {
                chain.push(PlanOp::new("Sort", keys));
            }
            if let Some(s) = skip {
                chain.push(PlanOp::new("Skip", s.to_string()));
            }
            if let Some(l) = limit {
                chain.push(PlanOp::new("Limit", l.to_string()));
            }
        }
    }
    if let Some(f) = &p.filter {
        chain.push(PlanOp::new("Filter", format!("[{f}]")));
    }
    out_names
}

fn set_item_text(item: &SetItem) -> String {
    match item {
        SetItem::Prop { target, key, value } => format!("{target}.{key} = {value}"),
        SetItem::Map { var, value, merge } => {
            format!("{var} {} {value}", if *merge { "+=" } else { "=" })
        }
        SetItem::Labels { var, labels } => format!("{var}:{}", labels.join(":")),
    }
}

fn remove_item_text(item: &RemoveItem) -> String {
    match item {
        RemoveItem::Prop { target, key } => format!("{target}.{key}"),
        RemoveItem::Labels { var, labels } => format!("{var}:{}", labels.join(":")),
    }
}
