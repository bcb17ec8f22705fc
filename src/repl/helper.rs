//! The line editor's helper: completion that knows the graph's vocabulary, the check that a
//! statement is complete (it ends with `;`), and keyword highlighting.

use super::command::COMMANDS;
use super::script::{is_complete, mask};
use crate::store::Graph;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// Clause keywords and operators offered by completion and highlighted.
pub const KEYWORDS: &[&str] = &[
    "MATCH",
    "OPTIONAL",
    "WHERE",
    "RETURN",
    "WITH",
    "UNWIND",
    "ORDER",
    "BY",
    "SKIP",
    "LIMIT",
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "DETACH",
    "REMOVE",
    "DISTINCT",
    "AS",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "STARTS",
    "ENDS",
    "CONTAINS",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "ASC",
    "DESC",
    "ASCENDING",
    "DESCENDING",
    "UNION",
    "ALL",
    "ON",
    "EXISTS",
    "CALL",
    "YIELD",
];

/// Functions offered by completion.
pub const FUNCTIONS: &[&str] = &[
    "abs",
    "avg",
    "ceil",
    "coalesce",
    "collect",
    "count",
    "endNode",
    "exists",
    "floor",
    "head",
    "id",
    "keys",
    "labels",
    "last",
    "left",
    "length",
    "max",
    "min",
    "nodes",
    "percentileCont",
    "percentileDisc",
    "properties",
    "range",
    "relationships",
    "replace",
    "reverse",
    "right",
    "round",
    "shortestPath",
    "allShortestPaths",
    "sign",
    "size",
    "split",
    "sqrt",
    "startNode",
    "stDev",
    "substring",
    "sum",
    "tail",
    "toBoolean",
    "toFloat",
    "toInteger",
    "toLower",
    "toString",
    "toUpper",
    "trim",
    "type",
];

/// What completion can offer from the open graph.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Node labels.
    pub labels: Vec<String>,
    /// Relationship types.
    pub types: Vec<String>,
    /// Property keys of nodes and relationships.
    pub keys: Vec<String>,
    /// Entity names and aliases, as written.
    pub names: Vec<String>,
}

impl Vocabulary {
    /// Reads the vocabulary of a graph.
    pub fn of(graph: &Graph) -> Vocabulary {
        let schema = graph.schema();
        let keys: BTreeSet<String> = schema
            .node_keys
            .keys()
            .chain(schema.edge_keys.keys())
            .cloned()
            .collect();
        // Every text that resolves to an entity is its name or one of its aliases.
        let mut names = BTreeSet::new();
        for n in graph.node_ids() {
            if let Some(name) = graph.node_name(n) {
                names.insert(name.to_string());
            }
            if let Some(crate::model::Value::List(aliases)) =
                graph.node_prop(n, crate::store::ALIASES)
            {
                names.extend(
                    aliases
                        .iter()
                        .filter_map(|a| a.as_str().map(str::to_string)),
                );
            }
        }
        Vocabulary {
            labels: schema.labels.into_keys().collect(),
            types: schema.types.into_keys().collect(),
            keys: keys.into_iter().collect(),
            names: names.into_iter().collect(),
        }
    }
}

/// The rustyline helper of the shell.
pub struct ShellHelper {
    /// What the open graph holds, for completion.
    pub vocabulary: Vocabulary,
    /// Whether to colour keywords and strings.
    pub colour: bool,
    /// The unfinished statement typed on earlier lines, which the current line continues.
    pub pending: String,
    files: FilenameCompleter,
}

impl ShellHelper {
    /// A helper for a graph's vocabulary.
    pub fn new(vocabulary: Vocabulary, colour: bool) -> ShellHelper {
        ShellHelper {
            vocabulary,
            colour,
            pending: String::new(),
            files: FilenameCompleter::new(),
        }
    }
}

/// Where the cursor is, for completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A meta-command name after `:` at the start of the line.
    Command,
    /// A file argument of a meta-command.
    File,
    /// A fixed choice of words, such as `:format`'s.
    Choice(&'static [&'static str]),
    /// A node label after `:` in a node pattern.
    Label,
    /// A relationship type after `[:` or `|`.
    Type,
    /// A property key after `.` or `{`.
    Key,
    /// An entity name inside a string; the quote character.
    Name(char),
    /// An entity name as a shortcut's argument, quoted when it has blanks.
    Entity,
    /// A keyword or function.
    Word,
}

