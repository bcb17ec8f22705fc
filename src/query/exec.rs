//! Runs a checked query against the graph, clause by clause, over tables of rows. A MATCH
//! whose rows only feed an aggregation is not stored: its matches are folded as found, or
//! counted from the store where [`super::shortcut`] shows that is exact.
//!
//! Every change goes through [`Writer`], which logs how to undo it, so that a failed statement
//! leaves the graph as it was.

use super::aggregate::{Finished, Grouper, KeyTable};
use super::ast::*;
use super::error::{ErrorKind, Phase, QueryError};
use super::expr::{self, eval, from_value, rt, total_cmp, Ctx, Scope};
use super::matcher::Matcher;
use super::prop_groups;
use super::result::{QValue, QueryResult};
use super::shortcut::{self, Shortcut, TwoHopWalk};
use super::two_hop::TwoHopCounter;
use super::ExecOptions;
use crate::model::{Sym, Value};
use crate::store::{EdgeId, Graph, NodeId};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering as AtomicOrdering;
use std::time::Instant;

/// The most rows ORDER BY ... LIMIT keeps sorted by insertion while the rest stream past;
/// larger limits select, then sort.
const TOP_K_INSERTION: usize = 64;

/// Receives each row a MATCH produces, with the evaluation context it was found in.
type RowSink<'s> = dyn FnMut(&Ctx, &[QValue]) -> Result<(), QueryError> + 's;

/// Variables and the rows binding them.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Variable names, one per column.
    pub names: Vec<String>,
    /// Rows of values.
    pub rows: Vec<Vec<QValue>>,
}

/// One logged change, with what is needed to reverse it.
enum Undo {
    AddedNode(NodeId),
    AddedEdge(EdgeId),
    NodeProp(NodeId, String, Option<Value>),
    EdgeProp(EdgeId, String, Option<Value>),
    AddedLabel(NodeId, String),
    RemovedLabel(NodeId, String),
}

/// Guardrails: row limit, deadline, cancellation.
pub struct Guard {
    opts: ExecOptions,
    start: Instant,
    ticks: u64,
}

impl Guard {
    /// Starts the clock.
    pub fn new(opts: &ExecOptions) -> Self {
        Guard {
            opts: opts.clone(),
            start: Instant::now(),
            ticks: 0,
        }
    }

    /// Checks the deadline and the cancel flag (cheaply: the clock is read every 1024 calls).
    pub fn tick(&mut self) -> Result<(), QueryError> {
        self.ticks += 1;
        if self.ticks % 1024 != 0 {
            return Ok(());
        }
        if let Some(c) = &self.opts.cancel {
            if c.load(AtomicOrdering::Relaxed) {
                return Err(rt(ErrorKind::Limit, "Cancelled", "the query was cancelled"));
            }
        }
        if self.start.elapsed() > self.opts.timeout {
            return Err(rt(
                ErrorKind::Limit,
                "Timeout",
                format!(
                    "the query ran longer than the time limit of {:?}",
                    self.opts.timeout
                ),
            ));
        }
        Ok(())
    }

    /// Fails when a result grows past the row limit.
    pub fn result_rows(&self, n: usize) -> Result<(), QueryError> {
        if n > self.opts.max_rows {
            return Err(rt(
                ErrorKind::Limit,
                "RowLimit",
                format!(
                    "the result has more than the row limit of {} rows",
                    self.opts.max_rows
                ),
            ));
        }
        Ok(())
    }

    /// Fails when an intermediate table grows far past the row limit (rows that aggregation,
    /// DISTINCT or LIMIT may still reduce get ten times the room).
    pub fn rows(&self, n: usize) -> Result<(), QueryError> {
        check_rows(n, self.opts.max_rows)
    }

    /// The row limit, for checks made while the guard itself is lent out.
    pub fn max_rows(&self) -> usize {
        self.opts.max_rows
    }
}

/// The check of [`Guard::rows`] against a given row limit.
fn check_rows(n: usize, max_rows: usize) -> Result<(), QueryError> {
    if n > max_rows.saturating_mul(10) {
        return Err(rt(
            ErrorKind::Limit,
            "RowLimit",
            format!("the query produced more than the row limit of {max_rows} rows"),
        ));
    }
    Ok(())
}

impl Guard {}

/// What PROFILE measured for one clause.
#[derive(Clone, Debug, Default)]
pub struct ClauseStat {
    /// Rows the clause passed on.
    pub rows: usize,
    /// For MATCH, rows the pattern matched before WHERE.
    pub matched: Option<usize>,
    /// For MATCH, per pattern part, the nodes its walk started from.
    pub starts: Vec<usize>,
    /// Wall-clock time spent in the clause, in milliseconds.
    pub ms: f64,
}

/// Executes queries, logging writes for rollback.
pub struct Executor<'a> {
    graph: &'a mut Graph,
    params: &'a BTreeMap<String, Value>,
    undo: Vec<Undo>,
    /// Guardrails, shared with the pattern matcher.
    pub guard: Guard,
    /// What this query deleted; removed from the store when it succeeds.
    dead: expr::Dead,
    /// Set while running a MATCH whose rows only feed DISTINCT aggregates of its end node.
    distinct_ends: bool,
    /// Per single query, per clause measurements, when profiling.
    profile: Option<Vec<Vec<ClauseStat>>>,
    /// Rows the last MATCH found before its WHERE.
    last_matched: Option<usize>,
    /// Start nodes per pattern part of the last MATCH.
    last_starts: Vec<usize>,
}

impl<'a> Executor<'a> {
    /// An executor over a graph.
    pub fn new(
        graph: &'a mut Graph,
        params: &'a BTreeMap<String, Value>,
        opts: &ExecOptions,
    ) -> Self {
        Executor {
            graph,
            params,
            undo: Vec::new(),
            guard: Guard::new(opts),
            distinct_ends: false,
            dead: expr::Dead::default(),
            profile: None,
            last_matched: None,
            last_starts: Vec::new(),
        }
    }

    /// Makes the executor measure rows and time per clause (for PROFILE).
    pub fn profiling(mut self) -> Self {
        self.profile = Some(Vec::new());
        self
    }

    /// What was measured, per single query (in UNION order) and clause, when profiling.
    pub fn take_profile(&mut self) -> Vec<Vec<ClauseStat>> {
        self.profile.take().unwrap_or_default()
    }

