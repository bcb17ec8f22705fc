//! Expression evaluation with openCypher's three-valued logic, and the function library.

use super::ast::{BinOp, Expr, Literal};
use super::error::{ErrorKind, Phase, QueryError};
use super::result::{PathValue, QValue};
use crate::model::Value;
use crate::store::Graph;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// What evaluation needs besides the row: the graph and the parameters.
pub struct Ctx<'a> {
    /// The graph being queried.
    pub graph: &'a Graph,
    /// Query parameters by name.
    pub params: &'a BTreeMap<String, Value>,
    /// Entities deleted earlier in the query; they leave the store when the query succeeds.
    pub dead: Option<&'a Dead>,
}

/// Nodes and relationships a running query has deleted. They stay in the store, invisible to
/// matching, until the query commits, so that no new entity can take their place mid-query
/// and a failed query has nothing to restore.
#[derive(Debug, Default)]
pub struct Dead {
    /// Deleted nodes.
    pub nodes: std::collections::HashSet<crate::store::NodeId>,
    /// Deleted relationships.
    pub edges: std::collections::HashSet<crate::store::EdgeId>,
}

impl Ctx<'_> {
    /// True when the node exists and this query has not deleted it.
    pub fn node_alive(&self, n: crate::store::NodeId) -> bool {
        self.graph.node(n).is_some()
            && !self
                .dead
                .is_some_and(|d| !d.nodes.is_empty() && d.nodes.contains(&n))
    }

    /// True when the relationship exists and this query has not deleted it.
    pub fn edge_alive(&self, e: crate::store::EdgeId) -> bool {
        self.graph.edge(e).is_some()
            && !self
                .dead
                .is_some_and(|d| !d.edges.is_empty() && d.edges.contains(&e))
    }
}

/// The variables visible to an expression: names and, in the same order, their values.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// Variable names.
    pub names: &'a [String],
    /// Their values.
    pub values: &'a [QValue],
}

impl<'a> Scope<'a> {
    /// Looks a variable up; a later binding of the same name shadows an earlier one.
    pub fn get(&self, name: &str) -> Option<&'a QValue> {
        self.names
            .iter()
            .rposition(|n| n == name)
            .and_then(|i| self.values.get(i))
    }
}

/// A runtime error of a class and code.
pub fn rt(kind: ErrorKind, code: &str, message: impl Into<String>) -> QueryError {
    QueryError::new(kind, code, Phase::Runtime, message)
}

fn type_err(message: impl Into<String>) -> QueryError {
    rt(ErrorKind::TypeError, "InvalidArgumentType", message)
}

/// Converts a stored value into a query value.
pub fn from_value(v: &Value) -> QValue {
    match v {
        Value::Null => QValue::Null,
        Value::Bool(b) => QValue::Bool(*b),
        Value::Int(i) => QValue::Int(*i),
        Value::Float(f) => QValue::Float(*f),
        Value::String(s) => QValue::String(s.clone()),
        Value::List(l) => QValue::List(l.iter().map(from_value).collect()),
        Value::Map(m) => QValue::Map(m.iter().map(|(k, v)| (k.clone(), from_value(v))).collect()),
    }
}

/// Converts a query value into a value a property can hold; graph elements cannot be stored.
pub fn to_value(v: &QValue) -> Result<Value, QueryError> {
    Ok(match v {
        QValue::Null => Value::Null,
        QValue::Bool(b) => Value::Bool(*b),
        QValue::Int(i) => Value::Int(*i),
        QValue::Float(f) => Value::Float(*f),
        QValue::String(s) => Value::String(s.clone()),
        QValue::List(l) => Value::List(l.iter().map(to_value).collect::<Result<_, _>>()?),
        QValue::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), to_value(v)?)))
                .collect::<Result<_, QueryError>>()?,
        ),
        QValue::Node(_) | QValue::Rel(_) | QValue::Path(_) => {
            return Err(rt(
                ErrorKind::TypeError,
                "InvalidPropertyType",
                "a node, relationship or path cannot be stored as a property",
            ))
        }
    })
}

/// Converts a query value into a property value: null, a scalar, or a list of scalars.
pub fn to_property(v: &QValue) -> Result<Value, QueryError> {
    let scalar = |x: &QValue| {
        matches!(
            x,
            QValue::Null | QValue::Bool(_) | QValue::Int(_) | QValue::Float(_) | QValue::String(_)
        )
    };
    let ok = match v {
        QValue::List(items) => items.iter().all(scalar),
        other => scalar(other),
    };
    if !ok {
        return Err(rt(
            ErrorKind::TypeError,
            "InvalidPropertyType",
            format!(
                "a property holds a number, string, boolean or a list of them, not {}",
                type_name(v)
            ),
        ));
    }
    to_value(v)
}

