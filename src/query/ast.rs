//! The typed syntax tree of a query. `Display` prints canonical query text that parses back to
//! an equal tree; spans point into the original text for error messages.

use std::fmt;

/// A byte range in the query text. Spans never take part in equality, so a tree parsed from
/// printed text equals the tree it was printed from.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset just past the last byte.
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// How a statement is run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Run it and return its result.
    #[default]
    Run,
    /// `EXPLAIN`: return the plan without running it.
    Explain,
    /// `PROFILE`: run it and return the plan with rows and time measured.
    Profile,
}

/// What the user typed: a query, possibly prefixed by EXPLAIN or PROFILE.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// How to run the query.
    pub mode: Mode,
    /// The query.
    pub query: Query,
}

/// A whole statement: one or more single queries joined by UNION.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The first single query.
    pub first: SingleQuery,
    /// The queries joined to it, with `true` for UNION ALL.
    pub unions: Vec<(bool, SingleQuery)>,
}

/// A sequence of clauses.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleQuery {
    /// The clauses in order.
    pub clauses: Vec<Clause>,
}

/// One clause.
#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    /// MATCH or OPTIONAL MATCH with an optional WHERE.
    Match {
        /// True for OPTIONAL MATCH.
        optional: bool,
        /// The comma-separated pattern parts.
        pattern: Vec<PatternPart>,
        /// The WHERE condition.
        filter: Option<Expr>,
    },
    /// UNWIND list AS variable.
    Unwind {
        /// The list expression.
        expr: Expr,
        /// The variable each element is bound to.
        var: String,
        /// Where the variable is written.
        span: Span,
    },
    /// WITH projection, with an optional WHERE.
    With(Projection),
    /// RETURN projection.
    Return(Projection),
    /// CREATE pattern.
    Create(Vec<PatternPart>),
    /// MERGE pattern with ON CREATE / ON MATCH actions.
    Merge {
        /// The pattern to find or create.
        part: PatternPart,
        /// SET items run when the pattern was created.
        on_create: Vec<SetItem>,
        /// SET items run when the pattern was found.
        on_match: Vec<SetItem>,
    },
    /// SET items.
    Set(Vec<SetItem>),
    /// DELETE or DETACH DELETE.
    Delete {
        /// True for DETACH DELETE.
        detach: bool,
        /// The entities to delete.
        exprs: Vec<Expr>,
    },
    /// REMOVE items.
    Remove(Vec<RemoveItem>),
}

/// One item of a SET clause.
#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    /// `target.key = value`.
    Prop {
        /// The entity expression.
        target: Expr,
        /// The property key.
        key: String,
        /// The new value.
        value: Expr,
    },
    /// `var = map` (replace every property) or `var += map` (merge).
    Map {
        /// The variable.
        var: String,
        /// The map or entity providing properties.
        value: Expr,
        /// True for `+=`.
        merge: bool,
    },
    /// `var:Label:...`.
    Labels {
        /// The variable.
        var: String,
        /// Labels to add.
        labels: Vec<String>,
    },
}

/// One item of a REMOVE clause.
#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    /// `target.key`.
    Prop {
        /// The entity expression.
        target: Expr,
        /// The property key.
        key: String,
    },
    /// `var:Label:...`.
    Labels {
        /// The variable.
        var: String,
        /// Labels to remove.
        labels: Vec<String>,
    },
}

/// The body of WITH or RETURN.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// DISTINCT.
    pub distinct: bool,
    /// `*`: every variable in scope.
    pub star: bool,
    /// The items.
    pub items: Vec<ProjItem>,
    /// ORDER BY keys, `true` for descending.
    pub order: Vec<(Expr, bool)>,
    /// SKIP.
    pub skip: Option<Expr>,
    /// LIMIT.
    pub limit: Option<Expr>,
    /// WHERE (WITH only).
    pub filter: Option<Expr>,
}

/// One projected item. Equality ignores the source text, which printing normalises.
#[derive(Clone, Debug)]
pub struct ProjItem {
    /// The expression.
    pub expr: Expr,
    /// The alias after AS.
    pub alias: Option<String>,
    /// The expression's text as written, which names an unaliased column.
    pub text: String,
    /// Where the item is written.
    pub span: Span,
}

impl PartialEq for ProjItem {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr && self.alias == other.alias
    }
}

