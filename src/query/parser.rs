//! Query text → [`ast::Query`]. The only module that knows pest: its pairs and rules are turned
//! into the typed tree here, and its errors into [`QueryError`]s that speak in words.

use super::ast::*;
use super::error::{ErrorKind, Phase, QueryError};
use pest::iterators::Pair;
use pest::Parser;
use std::sync::Once;

/// The generated parser, kept in a private module so that pest's `Rule` type stays here.
mod generated {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/cypher.pest"]
    pub struct QueryParser;
}
use generated::{QueryParser, Rule};

/// Deepest bracket nesting accepted; deeper text is refused before pest sees it, so neither
/// pest nor the tree walkers can exhaust the stack.
pub const MAX_NESTING: usize = 64;

/// Stack for the parsing thread: pest descends about a dozen rules per nesting level, and
/// unoptimised builds spend a lot of stack on each.
const PARSE_STACK: usize = 64 << 20;

/// Parses one query; EXPLAIN and PROFILE are refused here (see [`parse_statement`]).
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let st = parse_statement(text)?;
    if st.mode != Mode::Run {
        return Err(QueryError::new(
            ErrorKind::SyntaxError,
            "UnexpectedSyntax",
            Phase::Compile,
            "EXPLAIN and PROFILE may only start a statement that is run",
        ));
    }
    Ok(st.query)
}

/// Parses one statement, with its EXPLAIN or PROFILE prefix.
pub fn parse_statement(text: &str) -> Result<Statement, QueryError> {
    check_nesting(text)?;
    // Parse on a thread with a known, large stack so that the nesting limit is safe whatever
    // the caller's stack; fall back to the current thread if no thread can be started.
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("query-parser".into())
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, || parse_here(text))
        {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(QueryError::new(
                    ErrorKind::SyntaxError,
                    "UnexpectedSyntax",
                    Phase::Compile,
                    "the parser failed on this text",
                ))
            }),
            Err(_) => parse_here(text),
        }
    })
}

fn parse_here(text: &str) -> Result<Statement, QueryError> {
    static DETAIL: Once = Once::new();
    DETAIL.call_once(|| pest::set_error_detail(true));
    let mut pairs = QueryParser::parse(Rule::query, text).map_err(|e| syntax_error(text, e))?;
    let query = pairs.next().ok_or_else(|| {
        QueryError::new(
            ErrorKind::SyntaxError,
            "UnexpectedSyntax",
            Phase::Compile,
            "empty query",
        )
    })?;
    build_query(query)
}

fn err(code: &str, message: impl Into<String>, span: Span) -> QueryError {
    QueryError::new(ErrorKind::SyntaxError, code, Phase::Compile, message)
        .with_span(span.start, span.end)
}

/// Refuses text whose brackets (and CASE ... END blocks) nest deeper than [`MAX_NESTING`]
/// (quoted text and comments excluded).
fn check_nesting(text: &str) -> Result<(), QueryError> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut word_start: Option<usize> = None;
    let mut comment: Option<bool> = None; // Some(true) for a block comment
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if let Some(block) = comment {
            if (!block && c == '\n') || (block && c == '/' && i > 0 && bytes[i - 1] == b'*') {
                comment = None;
            }
            continue;
        }
        if quote.is_none() && c == '/' && matches!(bytes.get(i + 1), Some(b'/') | Some(b'*')) {
            comment = Some(bytes[i + 1] == b'*');
            continue;
        }
        let is_word = c.is_alphanumeric() || c == '_';
        if quote.is_none() {
            match (is_word, word_start) {
                (true, None) => word_start = Some(i),
                (false, Some(st)) => {
                    word_start = None;
                    let w = &text[st..i];
                    if w.eq_ignore_ascii_case("case") {
                        depth += 1;
                    } else if w.eq_ignore_ascii_case("end") {
                        depth = depth.saturating_sub(1);
                    }
                }
                _ => {}
            }
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q != '`' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(err(
                        "NestingTooDeep",
                        format!("brackets nest more than {MAX_NESTING} levels deep"),
                        Span {
                            start: i,
                            end: i + 1,
                        },
                    ));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING {
            return Err(err(
                "NestingTooDeep",
                format!("brackets nest more than {MAX_NESTING} levels deep"),
                Span {
                    start: i,
                    end: i + c.len_utf8(),
                },
            ));
        }
    }
    Ok(())
}

