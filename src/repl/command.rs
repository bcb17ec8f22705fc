//! The shell's meta-commands: parsing a `:command` line into what it asks for.

use super::shortcuts::{self, Shortcut};
use crate::cli::export::ExportFormat;
use crate::output::results::ResultFormat;
use std::path::PathBuf;

/// One meta-command, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `:help`: list the meta-commands.
    Help,
    /// `:open FILE`: load another graph.
    Open(PathBuf),
    /// `:save [FILE]`: save the graph, to its own file or to FILE.
    Save(Option<PathBuf>),
    /// `:export FORMAT FILE [--around NAME --depth K | --all]`.
    Export {
        /// The export format.
        format: ExportFormat,
        /// The file (or folder, for CSV) to write.
        target: PathBuf,
        /// The entity to centre the export on.
        around: Option<String>,
        /// How many hops around it to include.
        depth: usize,
        /// Export the whole graph even after a query.
        all: bool,
    },
    /// A shortcut that runs a query: `:neighbors`, `:path`, `:why`, `:find`.
    Shortcut(Shortcut),
    /// `:show-query on|off`: whether shortcuts print the query they run.
    ShowQuery(bool),
    /// `:stats`: node and edge counts.
    Stats,
    /// `:schema`: labels, types and property keys with counts.
    Schema,
    /// `:format table|json|csv|tsv`.
    Format(ResultFormat),
    /// `:timing on|off`.
    Timing(bool),
    /// `:param name value`: set a query parameter.
    Param(String, String),
    /// `:params`: list the parameters.
    Params,
    /// `:rows N|all`: how many rows a table shows.
    Rows(Option<usize>),
    /// `:max-rows N`: the most rows a statement may produce before it stops.
    MaxRows(usize),
    /// `:timeout SECS`: the longest a statement may run before it stops.
    Timeout(std::time::Duration),
    /// `:quit`: leave.
    Quit,
}

/// The meta-commands with their arguments and what they do, for `:help` and completion.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("help", "", "show this list"),
    ("open", "FILE", "open another graph (.kg)"),
    ("save", "[FILE]", "save the graph, to its file or to FILE"),
    (
        "export",
        "FORMAT FILE [--around NAME --depth K | --all]",
        "export the last result's entities, or the graph (dot, svg, png, json, tsv, csv, neo4j, entities)",
    ),
    ("neighbors", "NAME [DEPTH]", "entities within DEPTH hops (1 to 3, default 1)"),
    ("path", "A B", "shortest paths between two entities, with evidence"),
    ("why", "A B", "every relationship between two entities, with evidence"),
    ("find", "TEXT", "entities whose name or alias contains TEXT"),
    ("show-query", "on|off", "print the query each shortcut runs (default on)"),
    ("stats", "", "count nodes and relationships"),
    ("schema", "", "labels, relationship types and property keys"),
    ("format", "table|json|csv|tsv", "how results are printed"),
    ("timing", "on|off", "show how long each statement takes"),
    ("param", "NAME VALUE", "set a parameter, used as $NAME"),
    ("params", "", "list the parameters"),
    ("rows", "N|all", "how many rows a table shows"),
    ("max-rows", "N", "stop a statement past N result rows (default 1000000)"),
    ("timeout", "SECS", "stop a statement after SECS seconds (default 60)"),
    ("quit", "", "leave (also Ctrl-D)"),
];

/// The `:help` text.
pub fn help_text() -> String {
    let mut s = String::from("Statements end with `;` and may span lines. Meta-commands:\n");
    let width = COMMANDS
        .iter()
        .map(|(n, a, _)| n.len() + a.len())
        .max()
        .unwrap_or(0)
        + 3;
    for (name, args, what) in COMMANDS {
        let head = if args.is_empty() {
            format!(":{name}")
        } else {
            format!(":{name} {args}")
        };
        s.push_str(&format!("  {head:<width$} {what}\n"));
    }
    s.push_str("Shortcuts take any name or alias in any case; quote names with spaces:\n");
    s.push_str("  :why ketamine \"NMDA receptor\"\n");
    s.push_str(
        "Each prints the query it runs on stderr, as :param lines and a statement to copy.\n",
    );
    s.push_str("After a query or shortcut, :export draws what its result touched; --all exports the whole graph.\n");
    s.push_str("Tab completes keywords, labels (after `:`), types (after `[:`), keys (after `.`) and names (in strings and after shortcuts).\n");
    s.push_str("Ctrl-C cancels a running query or clears the line; Ctrl-D leaves.");
    s
}

/// Splits arguments on blanks; double or single quotes keep blanks inside one argument.
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                has = true;
            }
            None if c.is_whitespace() => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            None => {
                cur.push(c);
                has = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unclosed quote".into());
    }
    if has {
        out.push(cur);
    }
    Ok(out)
}