impl ProjItem {
    /// The column name: the alias, or the text as written.
    pub fn name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.text)
    }
}

/// One comma-separated part of a pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternPart {
    /// The path variable in `p = ...`.
    pub var: Option<String>,
    /// `Some(false)` for shortestPath, `Some(true)` for allShortestPaths.
    pub shortest: Option<bool>,
    /// The first node.
    pub start: NodePat,
    /// Relationship and node pairs following it.
    pub chain: Vec<(RelPat, NodePat)>,
    /// Where the part is written.
    pub span: Span,
}

/// A node pattern `(v:L {k: x})`.
#[derive(Clone, Debug, PartialEq)]
pub struct NodePat {
    /// The variable.
    pub var: Option<String>,
    /// Required labels.
    pub labels: Vec<String>,
    /// Required properties: a map literal or a parameter.
    pub props: Option<Expr>,
    /// A string the node's `name` must start with, copied by the planner from
    /// `WHERE n.name STARTS WITH <constant>` so that matching can start from the name-prefix
    /// index; the parser never sets it and the WHERE still applies.
    pub name_prefix: Option<Expr>,
    /// Where it is written.
    pub span: Span,
}

/// Which way a relationship pattern points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    /// `-->`.
    Out,
    /// `<--`.
    In,
    /// `--` (or `<-->`).
    Both,
}

