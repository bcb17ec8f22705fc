//! The TCK's value notation (`1`, `'a'`, `[1, 2]`, `(:A {k: 1})`, `<()-[:T]->()>`...): a parser
//! for expected values, and a renderer that brings the engine's results into the same model.

use pharmakg::query::QValue;
use pharmakg::{Graph, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A node as the TCK sees it: labels and properties, without identity.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeVal {
    /// Label names, sorted.
    pub labels: Vec<String>,
    /// Properties by key.
    pub props: BTreeMap<String, TckValue>,
}

/// A relationship as the TCK sees it: type and properties, without identity.
#[derive(Clone, Debug, PartialEq)]
pub struct RelVal {
    /// The relationship type.
    pub ty: String,
    /// Properties by key.
    pub props: BTreeMap<String, TckValue>,
}

/// One hop of a path: the relationship, whether it points along the path, and the next node.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    /// The relationship.
    pub rel: RelVal,
    /// True for `-[...]->`, false for `<-[...]-`.
    pub forward: bool,
    /// The node the hop reaches.
    pub node: NodeVal,
}

/// A value in the TCK's model.
#[derive(Clone, Debug, PartialEq)]
pub enum TckValue {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float, NaN and infinities included.
    Float(f64),
    /// A string.
    String(String),
    /// A list.
    List(Vec<TckValue>),
    /// A map.
    Map(BTreeMap<String, TckValue>),
    /// A node.
    Node(NodeVal),
    /// A relationship.
    Rel(RelVal),
    /// A path: a start node and its hops.
    Path(NodeVal, Vec<Hop>),
}

