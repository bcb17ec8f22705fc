//! The lexicon: names and aliases of entities by type, matched in text with Aho-Corasick
//! (whole words, longest match first, short abbreviations case-sensitive), and abbreviations
//! that a document defines for itself ("brain-derived neurotrophic factor (BDNF)").

use crate::ingest::EntitySpec;
use aho_corasick::{
    AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, Input, MatchKind, StartKind,
};
use rustc_hash::FxHashMap;
use std::rc::Rc;
use std::sync::OnceLock;

/// The lexicon files built into the binary, in the order they are read.
pub const BUILTIN_FILES: [(&str, &str); 14] = [
    ("drugs.tsv", include_str!("../../graphs/lexicon/drugs.tsv")),
    (
        "drug_classes.tsv",
        include_str!("../../graphs/lexicon/drug_classes.tsv"),
    ),
    (
        "receptors.tsv",
        include_str!("../../graphs/lexicon/receptors.tsv"),
    ),
    (
        "enzymes.tsv",
        include_str!("../../graphs/lexicon/enzymes.tsv"),
    ),
    (
        "neurotransmitters.tsv",
        include_str!("../../graphs/lexicon/neurotransmitters.tsv"),
    ),
    ("genes.tsv", include_str!("../../graphs/lexicon/genes.tsv")),
    ("cells.tsv", include_str!("../../graphs/lexicon/cells.tsv")),
    (
        "brain_regions.tsv",
        include_str!("../../graphs/lexicon/brain_regions.tsv"),
    ),
    (
        "processes.tsv",
        include_str!("../../graphs/lexicon/processes.tsv"),
    ),
    (
        "symptoms.tsv",
        include_str!("../../graphs/lexicon/symptoms.tsv"),
    ),
    (
        "disorders.tsv",
        include_str!("../../graphs/lexicon/disorders.tsv"),
    ),
    (
        "microbes.tsv",
        include_str!("../../graphs/lexicon/microbes.tsv"),
    ),
    (
        "therapies.tsv",
        include_str!("../../graphs/lexicon/therapies.tsv"),
    ),
    (
        "measures.tsv",
        include_str!("../../graphs/lexicon/measures.tsv"),
    ),
];

/// One entity the lexicon knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The canonical name.
    pub name: String,
    /// The SCHEMA.md label.
    pub label: String,
    /// The external id, when the lexicon gives one.
    pub xref: Option<String>,
    /// Other names.
    pub aliases: Vec<String>,
}

/// A problem in a lexicon file, by line.
#[derive(Debug, Clone, PartialEq)]
pub struct LexiconIssue {
    /// The file's name.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A mention of a lexicon entry in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Byte offset of the mention.
    pub start: usize,
    /// Byte offset just past the mention.
    pub end: usize,
    /// The entry's index in the lexicon.
    pub entry: usize,
    /// True for a name found inside a longer one ("NMDA receptor" in "NMDA receptor
    /// antagonist"): it counts as a mention but takes no part in sentence patterns.
    pub nested: bool,
}

/// Lists [`Lexicon::find_into`] reuses from one call to the next.
#[derive(Debug, Default)]
pub struct FindScratch {
    /// Candidate matches: (start, end, entry).
    cands: Vec<(usize, usize, usize)>,
    /// The matches chosen, then the hits of the last call.
    chosen: Vec<Hit>,
    /// Names inside chosen matches.
    nested: Vec<Hit>,
}

/// A compiled lexicon.
pub struct Lexicon {
    entries: Vec<Entry>,
    /// Each entry as a document names it (no aliases), shared by every document that does.
    specs: Vec<Rc<EntitySpec>>,
    /// The entries that effect adjectives stand for, in the order relation patterns list them.
    effect_entries: Vec<usize>,
    /// For each entry, whether one of its names holds " and " (lower-cased): only a match of
    /// such a name can be two names joined.
    joins_two: Vec<bool>,
    /// For each Aho-Corasick pattern: its entry, its text and whether it must match in case.
    patterns: Vec<(usize, String, bool)>,
    /// The case-insensitive patterns, searched anchored where the first-word table cannot
    /// decide (a word that opens with a bracket or runs into another script); built the first
    /// time such a place may open a name, since most texts have none and it is the largest.
    matcher: OnceLock<AhoCorasick>,
    /// The case-sensitive patterns, searched in the text as written.
    exact: AhoCorasick,
    /// The index in `patterns` of each pattern of `matcher` and `inner`, and of `exact`.
    lower_ids: Vec<usize>,
    exact_ids: Vec<usize>,
    /// The case-insensitive patterns for overlapping search inside a match (nested names).
    inner: AhoCorasick,
    by_name: FxHashMap<String, usize>,
    by_xref: FxHashMap<String, usize>,
    /// Which openings the case-insensitive patterns have (lower case) and the case-sensitive
    /// ones (as written): most word starts open no name, and these answer that without
    /// running the automata there.
    starts: Starts,
    exact_starts: Starts,
    /// The patterns by their first word (ASCII letters and digits, lower-cased), longest
    /// first: a name can stand as whole words where a word starts only if that word opens it.
    first_words: FirstWords,
    /// For each pattern of more than one word: what may lie inside a match of it, found once
    /// here rather than searched again at every match.
    inside: Vec<Option<Box<Inside>>>,
}