/// A relationship pattern `-[r:T|U*1..3 {k: x}]->`.
#[derive(Clone, Debug, PartialEq)]
pub struct RelPat {
    /// The variable.
    pub var: Option<String>,
    /// Allowed types; empty means any.
    pub types: Vec<String>,
    /// Direction.
    pub dir: Dir,
    /// Variable length: `Some((min, max))` when `*` is present.
    pub range: Option<(Option<u64>, Option<u64>)>,
    /// Required properties.
    pub props: Option<Expr>,
    /// Where it is written.
    pub span: Span,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// null.
    Null,
    /// true / false.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    String(String),
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// OR.
    Or,
    /// XOR.
    Xor,
    /// AND.
    And,
    /// `=`.
    Eq,
    /// `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `=~`.
    Regex,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Mod,
    /// `^`.
    Pow,
    /// IN.
    In,
    /// STARTS WITH.
    StartsWith,
    /// ENDS WITH.
    EndsWith,
    /// CONTAINS.
    Contains,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "OR",
            BinOp::Xor => "XOR",
            BinOp::And => "AND",
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Regex => "=~",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::In => "IN",
            BinOp::StartsWith => "STARTS WITH",
            BinOp::EndsWith => "ENDS WITH",
            BinOp::Contains => "CONTAINS",
        }
    }
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal.
    Lit(Literal),
    /// `$name`.
    Param(String),
    /// A variable.
    Var(String, Span),
    /// `e.key`.
    Prop(Box<Expr>, String),
    /// `e[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// `e[lo..hi]`.
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `e:A:B`.
    HasLabels(Box<Expr>, Vec<String>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{k: v}`.
    Map(Vec<(String, Expr)>),
    /// NOT e.
    Not(Box<Expr>),
    /// `-e`.
    Neg(Box<Expr>),
    /// `+e`.
    Pos(Box<Expr>),
    /// A binary operation.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// `e IS NULL` (false) or `e IS NOT NULL` (true).
    IsNull(Box<Expr>, bool),
    /// CASE.
    Case {
        /// The operand of the simple form.
        operand: Option<Box<Expr>>,
        /// WHEN / THEN pairs.
        alts: Vec<(Expr, Expr)>,
        /// ELSE.
        default: Option<Box<Expr>>,
    },
    /// A function call.
    Call {
        /// The name as written.
        name: String,
        /// DISTINCT inside the parentheses.
        distinct: bool,
        /// The arguments.
        args: Vec<Expr>,
        /// Where the call is written.
        span: Span,
    },
    /// `count(*)`.
    CountStar,
    /// `[x IN list WHERE filter | map]`.
    ListComp {
        /// The element variable.
        var: String,
        /// The list.
        list: Box<Expr>,
        /// WHERE.
        filter: Option<Box<Expr>>,
        /// The expression after `|`.
        map: Option<Box<Expr>>,
    },
    /// `all(x IN list WHERE p)` and its siblings.
    Quantifier {
        /// Which quantifier.
        kind: Quant,
        /// The element variable.
        var: String,
        /// The list.
        list: Box<Expr>,
        /// The predicate.
        filter: Box<Expr>,
    },
}

/// List quantifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quant {
    /// Every element satisfies the predicate.
    All,
    /// At least one does.
    Any,
    /// None does.
    None,
    /// Exactly one does.
    Single,
}

impl Quant {
    /// The quantifier's name.
    pub fn name(self) -> &'static str {
        match self {
            Quant::All => "all",
            Quant::Any => "any",
            Quant::None => "none",
            Quant::Single => "single",
        }
    }
}

/// Names of the aggregating functions.
pub const AGGREGATES: &[&str] = &["count", "sum", "avg", "min", "max", "collect"];

impl Expr {
    /// True when the expression is an aggregating call or contains one.
    pub fn has_aggregate(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            if e.is_aggregate() {
                found = true;
            }
        });
        found
    }

    /// True when this node itself is an aggregating call.
    pub fn is_aggregate(&self) -> bool {
        match self {
            Expr::CountStar => true,
            Expr::Call { name, .. } => AGGREGATES.contains(&name.to_ascii_lowercase().as_str()),
            _ => false,
        }
    }

    /// Visits this expression and every sub-expression, parents first.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Lit(_) | Expr::Param(_) | Expr::Var(..) | Expr::CountStar => {}
            Expr::Prop(e, _) | Expr::HasLabels(e, _) | Expr::Not(e) | Expr::Neg(e) => e.walk(f),
            Expr::Pos(e) | Expr::IsNull(e, _) => e.walk(f),
            Expr::Index(a, b) | Expr::Bin(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Slice(a, b, c) => {
                a.walk(f);
                if let Some(b) = b {
                    b.walk(f);
                }
                if let Some(c) = c {
                    c.walk(f);
                }
            }
            Expr::List(items) => items.iter().for_each(|e| e.walk(f)),
            Expr::Map(items) => items.iter().for_each(|(_, e)| e.walk(f)),
            Expr::Case {
                operand,
                alts,
                default,
            } => {
                if let Some(o) = operand {
                    o.walk(f);
                }
                for (w, t) in alts {
                    w.walk(f);
                    t.walk(f);
                }
                if let Some(d) = default {
                    d.walk(f);
                }
            }
            Expr::Call { args, .. } => args.iter().for_each(|e| e.walk(f)),
            Expr::ListComp {
                list, filter, map, ..
            } => {
                list.walk(f);
                if let Some(x) = filter {
                    x.walk(f);
                }
                if let Some(x) = map {
                    x.walk(f);
                }
            }
            Expr::Quantifier { list, filter, .. } => {
                list.walk(f);
                filter.walk(f);
            }
        }
    }
}

/// Writes a name, backquoted when it is not a plain identifier or is a keyword.
pub fn write_name(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !is_reserved(name);
    if plain {
        write!(f, "{name}")
    } else {
        write!(f, "`{}`", name.replace('`', "``"))
    }
}

/// True for words that cannot name a variable without backquotes.
pub fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "all",
        "and",
        "as",
        "asc",
        "ascending",
        "by",
        "case",
        "contains",
        "create",
        "delete",
        "desc",
        "descending",
        "detach",
        "distinct",
        "else",
        "end",
        "ends",
        "false",
        "in",
        "is",
        "limit",
        "match",
        "merge",
        "not",
        "null",
        "on",
        "optional",
        "or",
        "order",
        "remove",
        "return",
        "set",
        "skip",
        "starts",
        "then",
        "true",
        "union",
        "unwind",
        "when",
        "where",
        "with",
        "xor",
    ];
    RESERVED.contains(&word.to_ascii_lowercase().as_str())
}

struct Name<'a>(&'a str);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_name(f, self.0)
    }
}