/// The type name of a value, for messages.
pub fn type_name(v: &QValue) -> &'static str {
    match v {
        QValue::Null => "Null",
        QValue::Bool(_) => "Boolean",
        QValue::Int(_) => "Integer",
        QValue::Float(_) => "Float",
        QValue::String(_) => "String",
        QValue::List(_) => "List",
        QValue::Map(_) => "Map",
        QValue::Node(_) => "Node",
        QValue::Rel(_) => "Relationship",
        QValue::Path(_) => "Path",
    }
}

/// openCypher equality: `None` is null (unknown).
pub fn equals(a: &QValue, b: &QValue) -> Option<bool> {
    use QValue::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Int(x), Int(y)) => Some(x == y),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            Some(num(a).unwrap_or(f64::NAN) == num(b).unwrap_or(f64::NAN))
        }
        (Bool(x), Bool(y)) => Some(x == y),
        (String(x), String(y)) => Some(x == y),
        (List(x), List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.iter().zip(y) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        (Map(x), Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.values().zip(y.values()) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        (Node(x), Node(y)) => Some(x == y),
        (Rel(x), Rel(y)) => Some(x == y),
        (Path(x), Path(y)) => Some(x == y),
        _ => Some(false),
    }
}

fn num(v: &QValue) -> Option<f64> {
    match v {
        QValue::Int(i) => Some(*i as f64),
        QValue::Float(f) => Some(*f),
        _ => None,
    }
}

