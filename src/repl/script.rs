//! Splitting typed or scripted text into statements and meta-commands.
//!
//! A statement ends at a `;` outside strings, quoted names and comments; the last statement of a
//! script needs none. Comments (`//` to the end of the line, `/* ... */`) are blanked with
//! spaces, so byte offsets inside a statement stay where the user wrote them.

/// What one piece of a script is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PieceKind {
    /// A query statement, without its `;`.
    Statement,
    /// A meta-command line such as `:stats`, without its leading `:`.
    Command,
}

/// One statement or meta-command of a script, with the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Statement or meta-command.
    pub kind: PieceKind,
    /// The text, trimmed, comments blanked.
    pub text: String,
    /// The line of the script where it starts.
    pub line: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Code,
    Single,
    Double,
    Backtick,
    LineComment,
    BlockComment,
}

/// The text with string contents, quoted names and comments replaced by spaces (newlines kept),
/// and whether the scan ended inside a string, quoted name or block comment.
pub fn mask(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut state = State::Code;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
        match state {
            State::Code => match c {
                '\'' => {
                    state = State::Single;
                    out.push(c);
                }
                '"' => {
                    state = State::Double;
                    out.push(c);
                }
                '`' => {
                    state = State::Backtick;
                    out.push(c);
                }
                '/' if chars.peek() == Some(&'/') => {
                    chars.next();
                    state = State::LineComment;
                    out.push_str("  ");
                }
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    state = State::BlockComment;
                    out.push_str("  ");
                }
                _ => out.push(c),
            },
            State::Single | State::Double => {
                let close = if state == State::Single { '\'' } else { '"' };
                if c == '\\' {
                    out.push(' ');
                    if let Some(next) = chars.next() {
                        push_blank(&mut out, next);
                    }
                } else if c == close {
                    state = State::Code;
                    out.push(c);
                } else {
                    push_blank(&mut out, c);
                }
            }
            State::Backtick => {
                if c == '`' {
                    state = State::Code;
                    out.push(c);
                } else {
                    push_blank(&mut out, c);
                }
            }
            State::LineComment => {
                if c == '\n' {
                    state = State::Code;
                    out.push('\n');
                } else {
                    push_blank(&mut out, c);
                }
            }
            State::BlockComment => {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    state = State::Code;
                    out.push_str("  ");
                } else {
                    out.push(blank(c));
                    // Keep byte lengths equal for multi-byte characters.
                    for _ in 1..c.len_utf8() {
                        out.push(' ');
                    }
                }
            }
        }
    }
    let open = matches!(
        state,
        State::Single | State::Double | State::Backtick | State::BlockComment
    );
    (out, open)
}

/// Pushes as many spaces as `c` takes bytes (a newline stays a newline).
fn push_blank(out: &mut String, c: char) {
    if c == '\n' {
        out.push('\n');
    } else {
        for _ in 0..c.len_utf8() {
            out.push(' ');
        }
    }
}

/// The text with comments blanked but strings kept: what is handed to the query engine.
fn strip_comments(text: &str, masked: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut state = State::Code;
    let t = text.as_bytes();
    let mut i = 0;
    // Walk the original and the masked text together: a comment is where the masked text has
    // blanks that the original does not, outside strings.
    while i < t.len() {
        let c = t[i];
        match state {
            State::Code => {
                if c == b'/' && i + 1 < t.len() && (t[i + 1] == b'/' || t[i + 1] == b'*') {
                    state = if t[i + 1] == b'/' {
                        State::LineComment
                    } else {
                        State::BlockComment
                    };
                    out.push_str("  ");
                    i += 2;
                    continue;
                }
                state = match c {
                    b'\'' => State::Single,
                    b'"' => State::Double,
                    b'`' => State::Backtick,
                    _ => State::Code,
                };
            }
            State::Single | State::Double => {
                let close = if state == State::Single { b'\'' } else { b'"' };
                if c == b'\\' && i + 1 < t.len() {
                    out.push(c as char);
                    i += 1;
                    push_byte_char(&mut out, text, &mut i);
                    continue;
                } else if c == close {
                    state = State::Code;
                }
            }
            State::Backtick => {
                if c == b'`' {
                    state = State::Code;
                }
            }
            State::LineComment => {
                if c == b'\n' {
                    state = State::Code;
                    out.push('\n');
                } else {
                    out.push(' ');
                }
                i += 1;
                continue;
            }
            State::BlockComment => {
                if c == b'*' && i + 1 < t.len() && t[i + 1] == b'/' {
                    state = State::Code;
                    out.push_str("  ");
                    i += 2;
                } else {
                    out.push(if c == b'\n' { '\n' } else { ' ' });
                    i += 1;
                }
                continue;
            }
        }
        push_byte_char(&mut out, text, &mut i);
    }
    debug_assert_eq!(out.len(), masked.len());
    out
}

/// Copies the character starting at byte `*i` of `text` and moves past it.
fn push_byte_char(out: &mut String, text: &str, i: &mut usize) {
    let ch = text[*i..].chars().next().unwrap_or(' ');
    out.push(ch);
    *i += ch.len_utf8().max(1);
}

/// True when `text` holds at least one whole statement and nothing after the last one but
/// blanks: what the REPL waits for before running typed input. A meta-command line or blank
/// input is always complete.
pub fn is_complete(text: &str) -> bool {
    let trimmed = text.trim_start();
    if trimmed.is_empty() || trimmed.starts_with(':') {
        return true;
    }
    let (masked, open) = mask(text);
    if open {
        return false;
    }
    match masked.rfind(';') {
        Some(i) => masked[i + 1..].trim().is_empty(),
        None => false,
    }
}