/// The patterns by the first word they open with, laid out for a look-up at nearly every
/// word of a text: a word of up to 15 bytes is its own key, with no pointer to follow, and a
/// word's names and their bytes lie side by side.
#[derive(Debug, Default)]
struct FirstWords {
    /// Words of up to 15 bytes, packed (see [`short_key`]).
    short: FxHashMap<u128, Openers>,
    /// Longer words.
    long: FxHashMap<Box<[u8]>, Openers>,
    /// Every word's names, a word's case-insensitive ones and then its case-sensitive ones,
    /// each longest first.
    names: Vec<Opener>,
    /// The names' bytes, in the order of `names`.
    bytes: Vec<u8>,
    /// One bit per [`word_bit`] of every first word: a word whose bit is clear opens no name,
    /// and most words of a text are ruled out here, in a table small enough to stay in cache,
    /// before a look-up in the larger maps.
    filter: Vec<u64>,
}

/// How many bits [`FirstWords::filter`] has, as a power of two.
const FILTER_BITS: u32 = 16;

/// Where a word's bit lies in [`FirstWords::filter`]: a hash of its first three bytes and its
/// length.
#[inline]
fn word_bit(word: &[u8]) -> usize {
    let byte = |k: usize| u32::from(word.get(k).copied().unwrap_or(0));
    let len = u32::try_from(word.len().min(255)).unwrap_or(255);
    let key = byte(0) | byte(1) << 8 | byte(2) << 16 | len << 24;
    (key.wrapping_mul(0x9E37_79B1) >> (32 - FILTER_BITS)) as usize
}

/// The names one word opens: ranges of [`FirstWords::names`].
#[derive(Debug, Default, Clone, Copy)]
struct Openers {
    /// Case-insensitive names, compared with the lower-cased text.
    lower: (u32, u32),
    /// Case-sensitive names, compared with the text as written.
    exact: (u32, u32),
}

/// One name in [`FirstWords`].
#[derive(Debug, Clone, Copy)]
struct Opener {
    /// Its index in `patterns`.
    pat: u32,
    /// Its entry.
    entry: u32,
    /// Where its bytes start in [`FirstWords::bytes`].
    at: u32,
    /// How many bytes it has.
    len: u32,
    /// Its first eight bytes after those its look-up already matched (the first word for a
    /// case-insensitive name, none for a case-sensitive one), zero-padded: most names are told
    /// apart from the text by these alone, without reading `bytes`.
    next: u64,
    /// Which bytes of `next` belong to the name.
    mask: u64,
}

/// Up to eight bytes as one number, zero-padded.
#[inline]
fn pack8(bytes: &[u8]) -> u64 {
    match bytes.first_chunk::<8>() {
        Some(eight) => u64::from_le_bytes(*eight),
        // Byte by byte: a copy of a length not known in advance would call memcpy.
        None => bytes
            .iter()
            .rev()
            .fold(0, |acc, &b| acc << 8 | u64::from(b)),
    }
}

/// A word of up to 15 bytes as one number: its bytes, then its length in the last byte.
#[inline]
pub(crate) fn short_key(word: &[u8]) -> Option<u128> {
    let mut packed = [0u8; 16];
    packed.get_mut(..word.len())?.copy_from_slice(word);
    // A word of 16 bytes would leave no room for its length.
    packed[15] = u8::try_from(word.len()).ok().filter(|&n| n < 16)?;
    Some(u128::from_le_bytes(packed))
}

impl FirstWords {
    /// Groups patterns (text, case-sensitive) by their first word, lower-cased.
    fn new(patterns: &[(usize, String, bool)]) -> FirstWords {
        let mut groups: FxHashMap<Vec<u8>, [Vec<usize>; 2]> = FxHashMap::default();
        let mut order: Vec<Vec<u8>> = Vec::new();
        let mut longest_first: Vec<usize> = (0..patterns.len()).collect();
        longest_first.sort_by_key(|&i| std::cmp::Reverse(patterns[i].1.len()));
        for i in longest_first {
            let (_, p, cs) = &patterns[i];
            let word = p.as_bytes()[..ascii_word_len(p.as_bytes(), 0)].to_ascii_lowercase();
            if word.is_empty() {
                continue;
            }
            let group = groups.entry(word.clone()).or_insert_with(|| {
                order.push(word);
                Default::default()
            });
            group[usize::from(*cs)].push(i);
        }
        let mut out = FirstWords {
            filter: vec![0; 1 << (FILTER_BITS - 6)],
            ..Default::default()
        };
        let index = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        for word in order {
            let bit = word_bit(&word);
            out.filter[bit / 64] |= 1 << (bit % 64);
            let [lower, exact] = &groups[&word];
            // `known`: how many bytes of each name the look-up has matched (see `longest`).
            let range = |members: &[usize], known: usize, out: &mut FirstWords| {
                let from = index(out.names.len());
                for &i in members {
                    let text = patterns[i].1.as_bytes();
                    let next = text.get(known..).unwrap_or(&[]);
                    out.names.push(Opener {
                        pat: index(i),
                        entry: index(patterns[i].0),
                        at: index(out.bytes.len()),
                        len: index(text.len()),
                        next: pack8(next),
                        mask: match next.len() {
                            0..8 => (1u64 << (8 * next.len())) - 1,
                            _ => !0,
                        },
                    });
                    out.bytes.extend_from_slice(text);
                }
                (from, index(out.names.len()))
            };
            let openers = Openers {
                lower: range(lower, word.len(), &mut out),
                exact: range(exact, 0, &mut out),
            };
            match short_key(&word) {
                Some(key) => out.short.insert(key, openers),
                None => out.long.insert(word.into_boxed_slice(), openers),
            };
        }
        out
    }