/// Where the argument being typed starts in `args`: after the last blank outside quotes, so
/// that a quoted name with blanks is one argument.
fn arg_start(args: &str) -> usize {
    let mut start = 0;
    let mut quote: Option<char> = None;
    for (i, c) in args.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c.is_whitespace() => start = i + c.len_utf8(),
            None => {}
        }
    }
    start
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Finds what is being typed at `pos`: the slot and the byte where the word starts.
pub fn slot_at(line: &str, pos: usize) -> (Slot, usize) {
    let before = &line[..pos];
    // Meta-commands: the first line of input starting with ':'.
    let trimmed = before.trim_start();
    if trimmed.starts_with(':') && !before.contains('\n') {
        let offset = before.len() - trimmed.len();
        let rest = &trimmed[1..];
        match rest.split_once(char::is_whitespace) {
            None => return (Slot::Command, offset + 1),
            Some((cmd, args)) => {
                let word_start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                let nargs = args.split_whitespace().count()
                    + usize::from(args.ends_with(char::is_whitespace) || args.is_empty());
                let slot = match (cmd, nargs) {
                    ("open" | "save", _) => Slot::File,
                    ("export", 1) => Slot::Choice(&[
                        "dot", "svg", "png", "json", "tsv", "csv", "neo4j", "entities",
                    ]),
                    ("export", 2) => Slot::File,
                    ("format", 1) => Slot::Choice(&["table", "json", "csv", "tsv"]),
                    ("timing" | "show-query", 1) => Slot::Choice(&["on", "off"]),
                    ("rows", 1) => Slot::Choice(&["all"]),
                    // Counting arguments would split quoted names: every argument may be a name.
                    ("neighbors" | "neighbours" | "path" | "why", _) => {
                        return (
                            Slot::Entity,
                            offset + 1 + cmd.len() + arg_start(&rest[cmd.len()..]),
                        )
                    }
                    _ => Slot::Choice(&[]),
                };
                return (slot, word_start);
            }
        }
    }
    let (masked, _) = mask(before);
    // Inside a string: the masked text ends in an open quote followed by blanks.
    let mut quote = None;
    let mut state: Option<char> = None;
    for (i, c) in before.char_indices() {
        let m = masked[i..].chars().next().unwrap_or(' ');
        match state {
            None if (m == '\'' || m == '"') && c == m => {
                state = Some(c);
                quote = Some((c, i + 1));
            }
            Some(q) if c == q && m == q => state = None,
            _ => {}
        }
    }
    if let (Some(q), Some((qc, start))) = (state, quote) {
        debug_assert_eq!(q, qc);
        return (Slot::Name(q), start);
    }
    let word_start = masked
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_ident(*c))
        .last()
        .map_or(pos, |(i, _)| i);
    let prev = masked[..word_start].chars().next_back();
    match prev {
        Some('.') => (Slot::Key, word_start),
        Some('|') => (Slot::Type, word_start),
        Some(':') => {
            // `[:` or `[r:` is a relationship; anything else a node label.
            let head = masked[..word_start - 1].trim_end();
            let head = head.trim_end_matches(is_ident).trim_end();
            if head.ends_with('[') {
                (Slot::Type, word_start)
            } else if head.ends_with('{') || head.ends_with(',') {
                // A map literal's key, written `{key: ...}`, has no completion after its colon.
                (Slot::Word, word_start)
            } else {
                (Slot::Label, word_start)
            }
        }
        Some('{') => (Slot::Key, word_start),
        _ => {
            let head = masked[..word_start].trim_end();
            if head.ends_with('{') || (head.ends_with(',') && inside_braces(&masked[..word_start]))
            {
                (Slot::Key, word_start)
            } else {
                (Slot::Word, word_start)
            }
        }
    }
}

/// True when the text has an unclosed `{`.
fn inside_braces(masked: &str) -> bool {
    masked.chars().fold(0i32, |d, c| match c {
        '{' => d + 1,
        '}' => d - 1,
        _ => d,
    }) > 0
}

