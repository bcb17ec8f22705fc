//! Semantic checks before execution: which variables are bound and of what kind, where
//! aggregates may appear, what CREATE and MERGE can build. Errors found here are compile-time
//! errors, so a rejected query never touches the graph.

use super::ast::*;
use super::error::{ErrorKind, Phase, QueryError};
use super::funcs::FUNCTIONS;

/// What a variable holds, as far as can be told before running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Node,
    Rel,
    RelList,
    Path,
    /// A value known to be neither a map nor a graph element (a literal number, string...).
    Scalar,
    /// A value known to be a map.
    MapValue,
    Value,
}

fn semantic(code: &str, message: impl Into<String>, span: Option<Span>) -> QueryError {
    // The TCK files errors found before execution (unknown variables, misplaced aggregates...)
    // as syntax errors, and so does this crate.
    let e = QueryError::new(ErrorKind::SyntaxError, code, Phase::Compile, message);
    match span {
        Some(s) if s.end > s.start => e.with_span(s.start, s.end),
        _ => e,
    }
}

/// Checks a whole statement.
pub fn check(q: &Query) -> Result<(), QueryError> {
    let columns = check_single(&q.first)?;
    let mut kinds = Vec::new();
    for (all, sq) in &q.unions {
        kinds.push(*all);
        let cols = check_single(sq)?;
        if cols != columns {
            return Err(semantic(
                "DifferentColumnsInUnion",
                "all queries in a UNION must return the same column names",
                None,
            ));
        }
    }
    if kinds.iter().any(|a| *a) && kinds.iter().any(|a| !*a) {
        return Err(semantic(
            "InvalidClauseComposition",
            "UNION and UNION ALL cannot be mixed",
            None,
        ));
    }
    Ok(())
}

struct Checker {
    scope: Vec<(String, Kind)>,
}

fn check_single(q: &SingleQuery) -> Result<Vec<String>, QueryError> {
    let mut c = Checker { scope: Vec::new() };
    let mut columns = Vec::new();
    let n = q.clauses.len();
    for (i, clause) in q.clauses.iter().enumerate() {
        if let Clause::Return(_) = clause {
            if i + 1 != n {
                return Err(semantic(
                    "InvalidClauseComposition",
                    "RETURN must be the last clause",
                    None,
                ));
            }
        }
        columns = c.clause(clause)?;
    }
    match q.clauses.last() {
        Some(Clause::Return(_))
        | Some(Clause::Create(_))
        | Some(Clause::Merge { .. })
        | Some(Clause::Set(_))
        | Some(Clause::Delete { .. })
        | Some(Clause::Remove(_)) => Ok(columns),
        _ => Err(semantic(
            "InvalidClauseComposition",
            "a query must end with RETURN or an updating clause",
            None,
        )),
    }
}