    /// The names that open with `word` (lower-cased), if any.
    #[inline]
    fn get(&self, word: &[u8]) -> Option<Openers> {
        let bit = word_bit(word);
        if self
            .filter
            .get(bit / 64)
            .is_none_or(|w| w & (1 << (bit % 64)) == 0)
        {
            return None;
        }
        match short_key(word) {
            Some(key) => self.short.get(&key).copied(),
            None => self.long.get(word).copied(),
        }
    }

    /// The longest of the names in `range` that `hay[i..]` begins with, as (index in
    /// `patterns`, entry, end); `known` bytes of each are already known to match. At a word start
    /// whose word (ASCII letters and digits only) ends before an ASCII byte, this is what an
    /// anchored leftmost-longest search finds: a longer name would begin with the whole word,
    /// and so be among its names; a shorter one would end inside the word and be refused as
    /// not whole.
    #[inline]
    fn longest(
        &self,
        range: (u32, u32),
        hay: &[u8],
        i: usize,
        known: usize,
    ) -> Option<(usize, usize, usize)> {
        let rest = &hay[i..];
        let names = self.names.get(range.0 as usize..range.1 as usize)?;
        if names.is_empty() {
            return None;
        }
        let after = rest.get(known..)?;
        let text_next = pack8(after);
        names.iter().find_map(|o| {
            let len = o.len as usize;
            // The bytes after the known ones, eight at a time, then any left.
            if len > rest.len() || (text_next ^ o.next) & o.mask != 0 {
                return None;
            }
            let tail = len - known;
            if tail > 8 {
                let at = o.at as usize;
                let name = &self.bytes[at + known + 8..at + len];
                if name != &after[8..tail] {
                    return None;
                }
            }
            Some((o.pat as usize, o.entry as usize, i + len))
        })
    }
}

/// What may lie inside a match of a name of several words ("NMDA receptor antagonist"). A
/// match's lower-cased text is the lower-cased name itself, so a search inside it always finds
/// the same names; only the checks that depend on the text around (word boundaries) and on
/// its case are left for each match.
#[derive(Debug, Default)]
struct Inside {
    /// Case-insensitive names inside: (start, end, index in `patterns`), relative to the
    /// match, in the order an overlapping search reports them.
    names: Box<[(u32, u32, u32)]>,
    /// Word starts inside the name (relative) where some case-sensitive name matches when case
    /// is ignored: the only places a case-sensitive search inside a match can succeed.
    exact_starts: Box<[u32]>,
}

/// The first bytes of a set of patterns, as sets: one, two and three bytes (the last hashed).
/// A pattern can match at a position only if the set of its length (or of three bytes for
/// longer ones) holds the bytes there; a hash collision only costs a search.
struct Starts {
    one: [bool; 256],
    two: Vec<u64>,
    three: Vec<u64>,
}

impl Starts {
    const THREE_BITS: u32 = 18;

    fn hash3(a: u8, b: u8, c: u8) -> usize {
        let k = u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16;
        (k.wrapping_mul(0x9E37_79B1) >> (32 - Self::THREE_BITS)) as usize
    }

    fn set(bits: &mut [u64], i: usize) {
        bits[i / 64] |= 1 << (i % 64);
    }

    fn get(bits: &[u64], i: usize) -> bool {
        bits[i / 64] & (1 << (i % 64)) != 0
    }

    fn new<'a>(patterns: impl Iterator<Item = &'a str>) -> Starts {
        let mut st = Starts {
            one: [false; 256],
            two: vec![0; (1 << 16) / 64],
            three: vec![0; (1 << Self::THREE_BITS) / 64],
        };
        // The placeholder that stands for a pattern of the other case class.
        Starts::set(&mut st.two, 0);
        for p in patterns {
            let b: Vec<u8> = p.bytes().take(3).collect();
            match b[..] {
                [] => st.one.fill(true),
                [x] => st.one[usize::from(x)] = true,
                [x, y] => Starts::set(&mut st.two, usize::from(x) << 8 | usize::from(y)),
                [x, y, z, ..] => Starts::set(&mut st.three, Starts::hash3(x, y, z)),
            }
        }
        st
    }

    /// Whether some pattern may start at `hay[i..]`.
    fn may_start(&self, hay: &[u8], i: usize) -> bool {
        let Some(&x) = hay.get(i) else {
            return false;
        };
        if self.one[usize::from(x)] {
            return true;
        }
        let Some(&y) = hay.get(i + 1) else {
            return false;
        };
        if Starts::get(&self.two, usize::from(x) << 8 | usize::from(y)) {
            return true;
        }
        hay.get(i + 2)
            .is_some_and(|&z| Starts::get(&self.three, Starts::hash3(x, y, z)))
    }
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("entries", &self.entries.len())
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