fn starts_with_fold(candidate: &str, prefix: &str) -> bool {
    candidate
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Quotes a label, type or key with backticks when it is not a plain identifier.
fn ident(name: &str) -> String {
    if !name.is_empty()
        && name.chars().all(is_ident)
        && !name.starts_with(|c: char| c.is_ascii_digit())
    {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

impl ShellHelper {
    /// Completion candidates for the text before `pos`: where the replacement starts and the
    /// candidates.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let (slot, start) = slot_at(line, pos);
        let prefix = &line[start..pos];
        let pairs = |items: &mut dyn Iterator<Item = (String, String)>| -> Vec<Pair> {
            items
                .map(|(display, replacement)| Pair {
                    display,
                    replacement,
                })
                .collect()
        };
        let from = |list: &[String], fmt: &dyn Fn(&str) -> String| -> Vec<Pair> {
            pairs(
                &mut list
                    .iter()
                    .filter(|s| starts_with_fold(s, prefix))
                    .map(|s| (s.clone(), fmt(s))),
            )
        };
        let found = match slot {
            Slot::Command => pairs(
                &mut COMMANDS
                    .iter()
                    .filter(|(n, _, _)| n.starts_with(prefix))
                    .map(|(n, _, _)| (n.to_string(), n.to_string())),
            ),
            Slot::Choice(words) => pairs(
                &mut words
                    .iter()
                    .filter(|w| starts_with_fold(w, prefix))
                    .map(|w| (w.to_string(), w.to_string())),
            ),
            Slot::File => return (start, Vec::new()),
            Slot::Label => from(&self.vocabulary.labels, &ident),
            Slot::Type => from(&self.vocabulary.types, &ident),
            Slot::Key => from(&self.vocabulary.keys, &ident),
            Slot::Entity => {
                let typed = prefix.trim_start_matches(['"', '\'']);
                self.vocabulary
                    .names
                    .iter()
                    .filter(|n| starts_with_fold(n, typed))
                    .take(200)
                    .map(|name| Pair {
                        display: name.clone(),
                        replacement: if name.contains(char::is_whitespace)
                            || prefix.starts_with(['"', '\''])
                        {
                            format!("\"{}\"", name.replace('"', "'"))
                        } else {
                            name.clone()
                        },
                    })
                    .collect()
            }
            Slot::Name(q) => {
                let mut out: Vec<Pair> = Vec::new();
                for name in &self.vocabulary.names {
                    if starts_with_fold(name, prefix) {
                        let escaped = name.replace('\\', "\\\\").replace(q, &format!("\\{q}"));
                        out.push(Pair {
                            display: name.clone(),
                            replacement: format!("{escaped}{q}"),
                        });
                    }
                    if out.len() >= 200 {
                        break;
                    }
                }
                out
            }
            Slot::Word => {
                if prefix.is_empty() {
                    return (start, Vec::new());
                }
                let mut out = pairs(
                    &mut KEYWORDS
                        .iter()
                        .filter(|k| starts_with_fold(k, prefix))
                        .map(|k| (k.to_string(), k.to_string())),
                );
                out.extend(pairs(
                    &mut FUNCTIONS
                        .iter()
                        .filter(|f| starts_with_fold(f, prefix))
                        .map(|f| (format!("{f}()"), format!("{f}("))),
                ));
                out
            }
        };
        (start, found)
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        if slot_at(line, pos).0 == Slot::File {
            return self.files.complete(line, pos, ctx);
        }
        Ok(self.candidates(line, pos))
    }
}

/// True when the editor should keep the input open for another line rather than hand it back.
///
/// A single typed line is always handed back, so that the shell can show its continuation
/// prompt for the next line; input that already spans lines (pasted, or recalled from history)
/// stays in the editor until the statement it completes ends with `;`.
pub fn keep_editing(pending: &str, input: &str) -> bool {
    input.contains('\n') && !is_complete(&format!("{pending}{input}"))
}

impl Validator for ShellHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if keep_editing(&self.pending, ctx.input()) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}

impl Highlighter for ShellHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.colour || line.trim_start().starts_with(':') {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight(line))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.colour
    }
}

impl Helper for ShellHelper {}

const BOLD_BLUE: &str = "\x1b[1;34m";
const GREEN: &str = "\x1b[32m";
const GREY: &str = "\x1b[90m";
const RESET: &str = "\x1b[0m";