impl Checker {
    fn kind(&self, v: &str) -> Option<Kind> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == v)
            .map(|(_, k)| *k)
    }

    fn bind(&mut self, v: &str, k: Kind) {
        if let Some(slot) = self.scope.iter_mut().find(|(n, _)| n == v) {
            slot.1 = k;
        } else {
            self.scope.push((v.to_string(), k));
        }
    }

    fn clause(&mut self, clause: &Clause) -> Result<Vec<String>, QueryError> {
        match clause {
            Clause::Match {
                pattern, filter, ..
            } => {
                self.pattern(pattern, false)?;
                if let Some(f) = filter {
                    self.expr(f, false)?;
                }
            }
            Clause::Unwind { expr, var, span } => {
                self.expr(expr, false)?;
                if self.kind(var).is_some() {
                    return Err(semantic(
                        "VariableAlreadyBound",
                        format!("variable `{var}` is already bound"),
                        Some(*span),
                    ));
                }
                self.bind(var, Kind::Value);
            }
            Clause::With(p) => return self.projection(p, true),
            Clause::Return(p) => return self.projection(p, false),
            Clause::Create(parts) => self.create(parts, false)?,
            Clause::Merge {
                part,
                on_create,
                on_match,
            } => {
                self.create(std::slice::from_ref(part), true)?;
                for item in on_create.iter().chain(on_match) {
                    self.set_item(item)?;
                }
            }
            Clause::Set(items) => {
                for item in items {
                    self.set_item(item)?;
                }
            }
            Clause::Remove(items) => {
                for item in items {
                    match item {
                        RemoveItem::Prop { target, .. } => self.expr(target, false)?,
                        RemoveItem::Labels { var, .. } => self.var(var, None)?,
                    }
                }
            }
            Clause::Delete { exprs, .. } => {
                for e in exprs {
                    if let Expr::HasLabels(..) = e {
                        return Err(semantic(
                            "InvalidDelete",
                            "DELETE takes nodes, relationships or paths, not labels",
                            None,
                        ));
                    }
                    if matches!(
                        e,
                        Expr::Lit(_) | Expr::List(_) | Expr::Map(_) | Expr::Bin(..) | Expr::Neg(_)
                    ) {
                        return Err(semantic(
                            "InvalidArgumentType",
                            format!("DELETE takes nodes, relationships or paths, not `{e}`"),
                            None,
                        ));
                    }
                    self.expr(e, false)?;
                }
            }
        }
        Ok(Vec::new())
    }

    fn var(&self, v: &str, span: Option<Span>) -> Result<(), QueryError> {
        if self.kind(v).is_none() {
            return Err(semantic(
                "UndefinedVariable",
                format!("variable `{v}` is not defined"),
                span,
            ));
        }
        Ok(())
    }

    fn set_item(&mut self, item: &SetItem) -> Result<(), QueryError> {
        match item {
            SetItem::Prop { target, value, .. } => {
                self.expr(target, false)?;
                self.expr(value, false)
            }
            SetItem::Map { var, value, .. } => {
                self.var(var, None)?;
                self.expr(value, false)
            }
            SetItem::Labels { var, .. } => self.var(var, None),
        }
    }

    fn node_var(&mut self, n: &NodePat, local: &mut Vec<(String, Kind)>) -> Result<(), QueryError> {
        if let Some(v) = &n.var {
            match self
                .kind(v)
                .or_else(|| local.iter().find(|(x, _)| x == v).map(|x| x.1))
            {
                Some(Kind::Node | Kind::Value) | None => {}
                Some(_) => {
                    return Err(semantic(
                        "VariableTypeConflict",
                        format!("`{v}` is not a node"),
                        Some(n.span),
                    ))
                }
            }
            local.push((v.clone(), Kind::Node));
        }
        Ok(())
    }

    fn props(
        &self,
        p: &Option<Expr>,
        local: &[(String, Kind)],
        in_match: bool,
    ) -> Result<(), QueryError> {
        match p {
            Some(Expr::Param(_)) if in_match => Err(semantic(
                "InvalidParameterUse",
                "a parameter cannot stand for a whole property map in MATCH or MERGE",
                None,
            )),
            Some(e) => {
                let mut inner = Checker {
                    scope: self.scope.clone(),
                };
                inner.scope.extend(local.iter().cloned());
                inner.expr(e, false)
            }
            None => Ok(()),
        }
    }

    fn pattern(&mut self, parts: &[PatternPart], _optional: bool) -> Result<(), QueryError> {
        let mut local: Vec<(String, Kind)> = Vec::new();
        let mut rels_here: Vec<String> = Vec::new();
        for part in parts {
            if let Some(p) = &part.var {
                if self.kind(p).is_some() || local.iter().any(|(x, _)| x == p) {
                    return Err(semantic(
                        "VariableAlreadyBound",
                        format!("path variable `{p}` is already bound"),
                        Some(part.span),
                    ));
                }
            }
            if let Some(p) = &part.var {
                let clash = std::iter::once(&part.start.var)
                    .chain(part.chain.iter().flat_map(|(r, n)| [&r.var, &n.var]))
                    .any(|v| v.as_deref() == Some(p.as_str()));
                if clash {
                    return Err(semantic(
                        "VariableAlreadyBound",
                        format!("`{p}` names both the path and an element of it"),
                        Some(part.span),
                    ));
                }
            }
            self.node_var(&part.start, &mut local)?;
            self.props(&part.start.props, &local, true)?;
            for (r, n) in &part.chain {
                if let Some(v) = &r.var {
                    let want = if r.range.is_some() {
                        Kind::RelList
                    } else {
                        Kind::Rel
                    };
                    let existing = self
                        .kind(v)
                        .or_else(|| local.iter().find(|(x, _)| x == v).map(|x| x.1));
                    match existing {
                        None => {}
                        Some(Kind::Rel) if want == Kind::Rel && !rels_here.contains(v) => {}
                        Some(Kind::Rel | Kind::RelList) if rels_here.contains(v) => {
                            return Err(semantic(
                                "RelationshipUniquenessViolation",
                                format!("relationship `{v}` appears twice in one pattern"),
                                Some(r.span),
                            ))
                        }
                        Some(Kind::Value) if want == Kind::RelList => {}
                        Some(_) => {
                            return Err(semantic(
                                "VariableTypeConflict",
                                format!("`{v}` is not a relationship"),
                                Some(r.span),
                            ))
                        }
                    }
                    rels_here.push(v.clone());
                    local.push((v.clone(), want));
                }
                self.props(&r.props, &local, true)?;
                self.node_var(n, &mut local)?;
                self.props(&n.props, &local, true)?;
            }
            if let Some(p) = &part.var {
                local.push((p.clone(), Kind::Path));
            }
        }
        for (v, k) in local {
            self.bind(&v, k);
        }
        Ok(())
    }

    fn create(&mut self, parts: &[PatternPart], merge: bool) -> Result<(), QueryError> {
        let mut local: Vec<(String, Kind)> = Vec::new();
        for part in parts {
            if let Some(p) = &part.var {
                if self.kind(p).is_some() || local.iter().any(|(x, _)| x == p) {
                    return Err(semantic(
                        "VariableAlreadyBound",
                        format!("path variable `{p}` is already bound"),
                        Some(part.span),
                    ));
                }
            }
            let nodes: Vec<&NodePat> = std::iter::once(&part.start)
                .chain(part.chain.iter().map(|(_, n)| n))
                .collect();
            for n in &nodes {
                if let Some(v) = &n.var {
                    let existing = self
                        .kind(v)
                        .or_else(|| local.iter().find(|(x, _)| x == v).map(|x| x.1));
                    match existing {
                        Some(Kind::Node | Kind::Value) => {
                            let alone = nodes.len() == 1;
                            if alone || !n.labels.is_empty() || n.props.is_some() {
                                return Err(semantic(
                                    "VariableAlreadyBound",
                                    format!("variable `{v}` is already bound"),
                                    Some(n.span),
                                ));
                            }
                        }
                        Some(_) => {
                            return Err(semantic(
                                "VariableTypeConflict",
                                format!("`{v}` is not a node"),
                                Some(n.span),
                            ))
                        }
                        None => local.push((v.clone(), Kind::Node)),
                    }
                }
                self.props(&n.props, &local, merge)?;
            }
            for (r, _) in &part.chain {
                if let Some(v) = &r.var {
                    if self.kind(v).is_some() || local.iter().any(|(x, _)| x == v) {
                        return Err(semantic(
                            "VariableAlreadyBound",
                            format!("variable `{v}` is already bound"),
                            Some(r.span),
                        ));
                    }
                    local.push((v.clone(), Kind::Rel));
                }
                if r.types.len() != 1 {
                    return Err(semantic(
                        "NoSingleRelationshipType",
                        "a relationship to create needs exactly one type",
                        Some(r.span),
                    ));
                }
                if r.dir == Dir::Both && !merge {
                    return Err(semantic(
                        "RequiresDirectedRelationship",
                        "a relationship to create needs a direction",
                        Some(r.span),
                    ));
                }
                if r.range.is_some() {
                    return Err(semantic(
                        "CreatingVarLength",
                        "variable-length relationships cannot be created",
                        Some(r.span),
                    ));
                }
                self.props(&r.props, &local, merge)?;
            }
            if let Some(p) = &part.var {
                local.push((p.clone(), Kind::Path));
            }
        }
        for (v, k) in local {
            self.bind(&v, k);
        }
        Ok(())
    }

    fn projection(&mut self, p: &Projection, is_with: bool) -> Result<Vec<String>, QueryError> {
        let visible: Vec<&(String, Kind)> = self.scope.iter().collect();
        if p.star && visible.is_empty() && !is_with {
            return Err(semantic(
                "NoVariablesInScope",
                "RETURN * needs at least one variable in scope",
                None,
            ));
        }
        let mut names: Vec<String> = Vec::new();
        let mut new_scope: Vec<(String, Kind)> = Vec::new();
        if p.star {
            let mut vs: Vec<(String, Kind)> = self.scope.clone();
            vs.sort_by(|a, b| a.0.cmp(&b.0));
            for (v, k) in vs {
                names.push(v.clone());
                new_scope.push((v, k));
            }
        }
        let aggregating = p.items.iter().any(|i| i.expr.has_aggregate());
        // Only variables and property reads count as grouping keys when an aggregating
        // expression reuses them.
        let keys: Vec<&Expr> = p
            .items
            .iter()
            .filter(|i| !i.expr.has_aggregate())
            .map(|i| &i.expr)
            .filter(|e| {
                matches!(e, Expr::Var(..))
                    || matches!(e, Expr::Prop(t, _) if matches!(**t, Expr::Var(..)))
            })
            .collect();
        let mut missing_alias = None;
        for item in &p.items {
            self.expr(&item.expr, true)?;
            if aggregating && item.expr.has_aggregate() {
                check_ambiguous(&item.expr, &keys, &[])?;
            }
            let name = match (&item.alias, &item.expr) {
                (Some(a), _) => a.clone(),
                (None, Expr::Var(v, _)) => v.clone(),
                (None, _) if is_with => {
                    // Reported after ORDER BY, whose errors say more about such a query.
                    if missing_alias.is_none() {
                        missing_alias = Some(semantic(
                            "NoExpressionAlias",
                            format!("expression `{}` in WITH needs an alias", item.text),
                            Some(item.span),
                        ));
                    }
                    item.text.clone()
                }
                (None, _) => item.text.clone(),
            };
            if names.contains(&name) {
                return Err(semantic(
                    "ColumnNameConflict",
                    format!("column `{name}` is defined twice"),
                    Some(item.span),
                ));
            }
            let kind = match &item.expr {
                Expr::Var(v, _) => self.kind(v).unwrap_or(Kind::Value),
                Expr::Lit(Literal::Null) => Kind::Value,
                Expr::Lit(_) | Expr::List(_) => Kind::Scalar,
                Expr::Map(_) => Kind::MapValue,
                _ => Kind::Value,
            };
            names.push(name.clone());
            new_scope.push((name, kind));
        }
        // ORDER BY sees the projected names, and the earlier ones unless the projection
        // aggregates or is DISTINCT.
        let mut order_scope = new_scope.clone();
        if !aggregating && !p.distinct {
            order_scope.extend(self.scope.iter().cloned());
        }
        let aliases: Vec<String> = names.clone();
        for (e, _) in &p.order {
            if p.items.iter().any(|i| &i.expr == e) {
                continue;
            }
            if aggregating {
                // Variables inside aggregates come from before the projection; outside them
                // only projected columns and grouping keys may be used.
                let mut both = Checker {
                    scope: self.scope.clone(),
                };
                both.scope.extend(new_scope.iter().cloned());
                both.expr(e, true)?;
                // An aggregate that the projection does not compute can only use columns.
                let mut foreign = Vec::new();
                collect_foreign_aggregates(e, &p.items, &mut foreign);
                let after = Checker {
                    scope: new_scope.clone(),
                };
                for a in foreign {
                    after.expr(a, true)?;
                }
                check_ambiguous(e, &keys, &aliases).map_err(|err| {
                    // A variable that no item mentions is simply not visible here.
                    let mut unseen = None;
                    outside_aggregates(e, &mut |v| {
                        let mentioned = p.items.iter().any(|i| {
                            let mut hit = false;
                            i.expr
                                .walk(&mut |x| hit |= matches!(x, Expr::Var(n, _) if n == v));
                            hit
                        });
                        if !mentioned && !aliases.iter().any(|a| a == v) && unseen.is_none() {
                            unseen = Some(v.to_string());
                        }
                    });
                    match unseen {
                        Some(v) => semantic(
                            "UndefinedVariable",
                            format!("variable `{v}` is not defined after the projection"),
                            None,
                        ),
                        None => err,
                    }
                })?;
            } else {
                let inner = Checker {
                    scope: order_scope.clone(),
                };
                inner.expr(e, false)?;
            }
        }
        if let Some(e) = missing_alias {
            return Err(e);
        }
        for e in p.skip.iter().chain(p.limit.iter()) {
            constant_count(e)?;
        }
        let old_scope = std::mem::replace(&mut self.scope, new_scope);
        if let Some(f) = &p.filter {
            // WHERE after WITH also sees the variables from before it.
            let mut both = Checker {
                scope: if aggregating { Vec::new() } else { old_scope },
            };
            both.scope.extend(self.scope.iter().cloned());
            both.expr(f, false)?;
        }
        Ok(names)
    }

    fn expr(&self, e: &Expr, allow_agg: bool) -> Result<(), QueryError> {
        self.expr_in(e, allow_agg, false)
    }

    fn expr_in(&self, e: &Expr, allow_agg: bool, in_agg: bool) -> Result<(), QueryError> {
        match e {
            Expr::Var(v, span) => self.var(v, Some(*span)),
            Expr::CountStar => {
                if !allow_agg {
                    return Err(semantic(
                        "InvalidAggregation",
                        "count(*) is only allowed in WITH and RETURN",
                        None,
                    ));
                }
                if in_agg {
                    return Err(semantic(
                        "NestedAggregation",
                        "aggregates cannot be nested",
                        None,
                    ));
                }
                Ok(())
            }
            Expr::Call {
                name, args, span, ..
            } => {
                let lname = name.to_ascii_lowercase();
                let is_agg = e.is_aggregate();
                if is_agg {
                    if !allow_agg {
                        return Err(semantic(
                            "InvalidAggregation",
                            format!("{name}() is only allowed in WITH and RETURN"),
                            Some(*span),
                        ));
                    }
                    if in_agg {
                        return Err(semantic(
                            "NestedAggregation",
                            "aggregates cannot be nested",
                            Some(*span),
                        ));
                    }
                    let mut random = false;
                    e.walk(&mut |x| {
                        random |= matches!(x, Expr::Call { name, .. } if name.eq_ignore_ascii_case("rand"))
                    });
                    if random {
                        return Err(semantic(
                            "NonConstantExpression",
                            "aggregating over rand() has no stable meaning",
                            Some(*span),
                        ));
                    }
                } else if !FUNCTIONS.contains(&lname.as_str()) {
                    return Err(semantic(
                        "UnknownFunction",
                        format!("unknown function {name}()"),
                        Some(*span),
                    ));
                }
                self.arg_types(&lname, args, *span)?;
                for a in args {
                    self.expr_in(a, allow_agg, in_agg || is_agg)?;
                }
                Ok(())
            }
            Expr::ListComp {
                var,
                list,
                filter,
                map,
            } => {
                self.expr_in(list, allow_agg, in_agg)?;
                let mut inner = Checker {
                    scope: self.scope.clone(),
                };
                inner.scope.push((var.clone(), Kind::Value));
                for x in filter.iter().chain(map.iter()) {
                    inner.expr_in(x, false, in_agg)?;
                }
                Ok(())
            }
            Expr::Quantifier {
                var, list, filter, ..
            } => {
                self.expr_in(list, allow_agg, in_agg)?;
                let mut inner = Checker {
                    scope: self.scope.clone(),
                };
                inner.scope.push((var.clone(), Kind::Value));
                inner.expr_in(filter, false, in_agg)
            }
            Expr::Prop(target, key) => {
                let kind = match &**target {
                    Expr::Var(v, _) => self.kind(v),
                    Expr::Lit(Literal::Null) => None,
                    Expr::Lit(_) | Expr::List(_) => Some(Kind::Scalar),
                    _ => None,
                };
                if matches!(kind, Some(Kind::Scalar | Kind::Path | Kind::RelList)) {
                    // The TCK calls a property of a path a syntax error, of a number a type
                    // error.
                    let class = if kind == Some(Kind::Scalar) {
                        ErrorKind::TypeError
                    } else {
                        ErrorKind::SyntaxError
                    };
                    return Err(QueryError::new(
                        class,
                        "InvalidArgumentType",
                        Phase::Compile,
                        format!("cannot read property `{key}` of `{target}`"),
                    ));
                }
                self.expr_in(target, allow_agg, in_agg)
            }
            Expr::Not(x) => {
                not_boolean_literal(x)?;
                self.expr_in(x, allow_agg, in_agg)
            }
            Expr::Bin(op @ (BinOp::And | BinOp::Or | BinOp::Xor | BinOp::In), a, b) => {
                if *op == BinOp::In {
                    if matches!(
                        **b,
                        Expr::Lit(
                            Literal::Bool(_)
                                | Literal::Int(_)
                                | Literal::Float(_)
                                | Literal::String(_)
                        ) | Expr::Map(_)
                    ) {
                        return Err(semantic("InvalidArgumentType", "IN expects a list", None));
                    }
                } else {
                    not_boolean_literal(a)?;
                    not_boolean_literal(b)?;
                }
                self.expr_in(a, allow_agg, in_agg)?;
                self.expr_in(b, allow_agg, in_agg)
            }
            _ => {
                let mut res = Ok(());
                let mut first = true;
                // Visit direct children only; `walk` recurses on its own, so stop after one level.
                visit_children(e, &mut |c| {
                    if res.is_ok() {
                        res = self.expr_in(c, allow_agg, in_agg);
                    }
                });
                let _ = &mut first;
                res
            }
        }
    }

    fn arg_types(&self, name: &str, args: &[Expr], span: Span) -> Result<(), QueryError> {
        let kind_of = |e: &Expr| -> Option<Kind> {
            match e {
                Expr::Var(v, _) => self.kind(v),
                Expr::Lit(Literal::Null) => None,
                Expr::Lit(_) | Expr::List(_) => Some(Kind::Value),
                _ => None,
            }
        };
        let bad = |what: &str| {
            Err(semantic(
                "InvalidArgumentType",
                format!("{name}() cannot take {what}"),
                Some(span),
            ))
        };
        let Some(first) = args.first() else {
            return Ok(());
        };
        match (name, kind_of(first), first) {
            ("type", Some(Kind::Node | Kind::Path | Kind::RelList), _) => bad("this argument"),
            ("labels", Some(Kind::Rel | Kind::Path | Kind::RelList), _) => bad("this argument"),
            ("length", Some(Kind::Node | Kind::Rel | Kind::Scalar), _) => bad("this argument"),
            ("size", Some(Kind::Path), _) => bad("a path"),
            ("properties", _, Expr::Lit(Literal::Null)) => Ok(()),
            ("properties", _, Expr::Lit(_) | Expr::List(_)) => bad("a literal that is not a map"),
            _ => Ok(()),
        }
    }
}

