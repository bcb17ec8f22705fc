//! Terminal tables (comfy-table) in the shell's one style, fitted to a width when known.

use comfy_table::{presets, ContentArrangement, Table};

/// A table with the given header, in the shell's style. With a width, long cells wrap so that
/// the table fits it; without one, cells keep their full length.
pub fn new_table<I, S>(header: I, width: Option<u16>) -> Table
where
    I: IntoIterator<Item = S>,
    S: Into<comfy_table::Cell>,
{
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    // Colour and terminal detection belong to the caller: the table itself stays plain text.
    table.force_no_tty();
    match width {
        Some(w) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table.set_header(header);
    table
}

/// The width of the terminal that stdout is, or `None` when stdout is not a terminal.
pub fn terminal_width() -> Option<u16> {
    // comfy-table already knows how to ask the terminal; a fresh table answers for stdout. A
    // terminal that reports no real size (some pseudo-terminals say 0) gets no fitting.
    Table::new().width().filter(|w| *w >= 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_width_wraps_long_cells() {
        let long = "x".repeat(200);
        let mut narrow = new_table(["a"], Some(40));
        narrow.add_row([long.as_str()]);
        let text = narrow.to_string();
        assert!(text.lines().all(|l| l.chars().count() <= 40), "{text}");
        let mut wide = new_table(["a"], None);
        wide.add_row([long.as_str()]);
        assert!(wide.to_string().lines().any(|l| l.contains(&long)));
    }
}