/// Describes a grammar rule in words, or `None` for rules a user should not hear about.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        WHITESPACE | COMMENT | kw_end | ident_char | reserved | clause | pattern_elem | postfix
        | atom | literal => return None,
        // EXPLAIN and PROFILE are rarely what a mistyped statement meant, so errors at the
        // start of a statement keep listing the clauses only.
        run_mode | EXPLAIN | PROFILE => return None,
        EOI => "end of input",
        query | single_query | union_part => "a clause",
        match_clause => "MATCH",
        unwind_clause => "UNWIND",
        with_clause => "WITH",
        return_clause => "RETURN",
        create_clause => "CREATE",
        merge_clause => "MERGE",
        set_clause => "SET",
        delete_clause => "DELETE",
        remove_clause => "REMOVE",
        where_clause => "WHERE",
        merge_action => "ON CREATE or ON MATCH",
        set_item | set_prop | set_map | set_add_map | set_labels => "a SET item",
        remove_item | remove_labels => "a REMOVE item",
        projection | projection_items | projection_item => "an expression to return",
        star => "'*'",
        order_by => "ORDER BY",
        sort_item => "a sort key",
        sort_dir => "ASC or DESC",
        skip => "SKIP",
        limit => "LIMIT",
        pattern | pattern_part => "a pattern",
        shortest_path => "shortestPath",
        pattern_chain | rel_pattern => "a relationship pattern",
        node_pattern => "a node pattern '('",
        node_labels => "a label ':Label'",
        properties => "a property map",
        left_arrow => "a relationship pattern",
        right_arrow => "'>'",
        rel_detail => "'['",
        rel_types => "a relationship type ':TYPE'",
        range | range_bounds | range_exact | range_lo | range_hi => "a length range '*'",
        uint => "an unsigned integer",
        expression | or_expr | xor_expr | and_expr | not_expr | comparison | predicate
        | add_expr | mul_expr | pow_expr | unary_expr | postfix_expr | paren_expr => {
            "an expression"
        }
        not_op => "NOT",
        comp_op => "a comparison operator",
        pred_suffix | is_null | is_not_null => "IS NULL or IS NOT NULL",
        starts_with => "STARTS WITH",
        ends_with => "ENDS WITH",
        contains => "CONTAINS",
        in_list => "IN",
        add_op => "'+' or '-'",
        mul_op => "'*', '/' or '%'",
        pow_op => "'^'",
        unary_op => "a sign",
        prop_lookup => "a property '.key'",
        index | slice | slice_lo | slice_hi => "an index '['",
        count_star => "count(*)",
        function_call | function_name => "a function call",
        case_expr => "CASE",
        list_comprehension | comp_map => "a list comprehension",
        comp_where => "WHERE",
        quantifier | quantifier_kind => "a list predicate",
        case_alt => "WHEN",
        list_literal => "a list",
        map_literal => "a map '{'",
        map_entry => "a map entry 'key: value'",
        parameter => "a parameter '$name'",
        null_lit => "null",
        true_lit | false_lit => "a boolean",
        number => "a number",
        string | sq_inner | dq_inner => "a string",
        variable => "a variable",
        schema_name | symbolic_name | escaped_name | ident => "a name",
        ALL => "ALL",
        ALL_SHORTEST => "allShortestPaths",
        AND => "AND",
        AS => "AS",
        ASC | ASCENDING => "ASC",
        BY => "BY",
        CASE => "CASE",
        CONTAINS => "CONTAINS",
        CREATE => "CREATE",
        DELETE => "DELETE",
        DESC | DESCENDING => "DESC",
        DETACH => "DETACH",
        DISTINCT => "DISTINCT",
        ELSE => "ELSE",
        END => "END",
        ENDS => "ENDS",
        FALSE => "false",
        IN => "IN",
        IS => "IS",
        LIMIT => "LIMIT",
        MATCH => "MATCH",
        MERGE => "MERGE",
        NOT => "NOT",
        NULL => "NULL",
        ON => "ON",
        OPTIONAL => "OPTIONAL",
        OR => "OR",
        ORDER => "ORDER",
        REMOVE => "REMOVE",
        RETURN => "RETURN",
        SET => "SET",
        SHORTEST => "shortestPath",
        SKIP => "SKIP",
        STARTS => "STARTS",
        THEN => "THEN",
        TRUE => "true",
        UNION => "UNION",
        UNWIND => "UNWIND",
        WHEN => "WHEN",
        WHERE => "WHERE",
        WITH => "WITH",
        XOR => "XOR",
    })
}

fn syntax_error(text: &str, e: pest::error::Error<Rule>) -> QueryError {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<&str> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| describe(*r)).collect()
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    // Punctuation the parser would have accepted (`)`, `,`, `-`...) is not a rule of its own,
    // so it comes from the detailed attempts.
    let mut punctuation: Vec<String> = Vec::new();
    if let Some(attempts) = e.parse_attempts() {
        for t in attempts.expected_tokens() {
            const MEANINGFUL: &[&str] = &[
                "(", ")", "[", "]", "{", "}", ",", ";", ":", "-", "<", ">", "=", "|", ".", "..",
                "*", "+", "/", "%", "^", "+=", "=~", "<>", "<=", ">=",
            ];
            let token = t.to_string();
            if MEANINGFUL.contains(&token.as_str()) {
                punctuation.push(format!("'{token}'"));
            }
        }
    }
    punctuation.sort();
    punctuation.dedup();
    expected.extend(punctuation.iter().map(String::as_str));
    expected.sort_unstable();
    expected.dedup();
    let found = match text[pos..].chars().next() {
        None => "the end of the query".to_string(),
        Some(_) => {
            let word: String = text[pos..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .take(20)
                .collect();
            format!("'{word}'")
        }
    };
    let message = match expected.as_slice() {
        [] => format!("unexpected {found}"),
        [one] => format!("expected {one}, found {found}"),
        [init @ .., last] => format!("expected {} or {last}, found {found}", init.join(", ")),
    };
    let end = text[pos..]
        .chars()
        .next()
        .map_or(pos, |c| pos + c.len_utf8());
    // A malformed length range (`[:T..]`, `[*-2]`) is a bad relationship pattern.
    let in_range = matches!(&e.variant, ErrorVariant::ParsingError { positives, .. }
        if positives.iter().any(|r| matches!(r, Rule::range | Rule::uint | Rule::range_bounds)));
    let odd_dash = text[pos..].starts_with([
        '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}',
        '\u{FE58}', '\u{FE63}', '\u{FF0D}',
    ]);
    let code = if odd_dash {
        "InvalidUnicodeCharacter"
    } else if in_range && (text[pos..].starts_with("..") || text[pos..].starts_with('-')) {
        "InvalidRelationshipPattern"
    } else {
        "UnexpectedSyntax"
    };
    QueryError::new(ErrorKind::SyntaxError, code, Phase::Compile, message).with_span(pos, end)
}