fn write_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(f, ", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => write!(f, "null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{}", crate::model::format_float(*x)),
            Literal::String(s) => crate::model::write_quoted(f, s),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Negative numbers print in parentheses so that `x - -1` and `-1 ^ 2` keep their
            // meaning when read back.
            Expr::Lit(Literal::Int(i)) if *i < 0 => write!(f, "({i})"),
            Expr::Lit(Literal::Float(x)) if x.is_sign_negative() => {
                write!(f, "({})", crate::model::format_float(*x))
            }
            Expr::Lit(l) => write!(f, "{l}"),
            Expr::Param(p) => {
                write!(f, "$")?;
                write_name(f, p)
            }
            Expr::Var(v, _) => write_name(f, v),
            Expr::Prop(e, k) => write!(f, "{e}.{}", Name(k)),
            Expr::Index(e, i) => write!(f, "{e}[{i}]"),
            Expr::Slice(e, lo, hi) => {
                write!(f, "{e}[")?;
                if let Some(lo) = lo {
                    write!(f, "{lo}")?;
                }
                write!(f, "..")?;
                if let Some(hi) = hi {
                    write!(f, "{hi}")?;
                }
                write!(f, "]")
            }
            Expr::HasLabels(e, labels) => {
                // Labels on labels would read back as one list, so the inner one is bracketed.
                if let Expr::HasLabels(..) = **e {
                    write!(f, "({e})")?;
                } else {
                    write!(f, "{e}")?;
                }
                for l in labels {
                    write!(f, ":{}", Name(l))?;
                }
                Ok(())
            }
            Expr::List(items) => {
                write!(f, "[")?;
                write_list(f, items)?;
                write!(f, "]")
            }
            Expr::Map(items) => {
                write!(f, "{{")?;
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}: {v}", Name(k))?;
                }
                write!(f, "}}")
            }
            Expr::Not(e) => write!(f, "(NOT {e})"),
            Expr::Neg(e) => write!(f, "(-{e})"),
            Expr::Pos(e) => write!(f, "(+{e})"),
            Expr::Bin(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
            Expr::IsNull(e, false) => write!(f, "({e} IS NULL)"),
            Expr::IsNull(e, true) => write!(f, "({e} IS NOT NULL)"),
            Expr::Case {
                operand,
                alts,
                default,
            } => {
                write!(f, "CASE")?;
                if let Some(o) = operand {
                    write!(f, " {o}")?;
                }
                for (w, t) in alts {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(d) = default {
                    write!(f, " ELSE {d}")?;
                }
                write!(f, " END")
            }
            Expr::Call {
                name,
                distinct,
                args,
                ..
            } => {
                write!(f, "{name}(")?;
                if *distinct {
                    write!(f, "DISTINCT ")?;
                }
                write_list(f, args)?;
                write!(f, ")")
            }
            Expr::CountStar => write!(f, "count(*)"),
            Expr::ListComp {
                var,
                list,
                filter,
                map,
            } => {
                write!(f, "[{} IN {list}", Name(var))?;
                if let Some(x) = filter {
                    write!(f, " WHERE {x}")?;
                }
                if let Some(x) = map {
                    write!(f, " | {x}")?;
                }
                write!(f, "]")
            }
            Expr::Quantifier {
                kind,
                var,
                list,
                filter,
            } => write!(f, "{}({} IN {list} WHERE {filter})", kind.name(), Name(var)),
        }
    }
}

impl fmt::Display for NodePat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(")?;
        if let Some(v) = &self.var {
            write_name(f, v)?;
        }
        for l in &self.labels {
            write!(f, ":{}", Name(l))?;
        }
        if let Some(p) = &self.props {
            if self.var.is_some() || !self.labels.is_empty() {
                write!(f, " ")?;
            }
            write!(f, "{p}")?;
        }
        write!(f, ")")
    }
}

impl fmt::Display for RelPat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-[", if self.dir == Dir::In { "<" } else { "" })?;
        if let Some(v) = &self.var {
            write_name(f, v)?;
        }
        for (i, t) in self.types.iter().enumerate() {
            write!(f, "{}{}", if i == 0 { ":" } else { "|" }, Name(t))?;
        }
        if let Some((lo, hi)) = &self.range {
            write!(f, "*")?;
            match (lo, hi) {
                (Some(a), Some(b)) if a == b => write!(f, "{a}")?,
                (lo, hi) => {
                    if let Some(a) = lo {
                        write!(f, "{a}")?;
                    }
                    write!(f, "..")?;
                    if let Some(b) = hi {
                        write!(f, "{b}")?;
                    }
                }
            }
        }
        if let Some(p) = &self.props {
            write!(f, " {p}")?;
        }
        write!(f, "]-{}", if self.dir == Dir::Out { ">" } else { "" })
    }
}