/// Parses one lexicon TSV (`label name aliases xref`, aliases `|`-separated).
pub fn parse_tsv(file: &str, text: &str) -> (Vec<Entry>, Vec<LexiconIssue>) {
    let mut entries = Vec::new();
    let mut issues = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if i == 0 && line.starts_with("label\t") || line.trim().is_empty() || line.starts_with('#')
        {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 2 || cols[0].trim().is_empty() || cols[1].trim().is_empty() {
            issues.push(LexiconIssue {
                file: file.to_string(),
                line: i + 1,
                message: "expected label<TAB>name<TAB>aliases<TAB>xref".into(),
            });
            continue;
        }
        let aliases = cols
            .get(2)
            .map(|a| {
                a.split('|')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let xref = cols
            .get(3)
            .map(|x| x.trim())
            .filter(|x| !x.is_empty())
            .map(String::from);
        entries.push(Entry {
            label: cols[0].trim().to_string(),
            name: cols[1].trim().to_string(),
            aliases,
            xref,
        });
    }
    (entries, issues)
}

/// True for a pattern that must match in case: a short all-capitals abbreviation (DAT, MPH)
/// or a short mixed-case one (NAc, Akt).
fn case_sensitive(pattern: &str) -> bool {
    let n = pattern.chars().count();
    n <= 6
        && pattern.chars().any(|c| c.is_uppercase())
        && (n <= 4 || !pattern.chars().any(|c| c.is_lowercase()))
}

/// Labels whose names take a plain English plural that the lexicon may not list.
fn pluralises(label: &str) -> bool {
    matches!(
        label,
        "Symptom" | "Disorder" | "DrugClass" | "Receptor" | "Transporter" | "Enzyme" | "CellType"
    )
}

impl Lexicon {
    /// The built-in lexicon plus extra files given as (name, text); later files add entries.
    pub fn new(extra: &[(String, String)]) -> (Lexicon, Vec<LexiconIssue>) {
        let mut entries = Vec::new();
        let mut issues = Vec::new();
        for (name, text) in BUILTIN_FILES {
            let (e, i) = parse_tsv(name, text);
            entries.extend(e);
            issues.extend(i);
        }
        for (name, text) in extra {
            let (e, i) = parse_tsv(name, text);
            entries.extend(e);
            issues.extend(i);
        }
        (Lexicon::from_entries(entries), issues)
    }

    /// Compiles a lexicon from entries. An external id claimed by two entries stays with the
    /// first, so that ingestion does not merge different entities through it.
    pub fn from_entries(mut entries: Vec<Entry>) -> Lexicon {
        let mut seen_xref: FxHashMap<String, usize> = FxHashMap::default();
        for (i, e) in entries.iter_mut().enumerate() {
            if let Some(x) = &e.xref {
                if seen_xref.contains_key(x) {
                    e.xref = None;
                } else {
                    seen_xref.insert(x.clone(), i);
                }
            }
        }
        let mut patterns: Vec<(usize, String, bool)> = Vec::new();
        let mut seen: FxHashMap<(String, bool), usize> = FxHashMap::default();
        let mut by_name: FxHashMap<String, usize> = FxHashMap::default();
        for (i, e) in entries.iter().enumerate() {
            let mut names: Vec<String> = std::iter::once(&e.name)
                .chain(&e.aliases)
                .cloned()
                .collect();
            if pluralises(&e.label) {
                let plurals: Vec<String> = names
                    .iter()
                    .filter(|n| {
                        n.len() >= 4
                            && !case_sensitive(n)
                            && n.ends_with(|c: char| c.is_ascii_lowercase() && c != 's')
                    })
                    .map(|n| format!("{n}s"))
                    .collect();
                names.extend(plurals);
            }
            for n in names {
                let cs = case_sensitive(&n);
                // Case-sensitive names keep their spelling, checked against the text.
                let key = if cs {
                    n.clone()
                } else {
                    n.to_ascii_lowercase()
                };
                by_name.entry(n.to_lowercase()).or_insert(i);
                // The first entry to claim a name keeps it.
                if seen.contains_key(&(key.clone(), cs)) {
                    continue;
                }
                seen.insert((key.clone(), cs), i);
                patterns.push((i, key, cs));
            }
        }
        // Short capitalised abbreviations (DA, NE, DAT) are searched in the text as written:
        // searched in lower case they would match inside countless words and slow the scan.
        // Each automaton holds one case class; these give the index in `patterns` of each of
        // its patterns.
        let ids = |cs: bool| -> Vec<usize> {
            (0..patterns.len())
                .filter(|&i| patterns[i].2 == cs)
                .collect()
        };
        let (lower_ids, exact_ids) = (ids(false), ids(true));
        let matcher = OnceLock::new();
        let exact = anchored_automaton(of_case(&patterns, true));
        let inner = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(of_case(&patterns, false))
            .unwrap_or_else(|_| empty_automaton());
        let by_xref = seen_xref;
        let starts = Starts::new(of_case(&patterns, false));
        let exact_starts = Starts::new(of_case(&patterns, true));
        let inside = {
            // Case-sensitive names lower-cased, to learn where they might match inside a name.
            let folded = AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(
                    patterns
                        .iter()
                        .filter(|p| p.2)
                        .map(|p| p.1.to_ascii_lowercase()),
                )
                .unwrap_or_else(|_| empty_automaton());
            patterns
                .iter()
                .map(|(_, p, _)| inside_of(&p.to_ascii_lowercase(), &inner, &lower_ids, &folded))
                .collect()
        };
        let first_words = FirstWords::new(&patterns);
        let specs = entries
            .iter()
            .map(|e| {
                Rc::new(EntitySpec {
                    name: e.name.clone(),
                    label: e.label.clone(),
                    xref: e.xref.clone(),
                    aliases: Vec::new(),
                })
            })
            .collect();
        let lookup = |name: &str| by_name.get(&name.to_lowercase()).copied();
        let mut joins_two = vec![false; entries.len()];
        for (entry, p, _) in &patterns {
            if p.to_ascii_lowercase().contains(" and ") {
                if let Some(j) = joins_two.get_mut(*entry) {
                    *j = true;
                }
            }
        }
        let effect_entries = super::relations::effect_names()
            .filter_map(lookup)
            .collect();
        Lexicon {
            specs,
            effect_entries,
            joins_two,
            starts,
            exact_starts,
            first_words,
            inside,
            entries,
            patterns,
            lower_ids,
            exact_ids,
            matcher,
            exact,
            inner,
            by_name,
            by_xref,
        }
    }

    /// The automaton of the case-insensitive patterns, for anchored searches.
    fn matcher(&self) -> &AhoCorasick {
        self.matcher
            .get_or_init(|| anchored_automaton(of_case(&self.patterns, false)))
    }

    /// Whether a name may stand as whole words at `lower[i..]`, a word start. A match that
    /// ends inside a word is rejected, and a name that ends where a word does begins with that
    /// whole word, so a first word no name begins with rules the position out without a
    /// search. Words that run into other than ASCII are not ruled out.
    #[inline]
    fn may_stand_at(&self, lower: &[u8], i: usize) -> bool {
        let n = ascii_word_len(lower, i);
        n == 0
            || lower.get(i + n).is_some_and(|b| !b.is_ascii())
            || self.first_words.get(&lower[i..i + n]).is_some()
    }

    /// A match of pattern `pat` at `s..e`, if it respects case and word boundaries.
    fn accept(&self, text: &str, s: usize, e: usize, pat: usize) -> Option<(usize, usize, usize)> {
        let (entry, p, cs) = &self.patterns[pat];
        if *cs && &text[s..e] != p.as_str() {
            return None;
        }
        whole_word(text, s, e).then_some((s, e, *entry))
    }

    /// The entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entry `i` as a document names it: name, label and external id, without aliases.
    pub fn spec(&self, i: usize) -> Option<&Rc<EntitySpec>> {
        self.specs.get(i)
    }

    /// The entries that effect adjectives stand for ("antidepressant effects" → depression),
    /// in the order [`super::relations::effect_names`] gives them; names the lexicon lacks are
    /// left out.
    pub fn effect_entries(&self) -> &[usize] {
        &self.effect_entries
    }

    /// The entry that carries this external id.
    pub fn by_xref(&self, xref: &str) -> Option<usize> {
        self.by_xref.get(xref).copied()
    }

    /// The entry with this exact name or alias (case-insensitive).
    pub fn lookup(&self, name: &str) -> Option<usize> {
        if !name.chars().any(char::is_uppercase) {
            return self.by_name.get(name).copied();
        }
        self.by_name.get(&name.to_lowercase()).copied()
    }

    /// Finds the mentions in `text`: whole words, the longest match winning where matches
    /// overlap, names inside a chosen match kept as nested hits. `lower` is
    /// `text.to_ascii_lowercase()`, passed in so a caller can reuse it.
    pub fn find(&self, text: &str, lower: &str) -> Vec<Hit> {
        self.find_with(text, lower, true)
    }

    /// [`Lexicon::find`] for a document read piece by piece: appends the hits of `text` (which
    /// starts at byte `base` of the document) to `out`, reusing `scratch` from one piece to
    /// the next so that reading a piece allocates nothing once the lists have grown.
    pub fn find_into(
        &self,
        text: &str,
        lower: &str,
        base: usize,
        scratch: &mut FindScratch,
        out: &mut Vec<Hit>,
    ) {
        self.find_with_scratch(text, lower, true, scratch);
        out.extend(scratch.chosen.drain(..).map(|h| Hit {
            start: h.start + base,
            end: h.end + base,
            ..h
        }));
    }

    /// [`Lexicon::find`], with or without ruling word starts out by their first word (without,
    /// for tests to check that doing so changes nothing).
    fn find_with(&self, text: &str, lower: &str, by_first_word: bool) -> Vec<Hit> {
        let mut scratch = FindScratch::default();
        self.find_with_scratch(text, lower, by_first_word, &mut scratch);
        scratch.chosen
    }

    /// [`Lexicon::find_with`], leaving the hits in `scratch.chosen`.
    fn find_with_scratch(
        &self,
        text: &str,
        lower: &str,
        by_first_word: bool,
        scratch: &mut FindScratch,
    ) {
        // The test path searches inside every match too, against which the shortcut is checked.
        let precomputed_inside = by_first_word;
        let cands = &mut scratch.cands;
        cands.clear();
        let bytes = lower.as_bytes();
        let mut i = 0;
        let mut prev_alnum = false;
        while i < bytes.len() {
            let b = bytes[i];
            let (width, alnum, cjk, opens) = if b.is_ascii() {
                (
                    1,
                    b.is_ascii_alphanumeric(),
                    false,
                    matches!(b, b'(' | b'[' | b'.'),
                )
            } else {
                let c = lower[i..].chars().next().unwrap_or(' ');
                (utf8_width(b), c.is_alphanumeric(), c > '\u{2E80}', false)
            };
            let starts = cjk || (!prev_alnum && (alnum || opens));
            prev_alnum = alnum && !cjk;
            if !starts {
                i += width;
                continue;
            }
            let n = ascii_word_len(bytes, i);
            let ascii_word = by_first_word && n > 0 && bytes.get(i + n).is_none_or(u8::is_ascii);
            // Where to go on from when no name stands here: past the word when the word alone
            // decided that.
            let step = if ascii_word { n } else { width };
            let best = if ascii_word {
                // The word alone decides which names may open here. A name found so starts
                // where a word does and matched the text byte for byte (case-sensitive names
                // in the text as written): only its end is left to check.
                self.first_words.get(&bytes[i..i + n]).and_then(|openers| {
                    [
                        self.first_words
                            .longest(openers.exact, text.as_bytes(), i, 0),
                        self.first_words.longest(openers.lower, bytes, i, n),
                    ]
                    .into_iter()
                    .flatten()
                    .filter(|&(_, _, e)| ends_word(text, e))
                    .map(|(pat, entry, e)| ((i, e, entry), pat))
                    .max_by_key(|((s, e, _), _)| e - s)
                })
            } else if by_first_word && !self.may_stand_at(bytes, i) {
                None
            } else {
                self.anchored_at(text, lower, i)
            };
            let Some(((s, e, entry), pat)) = best else {
                i += step;
                continue;
            };
            cands.push((s, e, entry));
            i = e;
            prev_alnum = lower[..e]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            // Names inside a longer name ("NMDA receptor" in "NMDA receptor antagonist").
            if precomputed_inside {
                // Only a name of several words has names inside (see `inside_of`); the text
                // just matched tells so without a look-up in the large table.
                let several_words = bytes[s..e].iter().any(|&b| b == b' ' || b == b'-');
                if let Some(inside) = several_words.then(|| self.inside[pat].as_ref()).flatten() {
                    self.push_inside(text, s, e, inside, cands);
                }
            } else if lower[s..e].contains([' ', '-']) {
                for n in self.inner.find_overlapping_iter(&lower[s..e]) {
                    let (ns, ne) = (s + n.start(), s + n.end());
                    if (ns, ne) == (s, e) {
                        continue;
                    }
                    let pat = self.lower_ids[n.pattern().as_usize()];
                    if let Some(hit) = self.accept(text, ns, ne, pat) {
                        cands.push(hit);
                    }
                }
                // Abbreviations inside ("CYP3A4" in "CYP3A4 inhibitors"), at word starts.
                let mut j = s;
                while j < e {
                    let at_start = j == s
                        || !lower[..j]
                            .chars()
                            .next_back()
                            .is_some_and(char::is_alphanumeric);
                    if at_start {
                        cands.extend(self.exact_within(text, j, e));
                    }
                    j += lower[j..].chars().next().map_or(1, char::len_utf8);
                }
            }
        }
        select(cands, &mut scratch.chosen, &mut scratch.nested);
        self.split_conjunctions(lower, &mut scratch.chosen);
    }

    /// The longest name that an anchored search of the automata finds at `i` and that
    /// stands as whole words there, as ((start, end, entry), index in `patterns`).
    fn anchored_at(
        &self,
        text: &str,
        lower: &str,
        i: usize,
    ) -> Option<((usize, usize, usize), usize)> {
        let in_exact = self.exact_starts.may_start(text.as_bytes(), i);
        let in_lower = self.starts.may_start(lower.as_bytes(), i);
        let anchored = |ac: &AhoCorasick, hay: &str| {
            ac.find(Input::new(hay).anchored(Anchored::Yes).span(i..hay.len()))
        };
        [
            in_exact
                .then(|| anchored(&self.exact, text))
                .flatten()
                .map(|m| (m, &self.exact_ids)),
            in_lower
                .then(|| anchored(self.matcher(), lower))
                .flatten()
                .map(|m| (m, &self.lower_ids)),
        ]
        .into_iter()
        .flatten()
        .filter_map(|(m, ids)| {
            let pat = ids[m.pattern().as_usize()];
            self.accept(text, m.start(), m.end(), pat)
                .map(|hit| (hit, pat))
        })
        .max_by_key(|((s, e, _), _)| e - s)
    }

    /// Adds the names inside the match `s..e` that stand as whole words, from what the
    /// lexicon found inside the name when it was built.
    fn push_inside(
        &self,
        text: &str,
        s: usize,
        e: usize,
        inside: &Inside,
        cands: &mut Vec<(usize, usize, usize)>,
    ) {
        for &(ns, ne, pat) in inside.names.iter() {
            let (ns, ne) = (s + ns as usize, s + ne as usize);
            if let Some(hit) = self.accept(text, ns, ne, pat as usize) {
                cands.push(hit);
            }
        }
        // Abbreviations inside ("CYP3A4" in "CYP3A4 inhibitors"), where case decides.
        for &j in inside.exact_starts.iter() {
            cands.extend(self.exact_within(text, s + j as usize, e));
        }
    }

    /// The longest case-sensitive name at `j` that ends by `e` and stands as whole words.
    fn exact_within(&self, text: &str, j: usize, e: usize) -> Option<(usize, usize, usize)> {
        let m = self
            .exact
            .find(Input::new(text).anchored(Anchored::Yes).span(j..e))?;
        let pat = self.exact_ids[m.pattern().as_usize()];
        self.accept(text, m.start(), m.end(), pat)
    }

    /// A name that joins two names the lexicon knows ("nausea and vomiting") is read as the
    /// two of them, as a list would be.
    fn split_conjunctions(&self, lower: &str, hits: &mut Vec<Hit>) {
        let mut extra = Vec::new();
        hits.retain(|h| {
            if h.nested || !self.joins_two.get(h.entry).copied().unwrap_or(true) {
                return true;
            }
            let t = &lower[h.start..h.end];
            let Some(p) = t.find(" and ") else {
                return true;
            };
            let (a, b) = (&t[..p], &t[p + 5..]);
            match (self.lookup(a), self.lookup(b)) {
                (Some(x), Some(y)) => {
                    extra.push(Hit {
                        start: h.start,
                        end: h.start + p,
                        entry: x,
                        nested: false,
                    });
                    extra.push(Hit {
                        start: h.start + p + 5,
                        end: h.end,
                        entry: y,
                        nested: false,
                    });
                    false
                }
                _ => true,
            }
        });
        if !extra.is_empty() {
            hits.retain(|h| {
                !(h.nested && extra.iter().any(|e| e.start <= h.start && h.end <= e.end))
            });
            hits.extend(extra);
            hits.sort_by_key(|h| (h.start, h.nested, h.end));
        }
    }
}

/// What lies inside the lower-cased name `name` (see [`Inside`]); `None` for a name of one
/// word, inside which [`Lexicon::find`] does not look.
fn inside_of(
    name: &str,
    inner: &AhoCorasick,
    lower_ids: &[usize],
    folded_exact: &AhoCorasick,
) -> Option<Box<Inside>> {
    if !name.contains([' ', '-']) {
        return None;
    }
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    let names = inner
        .find_overlapping_iter(name)
        .filter(|m| (m.start(), m.end()) != (0, name.len()))
        .map(|m| {
            let pat = lower_ids[m.pattern().as_usize()];
            (index(m.start()), index(m.end()), index(pat))
        })
        .collect();
    let mut opens: Vec<usize> = folded_exact
        .find_overlapping_iter(name)
        .map(|m| m.start())
        .filter(|&j| {
            j == 0
                || !name[..j]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
        })
        .collect();
    opens.sort_unstable();
    opens.dedup();
    Some(Box::new(Inside {
        names,
        exact_starts: opens.into_iter().map(index).collect(),
    }))
}

/// The texts of the patterns that are case-sensitive (`cs`) or not, in order.
fn of_case(patterns: &[(usize, String, bool)], cs: bool) -> impl Iterator<Item = &str> {
    patterns
        .iter()
        .filter(move |(_, _, c)| *c == cs)
        .map(|(_, p, _)| p.as_str())
}

/// An automaton that finds nothing, for patterns the builder refuses.
fn empty_automaton() -> AhoCorasick {
    AhoCorasick::new(std::iter::empty::<&str>()).expect("an empty matcher builds")
}

/// The longest of `patterns` that opens where an anchored search starts. Names are looked for
/// only where a word starts: anchored searches walk a few bytes of the trie instead of
/// scanning every byte.
fn anchored_automaton<'a>(patterns: impl IntoIterator<Item = &'a str>) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .prefilter(false)
        .start_kind(StartKind::Anchored)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(patterns)
        .unwrap_or_else(|_| empty_automaton())
}