/// Boolean operators refuse literals that can never be booleans.
fn not_boolean_literal(e: &Expr) -> Result<(), QueryError> {
    let bad = matches!(
        e,
        Expr::Lit(Literal::Int(_) | Literal::Float(_) | Literal::String(_))
            | Expr::List(_)
            | Expr::Map(_)
    );
    if bad {
        return Err(semantic(
            "InvalidArgumentType",
            format!("expected a boolean, got `{e}`"),
            None,
        ));
    }
    Ok(())
}

/// Calls `f` on each direct sub-expression.
pub(crate) fn visit_children<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    match e {
        Expr::ListComp {
            list, filter, map, ..
        } => {
            f(list);
            if let Some(x) = filter {
                f(x);
            }
            if let Some(x) = map {
                f(x);
            }
        }
        Expr::Quantifier { list, filter, .. } => {
            f(list);
            f(filter);
        }
        Expr::Lit(_) | Expr::Param(_) | Expr::Var(..) | Expr::CountStar => {}
        Expr::Prop(x, _) | Expr::HasLabels(x, _) | Expr::Not(x) | Expr::Neg(x) | Expr::Pos(x) => {
            f(x)
        }
        Expr::IsNull(x, _) => f(x),
        Expr::Index(a, b) | Expr::Bin(_, a, b) => {
            f(a);
            f(b);
        }
        Expr::Slice(a, b, c) => {
            f(a);
            if let Some(b) = b {
                f(b);
            }
            if let Some(c) = c {
                f(c);
            }
        }
        Expr::List(items) | Expr::Call { args: items, .. } => items.iter().for_each(&mut *f),
        Expr::Map(items) => items.iter().for_each(|(_, x)| f(x)),
        Expr::Case {
            operand,
            alts,
            default,
        } => {
            if let Some(o) = operand {
                f(o);
            }
            for (w, t) in alts {
                f(w);
                f(t);
            }
            if let Some(d) = default {
                f(d);
            }
        }
    }
}

