//! Shortcuts for newcomers (`:neighbors`, `:path`, `:why`, `:find`): each one compiles to an
//! ordinary query with its names passed as parameters, which the shell can show for copying.

use crate::model::Value;
use std::collections::BTreeMap;

/// One shortcut with its arguments, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shortcut {
    /// `:neighbors NAME [DEPTH]`: entities within DEPTH hops of NAME.
    Neighbors {
        /// The entity's name or alias.
        name: String,
        /// How many hops out to look (at least 1).
        depth: usize,
    },
    /// `:path A B`: the shortest paths between two entities, hop by hop with evidence.
    Path {
        /// Where the paths start.
        from: String,
        /// Where they end.
        to: String,
    },
    /// `:why A B`: every relationship between two entities, with its evidence.
    Why {
        /// One entity.
        a: String,
        /// The other.
        b: String,
    },
    /// `:find TEXT`: entities whose name or an alias contains TEXT, in any case.
    Find {
        /// The text to look for.
        text: String,
    },
}

/// The deepest `:neighbors` search: the query enumerates paths, and on the shipped graph depth
/// 4 already holds hundreds of megabytes of them.
pub const MAX_DEPTH: usize = 3;

/// A compiled shortcut: the query to show and run, the one whose result `:export` draws, and
/// the parameters both take.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// The query whose readable result is printed.
    pub query: String,
    /// The same match returning nodes, relationships and paths, for drawing; `None` for
    /// `:neighbors`, whose drawing is the neighbourhood itself (every path out to DEPTH
    /// would be far slower to enumerate than the breadth-first walk that finds it).
    pub drawn: Option<String>,
    /// The parameters, by name without `$`.
    pub params: BTreeMap<String, Value>,
    /// The parameters that name entities, with the argument each stands for (`first`...), so
    /// that unknown names can be reported before running anything.
    pub entities: Vec<(&'static str, String)>,
    /// What to say when the query finds nothing.
    pub when_empty: String,
}

const QUOTE_HINT: &str = "quote names with spaces, as in :why ketamine \"NMDA receptor\"";

/// Parses a shortcut's arguments; `None` when `name` is not a shortcut.
pub fn parse(name: &str, args: &[String]) -> Option<Result<Shortcut, String>> {
    let usage = |u: &str| Err(format!("usage: {u} ({QUOTE_HINT})"));
    Some(match name {
        "neighbors" | "neighbours" => match args {
            [n] => Ok(Shortcut::Neighbors {
                name: n.clone(),
                depth: 1,
            }),
            [n, d] => match d.parse::<usize>() {
                Ok(depth) if (1..=MAX_DEPTH).contains(&depth) => Ok(Shortcut::Neighbors {
                    name: n.clone(),
                    depth,
                }),
                Ok(_) => Err(format!(
                    ":neighbors DEPTH must be 1 to {MAX_DEPTH}, not {d}"
                )),
                Err(_) => usage(":neighbors NAME [DEPTH]"),
            },
            _ => usage(":neighbors NAME [DEPTH]"),
        },
        "path" => match args {
            [a, b] => Ok(Shortcut::Path {
                from: a.clone(),
                to: b.clone(),
            }),
            _ => usage(":path A B"),
        },
        "why" => match args {
            [a, b] => Ok(Shortcut::Why {
                a: a.clone(),
                b: b.clone(),
            }),
            _ => usage(":why A B"),
        },
        "find" => {
            if args.is_empty() {
                Err("usage: :find TEXT".into())
            } else {
                Ok(Shortcut::Find {
                    text: args.join(" "),
                })
            }
        }
        _ => return None,
    })
}

/// The labels of a node, its name, and a relationship written with its direction from `a`.
const ARROW: &str = "CASE WHEN startNode(r) = a THEN '-[:' + type(r) + ']->' \
                     ELSE '<-[:' + type(r) + ']-' END";

