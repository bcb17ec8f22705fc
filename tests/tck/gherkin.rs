//! The Gherkin subset the TCK feature files use: one feature, an optional background, plain
//! scenarios and outlines with examples, steps with doc strings or tables, and tags.
//!
//! Outlines are expanded here, so every [`Case`] is one test case: the background's steps come
//! first and `<placeholders>` are already substituted everywhere.

use std::fmt;

/// One step: its keyword, its text, and the doc string or table that follows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// `Given`, `When`, `Then`, `And` or `But`.
    pub keyword: String,
    /// The text after the keyword, trimmed.
    pub text: String,
    /// The doc string (a query), with the indentation of its opening quotes removed.
    pub doc: Option<String>,
    /// The table rows, cells trimmed and unescaped.
    pub table: Option<Vec<Vec<String>>>,
    /// The step's line in the file (1-based).
    pub line: usize,
}

/// One test case: a plain scenario, or one row of an outline's examples.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The title as written after `Scenario:` (placeholders kept), as `skip.txt` quotes it.
    pub raw_title: String,
    /// The title with the example row substituted.
    pub title: String,
    /// Tags written before the scenario, such as `@ignore`.
    pub tags: Vec<String>,
    /// Background steps, then the scenario's steps.
    pub steps: Vec<Step>,
    /// The scenario's line in the file.
    pub line: usize,
    /// For an outline, the 1-based number of the example row.
    pub example: Option<usize>,
}

impl Case {
    /// The `[n]` number the title starts with, which is unique within a file.
    pub fn number(&self) -> Option<&str> {
        title_number(&self.raw_title)
    }

    /// True when the scenario is tagged `@ignore`.
    pub fn ignored(&self) -> bool {
        self.tags.iter().any(|t| t == "@ignore")
    }
}

/// The leading `[n]` of a scenario title, brackets included.
pub fn title_number(title: &str) -> Option<&str> {
    let title = title.trim_start();
    if !title.starts_with('[') {
        return None;
    }
    title.find(']').map(|end| &title[..=end])
}

/// A parsed feature file, outlines expanded.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// The text after `Feature:`.
    pub name: String,
    /// Every test case, in file order.
    pub cases: Vec<Case>,
}

/// Why a feature file could not be read, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A scenario or outline before expansion.
struct Block {
    title: String,
    tags: Vec<String>,
    line: usize,
    outline: bool,
    steps: Vec<Step>,
    examples: Vec<Vec<Vec<String>>>,
}

/// Where table rows currently go.
#[derive(PartialEq)]
enum TableTarget {
    Step,
    Examples,
    Nothing,
}

const KEYWORDS: [&str; 5] = ["Given", "When", "Then", "And", "But"];