/// openCypher ordering comparison for `<` and friends: `None` when incomparable or null.
pub fn compare(a: &QValue, b: &QValue) -> Option<Ordering> {
    use QValue::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Int(_) | Float(_), Int(_) | Float(_)) => num(a)?.partial_cmp(&num(b)?),
        (String(x), String(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y) {
                match compare(p, q)? {
                    Ordering::Equal => {}
                    o => return Some(o),
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => None,
    }
}

/// The global sort order used by ORDER BY, DISTINCT and grouping; null sorts last.
pub fn total_cmp(a: &QValue, b: &QValue) -> Ordering {
    use QValue::*;
    fn rank(v: &QValue) -> u8 {
        match v {
            Map(_) => 0,
            Node(_) => 1,
            Rel(_) => 2,
            List(_) => 3,
            Path(_) => 4,
            String(_) => 5,
            Bool(_) => 6,
            Int(_) | Float(_) => 7,
            Null => 9,
        }
    }
    match (a, b) {
        (Int(x), Int(y)) => x.cmp(y),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            let (x, y) = (num(a).unwrap_or(0.0), num(b).unwrap_or(0.0));
            match (x.is_nan(), y.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => x
                    .partial_cmp(&y)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| matches!(a, Float(_)).cmp(&matches!(b, Float(_)))),
            }
        }
        (String(x), String(y)) => x.cmp(y),
        (Bool(x), Bool(y)) => x.cmp(y),
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y) {
                let o = total_cmp(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Map(x), Map(y)) => {
            for ((ka, va), (kb, vb)) in x.iter().zip(y) {
                let o = ka.cmp(kb).then_with(|| total_cmp(va, vb));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Node(x), Node(y)) => x.cmp(y),
        (Rel(x), Rel(y)) => x.cmp(y),
        (Path(x), Path(y)) => x.nodes.cmp(&y.nodes).then_with(|| x.rels.cmp(&y.rels)),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn truth(v: &QValue) -> Result<Option<bool>, QueryError> {
    match v {
        QValue::Null => Ok(None),
        QValue::Bool(b) => Ok(Some(*b)),
        other => Err(type_err(format!(
            "expected a boolean, got {}",
            type_name(other)
        ))),
    }
}

fn from_truth(t: Option<bool>) -> QValue {
    t.map_or(QValue::Null, QValue::Bool)
}

/// Evaluates an expression against a row.
pub fn eval(e: &Expr, ctx: &Ctx, scope: Scope) -> Result<QValue, QueryError> {
    Ok(match e {
        Expr::Lit(l) => match l {
            Literal::Null => QValue::Null,
            Literal::Bool(b) => QValue::Bool(*b),
            Literal::Int(i) => QValue::Int(*i),
            Literal::Float(f) => QValue::Float(*f),
            Literal::String(s) => QValue::String(s.clone()),
        },
        Expr::Param(p) => match ctx.params.get(p) {
            Some(v) => from_value(v),
            None => {
                return Err(rt(
                    ErrorKind::SemanticError,
                    "ParameterMissing",
                    format!("parameter ${p} was not given"),
                ))
            }
        },
        Expr::Var(v, _) => match scope.get(v) {
            Some(x) => x.clone(),
            None => {
                return Err(rt(
                    ErrorKind::SyntaxError,
                    "UndefinedVariable",
                    format!("variable `{v}` is not defined"),
                ))
            }
        },
        Expr::Prop(target, key) => {
            let t = eval(target, ctx, scope)?;
            property(ctx, &t, key)?
        }
        Expr::Index(target, idx) => {
            let t = eval(target, ctx, scope)?;
            let i = eval(idx, ctx, scope)?;
            index(ctx, &t, &i)?
        }
        Expr::Slice(target, lo, hi) => {
            let t = eval(target, ctx, scope)?;
            let lo = lo.as_ref().map(|x| eval(x, ctx, scope)).transpose()?;
            let hi = hi.as_ref().map(|x| eval(x, ctx, scope)).transpose()?;
            slice(&t, lo, hi)?
        }
        Expr::HasLabels(target, labels) => match eval(target, ctx, scope)? {
            QValue::Null => QValue::Null,
            QValue::Node(n) => {
                if !ctx.node_alive(n) {
                    return Err(deleted());
                }
                let node = ctx.graph.node(n).ok_or_else(deleted)?;
                QValue::Bool(
                    labels
                        .iter()
                        .all(|l| ctx.graph.sym(l).is_some_and(|s| node.labels.contains(&s))),
                )
            }
            other => {
                return Err(type_err(format!(
                    "label predicates need a node, got {}",
                    type_name(&other)
                )))
            }
        },
        Expr::List(items) => QValue::List(
            items
                .iter()
                .map(|x| eval(x, ctx, scope))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Map(entries) => {
            let mut m = BTreeMap::new();
            for (k, v) in entries {
                m.insert(k.clone(), eval(v, ctx, scope)?);
            }
            QValue::Map(m)
        }
        Expr::Not(x) => from_truth(truth(&eval(x, ctx, scope)?)?.map(|b| !b)),
        Expr::Neg(x) => match eval(x, ctx, scope)? {
            QValue::Null => QValue::Null,
            QValue::Int(i) => QValue::Int(i.checked_neg().ok_or_else(overflow)?),
            QValue::Float(f) => QValue::Float(-f),
            other => return Err(type_err(format!("cannot negate {}", type_name(&other)))),
        },
        Expr::Pos(x) => match eval(x, ctx, scope)? {
            v @ (QValue::Null | QValue::Int(_) | QValue::Float(_)) => v,
            other => return Err(type_err(format!("cannot apply + to {}", type_name(&other)))),
        },
        Expr::IsNull(x, negated) => {
            let v = eval(x, ctx, scope)?;
            QValue::Bool(matches!(v, QValue::Null) != *negated)
        }
        Expr::Bin(op, a, b) => binary(*op, a, b, ctx, scope)?,
        Expr::Case {
            operand,
            alts,
            default,
        } => {
            let subject = operand.as_ref().map(|o| eval(o, ctx, scope)).transpose()?;
            for (w, t) in alts {
                let wv = eval(w, ctx, scope)?;
                let hit = match &subject {
                    Some(s) => equals(s, &wv) == Some(true),
                    None => matches!(wv, QValue::Bool(true)),
                };
                if hit {
                    return eval(t, ctx, scope);
                }
            }
            match default {
                Some(d) => eval(d, ctx, scope)?,
                None => QValue::Null,
            }
        }
        Expr::Call { name, args, .. } => {
            if e.is_aggregate() {
                return match scope.get(&aggregate_slot(e)) {
                    Some(v) => Ok(v.clone()),
                    None => Err(QueryError::new(
                        ErrorKind::SyntaxError,
                        "InvalidAggregation",
                        Phase::Compile,
                        format!("{name}() is only allowed in WITH and RETURN"),
                    )),
                };
            }
            let args = args
                .iter()
                .map(|a| eval(a, ctx, scope))
                .collect::<Result<Vec<_>, _>>()?;
            super::funcs::call(ctx, name, args)?
        }
        Expr::ListComp {
            var,
            list,
            filter,
            map,
        } => {
            let items = match eval(list, ctx, scope)? {
                QValue::Null => return Ok(QValue::Null),
                QValue::List(items) => items,
                other => {
                    return Err(type_err(format!(
                        "IN expects a list, got {}",
                        type_name(&other)
                    )))
                }
            };
            let mut names = scope.names.to_vec();
            names.push(var.clone());
            let mut values = scope.values.to_vec();
            values.resize(scope.names.len(), QValue::Null);
            values.push(QValue::Null);
            let last = values.len() - 1;
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                values[last] = it;
                let inner = Scope {
                    names: &names,
                    values: &values,
                };
                if let Some(f) = filter {
                    if !matches!(eval(f, ctx, inner)?, QValue::Bool(true)) {
                        continue;
                    }
                }
                out.push(match map {
                    Some(m) => eval(m, ctx, inner)?,
                    None => values[last].clone(),
                });
            }
            QValue::List(out)
        }
        Expr::Quantifier {
            kind,
            var,
            list,
            filter,
        } => {
            let items = match eval(list, ctx, scope)? {
                QValue::Null => return Ok(QValue::Null),
                QValue::List(items) => items,
                other => {
                    return Err(type_err(format!(
                        "IN expects a list, got {}",
                        type_name(&other)
                    )))
                }
            };
            let mut names = scope.names.to_vec();
            names.push(var.clone());
            let mut values = scope.values.to_vec();
            values.resize(scope.names.len(), QValue::Null);
            values.push(QValue::Null);
            let last = values.len() - 1;
            let (mut yes, mut unknown) = (0usize, 0usize);
            let total = items.len();
            for it in items {
                values[last] = it;
                let inner = Scope {
                    names: &names,
                    values: &values,
                };
                match truth(&eval(filter, ctx, inner)?)? {
                    Some(true) => yes += 1,
                    None => unknown += 1,
                    Some(false) => {}
                }
            }
            let no = total - yes - unknown;
            // Each quantifier is decided by a count of definite answers, else null when any
            // answer was unknown, else its default.
            let (decided, otherwise) = match kind {
                super::ast::Quant::All => ((no > 0).then_some(false), true),
                super::ast::Quant::Any => ((yes > 0).then_some(true), false),
                super::ast::Quant::None => ((yes > 0).then_some(false), true),
                super::ast::Quant::Single => ((yes > 1).then_some(false), yes == 1),
            };
            from_truth(decided.or(if unknown > 0 { None } else { Some(otherwise) }))
        }
        Expr::CountStar => match scope.get(&aggregate_slot(e)) {
            Some(v) => v.clone(),
            None => {
                return Err(QueryError::new(
                    ErrorKind::SyntaxError,
                    "InvalidAggregation",
                    Phase::Compile,
                    "count(*) is only allowed in WITH and RETURN",
                ))
            }
        },
    })
}

/// The hidden variable name under which an aggregate's result is bound for one group.
pub fn aggregate_slot(e: &Expr) -> String {
    format!("\u{0}agg:{e}")
}

/// The error for reading an entity that this query deleted.
pub fn deleted() -> QueryError {
    rt(
        ErrorKind::EntityNotFound,
        "DeletedEntityAccess",
        "the entity was deleted earlier in this query",
    )
}

fn overflow() -> QueryError {
    rt(
        ErrorKind::ArgumentError,
        "IntegerOverflow",
        "integer arithmetic overflowed 64 bits",
    )
}

/// Reads `target.key`.
pub fn property(ctx: &Ctx, target: &QValue, key: &str) -> Result<QValue, QueryError> {
    let g = ctx.graph;
    Ok(match target {
        QValue::Null => QValue::Null,
        QValue::Node(n) => {
            if !ctx.node_alive(*n) {
                return Err(deleted());
            }
            g.node_prop(*n, key).map_or(QValue::Null, from_value)
        }
        QValue::Rel(r) => {
            if !ctx.edge_alive(*r) {
                return Err(deleted());
            }
            g.edge_prop(*r, key).map_or(QValue::Null, from_value)
        }
        QValue::Map(m) => m.get(key).cloned().unwrap_or(QValue::Null),
        other => {
            return Err(type_err(format!(
                "cannot read property `{key}` of {}",
                type_name(other)
            )))
        }
    })
}

fn index(ctx: &Ctx, target: &QValue, idx: &QValue) -> Result<QValue, QueryError> {
    Ok(match (target, idx) {
        (QValue::Null, _) | (_, QValue::Null) => QValue::Null,
        (QValue::List(l), QValue::Int(i)) => {
            let len = l.len() as i64;
            let i = if *i < 0 { len + i } else { *i };
            if i < 0 || i >= len {
                QValue::Null
            } else {
                l[i as usize].clone()
            }
        }
        (QValue::List(_), other) => {
            return Err(type_err(format!(
                "list index must be an integer, got {}",
                type_name(other)
            )))
        }
        (QValue::Map(_) | QValue::Node(_) | QValue::Rel(_), QValue::String(k)) => {
            property(ctx, target, k)?
        }
        (QValue::Map(_) | QValue::Node(_) | QValue::Rel(_), other) => {
            return Err(rt(
                ErrorKind::TypeError,
                "MapElementAccessByNonString",
                format!("map keys are strings, got {}", type_name(other)),
            ))
        }
        (other, _) => return Err(type_err(format!("cannot index into {}", type_name(other)))),
    })
}

fn slice(target: &QValue, lo: Option<QValue>, hi: Option<QValue>) -> Result<QValue, QueryError> {
    let list = match target {
        QValue::Null => return Ok(QValue::Null),
        QValue::List(l) => l,
        other => return Err(type_err(format!("cannot slice {}", type_name(other)))),
    };
    let len = list.len() as i64;
    let bound = |v: Option<QValue>, default: i64| -> Result<Option<i64>, QueryError> {
        match v {
            None => Ok(Some(default)),
            Some(QValue::Null) => Ok(None),
            Some(QValue::Int(i)) => Ok(Some(if i < 0 { (len + i).max(0) } else { i.min(len) })),
            Some(other) => Err(type_err(format!(
                "slice bounds must be integers, got {}",
                type_name(&other)
            ))),
        }
    };
    let (Some(a), Some(b)) = (bound(lo, 0)?, bound(hi, len)?) else {
        return Ok(QValue::Null);
    };
    if a >= b {
        return Ok(QValue::List(Vec::new()));
    }
    Ok(QValue::List(list[a as usize..b as usize].to_vec()))
}

fn binary(op: BinOp, a: &Expr, b: &Expr, ctx: &Ctx, scope: Scope) -> Result<QValue, QueryError> {
    match op {
        BinOp::And | BinOp::Or | BinOp::Xor => {
            let x = truth(&eval(a, ctx, scope)?)?;
            let y = truth(&eval(b, ctx, scope)?)?;
            return Ok(from_truth(match op {
                BinOp::And => match (x, y) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                },
                BinOp::Or => match (x, y) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                },
                _ => match (x, y) {
                    (Some(p), Some(q)) => Some(p != q),
                    _ => None,
                },
            }));
        }
        _ => {}
    }
    let x = eval(a, ctx, scope)?;
    let y = eval(b, ctx, scope)?;
    apply_binary(op, &x, &y)
}

