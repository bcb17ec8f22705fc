//! The shell's settings: output format, timing, query parameters and how many rows a table
//! shows; and the parsing of parameter values typed by the user.

use crate::model::Value;
use crate::output::results::ResultFormat;
use std::collections::BTreeMap;

/// How many rows a table shows in the REPL before it cuts the rest.
pub const DEFAULT_SHOWN_ROWS: usize = 50;

/// What the user has set in this session.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How results are printed.
    pub format: ResultFormat,
    /// Whether each statement's time is shown.
    pub timing: bool,
    /// Parameters passed to every query (`$name`).
    pub params: BTreeMap<String, Value>,
    /// The most rows a table shows; `None` shows all.
    pub shown_rows: Option<usize>,
    /// Whether shortcuts print the query they run.
    pub show_query: bool,
    /// Guardrails for each statement: the most result rows and the longest run.
    pub limits: crate::query::ExecOptions,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            format: ResultFormat::Table,
            timing: false,
            params: BTreeMap::new(),
            shown_rows: Some(DEFAULT_SHOWN_ROWS),
            show_query: true,
            limits: crate::query::ExecOptions::default(),
        }
    }
}

/// Reads a parameter value as a literal: an integer, a float, `true`, `false`, `null`, a
/// quoted string ('...' or "...", with backslash escapes), or else the text itself as a string.
pub fn parse_literal(text: &str) -> Value {
    let t = text.trim();
    if t.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if t.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if t.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if let Ok(i) = t.parse::<i64>() {
        return Value::Int(i);
    }
    let looks_numeric = t
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == '.');
    if looks_numeric {
        if let Ok(f) = t.parse::<f64>() {
            return Value::Float(f);
        }
    }
    for quote in ['\'', '"'] {
        if t.len() >= 2 && t.starts_with(quote) && t.ends_with(quote) {
            return Value::String(unescape(&t[1..t.len() - 1]));
        }
    }
    Value::String(t.to_string())
}

/// Resolves backslash escapes as openCypher string literals spell them.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Splits `name=value` as given to `--param`.
pub fn parse_param_assignment(text: &str) -> Result<(String, Value), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("parameter `{text}` must be written name=value"))?;
    let name = name.trim().trim_start_matches('$');
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(format!(
            "parameter name `{name}` must be letters, digits or _"
        ));
    }
    Ok((name.to_string(), parse_literal(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_parse_by_their_look() {
        assert_eq!(parse_literal("42"), Value::Int(42));
        assert_eq!(parse_literal("-7"), Value::Int(-7));
        assert_eq!(parse_literal("0.5"), Value::Float(0.5));
        assert_eq!(parse_literal("1e3"), Value::Float(1000.0));
        assert_eq!(parse_literal("TRUE"), Value::Bool(true));
        assert_eq!(parse_literal("false"), Value::Bool(false));
        assert_eq!(parse_literal("null"), Value::Null);
        assert_eq!(parse_literal("'42'"), Value::from("42"));
        assert_eq!(parse_literal("\"it\\'s\""), Value::from("it's"));
        assert_eq!(parse_literal("ketamine"), Value::from("ketamine"));
        // Words that Rust would read as floats stay strings.
        assert_eq!(parse_literal("inf"), Value::from("inf"));
        assert_eq!(parse_literal("NaN"), Value::from("NaN"));
    }

    #[test]
    fn assignments_need_a_name_and_an_equals_sign() {
        assert_eq!(
            parse_param_assignment("drug=ketamine").unwrap(),
            ("drug".to_string(), Value::from("ketamine"))
        );
        assert_eq!(
            parse_param_assignment("$k=3").unwrap(),
            ("k".to_string(), Value::Int(3))
        );
        assert_eq!(
            parse_param_assignment("q=a=b").unwrap().1,
            Value::from("a=b")
        );
        assert!(parse_param_assignment("novalue").is_err());
        assert!(parse_param_assignment("bad name=1").is_err());
    }
}