/// Parses a feature file's text.
pub fn parse_feature(text: &str) -> Result<Feature, ParseError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut name: Option<String> = None;
    let mut background: Option<Vec<Step>> = None;
    let mut in_background = false;
    let mut blocks: Vec<Block> = Vec::new();
    let mut pending_tags: Vec<String> = Vec::new();
    let mut target = TableTarget::Nothing;
    let mut i = 0;
    while i < lines.len() {
        let lineno = i + 1;
        let raw = lines[i];
        let line = raw.trim();
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| ParseError {
            line: lineno,
            message,
        };
        if line.starts_with('@') {
            pending_tags.extend(line.split_whitespace().map(str::to_string));
            continue;
        }
        if let Some(rest) = line.strip_prefix("Feature:") {
            if name.is_some() {
                return Err(err("a second `Feature:`".into()));
            }
            name = Some(rest.trim().to_string());
            target = TableTarget::Nothing;
            continue;
        }
        if name.is_none() {
            return Err(err(format!("expected `Feature:`, found `{line}`")));
        }
        if line.starts_with("Background:") {
            if background.is_some() || !blocks.is_empty() {
                return Err(err(
                    "`Background:` must come once, before any scenario".into()
                ));
            }
            background = Some(Vec::new());
            in_background = true;
            target = TableTarget::Nothing;
            continue;
        }
        let scenario = line
            .strip_prefix("Scenario Outline:")
            .map(|t| (t, true))
            .or_else(|| line.strip_prefix("Scenario:").map(|t| (t, false)));
        if let Some((title, outline)) = scenario {
            blocks.push(Block {
                title: title.trim().to_string(),
                tags: std::mem::take(&mut pending_tags),
                line: lineno,
                outline,
                steps: Vec::new(),
                examples: Vec::new(),
            });
            in_background = false;
            target = TableTarget::Nothing;
            continue;
        }
        if line.starts_with("Examples:") {
            match blocks.last_mut() {
                Some(b) if b.outline => b.examples.push(Vec::new()),
                _ => return Err(err("`Examples:` outside a `Scenario Outline:`".into())),
            }
            pending_tags.clear();
            target = TableTarget::Examples;
            continue;
        }
        if line.starts_with("\"\"\"") {
            let indent = raw.len() - raw.trim_start().len();
            let mut body: Vec<String> = Vec::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                if l.trim() == "\"\"\"" {
                    closed = true;
                    break;
                }
                body.push(strip_indent(l, indent).to_string());
            }
            if !closed {
                return Err(err("doc string is never closed".into()));
            }
            let steps = current_steps(in_background, &mut background, &mut blocks);
            match steps.and_then(|s| s.last_mut()) {
                Some(step) if step.doc.is_none() && step.table.is_none() => {
                    step.doc = Some(body.join("\n"));
                }
                _ => return Err(err("doc string without a step to belong to".into())),
            }
            continue;
        }
        if line.starts_with('|') {
            let row = split_row(line).map_err(err)?;
            match target {
                TableTarget::Examples => {
                    if let Some(table) = blocks.last_mut().and_then(|b| b.examples.last_mut()) {
                        table.push(row);
                    }
                }
                TableTarget::Step => {
                    let steps = current_steps(in_background, &mut background, &mut blocks);
                    if let Some(step) = steps.and_then(|s| s.last_mut()) {
                        step.table.get_or_insert_with(Vec::new).push(row);
                    }
                }
                TableTarget::Nothing => return Err(err("table row without a step".into())),
            }
            continue;
        }
        let keyword = KEYWORDS
            .iter()
            .find(|k| line.strip_prefix(**k).is_some_and(|r| r.starts_with(' ')));
        if let Some(keyword) = keyword {
            let step = Step {
                keyword: keyword.to_string(),
                text: line[keyword.len()..].trim().to_string(),
                doc: None,
                table: None,
                line: lineno,
            };
            match current_steps(in_background, &mut background, &mut blocks) {
                Some(steps) => steps.push(step),
                None => return Err(err("step outside a scenario or background".into())),
            }
            target = TableTarget::Step;
            continue;
        }
        // Free text is a description only directly under `Feature:`.
        if blocks.is_empty() && background.is_none() {
            continue;
        }
        return Err(err(format!("unexpected line `{line}`")));
    }
    let name = name.ok_or(ParseError {
        line: lines.len().max(1),
        message: "no `Feature:` line".into(),
    })?;
    let background = background.unwrap_or_default();
    let mut cases = Vec::new();
    for block in blocks {
        expand(block, &background, &mut cases)?;
    }
    Ok(Feature { name, cases })
}

/// The steps of the block that is being read.
fn current_steps<'a>(
    in_background: bool,
    background: &'a mut Option<Vec<Step>>,
    blocks: &'a mut [Block],
) -> Option<&'a mut Vec<Step>> {
    if in_background {
        background.as_mut()
    } else {
        blocks.last_mut().map(|b| &mut b.steps)
    }
}

/// Removes up to `indent` leading blanks: the doc string's own indentation.
fn strip_indent(line: &str, indent: usize) -> &str {
    let blanks = line.len() - line.trim_start().len();
    &line[blanks.min(indent)..]
}

/// Splits a table row into cells, trimmed and with Gherkin's escapes (`\|`, `\\`, `\n`) applied.
pub fn split_row(line: &str) -> Result<Vec<String>, String> {
    let body = line
        .trim()
        .strip_prefix('|')
        .ok_or_else(|| "table row must start with `|`".to_string())?;
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = body.chars();
    let mut closed = false;
    while let Some(c) = chars.next() {
        closed = false;
        match c {
            '\\' => match chars.next() {
                Some('|') => cell.push('|'),
                Some('\\') => cell.push('\\'),
                Some('n') => cell.push('\n'),
                Some(other) => {
                    cell.push('\\');
                    cell.push(other);
                }
                None => cell.push('\\'),
            },
            '|' => {
                cells.push(cell.trim().to_string());
                cell.clear();
                closed = true;
            }
            c => cell.push(c),
        }
    }
    if !closed {
        return Err("table row must end with `|`".into());
    }
    Ok(cells)
}