fn span_of(p: &Pair<Rule>) -> Span {
    Span {
        start: p.as_span().start(),
        end: p.as_span().end(),
    }
}

fn build_query(p: Pair<Rule>) -> Result<Statement, QueryError> {
    let mut mode = Mode::Run;
    let mut first = None;
    let mut unions = Vec::new();
    for child in p.into_inner() {
        match child.as_rule() {
            Rule::run_mode => {
                mode = match child.into_inner().next().map(|k| k.as_rule()) {
                    Some(Rule::PROFILE) => Mode::Profile,
                    _ => Mode::Explain,
                }
            }
            Rule::single_query => first = Some(build_single(child)?),
            Rule::union_part => {
                let mut all = false;
                let mut q = None;
                for c in child.into_inner() {
                    match c.as_rule() {
                        Rule::ALL => all = true,
                        Rule::single_query => q = Some(build_single(c)?),
                        _ => {}
                    }
                }
                if let Some(q) = q {
                    unions.push((all, q));
                }
            }
            _ => {}
        }
    }
    let first = first.ok_or_else(|| err("UnexpectedSyntax", "empty query", Span::default()))?;
    Ok(Statement {
        mode,
        query: Query { first, unions },
    })
}

fn build_single(p: Pair<Rule>) -> Result<SingleQuery, QueryError> {
    let clauses = p.into_inner().map(build_clause).collect::<Result<_, _>>()?;
    Ok(SingleQuery { clauses })
}

fn name_text(p: Pair<Rule>) -> String {
    let s = p.as_str();
    unquote_name(s)
}

/// Removes backquotes from an escaped name (`` `a``b` `` → ``a`b``).
fn unquote_name(s: &str) -> String {
    if s.starts_with('`') {
        let inner = &s[1..s.len().saturating_sub(1)];
        inner.replace("``", "`")
    } else {
        s.to_string()
    }
}

fn build_clause(p: Pair<Rule>) -> Result<Clause, QueryError> {
    let rule = p.as_rule();
    let mut inner = p.into_inner().peekable();
    Ok(match rule {
        Rule::match_clause => {
            let mut optional = false;
            let mut pattern = Vec::new();
            let mut filter = None;
            for c in inner {
                match c.as_rule() {
                    Rule::OPTIONAL => optional = true,
                    Rule::pattern => pattern = build_pattern(c)?,
                    Rule::where_clause => filter = Some(build_where(c)?),
                    _ => {}
                }
            }
            Clause::Match {
                optional,
                pattern,
                filter,
            }
        }
        Rule::unwind_clause => {
            let mut expr = None;
            let mut var = None;
            for c in inner {
                match c.as_rule() {
                    Rule::expression => expr = Some(build_expr(c)?),
                    Rule::variable => var = Some((span_of(&c), name_text(c))),
                    _ => {}
                }
            }
            let (span, var) = var.unwrap_or_default();
            Clause::Unwind {
                expr: expr.unwrap_or(Expr::Lit(Literal::Null)),
                var,
                span,
            }
        }
        Rule::with_clause => {
            let mut proj = None;
            let mut filter = None;
            for c in inner {
                match c.as_rule() {
                    Rule::projection => proj = Some(build_projection(c)?),
                    Rule::where_clause => filter = Some(build_where(c)?),
                    _ => {}
                }
            }
            let mut proj =
                proj.ok_or_else(|| err("UnexpectedSyntax", "empty WITH", Span::default()))?;
            proj.filter = filter;
            Clause::With(proj)
        }
        Rule::return_clause => {
            let proj = inner
                .find(|c| c.as_rule() == Rule::projection)
                .map(build_projection)
                .transpose()?
                .ok_or_else(|| err("UnexpectedSyntax", "empty RETURN", Span::default()))?;
            Clause::Return(proj)
        }
        Rule::create_clause => {
            let pat = inner
                .find(|c| c.as_rule() == Rule::pattern)
                .map(build_pattern)
                .transpose()?
                .unwrap_or_default();
            Clause::Create(pat)
        }
        Rule::merge_clause => {
            let mut part = None;
            let mut on_create = Vec::new();
            let mut on_match = Vec::new();
            for c in inner {
                match c.as_rule() {
                    Rule::pattern_part => part = Some(build_part(c)?),
                    Rule::merge_action => {
                        let mut is_create = false;
                        let mut items = Vec::new();
                        for a in c.into_inner() {
                            match a.as_rule() {
                                Rule::CREATE => is_create = true,
                                Rule::set_clause => items = build_set_items(a)?,
                                _ => {}
                            }
                        }
                        if is_create {
                            on_create.extend(items);
                        } else {
                            on_match.extend(items);
                        }
                    }
                    _ => {}
                }
            }
            let part = part
                .ok_or_else(|| err("UnexpectedSyntax", "MERGE needs a pattern", Span::default()))?;
            Clause::Merge {
                part,
                on_create,
                on_match,
            }
        }
        Rule::set_clause => {
            let mut items = Vec::new();
            for c in inner {
                if c.as_rule() == Rule::set_item {
                    items.push(build_set_item(c)?);
                }
            }
            Clause::Set(items)
        }
        Rule::delete_clause => {
            let mut detach = false;
            let mut exprs = Vec::new();
            for c in inner {
                match c.as_rule() {
                    Rule::DETACH => detach = true,
                    Rule::expression => exprs.push(build_expr(c)?),
                    _ => {}
                }
            }
            Clause::Delete { detach, exprs }
        }
        Rule::remove_clause => {
            let mut items = Vec::new();
            for c in inner {
                if c.as_rule() != Rule::remove_item {
                    continue;
                }
                let Some(it) = c.into_inner().next() else {
                    continue;
                };
                match it.as_rule() {
                    Rule::remove_labels => {
                        let (var, labels) = var_and_labels(it);
                        items.push(RemoveItem::Labels { var, labels });
                    }
                    _ => {
                        let sp = span_of(&it);
                        match build_postfix(it)? {
                            Expr::Prop(target, key) => items.push(RemoveItem::Prop {
                                target: *target,
                                key,
                            }),
                            _ => {
                                return Err(err(
                                    "UnexpectedSyntax",
                                    "REMOVE expects a property 'x.key' or labels 'x:Label'",
                                    sp,
                                ))
                            }
                        }
                    }
                }
            }
            Clause::Remove(items)
        }
        _ => {
            return Err(err(
                "UnexpectedSyntax",
                "unexpected clause",
                Span::default(),
            ))
        }
    })
}