/// Aggregate calls in `e` that no projected item contains.
fn collect_foreign_aggregates<'e>(e: &'e Expr, items: &[ProjItem], out: &mut Vec<&'e Expr>) {
    if e.is_aggregate() {
        let known = items.iter().any(|i| {
            let mut hit = false;
            i.expr.walk(&mut |x| hit |= x == e);
            hit
        });
        if !known {
            out.push(e);
        }
        return;
    }
    visit_children(e, &mut |c| collect_foreign_aggregates(c, items, out));
}

/// Calls `f` with each variable used outside aggregate calls.
fn outside_aggregates(e: &Expr, f: &mut dyn FnMut(&str)) {
    if e.is_aggregate() {
        return;
    }
    if let Expr::Var(v, _) = e {
        f(v);
    }
    visit_children(e, &mut |c| outside_aggregates(c, f));
}

/// In an item mixing aggregates with other parts, every variable outside the aggregates must
/// belong to a grouping key (or be a projected alias, for ORDER BY).
fn check_ambiguous(e: &Expr, keys: &[&Expr], aliases: &[String]) -> Result<(), QueryError> {
    fn ok(e: &Expr, keys: &[&Expr], aliases: &[String]) -> bool {
        if keys.contains(&e) || e.is_aggregate() {
            return true;
        }
        if let Expr::Var(v, _) = e {
            return aliases.contains(v);
        }
        let mut good = true;
        visit_children(e, &mut |c| good &= ok(c, keys, aliases));
        good
    }
    if ok(e, keys, aliases) {
        Ok(())
    } else {
        Err(semantic(
            "AmbiguousAggregationExpression",
            "an expression mixing aggregates with other values may only use grouping keys",
            None,
        ))
    }
}

/// SKIP and LIMIT take a constant non-negative integer.
fn constant_count(e: &Expr) -> Result<(), QueryError> {
    let mut has_var = false;
    e.walk(&mut |x| {
        if matches!(x, Expr::Var(..)) {
            has_var = true;
        }
    });
    if has_var {
        return Err(semantic(
            "NonConstantExpression",
            "SKIP and LIMIT need a constant expression",
            None,
        ));
    }
    match e {
        Expr::Lit(Literal::Int(i)) if *i < 0 => Err(semantic(
            "NegativeIntegerArgument",
            "SKIP and LIMIT must not be negative",
            None,
        )),
        Expr::Lit(Literal::Float(_)) => Err(semantic(
            "InvalidArgumentType",
            "SKIP and LIMIT need an integer",
            None,
        )),
        _ => Ok(()),
    }
}