/// Applies a non-boolean binary operator to two values.
pub fn apply_binary(op: BinOp, x: &QValue, y: &QValue) -> Result<QValue, QueryError> {
    use QValue as V;
    Ok(match op {
        BinOp::Eq => from_truth(equals(x, y)),
        BinOp::Ne => from_truth(equals(x, y).map(|b| !b)),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            if matches!(x, V::Null) || matches!(y, V::Null) {
                return Ok(V::Null);
            }
            let nan = |v: &V| matches!(v, V::Float(f) if f.is_nan());
            if (nan(x) || nan(y)) && num(x).is_some() && num(y).is_some() {
                return Ok(V::Bool(false));
            }
            match compare(x, y) {
                None => V::Null,
                Some(o) => V::Bool(match op {
                    BinOp::Lt => o == Ordering::Less,
                    BinOp::Le => o != Ordering::Greater,
                    BinOp::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                }),
            }
        }
        BinOp::Regex => match (x, y) {
            (V::String(s), V::String(p)) => V::Bool(regex_match(s, p)?),
            _ => V::Null,
        },
        BinOp::StartsWith | BinOp::EndsWith | BinOp::Contains => match (x, y) {
            (V::String(s), V::String(p)) => V::Bool(match op {
                BinOp::StartsWith => s.starts_with(p.as_str()),
                BinOp::EndsWith => s.ends_with(p.as_str()),
                _ => s.contains(p.as_str()),
            }),
            _ => V::Null,
        },
        BinOp::In => match y {
            V::Null => V::Null,
            V::List(items) => {
                let mut unknown = false;
                for it in items {
                    match equals(x, it) {
                        Some(true) => return Ok(V::Bool(true)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown {
                    V::Null
                } else {
                    V::Bool(false)
                }
            }
            other => {
                return Err(type_err(format!(
                    "IN expects a list, got {}",
                    type_name(other)
                )))
            }
        },
        BinOp::Add => match (x, y) {
            (V::Null, _) | (_, V::Null) => V::Null,
            (V::Int(a), V::Int(b)) => V::Int(a.checked_add(*b).ok_or_else(overflow)?),
            (V::Int(_) | V::Float(_), V::Int(_) | V::Float(_)) => {
                V::Float(num(x).unwrap_or(0.0) + num(y).unwrap_or(0.0))
            }
            (V::String(a), V::String(b)) => V::String(format!("{a}{b}")),
            (V::String(a), V::Int(_) | V::Float(_)) => V::String(format!("{a}{}", to_text(y))),
            (V::Int(_) | V::Float(_), V::String(b)) => V::String(format!("{}{b}", to_text(x))),
            (V::List(a), V::List(b)) => V::List(a.iter().chain(b).cloned().collect()),
            (V::List(a), other) => {
                let mut l = a.clone();
                l.push(other.clone());
                V::List(l)
            }
            (other, V::List(b)) => {
                let mut l = vec![other.clone()];
                l.extend(b.iter().cloned());
                V::List(l)
            }
            _ => return Err(bad_operands(op, x, y)),
        },
        BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => match (x, y) {
            (V::Null, _) | (_, V::Null) => V::Null,
            (V::Int(a), V::Int(b)) if op != BinOp::Pow => V::Int(match op {
                BinOp::Sub => a.checked_sub(*b).ok_or_else(overflow)?,
                BinOp::Mul => a.checked_mul(*b).ok_or_else(overflow)?,
                BinOp::Div | BinOp::Mod => {
                    if *b == 0 {
                        return Err(rt(
                            ErrorKind::ArgumentError,
                            "DivisionByZero",
                            "integer division by zero",
                        ));
                    }
                    if op == BinOp::Div {
                        a.checked_div(*b).ok_or_else(overflow)?
                    } else {
                        a.checked_rem(*b).ok_or_else(overflow)?
                    }
                }
                _ => 0,
            }),
            (V::Int(_) | V::Float(_), V::Int(_) | V::Float(_)) => {
                let (a, b) = (num(x).unwrap_or(0.0), num(y).unwrap_or(0.0));
                V::Float(match op {
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    BinOp::Mod => a % b,
                    _ => a.powf(b),
                })
            }
            _ => return Err(bad_operands(op, x, y)),
        },
        BinOp::And | BinOp::Or | BinOp::Xor => {
            let (p, q) = (truth(x)?, truth(y)?);
            match op {
                BinOp::And => from_truth(match (p, q) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                }),
                BinOp::Or => from_truth(match (p, q) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                }),
                _ => from_truth(p.zip(q).map(|(a, b)| a != b)),
            }
        }
    })
}