    /// Runs a statement; on failure every change is undone.
    pub fn run(&mut self, q: &Query) -> Result<QueryResult, QueryError> {
        match self.run_query(q) {
            Ok(r) => {
                self.commit_deletions();
                Ok(r)
            }
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    fn run_query(&mut self, q: &Query) -> Result<QueryResult, QueryError> {
        let mut result = self.run_single(&q.first)?;
        let mut distinct = false;
        for (all, sq) in &q.unions {
            let next = self.run_single(sq)?;
            result.rows.extend(next.rows);
            distinct |= !*all;
        }
        if distinct {
            let mut seen = BTreeSet::new();
            result.rows.retain(|r| seen.insert(RowKey(r.clone())));
        }
        Ok(result)
    }

    fn run_single(&mut self, q: &SingleQuery) -> Result<QueryResult, QueryError> {
        let mut table = Table {
            names: Vec::new(),
            rows: vec![Vec::new()],
        };
        let mut columns = None;
        if let Some(p) = &mut self.profile {
            p.push(Vec::new());
        }
        let mut i = 0;
        while i < q.clauses.len() {
            let clause = &q.clauses[i];
            self.distinct_ends = match clause {
                Clause::Match {
                    pattern, filter, ..
                } => only_distinct_ends(pattern, filter.as_ref(), q.clauses.get(i + 1)),
                _ => false,
            };
            let started = Instant::now();
            self.last_matched = None;
            if let Some((optional, pattern, filter, p)) = streams_into(clause, q.clauses.get(i + 1))
            {
                // The MATCH feeds the aggregation directly: its rows are never stored.
                // Deleted entities stay in the store until the query commits: after a DELETE,
                // match rather than count (EXPLAIN makes the same choice).
                let may_count = !q.clauses[..i]
                    .iter()
                    .any(|c| matches!(c, Clause::Delete { .. }));
                let (names, grouper, aggs, passed) =
                    self.match_grouped(optional, pattern, filter, p, &table, may_count)?;
                if let Some(stats) = self.profile.as_mut().and_then(|p| p.last_mut()) {
                    stats.push(ClauseStat {
                        rows: passed,
                        matched: self.last_matched,
                        starts: std::mem::take(&mut self.last_starts),
                        ms: started.elapsed().as_secs_f64() * 1000.0,
                    });
                }
                i += 1;
                let clause = &q.clauses[i];
                let started = Instant::now();
                table = self.finish_grouped(p, &p.items, &names, grouper, &aggs)?;
                self.after_clause(clause, &table, started, &mut columns)?;
                i += 1;
                continue;
            }
            table = self.clause(clause, table)?;
            self.after_clause(clause, &table, started, &mut columns)?;
            i += 1;
        }
        Ok(match columns {
            Some(columns) => QueryResult {
                columns,
                rows: table.rows,
            },
            None => QueryResult::default(),
        })
    }

    /// Records what a clause did (when profiling) and applies the row limits to its table.
    fn after_clause(
        &mut self,
        clause: &Clause,
        table: &Table,
        started: Instant,
        columns: &mut Option<Vec<String>>,
    ) -> Result<(), QueryError> {
        if let Some(stats) = self.profile.as_mut().and_then(|p| p.last_mut()) {
            stats.push(ClauseStat {
                rows: table.rows.len(),
                matched: self.last_matched,
                starts: std::mem::take(&mut self.last_starts),
                ms: started.elapsed().as_secs_f64() * 1000.0,
            });
        }
        self.guard.rows(table.rows.len())?;
        if let Clause::Return(_) = clause {
            self.guard.result_rows(table.rows.len())?;
            *columns = Some(table.names.clone());
        }
        Ok(())
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            graph: self.graph,
            params: self.params,
            dead: Some(&self.dead),
        }
    }

    fn clause(&mut self, clause: &Clause, table: Table) -> Result<Table, QueryError> {
        match clause {
            Clause::Match {
                optional,
                pattern,
                filter,
            } => self.match_clause(*optional, pattern, filter.as_ref(), table),
            Clause::Unwind { expr, var, .. } => {
                let mut out = Table {
                    names: table.names.clone(),
                    rows: Vec::new(),
                };
                out.names.push(var.clone());
                for row in table.rows {
                    let v = eval(expr, &self.ctx(), scope(&table.names, &row))?;
                    let items = match v {
                        QValue::Null => Vec::new(),
                        QValue::List(items) => items,
                        other => vec![other],
                    };
                    for it in items {
                        let mut r = row.clone();
                        r.push(it);
                        out.rows.push(r);
                    }
                    self.guard.rows(out.rows.len())?;
                    self.guard.tick()?;
                }
                Ok(out)
            }
            Clause::With(p) | Clause::Return(p) => self.project(p, table),
            Clause::Create(parts) => {
                let mut out = Table {
                    names: table.names.clone(),
                    rows: Vec::with_capacity(table.rows.len()),
                };
                let new_vars = pattern_vars(parts, &table.names);
                out.names.extend(new_vars.iter().cloned());
                for row in table.rows {
                    let mut r = row;
                    r.resize(out.names.len(), QValue::Null);
                    for part in parts {
                        self.create_part(part, &out.names, &mut r)?;
                    }
                    out.rows.push(r);
                }
                Ok(out)
            }
            Clause::Merge {
                part,
                on_create,
                on_match,
            } => self.merge(part, on_create, on_match, table),
            Clause::Set(items) => {
                for row in &table.rows {
                    for item in items {
                        self.set_item(item, &table.names, row)?;
                    }
                }
                Ok(table)
            }
            Clause::Remove(items) => {
                for row in &table.rows {
                    for item in items {
                        self.remove_item(item, &table.names, row)?;
                    }
                }
                Ok(table)
            }
            Clause::Delete { detach, exprs } => {
                let mut nodes = Vec::new();
                let mut rels = Vec::new();
                for row in &table.rows {
                    for e in exprs {
                        match eval(e, &self.ctx(), scope(&table.names, row))? {
                            QValue::Null => {}
                            QValue::Node(n) => nodes.push(n),
                            QValue::Rel(r) => rels.push(r),
                            QValue::Path(p) => {
                                rels.extend(p.rels);
                                nodes.extend(p.nodes);
                            }
                            other => {
                                return Err(rt(
                                    ErrorKind::TypeError,
                                    "InvalidArgumentType",
                                    format!(
                                        "DELETE expects a node, relationship or path, got {}",
                                        expr::type_name(&other)
                                    ),
                                ))
                            }
                        }
                    }
                }
                for r in rels {
                    self.delete_edge(r)?;
                }
                for n in nodes {
                    self.delete_node(n, *detach)?;
                }
                Ok(table)
            }
        }
    }

    fn match_clause(
        &mut self,
        optional: bool,
        pattern: &[PatternPart],
        filter: Option<&Expr>,
        table: Table,
    ) -> Result<Table, QueryError> {
        let names = match_names(pattern, &table.names);
        let max_rows = self.guard.max_rows();
        let mut rows: Vec<Vec<QValue>> = Vec::new();
        self.match_each(optional, pattern, filter, &table, &names, &mut |_, r| {
            rows.push(r.to_vec());
            if rows.len() % 1024 == 0 {
                check_rows(rows.len(), max_rows)?;
            }
            Ok(())
        })?;
        Ok(Table { names, rows })
    }

    /// Matches `pattern` for every row of `table` and hands each resulting row (the pattern's
    /// variables `names`, after the WHERE, null-padded for an OPTIONAL MATCH that found
    /// nothing) to `sink`. Returns how many rows were handed on.
    fn match_each(
        &mut self,
        optional: bool,
        pattern: &[PatternPart],
        filter: Option<&Expr>,
        table: &Table,
        names: &[String],
        sink: &mut RowSink<'_>,
    ) -> Result<usize, QueryError> {
        let new_vars = pattern_vars(pattern, &table.names);
        let pushed = filter.and_then(|f| push_down(pattern, f, &new_vars));
        let pattern = pushed.as_deref().unwrap_or(pattern);
        let mut matched = 0;
        let mut passed = 0;
        let mut starts: Vec<usize> = Vec::new();
        let ctx = Ctx {
            graph: self.graph,
            params: self.params,
            dead: Some(&self.dead),
        };
        for row in &table.rows {
            let before = passed;
            let mut m = Matcher::new(&ctx, names, &mut self.guard);
            m.distinct_ends = self.distinct_ends;
            m.for_each_match(pattern, row, &mut |r| {
                matched += 1;
                if let Some(f) = filter {
                    if !matches!(eval(f, &ctx, scope(names, r))?, QValue::Bool(true)) {
                        return Ok(());
                    }
                }
                passed += 1;
                sink(&ctx, r)
            })?;
            if starts.len() < m.starts.len() {
                starts.resize(m.starts.len(), 0);
            }
            for (total, n) in starts.iter_mut().zip(&m.starts) {
                *total += n;
            }
            if optional && passed == before {
                let mut r = row.clone();
                r.resize(names.len(), QValue::Null);
                passed += 1;
                sink(&ctx, &r)?;
            }
        }
        self.last_matched = Some(matched);
        self.last_starts = starts;
        Ok(passed)
    }

    /// Runs a MATCH straight into the grouping of the aggregating projection `p` that follows
    /// it, counting from the store where [`shortcut::find`] says that is exact. Returns the
    /// MATCH's variables, the folded groups, the aggregate calls and the rows fed.
    #[allow(clippy::type_complexity)]
    fn match_grouped<'p>(
        &mut self,
        optional: bool,
        pattern: &[PatternPart],
        filter: Option<&Expr>,
        p: &'p Projection,
        table: &Table,
        may_count: bool,
    ) -> Result<(Vec<String>, Folded<'p>, Vec<&'p Expr>, usize), QueryError> {
        let names = match_names(pattern, &table.names);
        let (keys, aggs) = grouping(&p.items, p);
        let keep_first = keeps_first(p, &p.items, &aggs);
        let nothing_deleted = may_count && self.dead.nodes.is_empty() && self.dead.edges.is_empty();
        let sc = match shortcut::find(optional, pattern, filter, p, &table.names) {
            Some(sc) if nothing_deleted => Some(sc),
            _ => None,
        };
        let by_prop = sc.as_ref().and_then(|sc| grouped_by_property(p, sc));
        if let (Some(Shortcut::Degree { near, dir, types }), Some(key)) = (&sc, by_prop) {
            let top = self.top_count(p, &aggs)?;
            let ctx = Ctx {
                graph: self.graph,
                params: self.params,
                dead: Some(&self.dead),
            };
            // One row before the MATCH, and a near node it does not bind: each node comes once.
            let once = table.rows.len() == 1
                && near.var.as_ref().is_some_and(|v| !table.names.contains(v));
            let mut groups = prop_groups::PropGroups::new(ctx.graph, key, &aggs, once);
            let found = degrees(
                &ctx,
                &mut self.guard,
                near,
                *dir,
                types,
                table,
                &names,
                &mut |ctx, n, r, w| groups.feed(n, ctx, scope(&names, r), w),
            )?;
            self.last_matched = Some(found.matched);
            self.last_starts = vec![found.starts];
            return Ok((names, Folded::Groups(groups.finish(top)), aggs, found.fed));
        }
        let mut grouper = Grouper::new(keys, &aggs, keep_first);
        let counted = match &sc {
            Some(sc) => self.feed_counts(sc, table, &names, &mut grouper)?,
            None => None,
        };
        let fed = match counted {
            Some(fed) => fed,
            None => self.match_each(optional, pattern, filter, table, &names, &mut |ctx, r| {
                grouper.feed(ctx, scope(&names, r), 1)
            })?,
        };
        Ok((names, Folded::Rows(grouper), aggs, fed))
    }