/// Picks the longest non-overlapping matches and keeps what lies inside them as nested.
fn select(cands: &mut [(usize, usize, usize)], chosen: &mut Vec<Hit>, nested: &mut Vec<Hit>) {
    cands.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
    chosen.clear();
    nested.clear();
    for &(s, e, entry) in cands.iter() {
        let overlap = chosen.iter().find(|h| s < h.end && h.start < e);
        match overlap {
            None => chosen.push(Hit {
                start: s,
                end: e,
                entry,
                nested: false,
            }),
            Some(h) if h.start <= s && e <= h.end && h.entry != entry => {
                if !nested.iter().any(|n| n.entry == entry && n.start == s) {
                    nested.push(Hit {
                        start: s,
                        end: e,
                        entry,
                        nested: true,
                    })
                }
            }
            Some(_) => {}
        }
    }
    chosen.append(nested);
    chosen.sort_by_key(|h| (h.start, h.nested, h.end));
}

/// Whether the word ends at byte `e` of `text`: what [`whole_word`] checks after a name that
/// starts at a word start with an ASCII letter or digit.
#[inline]
fn ends_word(text: &str, e: usize) -> bool {
    match text.as_bytes().get(e) {
        None => true,
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        // Letters of scripts without spaces (Chinese) do not continue a word.
        _ => !text[e..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() && c <= '\u{2E80}'),
    }
}