impl Shortcut {
    /// The shortcut's name as typed, without `:`.
    pub fn name(&self) -> &'static str {
        match self {
            Shortcut::Neighbors { .. } => "neighbors",
            Shortcut::Path { .. } => "path",
            Shortcut::Why { .. } => "why",
            Shortcut::Find { .. } => "find",
        }
    }

    /// The queries this shortcut stands for.
    pub fn compile(&self) -> Compiled {
        let param = |k: &str, v: &str| (k.to_string(), Value::from(v));
        match self {
            Shortcut::Neighbors { name, depth: 1 } => {
                let pattern = "MATCH (a)-[r]-(b) WHERE a = entity($name)";
                Compiled {
                    query: format!(
                        "{pattern} RETURN {ARROW} AS relationship, b.name AS neighbor, \
                         labels(b) AS labels, r.confidence AS confidence \
                         ORDER BY neighbor, relationship"
                    ),
                    drawn: None,
                    params: BTreeMap::from([param("name", name)]),
                    entities: vec![("name", name.clone())],
                    when_empty: format!("`{name}` has no relationships"),
                }
            }
            Shortcut::Neighbors { name, depth } => {
                let pattern =
                    format!("MATCH p = (a)-[*1..{depth}]-(b) WHERE a = entity($name) AND b <> a");
                Compiled {
                    query: format!(
                        "{pattern} WITH b, min(length(p)) AS hops \
                         RETURN DISTINCT b.name AS neighbor, labels(b) AS labels, hops \
                         ORDER BY hops, neighbor"
                    ),
                    drawn: None,
                    params: BTreeMap::from([param("name", name)]),
                    entities: vec![("name", name.clone())],
                    when_empty: format!("`{name}` has no relationships"),
                }
            }
            Shortcut::Path { from, to } => {
                let pattern = "MATCH p = allShortestPaths((a)-[*]-(b)) \
                               WHERE a = entity($a) AND b = entity($b)";
                Compiled {
                    query: format!(
                        "{pattern} WITH collect(p) AS ps \
                         UNWIND range(0, size(ps) - 1) AS k WITH k, ps[k] AS p \
                         UNWIND range(0, length(p) - 1) AS i WITH k, i, relationships(p)[i] AS r \
                         RETURN k + 1 AS path, i + 1 AS hop, startNode(r).name AS from, \
                         type(r) AS type, endNode(r).name AS to, r.confidence AS confidence, \
                         [e IN evidence(r) | e.sentence] AS evidence"
                    ),
                    drawn: Some(format!("{pattern} RETURN p")),
                    params: BTreeMap::from([param("a", from), param("b", to)]),
                    entities: vec![("a", from.clone()), ("b", to.clone())],
                    when_empty: format!("no path joins `{from}` and `{to}`"),
                }
            }
            Shortcut::Why { a, b } => {
                let pattern = "MATCH (a)-[r]-(b) WHERE a = entity($a) AND b = entity($b)";
                Compiled {
                    query: format!(
                        "{pattern} RETURN startNode(r).name AS from, type(r) AS type, \
                         endNode(r).name AS to, r.confidence AS confidence, \
                         [e IN evidence(r) | e.sentence] AS evidence \
                         ORDER BY confidence DESC, type"
                    ),
                    drawn: Some(format!("{pattern} RETURN a, r, b")),
                    params: BTreeMap::from([param("a", a), param("b", b)]),
                    entities: vec![("a", a.clone()), ("b", b.clone())],
                    when_empty: format!(
                        "no relationship joins `{a}` and `{b}` directly; try :path"
                    ),
                }
            }
            Shortcut::Find { text } => {
                let pattern = "MATCH (n) WHERE toLower(n.name) CONTAINS toLower($text) \
                               OR any(x IN coalesce(n.aliases, []) \
                               WHERE toLower(x) CONTAINS toLower($text))";
                Compiled {
                    query: format!(
                        "{pattern} RETURN n.name AS name, labels(n) AS labels, \
                         [x IN coalesce(n.aliases, []) WHERE toLower(x) CONTAINS toLower($text)] \
                         AS matching_aliases ORDER BY name"
                    ),
                    drawn: Some(format!("{pattern} RETURN n")),
                    params: BTreeMap::from([param("text", text)]),
                    entities: Vec::new(),
                    when_empty: format!("no entity's name or alias contains `{text}`"),
                }
            }
        }
    }
}

impl Compiled {
    /// The query as lines the user can paste back into the shell: a `:param` line per
    /// parameter, then the statement with its `;`.
    pub fn listing(&self) -> String {
        let mut s = String::new();
        for (k, v) in &self.params {
            s.push_str(&format!(":param {k} {v}\n"));
        }
        s.push_str(&self.query);
        s.push(';');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn arguments_are_checked() {
        assert_eq!(
            parse("neighbors", &args(&["ketamine", "2"])),
            Some(Ok(Shortcut::Neighbors {
                name: "ketamine".into(),
                depth: 2
            }))
        );
        assert!(parse("neighbors", &args(&["NMDA", "receptor"]))
            .unwrap()
            .unwrap_err()
            .contains("quote"));
        assert!(parse("neighbors", &args(&["x", "0"])).unwrap().is_err());
        assert!(parse("why", &args(&["a"])).unwrap().is_err());
        assert_eq!(
            parse("find", &args(&["nmda", "rec"])),
            Some(Ok(Shortcut::Find {
                text: "nmda rec".into()
            }))
        );
        assert_eq!(parse("stats", &[]), None);
    }

    #[test]
    fn names_travel_as_parameters_never_inside_the_query() {
        let c = Shortcut::Why {
            a: "it's".into(),
            b: "NMDA receptor".into(),
        }
        .compile();
        assert!(!c.query.contains("it's") && !c.query.contains("NMDA"));
        assert_eq!(c.params["a"], Value::from("it's"));
        let listing = c.listing();
        assert!(listing.starts_with(":param a 'it\\'s'\n:param b 'NMDA receptor'\n"));
        assert!(listing.ends_with(';'));
    }
}
