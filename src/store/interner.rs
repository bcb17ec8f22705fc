//! Interning of labels, relationship types and property keys.

use crate::model::Sym;
use rustc_hash::FxHashMap;

/// Maps strings to small integer symbols and back. Symbols are handed out in first-use order,
/// so the same sequence of operations always yields the same symbols.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    strings: Vec<String>,
    map: FxHashMap<String, Sym>,
}

impl Interner {
    /// Builds an interner from a symbol table, as read from a file. Fails on a duplicate entry.
    pub fn from_strings(strings: Vec<String>) -> Result<Self, String> {
        let mut map = FxHashMap::default();
        for (i, s) in strings.iter().enumerate() {
            if map.insert(s.clone(), Sym(i as u32)).is_some() {
                return Err(format!("symbol {s:?} appears twice in the symbol table"));
            }
        }
        Ok(Interner { strings, map })
    }

    /// The symbol for a string, creating it when new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.map.get(s) {
            return sym;
        }
        let sym = Sym(self.strings.len() as u32);
        self.strings.push(s.to_string());
        self.map.insert(s.to_string(), sym);
        sym
    }

    /// The symbol for a string, if it was ever interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }

    /// The string behind a symbol; empty for a symbol this interner never made.
    pub fn resolve(&self, sym: Sym) -> &str {
        self.strings.get(sym.0 as usize).map_or("", String::as_str)
    }

    /// True when the symbol was made by this interner.
    pub fn contains(&self, sym: Sym) -> bool {
        (sym.0 as usize) < self.strings.len()
    }

    /// Every interned string, in symbol order.
    pub fn strings(&self) -> &[String] {
        &self.strings
    }
}