/// Whole-string regular expression match, with compiled patterns cached per thread because a
/// WHERE clause applies the same pattern to every row.
fn regex_match(s: &str, pattern: &str) -> Result<bool, QueryError> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CACHE: RefCell<HashMap<String, regex::Regex>> = RefCell::new(HashMap::new());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return Ok(re.is_match(s));
        }
        let re = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
            rt(
                ErrorKind::ArgumentError,
                "InvalidArgumentValue",
                format!("invalid regular expression: {e}"),
            )
        })?;
        let hit = re.is_match(s);
        if cache.len() >= 64 {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re);
        Ok(hit)
    })
}

fn bad_operands(op: BinOp, x: &QValue, y: &QValue) -> QueryError {
    type_err(format!(
        "cannot apply {} to {} and {}",
        op.symbol(),
        type_name(x),
        type_name(y)
    ))
}

/// A value as toString() writes it.
pub fn to_text(v: &QValue) -> String {
    match v {
        QValue::Null => "null".into(),
        QValue::Bool(b) => b.to_string(),
        QValue::Int(i) => i.to_string(),
        QValue::Float(f) => crate::model::format_float(*f),
        QValue::String(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

/// A path value from its parts.
pub fn path(nodes: Vec<crate::store::NodeId>, rels: Vec<crate::store::EdgeId>) -> QValue {
    QValue::Path(PathValue { nodes, rels })
}