impl fmt::Display for PatternPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.var {
            write_name(f, v)?;
            write!(f, " = ")?;
        }
        match self.shortest {
            Some(false) => write!(f, "shortestPath(")?,
            Some(true) => write!(f, "allShortestPaths(")?,
            None => {}
        }
        write!(f, "{}", self.start)?;
        for (r, n) in &self.chain {
            write!(f, "{r}{n}")?;
        }
        if self.shortest.is_some() {
            write!(f, ")")?;
        }
        Ok(())
    }
}

impl fmt::Display for SetItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Prop { target, key, value } => write!(f, "{target}.{} = {value}", Name(key)),
            SetItem::Map { var, value, merge } => {
                write!(
                    f,
                    "{} {} {value}",
                    Name(var),
                    if *merge { "+=" } else { "=" }
                )
            }
            SetItem::Labels { var, labels } => {
                write_name(f, var)?;
                for l in labels {
                    write!(f, ":{}", Name(l))?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for RemoveItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Prop { target, key } => write!(f, "{target}.{}", Name(key)),
            RemoveItem::Labels { var, labels } => {
                write_name(f, var)?;
                for l in labels {
                    write!(f, ":{}", Name(l))?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Projection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.distinct {
            write!(f, "DISTINCT ")?;
        }
        let mut first = true;
        if self.star {
            write!(f, "*")?;
            first = false;
        }
        for item in &self.items {
            if !first {
                write!(f, ", ")?;
            }
            first = false;
            write!(f, "{}", item.expr)?;
            if let Some(a) = &item.alias {
                write!(f, " AS {}", Name(a))?;
            }
        }
        if !self.order.is_empty() {
            write!(f, " ORDER BY ")?;
            for (i, (e, desc)) in self.order.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{e}{}", if *desc { " DESC" } else { "" })?;
            }
        }
        if let Some(s) = &self.skip {
            write!(f, " SKIP {s}")?;
        }
        if let Some(l) = &self.limit {
            write!(f, " LIMIT {l}")?;
        }
        if let Some(w) = &self.filter {
            write!(f, " WHERE {w}")?;
        }
        Ok(())
    }
}

fn write_pattern(f: &mut fmt::Formatter<'_>, parts: &[PatternPart]) -> fmt::Result {
    write_list(f, parts)
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Match {
                optional,
                pattern,
                filter,
            } => {
                if *optional {
                    write!(f, "OPTIONAL ")?;
                }
                write!(f, "MATCH ")?;
                write_pattern(f, pattern)?;
                if let Some(w) = filter {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            Clause::Unwind { expr, var, .. } => write!(f, "UNWIND {expr} AS {}", Name(var)),
            Clause::With(p) => write!(f, "WITH {p}"),
            Clause::Return(p) => write!(f, "RETURN {p}"),
            Clause::Create(parts) => {
                write!(f, "CREATE ")?;
                write_pattern(f, parts)
            }
            Clause::Merge {
                part,
                on_create,
                on_match,
            } => {
                write!(f, "MERGE {part}")?;
                if !on_create.is_empty() {
                    write!(f, " ON CREATE SET ")?;
                    write_list(f, on_create)?;
                }
                if !on_match.is_empty() {
                    write!(f, " ON MATCH SET ")?;
                    write_list(f, on_match)?;
                }
                Ok(())
            }
            Clause::Set(items) => {
                write!(f, "SET ")?;
                write_list(f, items)
            }
            Clause::Delete { detach, exprs } => {
                write!(f, "{}DELETE ", if *detach { "DETACH " } else { "" })?;
                write_list(f, exprs)
            }
            Clause::Remove(items) => {
                write!(f, "REMOVE ")?;
                write_list(f, items)
            }
        }
    }
}

impl fmt::Display for SingleQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.clauses.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (all, q) in &self.unions {
            write!(f, " UNION {}{q}", if *all { "ALL " } else { "" })?;
        }
        Ok(())
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mode {
            Mode::Run => {}
            Mode::Explain => write!(f, "EXPLAIN ")?,
            Mode::Profile => write!(f, "PROFILE ")?,
        }
        write!(f, "{}", self.query)
    }
}