/// Colours keywords, strings and comments with ANSI codes; the visible text is unchanged.
pub fn highlight(line: &str) -> String {
    let (masked, _) = mask(line);
    let mut out = String::with_capacity(line.len() * 2);
    let mut i = 0;
    let lb = line.as_bytes();
    let mb = masked.as_bytes();
    while i < line.len() {
        let c = line[i..].chars().next().unwrap_or(' ');
        let len = c.len_utf8();
        if mb[i] == lb[i] && (c == '\'' || c == '"') {
            // A string: up to the matching unmasked quote.
            let end = (i + 1..line.len())
                .find(|&j| mb[j] == lb[j] && lb[j] == lb[i])
                .map_or(line.len(), |j| j + 1);
            out.push_str(GREEN);
            out.push_str(&line[i..end]);
            out.push_str(RESET);
            i = end;
        } else if mb[i] != lb[i] && c == '/' {
            // A comment: every byte that the mask blanked from here on this line.
            let end = (i..line.len())
                .find(|&j| mb[j] == lb[j] && lb[j] != b' ')
                .unwrap_or(line.len());
            out.push_str(GREY);
            out.push_str(&line[i..end]);
            out.push_str(RESET);
            i = end;
        } else if is_ident(c) {
            let end = line[i..]
                .char_indices()
                .find(|(_, ch)| !is_ident(*ch))
                .map_or(line.len(), |(j, _)| i + j);
            let word = &line[i..end];
            let prev_dot = line[..i].ends_with('.');
            if !prev_dot && KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
                out.push_str(BOLD_BLUE);
                out.push_str(word);
                out.push_str(RESET);
            } else {
                out.push_str(word);
            }
            i = end;
        } else {
            out.push_str(&line[i..i + len]);
            i += len;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;

    fn helper() -> ShellHelper {
        let mut g = Graph::new();
        let k = g.add_node(
            &["Drug"],
            &[
                ("name", Value::from("ketamine")),
                ("aliases", Value::List(vec![Value::from("Ketalar")])),
            ],
        );
        let r = g.add_node(&["Receptor"], &[("name", Value::from("NMDA receptor"))]);
        g.add_node(
            &["DrugClass"],
            &[("name", Value::from("dissociative anesthetic"))],
        );
        g.add_edge(k, r, "ANTAGONIZES", &[("confidence", Value::Float(1.0))])
            .unwrap();
        ShellHelper::new(Vocabulary::of(&g), false)
    }

    fn offered(line: &str) -> Vec<String> {
        helper()
            .candidates(line, line.len())
            .1
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    }

    #[test]
    fn labels_after_a_colon_in_a_node() {
        assert_eq!(offered("MATCH (d:Dr"), vec!["Drug", "DrugClass"]);
        assert_eq!(offered("MATCH (:Rec"), vec!["Receptor"]);
    }

    #[test]
    fn types_after_a_bracket_colon() {
        assert_eq!(offered("MATCH (d)-[:AN"), vec!["ANTAGONIZES"]);
        assert_eq!(offered("MATCH (d)-[r:"), vec!["ANTAGONIZES"]);
        assert_eq!(offered("MATCH (d)-[:TREATS|AN"), vec!["ANTAGONIZES"]);
    }

    #[test]
    fn keys_after_a_dot() {
        assert_eq!(offered("MATCH (d) RETURN d.na"), vec!["name"]);
        assert_eq!(offered("MATCH (d {na"), vec!["name"]);
        assert_eq!(offered("MATCH ()-[r]->() RETURN r.c"), vec!["confidence"]);
    }

    #[test]
    fn names_inside_strings_close_the_quote() {
        assert_eq!(offered("MATCH (d {name: 'ketam"), vec!["ketamine'"]);
        assert_eq!(offered("RETURN 'ket"), vec!["Ketalar'", "ketamine'"]);
        assert_eq!(
            offered("MATCH (d) WHERE d.name = \"nm"),
            vec!["NMDA receptor\""]
        );
        assert_eq!(offered("RETURN 'Ketal"), vec!["Ketalar'"]);
    }

    #[test]
    fn keywords_and_functions_elsewhere() {
        assert_eq!(offered("mat"), vec!["MATCH"]);
        assert_eq!(offered("MATCH (n) RETURN cou"), vec!["count("]);
        assert!(offered("MATCH (n) ").is_empty());
    }

    #[test]
    fn meta_commands_and_their_choices() {
        assert_eq!(offered(":sta"), vec!["stats"]);
        assert_eq!(offered(":format t"), vec!["table", "tsv"]);
        assert_eq!(offered(":timing "), vec!["on", "off"]);
        assert_eq!(offered(":ne"), vec!["neighbors"]);
        assert_eq!(offered(":wh"), vec!["why"]);
        assert_eq!(offered(":show-query o"), vec!["on", "off"]);
        assert_eq!(offered(":why ketal"), vec!["Ketalar"]);
        assert_eq!(offered(":why Ketalar nm"), vec!["\"NMDA receptor\""]);
        assert_eq!(
            offered(":path ketamine \"NMDA r"),
            vec!["\"NMDA receptor\""]
        );
        assert_eq!(
            offered(":neighbors \"dissociative a"),
            vec!["\"dissociative anesthetic\""]
        );
        assert_eq!(slot_at(":open gr", 8).0, Slot::File);
    }

    #[test]
    fn only_multi_line_input_stays_in_the_editor() {
        assert!(!keep_editing("", "MATCH (n)"));
        assert!(keep_editing("", "MATCH (n)\nRETURN n"));
        assert!(!keep_editing("", "MATCH (n)\nRETURN n;"));
        assert!(!keep_editing("MATCH (n)\n", "RETURN n"));
        assert!(keep_editing("RETURN 'a\n", "b\nc"));
        assert!(!keep_editing("RETURN 'a\n", "b\nc';"));
    }

    #[test]
    fn odd_names_are_backticked() {
        assert_eq!(ident("Drug"), "Drug");
        assert_eq!(ident("side effect"), "`side effect`");
    }

    #[test]
    fn highlighting_keeps_the_visible_text() {
        let line = "MATCH (n) WHERE n.name = 'match' // MATCH\nRETURN n";
        let coloured = highlight(line);
        let plain: String = strip_ansi(&coloured);
        assert_eq!(plain, line);
        assert!(coloured.starts_with(BOLD_BLUE));
        assert!(coloured.contains(&format!("{GREEN}'match'{RESET}")));
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