/// True when `text[s..e]` is not part of a longer word. Names in scripts without spaces
/// (Chinese) match anywhere.
pub fn whole_word(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].chars().next_back();
    let after = text[e..].chars().next();
    let first = text[s..].chars().next();
    let cjk = |c: char| c > '\u{2E80}';
    if first.is_some_and(cjk) {
        return true;
    }
    !before.is_some_and(|c| c.is_alphanumeric() && !cjk(c))
        && !after.is_some_and(|c| c.is_alphanumeric() && !cjk(c))
}

/// Abbreviations a document defines: "long form (ABBR)" where the long form is a mention.
/// Returns (abbreviation, entry) pairs, in order of definition.
pub fn learn_abbreviations(text: &str, hits: &[Hit]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for h in hits.iter().filter(|h| !h.nested) {
        let rest = &text[h.end..];
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        let Some(inner) = rest.strip_prefix('(') else {
            continue;
        };
        let Some(close) = inner.find(')') else {
            continue;
        };
        let abbr = &inner[..close];
        let ok = (2..=10).contains(&abbr.len())
            && abbr.chars().any(|c| c.is_ascii_uppercase())
            && abbr.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && abbr.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if ok && !out.iter().any(|(a, _)| a == abbr) {
            out.push((abbr.to_string(), h.entry));
        }
    }
    out
}

