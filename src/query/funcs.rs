//! The scalar function library: graph, list, string, numeric and conversion functions, plus
//! pharmakg's own `evidence(r)`, `entity(text)` and `mentions(n)`.

use super::error::{ErrorKind, QueryError};
use super::expr::{from_value, rt, to_text, type_name, Ctx};
use super::result::QValue;
use std::collections::BTreeMap;

/// Names of every scalar function, lower-cased, for checking calls before execution.
pub const FUNCTIONS: &[&str] = &[
    "id",
    "labels",
    "type",
    "properties",
    "keys",
    "startnode",
    "endnode",
    "nodes",
    "relationships",
    "length",
    "size",
    "head",
    "last",
    "tail",
    "range",
    "reverse",
    "coalesce",
    "tostring",
    "tointeger",
    "tofloat",
    "toboolean",
    "toupper",
    "tolower",
    "trim",
    "ltrim",
    "rtrim",
    "replace",
    "substring",
    "split",
    "left",
    "right",
    "abs",
    "ceil",
    "floor",
    "round",
    "sign",
    "sqrt",
    "exp",
    "log",
    "log10",
    "rand",
    "pi",
    "e",
    "evidence",
    "entity",
    "mentions",
    "exists",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "degrees",
    "radians",
];

fn bad(name: &str, v: &QValue) -> QueryError {
    rt(
        ErrorKind::TypeError,
        "InvalidArgumentValue",
        format!("{name}() cannot take {}", type_name(v)),
    )
}

fn arity(name: &str, args: &[QValue], lo: usize, hi: usize) -> Result<(), QueryError> {
    if args.len() < lo || args.len() > hi {
        let want = if lo == hi {
            format!("{lo}")
        } else {
            format!("{lo} to {hi}")
        };
        return Err(rt(
            ErrorKind::SyntaxError,
            "InvalidNumberOfArguments",
            format!("{name}() takes {want} arguments, got {}", args.len()),
        ));
    }
    Ok(())
}

fn int_arg(name: &str, v: &QValue) -> Result<Option<i64>, QueryError> {
    match v {
        QValue::Null => Ok(None),
        QValue::Int(i) => Ok(Some(*i)),
        other => Err(bad(name, other)),
    }
}

fn float_fn(name: &str, v: &QValue, f: impl Fn(f64) -> f64) -> Result<QValue, QueryError> {
    match v {
        QValue::Null => Ok(QValue::Null),
        QValue::Int(i) => Ok(QValue::Float(f(*i as f64))),
        QValue::Float(x) => Ok(QValue::Float(f(*x))),
        other => Err(bad(name, other)),
    }
}

fn str_fn(name: &str, v: &QValue, f: impl Fn(&str) -> String) -> Result<QValue, QueryError> {
    match v {
        QValue::Null => Ok(QValue::Null),
        QValue::String(s) => Ok(QValue::String(f(s))),
        other => Err(bad(name, other)),
    }
}