    /// For an ORDER BY that starts with an aggregate and a LIMIT: which aggregate, the
    /// direction, and how many rows are kept.
    fn top_count(
        &self,
        p: &Projection,
        aggs: &[&Expr],
    ) -> Result<Option<prop_groups::TopCount>, QueryError> {
        let (Some((first, desc)), Some(limit)) = (p.order.first(), &p.limit) else {
            return Ok(None);
        };
        let out_names = item_names(&p.items);
        let kinds = item_kinds(&p.items, aggs);
        let agg = match order_column(first, &p.items, &out_names) {
            Some(c) => match kinds.get(c) {
                Some(ItemKind::Agg(j)) => Some(*j),
                _ => None,
            },
            None => aggs.iter().position(|a| *a == first),
        };
        let Some(agg) = agg else {
            return Ok(None);
        };
        let skip = match &p.skip {
            Some(s) => self.count_arg(s, "SKIP")?,
            None => 0,
        };
        let wanted = self.count_arg(limit, "LIMIT")?.saturating_add(skip);
        Ok(Some(prop_groups::TopCount {
            agg,
            desc: *desc,
            wanted,
        }))
    }

    /// Feeds `grouper` one row per pair of nodes at the ends of `walk`, weighted by the number
    /// of paths between them; returns the rows fed.
    fn feed_two_hop(
        &mut self,
        walk: &TwoHopWalk,
        table: &Table,
        names: &[String],
        grouper: &mut Grouper,
    ) -> Result<usize, QueryError> {
        let g: &Graph = self.graph;
        let ctx = Ctx {
            graph: g,
            params: self.params,
            dead: Some(&self.dead),
        };
        // An anonymous near node gets a hidden variable, for the matcher to hand it over.
        let mut near = walk.near.clone();
        let mut walk_names = names.to_vec();
        if near.var.is_none() {
            near.var = Some("\u{0}near".to_string());
            walk_names.extend(near.var.clone());
        }
        let part = super::shortcut::near_part(&near);
        let slot_of = |v: &Option<String>| {
            v.as_ref()
                .and_then(|v| walk_names.iter().position(|n| n == v))
        };
        let (near_slot, far_slot) = (slot_of(&near.var), slot_of(&walk.far.var));
        let mut counter = TwoHopCounter::new(g, walk);
        let (mut matched, mut starts, mut fed) = (0u64, 0, 0);
        for row in &table.rows {
            // The near nodes first: counting from each may take long, under the guard.
            let mut nears: Vec<NodeId> = Vec::new();
            let mut m = Matcher::new(&ctx, &walk_names, &mut self.guard);
            m.for_each_match(std::slice::from_ref(&part), row, &mut |r| {
                let n = match near_slot.and_then(|i| r.get(i)) {
                    Some(QValue::Node(n)) => Some(*n),
                    _ => None,
                };
                nears.extend(n);
                Ok(())
            })?;
            starts += m.starts.first().copied().unwrap_or(0);
            let Some(counter) = counter.as_mut() else {
                continue;
            };
            let mut r = row.clone();
            r.resize(names.len(), QValue::Null);
            for near in nears {
                let guard = &mut self.guard;
                let fars = counter.count(near, &mut || guard.tick())?;
                if let Some(slot) = near_slot.and_then(|i| r.get_mut(i)) {
                    *slot = QValue::Node(near);
                }
                match far_slot {
                    Some(i) => {
                        for (far, n) in fars {
                            if let Some(slot) = r.get_mut(i) {
                                *slot = QValue::Node(far);
                            }
                            matched += n;
                            fed += 1;
                            grouper.feed(&ctx, scope(names, &r), n)?;
                            self.guard.tick()?;
                        }
                    }
                    // Rows differ only in the far node, which is not kept: one row for all.
                    None => {
                        let n: u64 = fars.iter().map(|(_, n)| n).sum();
                        if n > 0 {
                            matched += n;
                            fed += 1;
                            grouper.feed(&ctx, scope(names, &r), n)?;
                        }
                    }
                }
            }
        }
        self.last_matched = Some(matched as usize);
        self.last_starts = vec![starts];
        Ok(fed)
    }

    /// Feeds `grouper` from store counts as `sc` describes; returns the rows fed, or `None`
    /// when the shortcut does not apply after all (the pattern is then matched).
    fn feed_counts(
        &mut self,
        sc: &Shortcut,
        table: &Table,
        names: &[String],
        grouper: &mut Grouper,
    ) -> Result<Option<usize>, QueryError> {
        let g: &Graph = self.graph;
        let mut fed = 0;
        match sc {
            Shortcut::TypeCount { var, types } => {
                let ctx = Ctx {
                    graph: g,
                    params: self.params,
                    dead: Some(&self.dead),
                };
                let ts = type_syms(g, types);
                let mut matched = 0;
                for row in &table.rows {
                    let mut r = row.clone();
                    r.resize(names.len(), QValue::Null);
                    for t in &ts {
                        let Some(any) = g.edges_with_type(*t).next() else {
                            continue;
                        };
                        if var.is_some() {
                            if let Some(slot) = r.last_mut() {
                                *slot = QValue::Rel(any);
                            }
                        }
                        let n = g.type_count(*t);
                        matched += n;
                        fed += 1;
                        grouper.feed(&ctx, scope(names, &r), n as u64)?;
                        self.guard.tick()?;
                    }
                }
                self.last_matched = Some(matched);
            }
            Shortcut::Degree { near, dir, types } => {
                let ctx = Ctx {
                    graph: g,
                    params: self.params,
                    dead: Some(&self.dead),
                };
                let found = degrees(
                    &ctx,
                    &mut self.guard,
                    near,
                    *dir,
                    types,
                    table,
                    names,
                    &mut |ctx, _, r, w| grouper.feed(ctx, scope(names, r), w),
                )?;
                fed = found.fed;
                self.last_matched = Some(found.matched);
                self.last_starts = vec![found.starts];
            }
            Shortcut::TwoHop { part } => match two_hop_plan(g, self.params, part, &table.names)? {
                Some(walk) => fed = self.feed_two_hop(&walk, table, names, grouper)?,
                None => return Ok(None),
            },
        }
        Ok(Some(fed))
    }