/// Mentions of learned abbreviations (case-sensitive, whole words) that no lexicon mention
/// already covers.
pub fn find_abbreviations(text: &str, learned: &[(String, usize)], hits: &[Hit]) -> Vec<Hit> {
    let mut out = Vec::new();
    for (abbr, entry) in learned {
        for (s, _) in text.match_indices(abbr.as_str()) {
            let e = s + abbr.len();
            if !whole_word(text, s, e) {
                continue;
            }
            if hits.iter().any(|h| s < h.end && h.start < e && !h.nested) {
                continue;
            }
            out.push(Hit {
                start: s,
                end: e,
                entry: *entry,
                nested: false,
            });
        }
    }
    out
}

/// How many ASCII letters and digits run from `bytes[i]`.
fn ascii_word_len(bytes: &[u8], i: usize) -> usize {
    super::ascii::alnum_run(bytes, i)
}

/// The length of the UTF-8 sequence that starts with byte `b` (1 for a stray byte).
fn utf8_width(b: u8) -> usize {
    match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(label: &str, name: &str, aliases: &[&str]) -> Entry {
        Entry {
            name: name.to_string(),
            label: label.to_string(),
            xref: None,
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn lexicon() -> Lexicon {
        Lexicon::from_entries(vec![
            entry("Neurotransmitter", "dopamine", &["DA"]),
            entry("Transporter", "dopamine transporter", &["DAT"]),
            entry("Receptor", "NMDA receptor", &["NMDAR"]),
            entry("DrugClass", "NMDA receptor antagonist", &[]),
            entry(
                "Receptor",
                "mu opioid receptor",
                &["MOR", "μ-opioid receptor"],
            ),
            entry("Receptor", "5-HT2A receptor", &[]),
            entry("Neurotransmitter", "β-endorphin", &[]),
            entry("Enzyme", "CYP3A4", &[]),
            entry("Drug", "(S)-ketamine", &["esketamine"]),
            entry("Drug", "氯胺酮", &[]),
            entry("Symptom", "nausea and vomiting", &[]),
            entry("Symptom", "nausea", &[]),
            entry("DrugClass", "CYP3A4 inhibitor", &[]),
            entry("DrugClass", "DAT blocker", &["dat-blocker"]),
        ])
    }

    proptest! {
        #[test]
        fn first_word_filter_changes_nothing(
            words in prop::collection::vec(
                prop::sample::select(vec![
                    "dopamine", "dopaminergic", "Dopamine", "DA", "DAT", "data", "transporter",
                    "NMDA", "nmda", "receptor", "receptors", "antagonist", "mu", "opioid", "μ-opioid",
                    "5-HT2A", "5", "HT2A", "β-endorphin", "β", "endorphin", "CYP3A4", "CYP3A4s",
                    "(S)-ketamine", "(", ")", "S", "ketamine", "esketamine", "氯胺酮", "氯", "é",
                    "nausea", "and", "vomiting", "-", ".", ",", "MOR", "MORe", "inhibitor",
                    "Inhibitor", "blocker", "dat-blocker", "DAT-blocker", "Dat",
                ]),
                0..14,
            ),
            seps in prop::collection::vec(prop::sample::select(vec![" ", "", "-", ". ", "\n"]), 14),
        ) {
            let mut text = String::new();
            for (w, sep) in words.iter().zip(&seps) {
                text.push_str(w);
                text.push_str(sep);
            }
            let lex = lexicon();
            let lower = text.to_ascii_lowercase();
            prop_assert_eq!(lex.find_with(&text, &lower, true), lex.find_with(&text, &lower, false));
        }
    }

    #[test]
    fn a_name_joining_two_known_names_is_read_as_both() {
        let lex = Lexicon::from_entries(vec![
            entry("Symptom", "nausea and vomiting", &["N and V"]),
            entry("Symptom", "nausea", &[]),
            entry("Symptom", "vomiting", &["V"]),
            entry("Symptom", "drowsiness", &[]),
        ]);
        let names = |text: &str| -> Vec<String> {
            lex.find(text, &text.to_ascii_lowercase())
                .iter()
                .filter(|h| !h.nested)
                .map(|h| format!("{}={}", &text[h.start..h.end], lex.entries()[h.entry].name))
                .collect()
        };
        assert_eq!(
            names("Opioids cause Nausea and Vomiting, and drowsiness."),
            [
                "Nausea=nausea",
                "Vomiting=vomiting",
                "drowsiness=drowsiness"
            ]
        );
        // Joined by an alias whose first half the lexicon does not know: kept whole.
        assert_eq!(
            names("Opioids cause N and V."),
            ["N and V=nausea and vomiting"]
        );
    }

    #[test]
    fn the_large_automaton_is_built_only_where_the_first_words_cannot_decide() {
        let lex = lexicon();
        let plain = "NMDA receptor antagonists (such as ketamine) block dopamine transporters.";
        let found = lex.find(plain, &plain.to_ascii_lowercase());
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(lex.matcher.get().is_none(), "plain words need no automaton");
        let other_script = "Exercise releases β-endorphin.";
        let found = lex.find(other_script, &other_script.to_ascii_lowercase());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            lex.matcher.get().is_some(),
            "a word of another script needs it"
        );
    }

    #[test]
    fn first_word_filter_keeps_names_and_their_nested_names() {
        let lex = lexicon();
        let text = "An NMDA receptor antagonist and DAT; β-endorphin, dopaminergic 氯胺酮.";
        let hits = lex.find(text, &text.to_ascii_lowercase());
        let found: Vec<&str> = hits.iter().map(|h| &text[h.start..h.end]).collect();
        assert_eq!(
            found,
            [
                "NMDA receptor antagonist",
                "NMDA receptor",
                "DAT",
                "β-endorphin",
                "氯胺酮"
            ]
        );
        assert_eq!(hits, lex.find_with(text, &text.to_ascii_lowercase(), false));
    }
}