/// Calls a scalar function by name (case-insensitive) on evaluated arguments.
pub fn call(ctx: &Ctx, name: &str, args: Vec<QValue>) -> Result<QValue, QueryError> {
    let lname = name.to_ascii_lowercase();
    let g = ctx.graph;
    let a0 = args.first().cloned().unwrap_or(QValue::Null);
    let one = |args: &[QValue]| arity(name, args, 1, 1);
    Ok(match lname.as_str() {
        "id" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Node(n) => QValue::Int(n.index() as i64),
                QValue::Rel(r) => QValue::Int(r.index() as i64),
                other => return Err(bad(name, &other)),
            }
        }
        "labels" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Node(n) => {
                    if !ctx.node_alive(n) {
                        return Err(super::expr::deleted());
                    }
                    QValue::List(
                        g.node_labels(n)
                            .map(|l| QValue::String(l.to_string()))
                            .collect(),
                    )
                }
                other => return Err(bad(name, &other)),
            }
        }
        "type" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                // A relationship deleted by this query still has its type until the end.
                QValue::Rel(r) => g
                    .edge_type(r)
                    .map(|t| QValue::String(t.to_string()))
                    .ok_or_else(super::expr::deleted)?,
                other => return Err(bad(name, &other)),
            }
        }
        "properties" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Node(n) => {
                    if !ctx.node_alive(n) {
                        return Err(super::expr::deleted());
                    }
                    map_of(g.node_props_map(n))
                }
                QValue::Rel(r) => {
                    if !ctx.edge_alive(r) {
                        return Err(super::expr::deleted());
                    }
                    map_of(g.edge_props_map(r))
                }
                m @ QValue::Map(_) => m,
                other => return Err(bad(name, &other)),
            }
        }
        "keys" => {
            one(&args)?;
            let keys: Vec<String> = match a0 {
                QValue::Null => return Ok(QValue::Null),
                QValue::Node(n) if ctx.node_alive(n) => g.node_props_map(n).into_keys().collect(),
                QValue::Rel(r) if ctx.edge_alive(r) => g.edge_props_map(r).into_keys().collect(),
                QValue::Node(_) | QValue::Rel(_) => return Err(super::expr::deleted()),
                QValue::Map(m) => m.into_keys().collect(),
                other => return Err(bad(name, &other)),
            };
            QValue::List(keys.into_iter().map(QValue::String).collect())
        }
        "startnode" | "endnode" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Rel(r) => {
                    let (s, d) = g.endpoints(r).ok_or_else(super::expr::deleted)?;
                    QValue::Node(if lname == "startnode" { s } else { d })
                }
                other => return Err(bad(name, &other)),
            }
        }
        "nodes" | "relationships" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Path(p) => {
                    if lname == "nodes" {
                        QValue::List(p.nodes.into_iter().map(QValue::Node).collect())
                    } else {
                        QValue::List(p.rels.into_iter().map(QValue::Rel).collect())
                    }
                }
                other => return Err(bad(name, &other)),
            }
        }
        "length" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Path(p) => QValue::Int(p.rels.len() as i64),
                other => return Err(bad(name, &other)),
            }
        }
        "size" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::List(l) => QValue::Int(l.len() as i64),
                QValue::String(s) => QValue::Int(s.chars().count() as i64),
                other => return Err(bad(name, &other)),
            }
        }
        "head" | "last" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::List(l) => {
                    let v = if lname == "head" { l.first() } else { l.last() };
                    v.cloned().unwrap_or(QValue::Null)
                }
                other => return Err(bad(name, &other)),
            }
        }
        "tail" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::List(l) => QValue::List(l.into_iter().skip(1).collect()),
                other => return Err(bad(name, &other)),
            }
        }
        "reverse" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::List(mut l) => {
                    l.reverse();
                    QValue::List(l)
                }
                QValue::String(s) => QValue::String(s.chars().rev().collect()),
                other => return Err(bad(name, &other)),
            }
        }
        "range" => {
            arity(name, &args, 2, 3)?;
            let mut ints = Vec::new();
            for a in &args {
                match a {
                    QValue::Int(i) => ints.push(*i),
                    other => {
                        return Err(rt(
                            ErrorKind::ArgumentError,
                            "InvalidArgumentType",
                            format!("range() needs integers, got {}", type_name(other)),
                        ))
                    }
                }
            }
            let (start, end) = (ints[0], ints[1]);
            let step = ints.get(2).copied().unwrap_or(1);
            if step == 0 {
                return Err(rt(
                    ErrorKind::ArgumentError,
                    "NumberOutOfRange",
                    "range() step must not be zero",
                ));
            }
            let mut out = Vec::new();
            let mut i = start as i128;
            while (step > 0 && i <= end as i128) || (step < 0 && i >= end as i128) {
                out.push(QValue::Int(i as i64));
                if out.len() > 10_000_000 {
                    return Err(rt(ErrorKind::Limit, "RowLimit", "range() is too long"));
                }
                i += step as i128;
            }
            QValue::List(out)
        }
        "coalesce" => args
            .into_iter()
            .find(|v| !matches!(v, QValue::Null))
            .unwrap_or(QValue::Null),
        "tostring" => {
            one(&args)?;
            match &a0 {
                QValue::Null => QValue::Null,
                QValue::Bool(_) | QValue::Int(_) | QValue::Float(_) | QValue::String(_) => {
                    QValue::String(to_text(&a0))
                }
                other => return Err(bad(name, other)),
            }
        }
        "tointeger" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Int(i) => QValue::Int(i),
                QValue::Float(f) => {
                    if f.is_finite() && f.trunc() >= i64::MIN as f64 && f.trunc() < i64::MAX as f64
                    {
                        QValue::Int(f.trunc() as i64)
                    } else {
                        QValue::Null
                    }
                }
                QValue::Bool(b) => QValue::Int(b as i64),
                QValue::String(s) => {
                    let t = s.trim();
                    match t.parse::<i64>() {
                        Ok(i) => QValue::Int(i),
                        Err(_) => match t.parse::<f64>() {
                            Ok(f) if f.is_finite() => QValue::Int(f.trunc() as i64),
                            _ => QValue::Null,
                        },
                    }
                }
                other => return Err(bad(name, &other)),
            }
        }
        "tofloat" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Int(i) => QValue::Float(i as f64),
                QValue::Float(f) => QValue::Float(f),
                QValue::String(s) => s.trim().parse::<f64>().map_or(QValue::Null, QValue::Float),
                other => return Err(bad(name, &other)),
            }
        }
        "toboolean" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Bool(b) => QValue::Bool(b),
                QValue::Int(i) => QValue::Bool(i != 0),
                QValue::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" => QValue::Bool(true),
                    "false" => QValue::Bool(false),
                    _ => QValue::Null,
                },
                other => return Err(bad(name, &other)),
            }
        }
        "toupper" => str_fn(name, &a0, |s| s.to_uppercase())?,
        "tolower" => str_fn(name, &a0, |s| s.to_lowercase())?,
        "trim" => str_fn(name, &a0, |s| s.trim().to_string())?,
        "ltrim" => str_fn(name, &a0, |s| s.trim_start().to_string())?,
        "rtrim" => str_fn(name, &a0, |s| s.trim_end().to_string())?,
        "replace" => {
            arity(name, &args, 3, 3)?;
            match (&args[0], &args[1], &args[2]) {
                (QValue::String(s), QValue::String(a), QValue::String(b)) => {
                    QValue::String(s.replace(a.as_str(), b))
                }
                (QValue::Null, _, _) | (_, QValue::Null, _) | (_, _, QValue::Null) => QValue::Null,
                (x, _, _) => return Err(bad(name, x)),
            }
        }
        "substring" => {
            arity(name, &args, 2, 3)?;
            let s = match &args[0] {
                QValue::Null => return Ok(QValue::Null),
                QValue::String(s) => s,
                other => return Err(bad(name, other)),
            };
            let Some(start) = int_arg(name, &args[1])? else {
                return Ok(QValue::Null);
            };
            let len = match args.get(2) {
                None => None,
                Some(v) => match int_arg(name, v)? {
                    None => return Ok(QValue::Null),
                    Some(l) => Some(l),
                },
            };
            if start < 0 || len.is_some_and(|l| l < 0) {
                return Err(rt(
                    ErrorKind::ArgumentError,
                    "NegativeIntegerArgument",
                    "substring() needs non-negative start and length",
                ));
            }
            let it = s.chars().skip(start as usize);
            QValue::String(match len {
                Some(l) => it.take(l as usize).collect(),
                None => it.collect(),
            })
        }
        "left" | "right" => {
            arity(name, &args, 2, 2)?;
            let s = match &args[0] {
                QValue::Null => return Ok(QValue::Null),
                QValue::String(s) => s,
                other => return Err(bad(name, other)),
            };
            let Some(n) = int_arg(name, &args[1])? else {
                return Err(bad(name, &QValue::Null));
            };
            if n < 0 {
                return Err(rt(
                    ErrorKind::ArgumentError,
                    "NegativeIntegerArgument",
                    format!("{name}() needs a non-negative length"),
                ));
            }
            let count = s.chars().count();
            let n = (n as usize).min(count);
            QValue::String(if lname == "left" {
                s.chars().take(n).collect()
            } else {
                s.chars().skip(count - n).collect()
            })
        }
        "split" => {
            arity(name, &args, 2, 2)?;
            match (&args[0], &args[1]) {
                (QValue::String(s), QValue::String(d)) => QValue::List(
                    s.split(d.as_str())
                        .map(|p| QValue::String(p.to_string()))
                        .collect(),
                ),
                (QValue::Null, _) | (_, QValue::Null) => QValue::Null,
                (x, _) => return Err(bad(name, x)),
            }
        }
        "abs" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Int(i) => QValue::Int(i.checked_abs().ok_or_else(|| {
                    rt(
                        ErrorKind::ArgumentError,
                        "IntegerOverflow",
                        "abs() overflowed",
                    )
                })?),
                QValue::Float(f) => QValue::Float(f.abs()),
                other => return Err(bad(name, &other)),
            }
        }
        "sign" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Int(i) => QValue::Int(i.signum()),
                QValue::Float(f) => QValue::Int(if f > 0.0 {
                    1
                } else if f < 0.0 {
                    -1
                } else {
                    0
                }),
                other => return Err(bad(name, &other)),
            }
        }
        "ceil" => float_fn(name, &a0, f64::ceil)?,
        "floor" => float_fn(name, &a0, f64::floor)?,
        "round" => float_fn(name, &a0, |x| {
            // Halves round up, towards positive infinity, as openCypher specifies.
            (x + 0.5).floor()
        })?,
        "sqrt" => float_fn(name, &a0, f64::sqrt)?,
        "exp" => float_fn(name, &a0, f64::exp)?,
        "log" => float_fn(name, &a0, f64::ln)?,
        "log10" => float_fn(name, &a0, f64::log10)?,
        "sin" => float_fn(name, &a0, f64::sin)?,
        "cos" => float_fn(name, &a0, f64::cos)?,
        "tan" => float_fn(name, &a0, f64::tan)?,
        "asin" => float_fn(name, &a0, f64::asin)?,
        "acos" => float_fn(name, &a0, f64::acos)?,
        "atan" => float_fn(name, &a0, f64::atan)?,
        "degrees" => float_fn(name, &a0, f64::to_degrees)?,
        "radians" => float_fn(name, &a0, f64::to_radians)?,
        "atan2" => {
            arity(name, &args, 2, 2)?;
            match (&args[0], &args[1]) {
                (QValue::Null, _) | (_, QValue::Null) => QValue::Null,
                (y, x) => match (num(y), num(x)) {
                    (Some(y), Some(x)) => QValue::Float(y.atan2(x)),
                    _ => return Err(bad(name, y)),
                },
            }
        }
        "rand" => {
            arity(name, &args, 0, 0)?;
            QValue::Float(pseudo_random())
        }
        "pi" => {
            arity(name, &args, 0, 0)?;
            QValue::Float(std::f64::consts::PI)
        }
        "e" => {
            arity(name, &args, 0, 0)?;
            QValue::Float(std::f64::consts::E)
        }
        "exists" => {
            one(&args)?;
            QValue::Bool(!matches!(a0, QValue::Null))
        }
        "evidence" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Rel(r) => {
                    let edge = g.edge(r).ok_or_else(super::expr::deleted)?;
                    QValue::List(
                        edge.evidence
                            .iter()
                            .map(|ev| {
                                let mut m = BTreeMap::new();
                                m.insert("doc".to_string(), QValue::String(ev.doc.to_string()));
                                m.insert(
                                    "sentence".to_string(),
                                    QValue::String(ev.sentence.clone()),
                                );
                                m.insert("hedged".to_string(), QValue::Bool(ev.hedged));
                                QValue::Map(m)
                            })
                            .collect(),
                    )
                }
                other => return Err(bad(name, &other)),
            }
        }
        // The documents that mention a node, as `{doc, count}` maps sorted by document (the
        // store keeps them sorted).
        "mentions" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::Node(n) => {
                    let node = g.node(n).ok_or_else(super::expr::deleted)?;
                    QValue::List(
                        node.mentions
                            .iter()
                            .map(|(doc, count)| {
                                let mut m = BTreeMap::new();
                                m.insert("doc".to_string(), QValue::String(doc.to_string()));
                                m.insert("count".to_string(), QValue::Int(i64::from(*count)));
                                QValue::Map(m)
                            })
                            .collect(),
                    )
                }
                other => return Err(bad(name, &other)),
            }
        }
        "entity" => {
            one(&args)?;
            match a0 {
                QValue::Null => QValue::Null,
                QValue::String(s) => g
                    .resolve_alias(&s)
                    .iter()
                    .min()
                    .map_or(QValue::Null, |n| QValue::Node(*n)),
                other => return Err(bad(name, &other)),
            }
        }
        _ => {
            return Err(rt(
                ErrorKind::SyntaxError,
                "UnknownFunction",
                format!("unknown function {name}()"),
            ))
        }
    })
}

fn num(v: &QValue) -> Option<f64> {
    match v {
        QValue::Int(i) => Some(*i as f64),
        QValue::Float(f) => Some(*f),
        _ => None,
    }
}

fn map_of(m: BTreeMap<String, crate::model::Value>) -> QValue {
    QValue::Map(m.iter().map(|(k, v)| (k.clone(), from_value(v))).collect())
}

/// A float in [0, 1) from the clock and a counter; rand() needs no reproducibility.
fn pseudo_random() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ nanos;
    // splitmix64 finaliser.
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}