    fn project(&mut self, p: &Projection, table: Table) -> Result<Table, QueryError> {
        let items = proj_items(p, &table.names);
        if items.iter().any(|i| i.expr.has_aggregate()) {
            let (keys, aggs) = grouping(&items, p);
            let mut grouper = Grouper::new(keys, &aggs, keeps_first(p, &items, &aggs));
            for row in &table.rows {
                grouper.feed(&self.ctx(), scope(&table.names, row), 1)?;
                self.guard.tick()?;
            }
            return self.finish_grouped(p, &items, &table.names, Folded::Rows(grouper), &aggs);
        }
        let out_names = item_names(&items);
        let keep_row = needs_scope(p, &items);
        let mut rows: Vec<(Vec<QValue>, Vec<QValue>)> = Vec::with_capacity(table.rows.len());
        for row in table.rows {
            let sc = scope(&table.names, &row);
            let out: Vec<QValue> = items
                .iter()
                .map(|i| eval(&i.expr, &self.ctx(), sc))
                .collect::<Result<_, _>>()?;
            let sort_values = if keep_row {
                let mut v = row;
                v.extend(out.iter().cloned());
                v
            } else {
                Vec::new()
            };
            rows.push((out, sort_values));
            self.guard.tick()?;
        }
        let mut sort_names = table.names.clone();
        sort_names.extend(out_names.iter().cloned());
        self.finish_rows(p, &items, out_names, &sort_names, rows)
    }

    /// The rows of an aggregating projection from its filled grouper, then ordered, skipped,
    /// limited and filtered.
    fn finish_grouped(
        &mut self,
        p: &Projection,
        items: &[ProjItem],
        names: &[String],
        grouper: Folded,
        aggs: &[&Expr],
    ) -> Result<Table, QueryError> {
        let out_names = item_names(items);
        let mut agg_names = names.to_vec();
        agg_names.extend(aggs.iter().map(|a| expr::aggregate_slot(a)));
        // An item that is a grouping key or exactly an aggregate takes its value as computed.
        let kinds = item_kinds(items, aggs);
        let keep_row = needs_scope(p, items);
        let mut rows = Vec::new();
        let nkeys = kinds
            .iter()
            .filter(|k| matches!(k, ItemKind::Key(_)))
            .count();
        let needs_values = keep_row || kinds.iter().any(|k| matches!(k, ItemKind::Other));
        // Items that are the keys then every aggregate, in order, are the group's row as is.
        let as_is = kinds.len() == nkeys + aggs.len()
            && kinds.iter().enumerate().all(|(i, k)| match k {
                ItemKind::Key(j) => *j == i,
                ItemKind::Agg(j) => *j + nkeys == i,
                ItemKind::Other => false,
            });
        for (first, mut group) in grouper.finish()? {
            let mut values = Vec::new();
            if needs_values {
                values = first.unwrap_or_else(|| vec![QValue::Null; names.len()]);
                values.extend(group[nkeys..].iter().cloned());
            }
            let out: Vec<QValue> = if as_is {
                group
            } else {
                items
                    .iter()
                    .zip(&kinds)
                    .map(|(i, k)| match k {
                        // Each key is one item's value: it can be moved out.
                        ItemKind::Key(j) => Ok(std::mem::replace(&mut group[*j], QValue::Null)),
                        ItemKind::Agg(j) => Ok(group[nkeys + *j].clone()),
                        ItemKind::Other => eval(&i.expr, &self.ctx(), scope(&agg_names, &values)),
                    })
                    .collect::<Result<_, _>>()?
            };
            if keep_row {
                values.extend(out.iter().cloned());
            } else {
                values = Vec::new();
            }
            rows.push((out, values));
            self.guard.tick()?;
        }
        let mut sort_names = agg_names;
        sort_names.extend(out_names.iter().cloned());
        self.finish_rows(p, items, out_names, &sort_names, rows)
    }