fn var_and_labels(p: Pair<Rule>) -> (String, Vec<String>) {
    let mut var = String::new();
    let mut labels = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::variable => var = name_text(c),
            Rule::node_labels => labels = c.into_inner().map(name_text).collect(),
            _ => {}
        }
    }
    (var, labels)
}

fn build_set_items(p: Pair<Rule>) -> Result<Vec<SetItem>, QueryError> {
    p.into_inner()
        .filter(|c| c.as_rule() == Rule::set_item)
        .map(build_set_item)
        .collect()
}

fn build_set_item(p: Pair<Rule>) -> Result<SetItem, QueryError> {
    let sp = span_of(&p);
    let it = p
        .into_inner()
        .next()
        .ok_or_else(|| err("UnexpectedSyntax", "empty SET item", sp))?;
    match it.as_rule() {
        Rule::set_prop => {
            let mut kids = it.into_inner();
            let target = kids.next().map(build_postfix).transpose()?;
            let value = kids.next().map(build_expr).transpose()?;
            match (target, value) {
                (Some(Expr::Prop(t, key)), Some(value)) => Ok(SetItem::Prop {
                    target: *t,
                    key,
                    value,
                }),
                (Some(Expr::Var(var, _)), Some(value)) => Ok(SetItem::Map {
                    var,
                    value,
                    merge: false,
                }),
                _ => Err(err(
                    "UnexpectedSyntax",
                    "SET expects 'x.key = value', 'x = map', 'x += map' or 'x:Label'",
                    sp,
                )),
            }
        }
        Rule::set_map | Rule::set_add_map => {
            let merge = it.as_rule() == Rule::set_add_map;
            let mut kids = it.into_inner();
            let var = kids.next().map(name_text).unwrap_or_default();
            let value = kids
                .next()
                .map(build_expr)
                .transpose()?
                .unwrap_or(Expr::Lit(Literal::Null));
            Ok(SetItem::Map { var, value, merge })
        }
        _ => {
            let (var, labels) = var_and_labels(it);
            Ok(SetItem::Labels { var, labels })
        }
    }
}

fn build_where(p: Pair<Rule>) -> Result<Expr, QueryError> {
    let sp = span_of(&p);
    p.into_inner()
        .find(|c| c.as_rule() == Rule::expression)
        .map(build_expr)
        .transpose()?
        .ok_or_else(|| err("UnexpectedSyntax", "WHERE needs a condition", sp))
}

fn build_projection(p: Pair<Rule>) -> Result<Projection, QueryError> {
    let mut proj = Projection {
        distinct: false,
        star: false,
        items: Vec::new(),
        order: Vec::new(),
        skip: None,
        limit: None,
        filter: None,
    };
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::DISTINCT => proj.distinct = true,
            Rule::projection_items => {
                for it in c.into_inner() {
                    match it.as_rule() {
                        Rule::star => proj.star = true,
                        Rule::projection_item => {
                            let span = span_of(&it);
                            let mut expr = None;
                            let mut text = String::new();
                            let mut alias = None;
                            for k in it.into_inner() {
                                match k.as_rule() {
                                    Rule::expression => {
                                        text = k.as_str().trim_end().to_string();
                                        expr = Some(build_expr(k)?);
                                    }
                                    Rule::variable => alias = Some(name_text(k)),
                                    _ => {}
                                }
                            }
                            proj.items.push(ProjItem {
                                expr: expr.unwrap_or(Expr::Lit(Literal::Null)),
                                alias,
                                text,
                                span,
                            });
                        }
                        _ => {}
                    }
                }
            }
            Rule::order_by => {
                for s in c.into_inner().filter(|s| s.as_rule() == Rule::sort_item) {
                    let mut e = None;
                    let mut desc = false;
                    for k in s.into_inner() {
                        match k.as_rule() {
                            Rule::expression => e = Some(build_expr(k)?),
                            Rule::sort_dir => {
                                desc = k.as_str().to_ascii_lowercase().starts_with("desc")
                            }
                            _ => {}
                        }
                    }
                    if let Some(e) = e {
                        proj.order.push((e, desc));
                    }
                }
            }
            Rule::skip => {
                proj.skip = c
                    .into_inner()
                    .find(|k| k.as_rule() == Rule::expression)
                    .map(build_expr)
                    .transpose()?
            }
            Rule::limit => {
                proj.limit = c
                    .into_inner()
                    .find(|k| k.as_rule() == Rule::expression)
                    .map(build_expr)
                    .transpose()?
            }
            _ => {}
        }
    }
    Ok(proj)
}