/// Turns a block into test cases: one for a scenario, one per example row for an outline.
fn expand(block: Block, background: &[Step], out: &mut Vec<Case>) -> Result<(), ParseError> {
    let steps: Vec<Step> = background.iter().chain(&block.steps).cloned().collect();
    if !block.outline {
        out.push(Case {
            raw_title: block.title.clone(),
            title: block.title,
            tags: block.tags,
            steps,
            line: block.line,
            example: None,
        });
        return Ok(());
    }
    let mut number = 0;
    for table in &block.examples {
        let Some((header, rows)) = table.split_first() else {
            continue;
        };
        for row in rows {
            if row.len() != header.len() {
                return Err(ParseError {
                    line: block.line,
                    message: format!(
                        "an example row of `{}` has {} cells, its header {}",
                        block.title,
                        row.len(),
                        header.len()
                    ),
                });
            }
            number += 1;
            let subst = |s: &str| substitute(s, header, row);
            out.push(Case {
                raw_title: block.title.clone(),
                title: subst(&block.title),
                tags: block.tags.clone(),
                steps: steps
                    .iter()
                    .map(|st| Step {
                        keyword: st.keyword.clone(),
                        text: subst(&st.text),
                        doc: st.doc.as_deref().map(subst),
                        table: st.table.as_ref().map(|t| {
                            t.iter()
                                .map(|r| r.iter().map(|c| subst(c)).collect())
                                .collect()
                        }),
                        line: st.line,
                    })
                    .collect(),
                line: block.line,
                example: Some(number),
            });
        }
    }
    Ok(())
}

/// Replaces every `<name>` of the header with the row's value, in one left-to-right pass so a
/// value that itself looks like a placeholder is left alone.
fn substitute(text: &str, header: &[String], row: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(end) = after.find('>') {
            let name = &after[..end];
            if let Some(k) = header.iter().position(|h| h == name) {
                out.push_str(&row[k]);
                rest = &after[end + 1..];
                continue 'outer;
            }
        }
        out.push('<');
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTLINE: &str = r#"
#encoding: utf-8
Feature: Sample - things

  Background:
    Given an empty graph

  @skipGrammarCheck
  Scenario Outline: [1] Check <what>
    When executing query:
      """
      RETURN <expr> AS v
        // indented
      """
    Then the result should be, in any order:
      | v        |
      | <result> |
    And no side effects

    Examples:
      | what  | expr   | result |
      | one   | 1      | 1      |
      | pipe  | 'a\|b' | 'a\|b' |

  @ignore
  Scenario: [2] Plain <kept>
    Given any graph
    When executing query:
      """
      RETURN 1
      """
    Then the result should be empty
"#;

    #[test]
    fn outline_rows_become_cases_with_placeholders_substituted() {
        let f = parse_feature(OUTLINE).expect("parses");
        assert_eq!(f.name, "Sample - things");
        assert_eq!(f.cases.len(), 3);
        let first = &f.cases[0];
        assert_eq!(first.title, "[1] Check one");
        assert_eq!(first.raw_title, "[1] Check <what>");
        assert_eq!(first.number(), Some("[1]"));
        assert_eq!(first.example, Some(1));
        assert_eq!(first.tags, vec!["@skipGrammarCheck".to_string()]);
        // Background first.
        assert_eq!(first.steps[0].text, "an empty graph");
        assert_eq!(
            first.steps[1].doc.as_deref(),
            Some("RETURN 1 AS v\n  // indented")
        );
        assert_eq!(first.steps[2].table.as_ref().unwrap()[1], vec!["1"]);
        let second = &f.cases[1];
        assert_eq!(
            second.steps[1].doc.as_deref().unwrap().lines().next(),
            Some("RETURN 'a|b' AS v")
        );
        assert_eq!(second.steps[2].table.as_ref().unwrap()[1], vec!["'a|b'"]);
        let plain = &f.cases[2];
        assert_eq!(plain.title, "[2] Plain <kept>");
        assert!(plain.ignored());
        assert_eq!(plain.steps.len(), 4);
        assert_eq!(plain.steps[0].text, "an empty graph");
    }

    #[test]
    fn cells_apply_gherkin_escapes() {
        assert_eq!(
            split_row(r"| 'a\\\\b\'' | '\nx' | x\|y |").unwrap(),
            vec![
                r"'a\\b\''".to_string(),
                "'\nx'".to_string(),
                "x|y".to_string()
            ]
        );
        assert!(split_row("| open").is_err());
    }

    #[test]
    fn broken_files_name_the_line() {
        let e =
            parse_feature("Feature: x\n  Scenario: [1] a\n    \"\"\"\n    RETURN 1\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse_feature("Feature: x\n  Scenario: [1] a\n    Given x\n    Gibberish\n")
            .unwrap_err();
        assert_eq!(e.line, 4);
        assert!(parse_feature("Scenario: [1] a\n").is_err());
    }

    #[test]
    fn substitution_is_single_pass() {
        let h = vec!["a".to_string(), "b".to_string()];
        let r = vec!["<b>".to_string(), "2".to_string()];
        assert_eq!(
            substitute("x <a> <b> <c> 1 < 2", &h, &r),
            "x <b> 2 <c> 1 < 2"
        );
    }
}