/// Splits a script into pieces. With `commands`, a line starting with `:` between statements is
/// a meta-command. An unterminated last statement is kept; a script ending inside a string or
/// comment is an error naming the line where it opened.
pub fn split(text: &str, commands: bool) -> Result<Vec<Piece>, String> {
    let (masked, open) = mask(text);
    let clean = strip_comments(text, &masked);
    let mut pieces = Vec::new();
    let mut start = 0usize;
    let mut line = 1usize;
    let mut start_line = 1usize;
    let mut at_statement_start = true;
    let bytes = masked.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if at_statement_start {
            if b == b'\n' {
                line += 1;
                i += 1;
                start = i;
                continue;
            }
            if b.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            at_statement_start = false;
            start = i;
            start_line = line;
            if commands && b == b':' {
                let end = masked[i..].find('\n').map_or(masked.len(), |e| i + e);
                let cmd = clean[i + 1..end].trim().trim_end_matches(';').trim_end();
                pieces.push(Piece {
                    kind: PieceKind::Command,
                    text: cmd.to_string(),
                    line,
                });
                i = end;
                at_statement_start = true;
                continue;
            }
        }
        match b {
            b'\n' => line += 1,
            b';' => {
                push_statement(&mut pieces, &clean[start..i], start_line);
                at_statement_start = true;
            }
            _ => {}
        }
        i += 1;
    }
    if open {
        return Err(format!(
            "line {start_line}: the text ends inside a string, quoted name or comment"
        ));
    }
    if !at_statement_start {
        push_statement(&mut pieces, &clean[start..], start_line);
    }
    Ok(pieces)
}

fn push_statement(pieces: &mut Vec<Piece>, text: &str, line: usize) {
    let text = text.trim();
    if !text.is_empty() {
        pieces.push(Piece {
            kind: PieceKind::Statement,
            text: text.to_string(),
            line,
        });
    }
}

/// Words that change the graph; a statement holding one (outside strings and comments) is
/// treated as a write.
const WRITE_WORDS: [&str; 5] = ["CREATE", "MERGE", "SET", "DELETE", "REMOVE"];

/// True when the statement contains a clause that changes the graph.
pub fn is_write(statement: &str) -> bool {
    let (masked, _) = mask(statement);
    masked
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| WRITE_WORDS.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(pieces: &[Piece]) -> Vec<(&str, PieceKind, usize)> {
        pieces
            .iter()
            .map(|p| (p.text.as_str(), p.kind.clone(), p.line))
            .collect()
    }

    #[test]
    fn splits_on_semicolons_outside_strings_and_comments() {
        let script = "// first\nMATCH (n) RETURN 'a;b';\n\nRETURN 1 /* ; */ ;\nRETURN `x;y`";
        let pieces = split(script, false).unwrap();
        assert_eq!(
            texts(&pieces),
            vec![
                ("MATCH (n) RETURN 'a;b'", PieceKind::Statement, 2),
                ("RETURN 1", PieceKind::Statement, 4),
                ("RETURN `x;y`", PieceKind::Statement, 5),
            ]
        );
    }

    #[test]
    fn comment_only_script_has_no_statements() {
        assert!(split("// nothing\n/* at all */\n", false)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn meta_commands_are_lines_between_statements() {
        let pieces = split(":stats\nMATCH (n)\nRETURN n;\n:format tsv\n", true).unwrap();
        assert_eq!(
            texts(&pieces),
            vec![
                ("stats", PieceKind::Command, 1),
                ("MATCH (n)\nRETURN n", PieceKind::Statement, 2),
                ("format tsv", PieceKind::Command, 4),
            ]
        );
        // Without commands allowed, the colon belongs to the statement.
        let pieces = split(":stats;", false).unwrap();
        assert_eq!(pieces[0].kind, PieceKind::Statement);
    }

    #[test]
    fn unterminated_string_is_reported_with_its_line() {
        let err = split("RETURN 1;\nRETURN 'open", false).unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }

    #[test]
    fn escaped_quotes_stay_inside_strings() {
        let pieces = split(r"RETURN 'it\'s; fine'; RETURN 2", false).unwrap();
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].text, r"RETURN 'it\'s; fine'");
    }

    #[test]
    fn completeness_waits_for_the_semicolon() {
        assert!(!is_complete("MATCH (n)\nRETURN n"));
        assert!(is_complete("MATCH (n)\nRETURN n;"));
        assert!(is_complete("RETURN 1; // done"));
        assert!(!is_complete("RETURN ';"));
        assert!(!is_complete("RETURN 1; RETURN 2"));
        assert!(is_complete(":help"));
        assert!(is_complete("   "));
    }

    #[test]
    fn write_detection_ignores_strings() {
        assert!(is_write("MATCH (n) SET n.x = 1"));
        assert!(is_write("create (n)"));
        assert!(!is_write("MATCH (n) WHERE n.name = 'SET' RETURN n"));
        assert!(!is_write("MATCH (n) RETURN n.offset"));
    }

    #[test]
    fn masking_keeps_byte_offsets() {
        let text = "RETURN 'κέτα' // ü\n, 1";
        let (masked, open) = mask(text);
        assert!(!open);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked.find(", 1"), text.find(", 1"));
    }
}