    /// DISTINCT, ORDER BY, SKIP, LIMIT and WHERE over projected rows. Each row comes with the
    /// values (named `sort_names`) its sort keys and WHERE are evaluated against.
    fn finish_rows(
        &mut self,
        p: &Projection,
        items: &[ProjItem],
        out_names: Vec<String>,
        sort_names: &[String],
        mut rows: Vec<(Vec<QValue>, Vec<QValue>)>,
    ) -> Result<Table, QueryError> {
        if p.distinct {
            let mut seen = KeyTable::default();
            rows.retain(|(out, _)| seen.insert(out).1);
        }
        let skip = match &p.skip {
            Some(s) => self.count_arg(s, "SKIP")?,
            None => 0,
        };
        let limit = match &p.limit {
            Some(l) => Some(self.count_arg(l, "LIMIT")?),
            None => None,
        };
        if !p.order.is_empty() {
            // An ORDER BY key that repeats a projected expression reads its column.
            let columns: Vec<Option<usize>> = p
                .order
                .iter()
                .map(|(e, _)| order_column(e, items, &out_names))
                .collect();
            // Keys that are not projected columns are evaluated once per row.
            let mut extra: Vec<Vec<QValue>> = Vec::new();
            if columns.iter().any(Option::is_none) {
                extra.reserve(rows.len());
                for row in &rows {
                    let keys = p
                        .order
                        .iter()
                        .zip(&columns)
                        .map(|((e, _), c)| match c {
                            Some(_) => Ok(QValue::Null),
                            None => eval(e, &self.ctx(), scope(sort_names, &row.1)),
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    extra.push(keys);
                }
            }
            let key = |idx: usize, k: usize| match columns[k] {
                Some(c) => &rows[idx].0[c],
                None => &extra[idx][k],
            };
            // Ties keep their input order: the row index is the last key.
            let cmp = |i: &usize, j: &usize| {
                for (k, (_, desc)) in p.order.iter().enumerate() {
                    let o = total_cmp(key(*i, k), key(*j, k));
                    let o = if *desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                i.cmp(j)
            };
            // With a LIMIT only the first SKIP + LIMIT rows are needed: a few are kept sorted
            // while the rows stream past (most are turned away by one comparison with the
            // last kept), more are selected, then sorted.
            let wanted = limit.map(|l| l.saturating_add(skip));
            let order: Vec<usize> = match wanted {
                Some(k) if k <= TOP_K_INSERTION && k < rows.len() => {
                    let mut top: Vec<usize> = Vec::with_capacity(k + 1);
                    for idx in 0..rows.len() {
                        if top.len() == k
                            && top
                                .last()
                                .is_none_or(|last| cmp(&idx, last) != Ordering::Less)
                        {
                            continue;
                        }
                        let at = top.partition_point(|t| cmp(t, &idx) == Ordering::Less);
                        top.insert(at, idx);
                        top.truncate(k);
                    }
                    top
                }
                Some(k) if k < rows.len() => {
                    let mut all: Vec<usize> = (0..rows.len()).collect();
                    if k > 0 {
                        all.select_nth_unstable_by(k - 1, cmp);
                    }
                    all.truncate(k);
                    all.sort_unstable_by(cmp);
                    all
                }
                _ => {
                    let mut all: Vec<usize> = (0..rows.len()).collect();
                    all.sort_unstable_by(cmp);
                    all
                }
            };
            // Move the chosen rows out in their new order, dropping the rest in place.
            let mut rank = vec![usize::MAX; rows.len()];
            for (r, idx) in order.iter().enumerate() {
                rank[*idx] = r;
            }
            let mut sorted: Vec<Option<(Vec<QValue>, Vec<QValue>)>> = Vec::new();
            sorted.resize_with(order.len(), || None);
            for (idx, row) in rows.into_iter().enumerate() {
                if let Some(slot) = sorted.get_mut(rank[idx]) {
                    *slot = Some(row);
                }
            }
            rows = sorted.into_iter().flatten().collect();
        }
        if skip > 0 {
            rows.drain(..skip.min(rows.len()));
        }
        if let Some(n) = limit {
            rows.truncate(n);
        }
        if let Some(f) = &p.filter {
            let mut kept = Vec::with_capacity(rows.len());
            for row in rows {
                if matches!(
                    eval(f, &self.ctx(), scope(sort_names, &row.1))?,
                    QValue::Bool(true)
                ) {
                    kept.push(row);
                }
            }
            rows = kept;
        }
        Ok(Table {
            names: out_names,
            rows: rows.into_iter().map(|(o, _)| o).collect(),
        })
    }

    fn count_arg(&self, e: &Expr, what: &str) -> Result<usize, QueryError> {
        let v = eval(e, &self.ctx(), scope(&[], &[]))?;
        match v {
            QValue::Int(i) if i >= 0 => Ok(i as usize),
            QValue::Int(_) => Err(QueryError::new(
                ErrorKind::SyntaxError,
                "NegativeIntegerArgument",
                Phase::Runtime,
                format!("{what} must not be negative"),
            )),
            other => Err(QueryError::new(
                ErrorKind::SyntaxError,
                "InvalidArgumentType",
                Phase::Runtime,
                format!("{what} needs an integer, got {}", expr::type_name(&other)),
            )),
        }
    }

    // ----- writes -----

    fn props_of(
        &self,
        e: Option<&Expr>,
        names: &[String],
        row: &[QValue],
    ) -> Result<Vec<(String, Value)>, QueryError> {
        let Some(e) = e else {
            return Ok(Vec::new());
        };
        match eval(e, &self.ctx(), scope(names, row))? {
            QValue::Map(m) => m
                .into_iter()
                .map(|(k, v)| Ok((k, expr::to_property(&v)?)))
                .collect(),
            QValue::Null => Ok(Vec::new()),
            other => Err(rt(
                ErrorKind::TypeError,
                "InvalidArgumentType",
                format!("properties must be a map, got {}", expr::type_name(&other)),
            )),
        }
    }

    fn create_node(
        &mut self,
        n: &NodePat,
        names: &[String],
        row: &[QValue],
    ) -> Result<NodeId, QueryError> {
        let props = self.props_of(n.props.as_ref(), names, row)?;
        let labels: Vec<&str> = n.labels.iter().map(String::as_str).collect();
        let pr: Vec<(&str, Value)> = props.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let id = self.graph.add_node(&labels, &pr);
        self.undo.push(Undo::AddedNode(id));
        Ok(id)
    }

    fn node_for(
        &mut self,
        n: &NodePat,
        names: &[String],
        row: &mut [QValue],
    ) -> Result<NodeId, QueryError> {
        if let Some(v) = &n.var {
            if let Some(i) = names.iter().position(|x| x == v) {
                match &row[i] {
                    QValue::Node(id) => return Ok(*id),
                    QValue::Null => {}
                    other => {
                        return Err(rt(
                            ErrorKind::TypeError,
                            "InvalidArgumentType",
                            format!("`{v}` is {}, not a node", expr::type_name(other)),
                        ))
                    }
                }
                let id = self.create_node(n, names, row)?;
                row[i] = QValue::Node(id);
                return Ok(id);
            }
        }
        self.create_node(n, names, row)
    }

    fn create_part(
        &mut self,
        part: &PatternPart,
        names: &[String],
        row: &mut [QValue],
    ) -> Result<(), QueryError> {
        let mut nodes = vec![self.node_for(&part.start, names, row)?];
        let mut rels = Vec::new();
        for (r, n) in &part.chain {
            let prev = *nodes.last().unwrap_or(&NodeId::new(0));
            let next = self.node_for(n, names, row)?;
            let props = self.props_of(r.props.as_ref(), names, row)?;
            let ty = r.types.first().cloned().unwrap_or_default();
            let (src, dst) = if r.dir == Dir::In {
                (next, prev)
            } else {
                (prev, next)
            };
            let pr: Vec<(&str, Value)> =
                props.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let e = self.graph.add_edge(src, dst, &ty, &pr).map_err(|e| {
                rt(
                    ErrorKind::EntityNotFound,
                    "DeletedEntityAccess",
                    e.to_string(),
                )
            })?;
            self.undo.push(Undo::AddedEdge(e));
            if let Some(v) = &r.var {
                if let Some(i) = names.iter().position(|x| x == v) {
                    row[i] = QValue::Rel(e);
                }
            }
            nodes.push(next);
            rels.push(e);
        }
        if let Some(p) = &part.var {
            if let Some(i) = names.iter().position(|x| x == p) {
                row[i] = expr::path(nodes, rels);
            }
        }
        Ok(())
    }

    fn merge(
        &mut self,
        part: &PatternPart,
        on_create: &[SetItem],
        on_match: &[SetItem],
        table: Table,
    ) -> Result<Table, QueryError> {
        let parts = std::slice::from_ref(part);
        let new_vars = pattern_vars(parts, &table.names);
        let mut names = table.names.clone();
        names.extend(new_vars.iter().cloned());
        let mut out = Table {
            names: names.clone(),
            rows: Vec::new(),
        };
        for row in table.rows {
            self.merge_nulls(part, &names, &row)?;
            let found = {
                let ctx = Ctx {
                    graph: self.graph,
                    params: self.params,
                    dead: Some(&self.dead),
                };
                let mut m = Matcher::new(&ctx, &names, &mut self.guard);
                m.match_pattern(parts, &row)?
            };
            if found.is_empty() {
                let mut r = row;
                r.resize(names.len(), QValue::Null);
                self.create_part(part, &names, &mut r)?;
                for item in on_create {
                    self.set_item(item, &names, &r)?;
                }
                out.rows.push(r);
            } else {
                for r in found {
                    for item in on_match {
                        self.set_item(item, &names, &r)?;
                    }
                    out.rows.push(r);
                }
            }
        }
        Ok(out)
    }

    /// MERGE cannot match or create a null property, so it refuses one up front.
    fn merge_nulls(
        &self,
        part: &PatternPart,
        names: &[String],
        row: &[QValue],
    ) -> Result<(), QueryError> {
        let mut wide = row.to_vec();
        wide.resize(names.len(), QValue::Null);
        let maps = std::iter::once(&part.start.props)
            .chain(part.chain.iter().flat_map(|(r, n)| [&r.props, &n.props]));
        for m in maps.flatten() {
            if let QValue::Map(m) = eval(m, &self.ctx(), scope(names, &wide))? {
                if let Some((k, _)) = m.iter().find(|(_, v)| matches!(v, QValue::Null)) {
                    return Err(rt(
                        ErrorKind::SemanticError,
                        "MergeReadOwnWrites",
                        format!("MERGE cannot use a null value for property `{k}`"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn set_prop(&mut self, target: &QValue, key: &str, value: Value) -> Result<(), QueryError> {
        match target {
            QValue::Null => Ok(()),
            QValue::Node(n) => {
                let old = self
                    .graph
                    .set_node_prop(*n, key, value)
                    .map_err(|_| expr::deleted())?;
                self.undo.push(Undo::NodeProp(*n, key.to_string(), old));
                Ok(())
            }
            QValue::Rel(r) => {
                let old = self
                    .graph
                    .set_edge_prop(*r, key, value)
                    .map_err(|_| expr::deleted())?;
                self.undo.push(Undo::EdgeProp(*r, key.to_string(), old));
                Ok(())
            }
            other => Err(rt(
                ErrorKind::TypeError,
                "InvalidArgumentType",
                format!("cannot set a property on {}", expr::type_name(other)),
            )),
        }
    }

    fn current_props(&self, target: &QValue) -> BTreeMap<String, Value> {
        match target {
            QValue::Node(n) => self.graph.node_props_map(*n),
            QValue::Rel(r) => self.graph.edge_props_map(*r),
            _ => BTreeMap::new(),
        }
    }

    fn set_item(
        &mut self,
        item: &SetItem,
        names: &[String],
        row: &[QValue],
    ) -> Result<(), QueryError> {
        match item {
            SetItem::Prop { target, key, value } => {
                let t = eval(target, &self.ctx(), scope(names, row))?;
                let v = expr::to_property(&eval(value, &self.ctx(), scope(names, row))?)?;
                self.set_prop(&t, key, v)
            }
            SetItem::Map { var, value, merge } => {
                let sc = scope(names, row);
                let t = sc.get(var).cloned().unwrap_or(QValue::Null);
                if matches!(t, QValue::Null) {
                    return Ok(());
                }
                let new: BTreeMap<String, Value> = match eval(value, &self.ctx(), sc)? {
                    QValue::Map(m) => m
                        .into_iter()
                        .map(|(k, v)| Ok((k, expr::to_property(&v)?)))
                        .collect::<Result<_, QueryError>>()?,
                    e @ (QValue::Node(_) | QValue::Rel(_)) => self.current_props(&e),
                    QValue::Null => BTreeMap::new(),
                    other => {
                        return Err(rt(
                            ErrorKind::TypeError,
                            "InvalidArgumentType",
                            format!("SET needs a map, got {}", expr::type_name(&other)),
                        ))
                    }
                };
                if !merge {
                    for k in self.current_props(&t).into_keys() {
                        if !new.contains_key(&k) {
                            self.set_prop(&t, &k, Value::Null)?;
                        }
                    }
                }
                for (k, v) in new {
                    self.set_prop(&t, &k, v)?;
                }
                Ok(())
            }
            SetItem::Labels { var, labels } => {
                let t = scope(names, row).get(var).cloned().unwrap_or(QValue::Null);
                match t {
                    QValue::Null => Ok(()),
                    QValue::Node(n) => {
                        for l in labels {
                            if self.graph.add_label(n, l).map_err(|_| expr::deleted())? {
                                self.undo.push(Undo::AddedLabel(n, l.clone()));
                            }
                        }
                        Ok(())
                    }
                    other => Err(rt(
                        ErrorKind::TypeError,
                        "InvalidArgumentType",
                        format!(
                            "labels can only be set on nodes, not {}",
                            expr::type_name(&other)
                        ),
                    )),
                }
            }
        }
    }

    fn remove_item(
        &mut self,
        item: &RemoveItem,
        names: &[String],
        row: &[QValue],
    ) -> Result<(), QueryError> {
        match item {
            RemoveItem::Prop { target, key } => {
                let t = eval(target, &self.ctx(), scope(names, row))?;
                self.set_prop(&t, key, Value::Null)
            }
            RemoveItem::Labels { var, labels } => {
                if let Some(QValue::Node(n)) = scope(names, row).get(var).cloned() {
                    for l in labels {
                        if self.graph.remove_label(n, l).map_err(|_| expr::deleted())? {
                            self.undo.push(Undo::RemovedLabel(n, l.clone()));
                        }
                    }
                }
                Ok(())
            }
        }
    }

    fn delete_edge(&mut self, e: EdgeId) -> Result<(), QueryError> {
        if self.graph.edge(e).is_some() {
            self.dead.edges.insert(e);
        }
        Ok(())
    }

    fn delete_node(&mut self, n: NodeId, detach: bool) -> Result<(), QueryError> {
        if self.graph.node(n).is_none() || self.dead.nodes.contains(&n) {
            return Ok(());
        }
        let live: Vec<EdgeId> = self
            .graph
            .outgoing(n)
            .map(|(e, _)| e)
            .chain(self.graph.incoming(n).map(|(e, _)| e))
            .filter(|e| !self.dead.edges.contains(e))
            .collect();
        if !live.is_empty() && !detach {
            return Err(rt(
                ErrorKind::ConstraintVerificationFailed,
                "DeleteConnectedNode",
                "cannot delete a node that still has relationships; use DETACH DELETE",
            ));
        }
        self.dead.edges.extend(live);
        self.dead.nodes.insert(n);
        Ok(())
    }

    /// Removes what the query deleted, now that it has succeeded.
    fn commit_deletions(&mut self) {
        let dead = std::mem::take(&mut self.dead);
        // The entities were live when marked and nothing else removes them, so these cannot
        // fail.
        for e in dead.edges {
            let _ = self.graph.remove_edge(e);
        }
        for n in dead.nodes {
            let _ = self.graph.detach_remove_node(n);
        }
    }

    /// Reverses every logged change, newest first.
    fn rollback(&mut self) {
        while let Some(u) = self.undo.pop() {
            // Errors here mean the change never took effect; there is nothing to reverse.
            match u {
                Undo::AddedNode(n) => {
                    let _ = self.graph.detach_remove_node(n);
                }
                Undo::AddedEdge(e) => {
                    let _ = self.graph.remove_edge(e);
                }
                Undo::NodeProp(n, k, old) => {
                    let _ = self.graph.set_node_prop(n, &k, old.unwrap_or(Value::Null));
                }
                Undo::EdgeProp(e, k, old) => {
                    let _ = self.graph.set_edge_prop(e, &k, old.unwrap_or(Value::Null));
                }
                Undo::AddedLabel(n, l) => {
                    let _ = self.graph.remove_label(n, &l);
                }
                Undo::RemovedLabel(n, l) => {
                    let _ = self.graph.add_label(n, &l);
                }
            }
        }
    }
}

/// Receives each node [`degrees`] found, with its row and its degree.
type DegreeSink<'s> = dyn FnMut(&Ctx, NodeId, &[QValue], u64) -> Result<(), QueryError> + 's;

/// What [`degrees`] found: rows handed on, edges they stand for, nodes the walk started from.
struct DegreeFeed {
    fed: usize,
    matched: usize,
    starts: usize,
}

/// Walks the matches of `near` (a Degree shortcut's near node) for every row of `table` and
/// hands each with its number of edges in `dir` of `types` (any when empty) to `sink`, when
/// that is not zero.
#[allow(clippy::too_many_arguments)]
fn degrees(
    ctx: &Ctx,
    guard: &mut Guard,
    near: &NodePat,
    dir: Dir,
    types: &[String],
    table: &Table,
    names: &[String],
    sink: &mut DegreeSink<'_>,
) -> Result<DegreeFeed, QueryError> {
    let g = ctx.graph;
    let ts = (!types.is_empty()).then(|| type_syms(g, types));
    let part = super::shortcut::near_part(near);
    let slot = near
        .var
        .as_ref()
        .and_then(|v| names.iter().position(|n| n == v));
    let mut out = DegreeFeed {
        fed: 0,
        matched: 0,
        starts: 0,
    };
    for row in &table.rows {
        let mut m = Matcher::new(ctx, names, guard);
        m.for_each_match(std::slice::from_ref(&part), row, &mut |r| {
            let Some(QValue::Node(n)) = slot.and_then(|i| r.get(i)) else {
                return Ok(());
            };
            let w = match (&ts, dir) {
                (None, Dir::In) => g.in_degree(*n),
                (None, _) => g.out_degree(*n),
                (Some(ts), Dir::In) => ts.iter().map(|t| g.in_degree_typed(*n, *t)).sum(),
                (Some(ts), _) => ts.iter().map(|t| g.out_degree_typed(*n, *t)).sum(),
            };
            if w > 0 {
                out.matched += w;
                out.fed += 1;
                sink(ctx, *n, r, w as u64)?;
            }
            Ok(())
        })?;
        out.starts += m.starts.first().copied().unwrap_or(0);
    }
    Ok(out)
}

/// The property key when a [`Shortcut::Degree`] feeds an aggregation whose only grouping key
/// is that property of its near node and whose aggregates only count rows: then the groups
/// are folded by [`prop_groups::PropGroups`]. Shared by the executor and EXPLAIN.
pub(crate) fn grouped_by_property<'p>(p: &'p Projection, sc: &Shortcut) -> Option<&'p str> {
    let Shortcut::Degree { near, .. } = sc else {
        return None;
    };
    let (keys, aggs) = grouping(&p.items, p);
    if keeps_first(p, &p.items, &aggs) {
        return None;
    }
    let (v, key) = prop_groups::applies(&keys, &aggs)?;
    (near.var.as_deref() == Some(v)).then_some(key)
}

/// The groups a MATCH fed into an aggregating projection: a grouper still to finish, or
/// groups finished already.
enum Folded<'p> {
    Rows(Grouper<'p>),
    Groups(Vec<Finished>),
}

impl Folded<'_> {
    fn finish(self) -> Result<Vec<Finished>, QueryError> {
        match self {
            Folded::Rows(g) => g.finish(),
            Folded::Groups(groups) => Ok(groups),
        }
    }
}

/// The relationship types of `types` (every type when empty) that have edges in `g`, sorted.
fn type_syms(g: &Graph, types: &[String]) -> Vec<Sym> {
    let mut ts: Vec<Sym> = if types.is_empty() {
        (0..g.interner().strings().len() as u32).map(Sym).collect()
    } else {
        types.iter().filter_map(|t| g.sym(t)).collect()
    };
    ts.sort_unstable();
    ts.dedup();
    ts.retain(|t| g.type_count(*t) > 0);
    ts
}

/// The walk a [`Shortcut::TwoHop`] part is counted along, oriented as the matcher would walk
/// it when the variables `bound` are bound already, or `None` when the part must be matched
/// (see [`shortcut::two_hop_walk`]). Shared by the executor and EXPLAIN.
pub(crate) fn two_hop_plan(
    graph: &Graph,
    params: &BTreeMap<String, Value>,
    part: &PatternPart,
    bound: &[String],
) -> Result<Option<TwoHopWalk>, QueryError> {
    let parts = std::slice::from_ref(part);
    let names = match_names(parts, bound);
    let mut flags = vec![true; bound.len()];
    flags.resize(names.len(), false);
    let ctx = Ctx {
        graph,
        params,
        dead: None,
    };
    let mut guard = Guard::new(&ExecOptions::default());
    let plan = Matcher::new(&ctx, &names, &mut guard).plan_part(part, &flags)?;
    Ok(shortcut::two_hop_walk(part, plan.reversed, bound))
}

/// The MATCH and aggregating projection when `clause` is a MATCH whose rows only feed the
/// aggregation in `next`, so that they can be folded as they are found.
#[allow(clippy::type_complexity)]
pub(crate) fn streams_into<'q>(
    clause: &'q Clause,
    next: Option<&'q Clause>,
) -> Option<(bool, &'q [PatternPart], Option<&'q Expr>, &'q Projection)> {
    let Clause::Match {
        optional,
        pattern,
        filter,
    } = clause
    else {
        return None;
    };
    let Some(Clause::With(p) | Clause::Return(p)) = next else {
        return None;
    };
    if p.star || !p.items.iter().any(|i| i.expr.has_aggregate()) {
        return None;
    }
    Some((*optional, pattern, filter.as_ref(), p))
}

/// True when a projection's rows must keep the values its ORDER BY or WHERE is evaluated
/// against: some sort key is not a projected column, or there is a WHERE.
fn needs_scope(p: &Projection, items: &[ProjItem]) -> bool {
    let names = item_names(items);
    p.filter.is_some()
        || p.order
            .iter()
            .any(|(e, _)| order_column(e, items, &names).is_none())
}

/// The projected column an ORDER BY key reads: one whose expression it repeats, or one it
/// names (projected names shadow every other variable in ORDER BY).
fn order_column(e: &Expr, items: &[ProjItem], out_names: &[String]) -> Option<usize> {
    if let Expr::Var(v, _) = e {
        if let Some(i) = out_names.iter().rposition(|n| n == v) {
            return Some(i);
        }
    }
    items.iter().position(|i| &i.expr == e)
}

/// Where an aggregating projection's item takes its value from.
enum ItemKind {
    /// The `j`-th grouping key.
    Key(usize),
    /// The `j`-th aggregate call.
    Agg(usize),
    /// Evaluated against the group's first row and the aggregate results.
    Other,
}

fn item_kinds(items: &[ProjItem], aggs: &[&Expr]) -> Vec<ItemKind> {
    let mut key = 0;
    items
        .iter()
        .map(|i| {
            if !i.expr.has_aggregate() {
                key += 1;
                ItemKind::Key(key - 1)
            } else if let Some(j) = aggs.iter().position(|a| *a == &i.expr) {
                ItemKind::Agg(j)
            } else {
                ItemKind::Other
            }
        })
        .collect()
}

/// Whether the groups of an aggregating projection must keep their first row: for an item
/// that mixes aggregates with other expressions, or an ORDER BY or WHERE that reads more than
/// the projected columns.
fn keeps_first(p: &Projection, items: &[ProjItem], aggs: &[&Expr]) -> bool {
    needs_scope(p, items)
        || item_kinds(items, aggs)
            .iter()
            .any(|k| matches!(k, ItemKind::Other))
}

/// The variables of a MATCH's rows: those bound before it, then the ones it introduces.
fn match_names(pattern: &[PatternPart], bound: &[String]) -> Vec<String> {
    let mut names = bound.to_vec();
    names.extend(pattern_vars(pattern, bound));
    names
}

/// The items of a projection, with `*` expanded to every visible variable.
fn proj_items(p: &Projection, names: &[String]) -> Vec<ProjItem> {
    let mut items: Vec<ProjItem> = Vec::new();
    if p.star {
        let mut vars: Vec<&String> = names.iter().filter(|n| !n.starts_with('\u{0}')).collect();
        vars.sort();
        vars.dedup();
        for v in vars {
            items.push(ProjItem {
                expr: Expr::Var(v.clone(), Span::default()),
                alias: None,
                text: v.clone(),
                span: Span::default(),
            });
        }
    }
    items.extend(p.items.iter().cloned());
    items
}

/// The column names of projected items.
fn item_names(items: &[ProjItem]) -> Vec<String> {
    items
        .iter()
        .map(|i| match (&i.alias, &i.expr) {
            (Some(a), _) => a.clone(),
            (None, Expr::Var(v, _)) => v.clone(),
            (None, _) => i.text.clone(),
        })
        .collect()
}

/// The grouping keys (items without aggregates) and the distinct aggregate calls (in items,
/// then in ORDER BY) of an aggregating projection.
fn grouping<'e>(items: &'e [ProjItem], p: &'e Projection) -> (Vec<&'e Expr>, Vec<&'e Expr>) {
    let mut aggs: Vec<&Expr> = Vec::new();
    for i in items {
        collect_aggregates(&i.expr, &mut aggs);
    }
    for (e, _) in &p.order {
        collect_aggregates(e, &mut aggs);
    }
    let keys = items
        .iter()
        .filter(|i| !i.expr.has_aggregate())
        .map(|i| &i.expr)
        .collect();
    (keys, aggs)
}

/// True when a MATCH of one variable-length relationship (no relationship or path variable,
/// no WHERE) feeds a projection that only uses its end node inside DISTINCT aggregates (or
/// min/max), so duplicate rows cannot change the answer and each end node is needed once.
pub(crate) fn only_distinct_ends(
    pattern: &[PatternPart],
    filter: Option<&Expr>,
    next: Option<&Clause>,
) -> bool {
    let [part] = pattern else {
        return false;
    };
    let [(rel, end)] = part.chain.as_slice() else {
        return false;
    };
    let Some((lo, _)) = rel.range else {
        return false;
    };
    let Some(end_var) = &end.var else {
        return false;
    };
    if filter.is_some()
        || part.var.is_some()
        || part.shortest.is_some()
        || rel.var.is_some()
        || rel.dir == Dir::Both
        || lo.unwrap_or(1) > 1
        || part.start.var.as_ref() == Some(end_var)
    {
        return false;
    }
    let Some(Clause::With(p) | Clause::Return(p)) = next else {
        return false;
    };
    if p.star || !p.items.iter().any(|i| i.expr.has_aggregate()) {
        return false;
    }
    fn uses_ok(e: &Expr, var: &str) -> bool {
        match e {
            Expr::Var(v, _) => v != var,
            Expr::CountStar => false,
            // Duplicate rows change every aggregate except DISTINCT ones, min and max.
            Expr::Call { name, distinct, .. } if e.is_aggregate() => {
                *distinct || name.eq_ignore_ascii_case("min") || name.eq_ignore_ascii_case("max")
            }
            _ => {
                let mut ok = true;
                super::plan::visit_children(e, &mut |c| ok &= uses_ok(c, var));
                ok
            }
        }
    }
    p.items.iter().all(|i| uses_ok(&i.expr, end_var))
        && p.order.iter().all(|(e, _)| uses_ok(e, end_var))
        && p.filter.as_ref().is_none_or(|f| uses_ok(f, end_var))
}

/// Copies `WHERE n.name = <constant>` and `WHERE n.id = <constant>` conditions into the node
/// pattern of `n`, and `WHERE n.name STARTS WITH <constant>` into its `name_prefix`, so that
/// matching starts from an index instead of a scan. The WHERE is still
/// applied, so the result is the same; `None` when nothing could be moved.
pub(crate) fn push_down(
    pattern: &[PatternPart],
    filter: &Expr,
    new_vars: &[String],
) -> Option<Vec<PatternPart>> {
    fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        match e {
            Expr::Bin(BinOp::And, a, b) => {
                conjuncts(a, out);
                conjuncts(b, out);
            }
            other => out.push(other),
        }
    }
    fn constant(e: &Expr) -> bool {
        let mut ok = true;
        e.walk(&mut |x| {
            let varying = matches!(
                x,
                Expr::Var(..) | Expr::CountStar | Expr::ListComp { .. } | Expr::Quantifier { .. }
            ) || matches!(x, Expr::Call { name, .. } if name.eq_ignore_ascii_case("rand"))
                || x.is_aggregate();
            ok &= !varying;
        });
        ok
    }
    let mut parts_list = Vec::new();
    conjuncts(filter, &mut parts_list);
    let mut out: Option<Vec<PatternPart>> = None;
    for c in parts_list {
        if let Expr::Bin(BinOp::StartsWith, a, b) = c {
            if let Expr::Prop(t, key) = &**a {
                if let Expr::Var(var, _) = &**t {
                    if key == crate::store::NAME && new_vars.contains(var) && constant(b) {
                        let parts = out.get_or_insert_with(|| pattern.to_vec());
                        if let Some(node) = node_of(parts, var) {
                            node.name_prefix.get_or_insert_with(|| (**b).clone());
                        }
                    }
                }
            }
            continue;
        }
        let Expr::Bin(BinOp::Eq, a, b) = c else {
            continue;
        };
        let (prop, value) = match (&**a, &**b) {
            (Expr::Prop(t, k), v) if matches!(**t, Expr::Var(..)) => ((t, k), v),
            (v, Expr::Prop(t, k)) if matches!(**t, Expr::Var(..)) => ((t, k), v),
            _ => continue,
        };
        let (Expr::Var(var, _), key) = (&**prop.0, prop.1) else {
            continue;
        };
        if (key != crate::store::NAME && key != crate::store::ID)
            || !new_vars.contains(var)
            || !constant(value)
        {
            continue;
        }
        let parts = out.get_or_insert_with(|| pattern.to_vec());
        if let Some(node) = node_of(parts, var) {
            match &mut node.props {
                None => node.props = Some(Expr::Map(vec![(key.clone(), value.clone())])),
                Some(Expr::Map(entries)) if !entries.iter().any(|(k, _)| k == key) => {
                    entries.push((key.clone(), value.clone()))
                }
                _ => {}
            }
        }
    }
    out
}

/// The node pattern that binds `var`, in any part.
fn node_of<'p>(parts: &'p mut [PatternPart], var: &str) -> Option<&'p mut NodePat> {
    parts.iter_mut().find_map(|p| {
        std::iter::once(&mut p.start)
            .chain(p.chain.iter_mut().map(|(_, n)| n))
            .find(|n| n.var.as_deref() == Some(var))
    })
}

/// A row as an ordered key, for DISTINCT, grouping and UNION.
#[derive(Clone, Debug)]
pub struct RowKey(pub Vec<QValue>);

impl PartialEq for RowKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for RowKey {}
impl PartialOrd for RowKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for RowKey {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.0.iter().zip(&other.0) {
            let o = total_cmp(a, b);
            if o != Ordering::Equal {
                return o;
            }
        }
        self.0.len().cmp(&other.0.len())
    }
}

/// A scope over a row.
pub fn scope<'s>(names: &'s [String], values: &'s [QValue]) -> Scope<'s> {
    Scope { names, values }
}

/// Variables a pattern introduces that are not in `bound`, in order of appearance.
pub fn pattern_vars(parts: &[PatternPart], bound: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: &Option<String>| {
        if let Some(v) = v {
            if !bound.contains(v) && !out.contains(v) {
                out.push(v.clone());
            }
        }
    };
    for p in parts {
        add(&p.var);
        add(&p.start.var);
        for (r, n) in &p.chain {
            add(&r.var);
            add(&n.var);
        }
    }
    out
}

fn collect_aggregates<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    if e.is_aggregate() {
        if !out.contains(&e) {
            out.push(e);
        }
        return;
    }
    match e {
        Expr::Prop(x, _)
        | Expr::HasLabels(x, _)
        | Expr::Not(x)
        | Expr::Neg(x)
        | Expr::Pos(x)
        | Expr::IsNull(x, _) => collect_aggregates(x, out),
        Expr::Index(a, b) | Expr::Bin(_, a, b) => {
            collect_aggregates(a, out);
            collect_aggregates(b, out);
        }
        Expr::Slice(a, b, c) => {
            collect_aggregates(a, out);
            if let Some(b) = b {
                collect_aggregates(b, out);
            }
            if let Some(c) = c {
                collect_aggregates(c, out);
            }
        }
        Expr::List(items) | Expr::Call { args: items, .. } => {
            items.iter().for_each(|x| collect_aggregates(x, out))
        }
        Expr::Map(items) => items.iter().for_each(|(_, x)| collect_aggregates(x, out)),
        Expr::ListComp { list, .. } | Expr::Quantifier { list, .. } => {
            collect_aggregates(list, out)
        }
        Expr::Case {
            operand,
            alts,
            default,
        } => {
            if let Some(o) = operand {
                collect_aggregates(o, out);
            }
            for (w, t) in alts {
                collect_aggregates(w, out);
                collect_aggregates(t, out);
            }
            if let Some(d) = default {
                collect_aggregates(d, out);
            }
        }
        _ => {}
    }
}

/// Converts a stored property list into query values (used by callers outside this module).
pub fn value_map(m: &BTreeMap<String, Value>) -> BTreeMap<String, QValue> {
    m.iter().map(|(k, v)| (k.clone(), from_value(v))).collect()
}