/// Parses a meta-command line, given without its leading `:`.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let args = words(rest).map_err(|e| format!(":{name}: {e}"))?;
    let none = |cmd: Command| {
        if args.is_empty() {
            Ok(cmd)
        } else {
            Err(format!(":{name} takes no arguments"))
        }
    };
    let one = |what: &str| -> Result<String, String> {
        match args.as_slice() {
            [a] => Ok(a.clone()),
            _ => Err(format!("usage: :{name} {what}")),
        }
    };
    match name.to_ascii_lowercase().as_str() {
        "help" | "h" | "?" => none(Command::Help),
        "quit" | "q" | "exit" => none(Command::Quit),
        "stats" => none(Command::Stats),
        "schema" => none(Command::Schema),
        "params" => none(Command::Params),
        "open" => Ok(Command::Open(PathBuf::from(one("FILE")?))),
        "save" => match args.as_slice() {
            [] => Ok(Command::Save(None)),
            [f] => Ok(Command::Save(Some(PathBuf::from(f)))),
            _ => Err("usage: :save [FILE]".into()),
        },
        "format" => one("table|json|csv|tsv")?.parse().map(Command::Format),
        "timing" => match one("on|off")?.to_ascii_lowercase().as_str() {
            "on" => Ok(Command::Timing(true)),
            "off" => Ok(Command::Timing(false)),
            other => Err(format!("usage: :timing on|off (not `{other}`)")),
        },
        "max-rows" => {
            let n = one("N")?;
            n.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .map(Command::MaxRows)
                .ok_or_else(|| format!("usage: :max-rows N, a positive whole number (not `{n}`)"))
        }
        "timeout" => {
            let secs = one("SECS")?;
            secs.parse::<f64>()
                .ok()
                .filter(|s| *s > 0.0)
                .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
                .map(Command::Timeout)
                .ok_or_else(|| format!("usage: :timeout SECS, a positive number (not `{secs}`)"))
        }
        "rows" => {
            let n = one("N|all")?;
            if n.eq_ignore_ascii_case("all") {
                Ok(Command::Rows(None))
            } else {
                n.parse::<usize>()
                    .map(|n| Command::Rows(Some(n)))
                    .map_err(|_| format!("usage: :rows N|all (not `{n}`)"))
            }
        }
        "param" => {
            let (pname, value) = rest
                .trim()
                .split_once(char::is_whitespace)
                .ok_or("usage: :param NAME VALUE")?;
            let pname = pname.trim_start_matches('$');
            if pname.is_empty() || !pname.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return Err(format!(
                    "parameter name `{pname}` must be letters, digits or _"
                ));
            }
            Ok(Command::Param(pname.to_string(), value.trim().to_string()))
        }
        "export" => parse_export(&args),
        "show-query" => match one("on|off")?.to_ascii_lowercase().as_str() {
            "on" => Ok(Command::ShowQuery(true)),
            "off" => Ok(Command::ShowQuery(false)),
            other => Err(format!("usage: :show-query on|off (not `{other}`)")),
        },
        "" => Err("empty meta-command; :help lists them".into()),
        other => match shortcuts::parse(other, &args) {
            Some(parsed) => parsed.map(Command::Shortcut),
            None => Err(format!("unknown meta-command :{other}; :help lists them")),
        },
    }
}

fn parse_export(args: &[String]) -> Result<Command, String> {
    const USAGE: &str = "usage: :export FORMAT FILE [--around NAME --depth K | --all]";
    let mut positional = Vec::new();
    let mut all = false;
    let mut around = None;
    let mut depth = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--all" => all = true,
            "--around" => around = Some(it.next().ok_or(USAGE)?.clone()),
            "--depth" => {
                let d = it.next().ok_or(USAGE)?;
                depth = Some(
                    d.parse::<usize>()
                        .map_err(|_| format!("--depth wants a whole number, not `{d}`"))?,
                );
            }
            _ => positional.push(a.clone()),
        }
    }
    let [format, target] = positional.as_slice() else {
        return Err(USAGE.into());
    };
    if depth.is_some() && around.is_none() {
        return Err("--depth needs --around NAME".into());
    }
    if all && around.is_some() {
        return Err("--all and --around exclude each other".into());
    }
    Ok(Command::Export {
        format: format.parse()?,
        target: PathBuf::from(target),
        around,
        depth: depth.unwrap_or(1),
        all,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_commands_parse() {
        assert_eq!(parse("help"), Ok(Command::Help));
        assert_eq!(parse(" stats "), Ok(Command::Stats));
        assert_eq!(parse("timing on"), Ok(Command::Timing(true)));
        assert_eq!(parse("format TSV"), Ok(Command::Format(ResultFormat::Tsv)));
        assert_eq!(parse("rows all"), Ok(Command::Rows(None)));
        assert_eq!(parse("rows 10"), Ok(Command::Rows(Some(10))));
        assert_eq!(parse("save"), Ok(Command::Save(None)));
        assert_eq!(
            parse("open \"my graph.kg\""),
            Ok(Command::Open(PathBuf::from("my graph.kg")))
        );
    }

    #[test]
    fn param_keeps_the_rest_of_the_line_as_value() {
        assert_eq!(
            parse("param drug 'NMDA receptor'"),
            Ok(Command::Param("drug".into(), "'NMDA receptor'".into()))
        );
        assert!(parse("param lonely").is_err());
    }

    #[test]
    fn export_takes_format_file_and_options() {
        assert_eq!(
            parse("export dot out.dot --around \"ketamine\" --depth 2"),
            Ok(Command::Export {
                format: ExportFormat::Dot,
                target: PathBuf::from("out.dot"),
                around: Some("ketamine".into()),
                depth: 2,
                all: false,
            })
        );
        assert!(matches!(
            parse("export dot out.dot --all"),
            Ok(Command::Export { all: true, .. })
        ));
        assert!(parse("export dot").is_err());
        assert!(parse("export xml out.xml").is_err());
        assert!(parse("export dot out.dot --depth 2").is_err());
    }

    #[test]
    fn mistakes_are_named() {
        assert!(parse("stats now").unwrap_err().contains(":stats"));
        assert!(parse("frobnicate").unwrap_err().contains(":frobnicate"));
        assert!(parse("timing maybe").is_err());
        assert_eq!(parse("max-rows 5"), Ok(Command::MaxRows(5)));
        assert!(parse("max-rows 0").is_err());
        assert_eq!(
            parse("timeout 1.5"),
            Ok(Command::Timeout(std::time::Duration::from_millis(1500)))
        );
        assert!(parse("timeout -1").is_err());
        assert!(parse("format xml").is_err());
    }
}