/// Parses one value written in the TCK notation; the error names the column (1-based).
pub fn parse_value(text: &str) -> Result<TckValue, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.pos < p.chars.len() {
        return Err(p.error("end of value"));
    }
    Ok(v)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn error(&self, expected: &str) -> String {
        let found: String = self.chars[self.pos.min(self.chars.len())..]
            .iter()
            .take(12)
            .collect();
        if found.is_empty() {
            format!(
                "column {}: expected {expected}, found the end",
                self.pos + 1
            )
        } else {
            format!(
                "column {}: expected {expected}, found `{found}`",
                self.pos + 1
            )
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(&format!("`{c}`")))
        }
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(k, c)| self.peek_at(k) == Some(c))
    }

    fn value(&mut self) -> Result<TckValue, String> {
        self.ws();
        match self.peek() {
            Some('\'') | Some('"') => self.string().map(TckValue::String),
            Some('{') => self.map().map(TckValue::Map),
            Some('(') => self.node().map(TckValue::Node),
            Some('<') => self.path(),
            Some('[') => {
                let save = self.pos;
                self.pos += 1;
                self.ws();
                let is_rel = self.peek() == Some(':');
                self.pos = save;
                if is_rel {
                    self.rel().map(TckValue::Rel)
                } else {
                    self.list()
                }
            }
            Some(c) if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_alphabetic() => {
                let word = self.ident();
                match word.as_str() {
                    "null" => Ok(TckValue::Null),
                    "true" => Ok(TckValue::Bool(true)),
                    "false" => Ok(TckValue::Bool(false)),
                    "NaN" => Ok(TckValue::Float(f64::NAN)),
                    "Inf" | "Infinity" => Ok(TckValue::Float(f64::INFINITY)),
                    _ => {
                        self.pos -= word.chars().count();
                        Err(self.error("a value"))
                    }
                }
            }
            _ => Err(self.error("a value")),
        }
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// A map key, label or type: an identifier, or any text in backticks.
    fn name(&mut self) -> Result<String, String> {
        self.ws();
        if self.peek() == Some('`') {
            self.pos += 1;
            let start = self.pos;
            while self.peek().is_some_and(|c| c != '`') {
                self.pos += 1;
            }
            let name: String = self.chars[start..self.pos].iter().collect();
            self.expect('`')?;
            return Ok(name);
        }
        if matches!(self.peek(), Some('\'') | Some('"')) {
            return self.string();
        }
        let name = self.ident();
        if name.is_empty() {
            return Err(self.error("a name"));
        }
        Ok(name)
    }

    fn number(&mut self) -> Result<TckValue, String> {
        let start = self.pos;
        if matches!(self.peek(), Some('-') | Some('+')) {
            self.pos += 1;
        }
        if self.starts_with("Inf") {
            self.pos += 3;
            if self.starts_with("inity") {
                self.pos += 5;
            }
            let negative = self.chars[start] == '-';
            return Ok(TckValue::Float(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }));
        }
        if self.starts_with("NaN") {
            self.pos += 3;
            return Ok(TckValue::Float(f64::NAN));
        }
        let mut float = false;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                self.pos += 1;
            } else if c == '.' && self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
                float = true;
                self.pos += 1;
            } else if (c == 'e' || c == 'E') && self.pos > start {
                float = true;
                self.pos += 1;
                if matches!(self.peek(), Some('-') | Some('+')) {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        let parsed = if float {
            text.parse::<f64>().ok().map(TckValue::Float)
        } else {
            text.parse::<i64>().ok().map(TckValue::Int)
        };
        parsed.ok_or_else(|| {
            self.pos = start;
            self.error("a number")
        })
    }

    fn string(&mut self) -> Result<String, String> {
        let quote = self.peek().ok_or_else(|| self.error("a string"))?;
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                self.pos = start;
                return Err(self.error("a closed string"));
            };
            self.pos += 1;
            if c == quote {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(e) = self.peek() else {
                return Err(self.error("an escaped character"));
            };
            self.pos += 1;
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = (0..4).filter_map(|k| self.peek_at(k)).collect();
                    let c = u32::from_str_radix(&hex, 16)
                        .ok()
                        .filter(|_| hex.len() == 4)
                        .and_then(char::from_u32)
                        .ok_or_else(|| self.error("four hex digits"))?;
                    self.pos += 4;
                    out.push(c);
                }
                other => out.push(other),
            }
        }
    }

    fn list(&mut self) -> Result<TckValue, String> {
        self.expect('[')?;
        let mut items = Vec::new();
        if self.eat(']') {
            return Ok(TckValue::List(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(']') {
                return Ok(TckValue::List(items));
            }
            self.expect(',')?;
        }
    }

    fn map(&mut self) -> Result<BTreeMap<String, TckValue>, String> {
        self.expect('{')?;
        let mut map = BTreeMap::new();
        if self.eat('}') {
            return Ok(map);
        }
        loop {
            let key = self.name()?;
            self.expect(':')?;
            let value = self.value()?;
            map.insert(key, value);
            if self.eat('}') {
                return Ok(map);
            }
            self.expect(',')?;
        }
    }

    fn props(&mut self) -> Result<BTreeMap<String, TckValue>, String> {
        self.ws();
        if self.peek() == Some('{') {
            self.map()
        } else {
            Ok(BTreeMap::new())
        }
    }

    fn node(&mut self) -> Result<NodeVal, String> {
        self.expect('(')?;
        let mut labels = Vec::new();
        while self.eat(':') {
            labels.push(self.name()?);
        }
        labels.sort();
        let props = self.props()?;
        self.expect(')')?;
        Ok(NodeVal { labels, props })
    }

    fn rel(&mut self) -> Result<RelVal, String> {
        self.expect('[')?;
        self.expect(':')?;
        let ty = self.name()?;
        let props = self.props()?;
        self.expect(']')?;
        Ok(RelVal { ty, props })
    }

    fn path(&mut self) -> Result<TckValue, String> {
        self.expect('<')?;
        let start = self.node()?;
        let mut hops = Vec::new();
        loop {
            self.ws();
            if self.eat('>') {
                return Ok(TckValue::Path(start, hops));
            }
            let forward = if self.starts_with("<-") {
                self.pos += 2;
                false
            } else if self.eat('-') {
                true
            } else {
                return Err(self.error("`-[`, `<-[` or `>`"));
            };
            let rel = self.rel()?;
            if forward {
                self.ws();
                if !self.starts_with("->") {
                    return Err(self.error("`->`"));
                }
                self.pos += 2;
            } else {
                self.expect('-')?;
            }
            let node = self.node()?;
            hops.push(Hop { rel, forward, node });
        }
    }
}

impl TckValue {
    /// The value as a property value, for parameters; graph elements have no such form.
    pub fn to_value(&self) -> Result<Value, String> {
        Ok(match self {
            TckValue::Null => Value::Null,
            TckValue::Bool(b) => Value::Bool(*b),
            TckValue::Int(i) => Value::Int(*i),
            TckValue::Float(f) => Value::Float(*f),
            TckValue::String(s) => Value::String(s.clone()),
            TckValue::List(items) => Value::List(
                items
                    .iter()
                    .map(TckValue::to_value)
                    .collect::<Result<_, _>>()?,
            ),
            TckValue::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), v.to_value()?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => return Err(format!("`{other}` cannot be a parameter value")),
        })
    }

    /// A stored property value in the TCK model.
    pub fn from_value(v: &Value) -> TckValue {
        match v {
            Value::Null => TckValue::Null,
            Value::Bool(b) => TckValue::Bool(*b),
            Value::Int(i) => TckValue::Int(*i),
            Value::Float(f) => TckValue::Float(*f),
            Value::String(s) => TckValue::String(s.clone()),
            Value::List(items) => TckValue::List(items.iter().map(TckValue::from_value).collect()),
            Value::Map(m) => TckValue::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), TckValue::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// An engine value in the TCK model, reading nodes and relationships from the graph.
    pub fn from_qvalue(v: &QValue, graph: &Graph) -> Result<TckValue, String> {
        Ok(match v {
            QValue::Null => TckValue::Null,
            QValue::Bool(b) => TckValue::Bool(*b),
            QValue::Int(i) => TckValue::Int(*i),
            QValue::Float(f) => TckValue::Float(*f),
            QValue::String(s) => TckValue::String(s.clone()),
            QValue::List(items) => TckValue::List(
                items
                    .iter()
                    .map(|x| TckValue::from_qvalue(x, graph))
                    .collect::<Result<_, _>>()?,
            ),
            QValue::Map(m) => TckValue::Map(
                m.iter()
                    .map(|(k, x)| Ok((k.clone(), TckValue::from_qvalue(x, graph)?)))
                    .collect::<Result<_, String>>()?,
            ),
            QValue::Node(n) => TckValue::Node(render_node(*n, graph)?),
            QValue::Rel(e) => TckValue::Rel(render_rel(*e, graph)?),
            QValue::Path(p) => {
                if p.nodes.len() != p.rels.len() + 1 {
                    return Err(format!(
                        "a path with {} nodes and {} relationships",
                        p.nodes.len(),
                        p.rels.len()
                    ));
                }
                let start = render_node(p.nodes[0], graph)?;
                let mut hops = Vec::with_capacity(p.rels.len());
                for (k, e) in p.rels.iter().enumerate() {
                    let (from, to) = (p.nodes[k], p.nodes[k + 1]);
                    let (s, t) = graph
                        .endpoints(*e)
                        .ok_or_else(|| format!("path relationship {} does not exist", e.index()))?;
                    let forward = if s == from && t == to {
                        true
                    } else if s == to && t == from {
                        false
                    } else {
                        return Err(format!(
                            "path relationship {} does not join nodes {} and {}",
                            e.index(),
                            from.index(),
                            to.index()
                        ));
                    };
                    hops.push(Hop {
                        rel: render_rel(*e, graph)?,
                        forward,
                        node: render_node(to, graph)?,
                    });
                }
                TckValue::Path(start, hops)
            }
        })
    }
}

fn render_props(props: BTreeMap<String, Value>) -> BTreeMap<String, TckValue> {
    props
        .into_iter()
        .map(|(k, v)| (k, TckValue::from_value(&v)))
        .collect()
}

fn render_node(n: pharmakg::NodeId, graph: &Graph) -> Result<NodeVal, String> {
    if graph.node(n).is_none() {
        return Err(format!("node {} is not in the graph", n.index()));
    }
    let mut labels: Vec<String> = graph.node_labels(n).map(str::to_string).collect();
    labels.sort();
    Ok(NodeVal {
        labels,
        props: render_props(graph.node_props_map(n)),
    })
}

fn render_rel(e: pharmakg::EdgeId, graph: &Graph) -> Result<RelVal, String> {
    let ty = graph
        .edge_type(e)
        .ok_or_else(|| format!("relationship {} is not in the graph", e.index()))?;
    Ok(RelVal {
        ty: ty.to_string(),
        props: render_props(graph.edge_props_map(e)),
    })
}

/// Writes a key, label or type, in backticks unless it is a plain identifier.
fn write_name(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        write!(f, "{name}")
    } else {
        write!(f, "`{name}`")
    }
}