fn build_pattern(p: Pair<Rule>) -> Result<Vec<PatternPart>, QueryError> {
    p.into_inner()
        .filter(|c| c.as_rule() == Rule::pattern_part)
        .map(build_part)
        .collect()
}

fn build_part(p: Pair<Rule>) -> Result<PatternPart, QueryError> {
    let span = span_of(&p);
    let mut part = PatternPart {
        var: None,
        shortest: None,
        start: NodePat {
            var: None,
            labels: Vec::new(),
            props: None,
            name_prefix: None,
            span,
        },
        chain: Vec::new(),
        span,
    };
    let mut started = false;
    fn take_elems(
        part: &mut PatternPart,
        started: &mut bool,
        c: Pair<Rule>,
    ) -> Result<(), QueryError> {
        match c.as_rule() {
            Rule::node_pattern => {
                part.start = build_node(c)?;
                *started = true;
            }
            Rule::pattern_chain => {
                let mut kids = c.into_inner();
                let rel = kids.next().map(build_rel).transpose()?;
                let node = kids.next().map(build_node).transpose()?;
                if let (Some(r), Some(n)) = (rel, node) {
                    part.chain.push((r, n));
                }
            }
            Rule::shortest_path => {
                for k in c.into_inner() {
                    match k.as_rule() {
                        Rule::ALL_SHORTEST => part.shortest = Some(true),
                        Rule::SHORTEST => part.shortest = Some(false),
                        _ => take_elems(part, started, k)?,
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
    for c in p.into_inner() {
        if c.as_rule() == Rule::variable && !started {
            part.var = Some(name_text(c));
        } else {
            take_elems(&mut part, &mut started, c)?;
        }
    }
    Ok(part)
}

fn build_props(p: Pair<Rule>) -> Result<Option<Expr>, QueryError> {
    match p.into_inner().next() {
        Some(m) if m.as_rule() == Rule::map_literal => build_atom(m).map(Some),
        Some(m) if m.as_rule() == Rule::parameter => build_atom(m).map(Some),
        _ => Ok(None),
    }
}

fn build_node(p: Pair<Rule>) -> Result<NodePat, QueryError> {
    let span = span_of(&p);
    let mut node = NodePat {
        var: None,
        labels: Vec::new(),
        props: None,
        name_prefix: None,
        span,
    };
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::variable => node.var = Some(name_text(c)),
            Rule::node_labels => node.labels = c.into_inner().map(name_text).collect(),
            Rule::properties => node.props = build_props(c)?,
            _ => {}
        }
    }
    Ok(node)
}

fn parse_uint(p: Pair<Rule>) -> Result<u64, QueryError> {
    let sp = span_of(&p);
    let text = p.as_str().trim();
    text.parse::<u64>()
        .map_err(|_| err("IntegerOverflow", format!("'{text}' is too large"), sp))
}

fn build_rel(p: Pair<Rule>) -> Result<RelPat, QueryError> {
    let span = span_of(&p);
    let mut rel = RelPat {
        var: None,
        types: Vec::new(),
        dir: Dir::Both,
        range: None,
        props: None,
        span,
    };
    let mut left = false;
    let mut right = false;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::left_arrow => left = true,
            Rule::right_arrow => right = true,
            Rule::rel_detail => {
                for d in c.into_inner() {
                    match d.as_rule() {
                        Rule::variable => rel.var = Some(name_text(d)),
                        Rule::rel_types => {
                            for t in d.into_inner().map(name_text) {
                                if !rel.types.contains(&t) {
                                    rel.types.push(t);
                                }
                            }
                        }
                        Rule::properties => rel.props = build_props(d)?,
                        Rule::range => {
                            let mut r = (None, None);
                            for b in d.into_inner() {
                                match b.as_rule() {
                                    Rule::range_exact => {
                                        let v =
                                            b.into_inner().next().map(parse_uint).transpose()?;
                                        r = (v, v);
                                    }
                                    Rule::range_bounds => {
                                        for x in b.into_inner() {
                                            let is_lo = x.as_rule() == Rule::range_lo;
                                            let v = x
                                                .into_inner()
                                                .next()
                                                .map(parse_uint)
                                                .transpose()?;
                                            if is_lo {
                                                r.0 = v;
                                            } else {
                                                r.1 = v;
                                            }
                                        }
                                    }
                                    _ => {}
                                }
                            }
                            rel.range = Some(r);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    rel.dir = match (left, right) {
        (true, false) => Dir::In,
        (false, true) => Dir::Out,
        _ => Dir::Both,
    };
    Ok(rel)
}

/// Builds an expression from any expression-level rule.
fn build_expr(p: Pair<Rule>) -> Result<Expr, QueryError> {
    let rule = p.as_rule();
    match rule {
        Rule::expression | Rule::paren_expr => {
            let sp = span_of(&p);
            let inner = p
                .into_inner()
                .next()
                .ok_or_else(|| err("UnexpectedSyntax", "empty expression", sp))?;
            build_expr(inner)
        }
        Rule::or_expr | Rule::xor_expr | Rule::and_expr => {
            let op = match rule {
                Rule::or_expr => BinOp::Or,
                Rule::xor_expr => BinOp::Xor,
                _ => BinOp::And,
            };
            let mut acc: Option<Expr> = None;
            for c in p.into_inner() {
                if matches!(c.as_rule(), Rule::OR | Rule::XOR | Rule::AND) {
                    continue;
                }
                let e = build_expr(c)?;
                acc = Some(match acc {
                    None => e,
                    Some(a) => Expr::Bin(op, Box::new(a), Box::new(e)),
                });
            }
            acc.ok_or_else(|| err("UnexpectedSyntax", "empty expression", Span::default()))
        }
        Rule::not_expr => {
            let mut nots = 0;
            let mut e = None;
            for c in p.into_inner() {
                if c.as_rule() == Rule::not_op {
                    nots += 1;
                } else {
                    e = Some(build_expr(c)?);
                }
            }
            let mut e =
                e.ok_or_else(|| err("UnexpectedSyntax", "empty expression", Span::default()))?;
            for _ in 0..nots {
                e = Expr::Not(Box::new(e));
            }
            Ok(e)
        }
        Rule::comparison => {
            // `a < b < c` means `a < b AND b < c`.
            let mut operands = Vec::new();
            let mut ops = Vec::new();
            for c in p.into_inner() {
                if c.as_rule() == Rule::comp_op {
                    ops.push(match c.as_str() {
                        "=" => BinOp::Eq,
                        "<>" => BinOp::Ne,
                        "<" => BinOp::Lt,
                        "<=" => BinOp::Le,
                        ">" => BinOp::Gt,
                        ">=" => BinOp::Ge,
                        _ => BinOp::Regex,
                    });
                } else {
                    operands.push(build_expr(c)?);
                }
            }
            let mut it = operands.into_iter();
            let first = it
                .next()
                .ok_or_else(|| err("UnexpectedSyntax", "empty expression", Span::default()))?;
            if ops.is_empty() {
                return Ok(first);
            }
            let mut prev = first;
            let mut acc: Option<Expr> = None;
            for (op, rhs) in ops.into_iter().zip(it) {
                let cmp = Expr::Bin(op, Box::new(prev), Box::new(rhs.clone()));
                acc = Some(match acc {
                    None => cmp,
                    Some(a) => Expr::Bin(BinOp::And, Box::new(a), Box::new(cmp)),
                });
                prev = rhs;
            }
            Ok(acc.unwrap_or(prev))
        }
        Rule::predicate => {
            let mut kids = p.into_inner();
            let mut e = kids
                .next()
                .map(build_expr)
                .transpose()?
                .ok_or_else(|| err("UnexpectedSyntax", "empty expression", Span::default()))?;
            for suffix in kids {
                let Some(s) = suffix.into_inner().next() else {
                    continue;
                };
                let srule = s.as_rule();
                match srule {
                    Rule::is_null => e = Expr::IsNull(Box::new(e), false),
                    Rule::is_not_null => e = Expr::IsNull(Box::new(e), true),
                    _ => {
                        let op = match srule {
                            Rule::starts_with => BinOp::StartsWith,
                            Rule::ends_with => BinOp::EndsWith,
                            Rule::contains => BinOp::Contains,
                            _ => BinOp::In,
                        };
                        let rhs = s
                            .into_inner()
                            .find(|k| k.as_rule() == Rule::add_expr)
                            .map(build_expr)
                            .transpose()?
                            .unwrap_or(Expr::Lit(Literal::Null));
                        e = Expr::Bin(op, Box::new(e), Box::new(rhs));
                    }
                }
            }
            Ok(e)
        }
        Rule::add_expr | Rule::mul_expr | Rule::pow_expr => {
            let mut acc: Option<Expr> = None;
            let mut op = BinOp::Add;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::add_op | Rule::mul_op | Rule::pow_op => {
                        op = match c.as_str() {
                            "+" => BinOp::Add,
                            "-" => BinOp::Sub,
                            "*" => BinOp::Mul,
                            "/" => BinOp::Div,
                            "%" => BinOp::Mod,
                            _ => BinOp::Pow,
                        }
                    }
                    _ => {
                        let e = build_expr(c)?;
                        acc = Some(match acc {
                            None => e,
                            Some(a) => Expr::Bin(op, Box::new(a), Box::new(e)),
                        });
                    }
                }
            }
            acc.ok_or_else(|| err("UnexpectedSyntax", "empty expression", Span::default()))
        }
        Rule::unary_expr => {
            let mut signs = Vec::new();
            let mut operand = None;
            for c in p.into_inner() {
                if c.as_rule() == Rule::unary_op {
                    signs.push(c.as_str() == "-");
                } else {
                    operand = Some(c);
                }
            }
            let operand = operand
                .ok_or_else(|| err("UnexpectedSyntax", "empty expression", Span::default()))?;
            // A minus directly before a number literal makes a negative literal, so that the
            // smallest integer can be written.
            let negate_literal = signs.last() == Some(&true) && is_bare_number(&operand);
            let mut e = if negate_literal {
                signs.pop();
                let num = operand
                    .into_inner()
                    .next()
                    .ok_or_else(|| err("UnexpectedSyntax", "empty expression", Span::default()))?;
                number_literal(&num, true)?
            } else {
                build_expr(operand)?
            };
            for neg in signs.into_iter().rev() {
                e = match (neg, e) {
                    (true, Expr::Lit(Literal::Int(i))) if i != i64::MIN => {
                        Expr::Lit(Literal::Int(-i))
                    }
                    (true, Expr::Lit(Literal::Float(x))) => Expr::Lit(Literal::Float(-x)),
                    (true, e) => Expr::Neg(Box::new(e)),
                    (false, e) => Expr::Pos(Box::new(e)),
                };
            }
            Ok(e)
        }
        Rule::postfix_expr => build_postfix(p),
        _ => build_atom(p),
    }
}

fn is_bare_number(postfix: &Pair<Rule>) -> bool {
    let mut kids = postfix.clone().into_inner();
    matches!(kids.next().map(|k| k.as_rule()), Some(Rule::number)) && kids.next().is_none()
}

fn build_postfix(p: Pair<Rule>) -> Result<Expr, QueryError> {
    let mut kids = p.into_inner();
    let mut e = kids
        .next()
        .map(build_atom)
        .transpose()?
        .ok_or_else(|| err("UnexpectedSyntax", "empty expression", Span::default()))?;
    for k in kids {
        e = match k.as_rule() {
            Rule::prop_lookup => {
                let key = k.into_inner().next().map(name_text).unwrap_or_default();
                Expr::Prop(Box::new(e), key)
            }
            Rule::index => {
                let i = k
                    .into_inner()
                    .next()
                    .map(build_expr)
                    .transpose()?
                    .unwrap_or(Expr::Lit(Literal::Null));
                Expr::Index(Box::new(e), Box::new(i))
            }
            Rule::slice => {
                let mut lo = None;
                let mut hi = None;
                for b in k.into_inner() {
                    let is_lo = b.as_rule() == Rule::slice_lo;
                    let v = b
                        .into_inner()
                        .next()
                        .map(build_expr)
                        .transpose()?
                        .map(Box::new);
                    if is_lo {
                        lo = v;
                    } else {
                        hi = v;
                    }
                }
                Expr::Slice(Box::new(e), lo, hi)
            }
            Rule::node_labels => {
                let labels = k.into_inner().map(name_text).collect();
                Expr::HasLabels(Box::new(e), labels)
            }
            _ => e,
        };
    }
    Ok(e)
}

fn build_atom(p: Pair<Rule>) -> Result<Expr, QueryError> {
    let sp = span_of(&p);
    Ok(match p.as_rule() {
        Rule::null_lit => Expr::Lit(Literal::Null),
        Rule::true_lit => Expr::Lit(Literal::Bool(true)),
        Rule::false_lit => Expr::Lit(Literal::Bool(false)),
        Rule::number => number_literal(&p, false)?,
        Rule::string => {
            let inner = p.into_inner().next();
            let raw = inner.as_ref().map_or("", |i| i.as_str());
            let start = inner.as_ref().map_or(sp.start, |i| i.as_span().start());
            Expr::Lit(Literal::String(unescape(raw, start)?))
        }
        Rule::parameter => Expr::Param(unquote_name(&p.as_str()[1..])),
        Rule::variable => Expr::Var(name_text(p), sp),
        Rule::count_star => Expr::CountStar,
        Rule::function_call => {
            let mut name = String::new();
            let mut distinct = false;
            let mut args = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::function_name => name = c.as_str().to_string(),
                    Rule::DISTINCT => distinct = true,
                    Rule::expression => args.push(build_expr(c)?),
                    _ => {}
                }
            }
            Expr::Call {
                name,
                distinct,
                args,
                span: sp,
            }
        }
        Rule::case_expr => {
            let mut operand = None;
            let mut alts = Vec::new();
            let mut default = None;
            let mut seen_alt = false;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::expression if !seen_alt => operand = Some(Box::new(build_expr(c)?)),
                    Rule::expression => default = Some(Box::new(build_expr(c)?)),
                    Rule::case_alt => {
                        seen_alt = true;
                        let mut kids = c.into_inner().filter(|k| k.as_rule() == Rule::expression);
                        let w = kids.next().map(build_expr).transpose()?;
                        let t = kids.next().map(build_expr).transpose()?;
                        if let (Some(w), Some(t)) = (w, t) {
                            alts.push((w, t));
                        }
                    }
                    _ => {}
                }
            }
            Expr::Case {
                operand,
                alts,
                default,
            }
        }
        Rule::list_comprehension | Rule::quantifier => {
            let mut kind = Quant::All;
            let mut var = String::new();
            let mut list = None;
            let mut filter = None;
            let mut map = None;
            for c in p.clone().into_inner() {
                match c.as_rule() {
                    Rule::quantifier_kind => {
                        kind = match c.as_str().to_ascii_lowercase().as_str() {
                            "any" => Quant::Any,
                            "none" => Quant::None,
                            "single" => Quant::Single,
                            _ => Quant::All,
                        }
                    }
                    Rule::variable => var = name_text(c),
                    Rule::expression => list = Some(Box::new(build_expr(c)?)),
                    Rule::comp_where | Rule::comp_map => {
                        let is_where = c.as_rule() == Rule::comp_where;
                        let e = c
                            .into_inner()
                            .find(|k| k.as_rule() == Rule::expression)
                            .map(build_expr)
                            .transpose()?
                            .map(Box::new);
                        if is_where {
                            filter = e;
                        } else {
                            map = e;
                        }
                    }
                    _ => {}
                }
            }
            let list = list.unwrap_or_else(|| Box::new(Expr::Lit(Literal::Null)));
            if p.as_rule() == Rule::quantifier {
                Expr::Quantifier {
                    kind,
                    var,
                    list,
                    filter: filter.unwrap_or_else(|| Box::new(Expr::Lit(Literal::Bool(true)))),
                }
            } else {
                Expr::ListComp {
                    var,
                    list,
                    filter,
                    map,
                }
            }
        }
        Rule::list_literal => Expr::List(p.into_inner().map(build_expr).collect::<Result<_, _>>()?),
        Rule::map_literal => {
            let mut entries: Vec<(String, Expr)> = Vec::new();
            for e in p.into_inner() {
                let mut kids = e.into_inner();
                let key = kids.next().map(name_text).unwrap_or_default();
                let value = kids
                    .next()
                    .map(build_expr)
                    .transpose()?
                    .unwrap_or(Expr::Lit(Literal::Null));
                entries.push((key, value));
            }
            Expr::Map(entries)
        }
        Rule::paren_expr | Rule::expression | Rule::postfix_expr => build_expr(p)?,
        _ => return Err(err("UnexpectedSyntax", "unexpected expression", sp)),
    })
}

/// Reads a number token: decimal, hex `0x`, octal `0o` integers and floats.
fn number_literal(p: &Pair<Rule>, negative: bool) -> Result<Expr, QueryError> {
    let sp = span_of(p);
    let text = p.as_str();
    let lower = text.to_ascii_lowercase();
    let invalid = || {
        err(
            "InvalidNumberLiteral",
            format!("'{text}' is not a valid number"),
            sp,
        )
    };
    let overflow = || {
        err(
            "IntegerOverflow",
            format!(
                "'{}{text}' does not fit in a 64-bit integer",
                if negative { "-" } else { "" }
            ),
            sp,
        )
    };
    let int_from = |digits: &str, radix: u32| -> Result<Expr, QueryError> {
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return Err(invalid());
        }
        let magnitude = u128::from_str_radix(digits, radix).map_err(|_| overflow())?;
        let value: i128 = if negative {
            -(magnitude as i128)
        } else {
            magnitude as i128
        };
        i64::try_from(value)
            .map(|v| Expr::Lit(Literal::Int(v)))
            .map_err(|_| overflow())
    };
    if let Some(hex) = lower.strip_prefix("0x") {
        return int_from(hex, 16);
    }
    if let Some(oct) = lower.strip_prefix("0o") {
        return int_from(oct, 8);
    }
    if lower.chars().all(|c| c.is_ascii_digit()) {
        return int_from(&lower, 10);
    }
    let float_like = {
        let (mant, exp) = match lower.split_once('e') {
            Some((m, e)) => (m, Some(e)),
            None => (lower.as_str(), None),
        };
        let mant_ok = !mant.is_empty()
            && mant.chars().all(|c| c.is_ascii_digit() || c == '.')
            && mant.matches('.').count() <= 1
            && mant.chars().any(|c| c.is_ascii_digit());
        let exp_ok = exp.is_none_or(|e| {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
        });
        mant_ok && exp_ok
    };
    if !float_like {
        return Err(invalid());
    }
    let x: f64 = lower.parse().map_err(|_| invalid())?;
    if x.is_infinite() {
        return Err(err(
            "FloatingPointOverflow",
            format!("'{text}' is too large for a 64-bit float"),
            sp,
        ));
    }
    Ok(Expr::Lit(Literal::Float(if negative { -x } else { x })))
}

/// Resolves escapes in a string literal's body; `start` is its offset for error positions.
fn unescape(raw: &str, start: usize) -> Result<String, QueryError> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let hex: String = chars.clone().take(n).map(|(_, c)| c).collect();
                let bad = |code: &str, msg: String| {
                    err(
                        code,
                        msg,
                        Span {
                            start: start + i,
                            end: start + i + 2 + hex.len(),
                        },
                    )
                };
                if hex.len() != n || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(bad(
                        "InvalidUnicodeLiteral",
                        format!("'\\{e}' must be followed by {n} hexadecimal digits"),
                    ));
                }
                for _ in 0..n {
                    chars.next();
                }
                let code = u32::from_str_radix(&hex, 16).unwrap_or(u32::MAX);
                match char::from_u32(code) {
                    Some(c) => out.push(c),
                    None => {
                        return Err(bad(
                            "InvalidUnicodeCharacter",
                            format!("U+{hex} is not a Unicode character"),
                        ))
                    }
                }
            }
            // Unknown escapes keep their backslash, as the reference implementation does.
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}