fn write_props(f: &mut fmt::Formatter<'_>, props: &BTreeMap<String, TckValue>) -> fmt::Result {
    write!(f, "{{")?;
    for (k, (key, v)) in props.iter().enumerate() {
        if k > 0 {
            write!(f, ", ")?;
        }
        write_name(f, key)?;
        write!(f, ": {v}")?;
    }
    write!(f, "}}")
}

impl fmt::Display for NodeVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(")?;
        for l in &self.labels {
            write!(f, ":")?;
            write_name(f, l)?;
        }
        if !self.props.is_empty() {
            if !self.labels.is_empty() {
                write!(f, " ")?;
            }
            write_props(f, &self.props)?;
        }
        write!(f, ")")
    }
}

impl fmt::Display for RelVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[:")?;
        write_name(f, &self.ty)?;
        if !self.props.is_empty() {
            write!(f, " ")?;
            write_props(f, &self.props)?;
        }
        write!(f, "]")
    }
}

impl fmt::Display for TckValue {
    /// Writes the value back in the TCK notation, for failure messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TckValue::Null => write!(f, "null"),
            TckValue::Bool(b) => write!(f, "{b}"),
            TckValue::Int(i) => write!(f, "{i}"),
            TckValue::Float(x) => write!(f, "{}", pharmakg::model::format_float(*x)),
            TckValue::String(s) => write!(f, "{}", Value::String(s.clone())),
            TckValue::List(items) => {
                write!(f, "[")?;
                for (k, v) in items.iter().enumerate() {
                    if k > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            TckValue::Map(m) => write_props(f, m),
            TckValue::Node(n) => write!(f, "{n}"),
            TckValue::Rel(r) => write!(f, "{r}"),
            TckValue::Path(start, hops) => {
                write!(f, "<{start}")?;
                for h in hops {
                    if h.forward {
                        write!(f, "-{}->{}", h.rel, h.node)?;
                    } else {
                        write!(f, "<-{}-{}", h.rel, h.node)?;
                    }
                }
                write!(f, ">")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> TckValue {
        parse_value(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn map(pairs: &[(&str, TckValue)]) -> BTreeMap<String, TckValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn scalars() {
        assert_eq!(v("null"), TckValue::Null);
        assert_eq!(v(" true "), TckValue::Bool(true));
        assert_eq!(v("false"), TckValue::Bool(false));
        assert_eq!(v("-9223372036854775808"), TckValue::Int(i64::MIN));
        assert_eq!(v("1"), TckValue::Int(1));
        assert_eq!(v("1.0"), TckValue::Float(1.0));
        assert_eq!(v("-0.000001"), TckValue::Float(-0.000001));
        assert_eq!(v("1e-305"), TckValue::Float(1e-305));
        assert_eq!(
            v("-1.2635418652381264e305"),
            TckValue::Float(-1.2635418652381264e305)
        );
        assert_eq!(v(".5"), TckValue::Float(0.5));
        assert_eq!(v("Inf"), TckValue::Float(f64::INFINITY));
        assert_eq!(v("-Inf"), TckValue::Float(f64::NEG_INFINITY));
        assert!(matches!(v("NaN"), TckValue::Float(x) if x.is_nan()));
    }

    #[test]
    fn strings_with_escapes_and_separators() {
        assert_eq!(v(r"'\''"), TckValue::String("'".into()));
        assert_eq!(v(r"'a\\b'"), TckValue::String(r"a\b".into()));
        assert_eq!(v("'\\nFoo\\n'"), TckValue::String("\nFoo\n".into()));
        assert_eq!(v("'a, ] | }'"), TckValue::String("a, ] | }".into()));
        assert_eq!(v("''"), TckValue::String(String::new()));
    }

    #[test]
    fn lists_and_maps() {
        assert_eq!(v("[]"), TckValue::List(vec![]));
        assert_eq!(
            v("[1, 'a', null, [2]]"),
            TckValue::List(vec![
                TckValue::Int(1),
                TckValue::String("a".into()),
                TckValue::Null,
                TckValue::List(vec![TckValue::Int(2)])
            ])
        );
        assert_eq!(v("{}"), TckValue::Map(BTreeMap::new()));
        assert_eq!(
            v("{prop:1}"),
            TckValue::Map(map(&[("prop", TckValue::Int(1))]))
        );
        assert_eq!(
            v("{name: 'x', nums: [1, 2], `odd key`: null}"),
            TckValue::Map(map(&[
                ("name", TckValue::String("x".into())),
                (
                    "nums",
                    TckValue::List(vec![TckValue::Int(1), TckValue::Int(2)])
                ),
                ("odd key", TckValue::Null),
            ]))
        );
    }

    #[test]
    fn nodes_relationships_and_paths() {
        assert_eq!(
            v("()"),
            TckValue::Node(NodeVal {
                labels: vec![],
                props: BTreeMap::new()
            })
        );
        let ab = NodeVal {
            labels: vec!["A".into(), "B".into()],
            props: map(&[("name", TckValue::String("b".into()))]),
        };
        assert_eq!(v("(:B:A {name: 'b'})"), TckValue::Node(ab.clone()));
        assert_eq!(
            v("[:KNOWS {since: 2020}]"),
            TckValue::Rel(RelVal {
                ty: "KNOWS".into(),
                props: map(&[("since", TckValue::Int(2020))])
            })
        );
        let TckValue::Path(start, hops) = v("<(:A:B {name: 'b'})-[:T]->()<-[:U]-(:C)>") else {
            panic!("not a path");
        };
        assert_eq!(start, ab);
        assert_eq!(hops.len(), 2);
        assert!(hops[0].forward);
        assert_eq!(hops[0].rel.ty, "T");
        assert!(!hops[1].forward);
        assert_eq!(hops[1].node.labels, vec!["C".to_string()]);
        assert!(matches!(v("<()>"), TckValue::Path(_, h) if h.is_empty()));
        // A list of relationships is still a list.
        assert!(matches!(v("[[:X]]"), TckValue::List(l) if matches!(l[0], TckValue::Rel(_))));
    }

    #[test]
    fn round_trips_through_display() {
        for s in [
            "<(:A {name: 'A'})-[:KNOWS]->(:B {name: 'B'})<-[:T {k: [1, 2.5]}]-()>",
            "{a: 'it\\'s', b: -Inf, c: NaN, `odd key`: 1}",
            "(:`two words` {`1st`: 1})",
            "[(:L), [:R], null, 1.0]",
        ] {
            assert_eq!(v(s).to_string(), s);
        }
    }

    #[test]
    fn errors_name_the_column() {
        let e = parse_value("[1, 2").unwrap_err();
        assert!(e.starts_with("column 6"), "{e}");
        assert!(parse_value("'open").unwrap_err().starts_with("column 1"));
        assert!(parse_value("nope").is_err());
        assert!(parse_value("1 2").is_err());
        assert!(parse_value("99999999999999999999").is_err());
        assert!(parse_value("<()-[:T]-()>").is_err());
    }

    #[test]
    fn parameters_convert_but_elements_do_not() {
        assert_eq!(
            v("{k: [1, 'x']}").to_value().unwrap(),
            Value::Map(
                [(
                    "k".to_string(),
                    Value::List(vec![Value::Int(1), Value::String("x".into())])
                )]
                .into_iter()
                .collect()
            )
        );
        assert!(v("(:A)").to_value().is_err());
    }

    #[test]
    fn engine_values_render_from_the_graph() {
        use pharmakg::query::PathValue;
        let mut g = Graph::new();
        let a = g.add_node(&["B", "A"], &[("name", Value::from("a"))]);
        let b = g.add_node(&[], &[]);
        let e = g
            .add_edge(a, b, "T", &[("w", Value::Float(0.5))])
            .expect("edge");
        let path = QValue::Path(PathValue {
            nodes: vec![b, a],
            rels: vec![e],
        });
        assert_eq!(
            TckValue::from_qvalue(&path, &g).unwrap().to_string(),
            "<()<-[:T {w: 0.5}]-(:A:B {name: 'a'})>"
        );
        let bad = QValue::Path(PathValue {
            nodes: vec![a, a],
            rels: vec![e],
        });
        assert!(TckValue::from_qvalue(&bad, &g).is_err());
    }
}
