//! Fixed lists of lower-case phrases, found word by word. A text is read one word at a time,
//! and each word selects by a table look-up the few phrases that can open with it; the text
//! between words is only looked at for the phrases that have no word of their own ("; ").
//!
//! A phrase is found where its first word is a whole word of the text: "not" is found in
//! "do not", never inside "cannot" or "nothing". Whether the rest of the phrase ends where a word
//! does is for the caller to check, since some lists want whole words and others a prefix.

use super::ascii::alnum_run;
use super::lexicon::short_key;
use rustc_hash::FxHashMap;

/// A fixed list of lower-case phrases, each carrying a value of type `T`.
pub struct Phrases<T> {
    /// The phrases that hold a word, by that word (packed by [`short_key`]), as ranges of
    /// `phrases`.
    by_word: FxHashMap<u128, (u32, u32)>,
    /// The phrases that hold a word, grouped by it.
    phrases: Vec<Phrase<T>>,
    /// Phrases made of marks and spaces only, such as "; ".
    marks_only: Vec<Phrase<T>>,
    /// What each byte is to the word walk: [`WORD`], [`MARK`], [`NON_ASCII`] or [`OTHER`].
    class: [u8; 256],
    /// For the first two bytes of a word (five low bits of each), the lengths of the first
    /// words that open with them, one bit per length: most words of a text open no phrase and
    /// are ruled out here, without a hash.
    openings: Box<[u16; 1024]>,
}

/// An ASCII letter or digit.
const WORD: u8 = 1;
/// An ASCII byte that opens a phrase of marks ("; ").
const MARK: u8 = 2;
/// A byte of a character outside ASCII.
const NON_ASCII: u8 = 3;
/// Any other byte.
const OTHER: u8 = 0;

/// Where a word's length is kept in [`Phrases::openings`].
#[inline]
fn opening(word: &[u8]) -> Option<(usize, u16)> {
    let (&a, rest) = word.split_first()?;
    let b = rest.first().copied().unwrap_or(0);
    let len = u32::try_from(word.len()).ok().filter(|&n| n < 16)?;
    Some((usize::from(a & 31) << 5 | usize::from(b & 31), 1 << len))
}

struct Phrase<T> {
    text: &'static [u8],
    /// How many bytes (spaces and marks) come before its first word: one for " that ".
    lead: usize,
    what: T,
}

/// How many bytes before the first ASCII letter or digit, and how many letters and digits run
/// from there.
fn first_word(text: &[u8]) -> (usize, usize) {
    let lead = text
        .iter()
        .take_while(|b| !b.is_ascii_alphanumeric())
        .count();
    let len = text[lead..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    (lead, len)
}

impl<T: Copy> Phrases<T> {
    /// Indexes `phrases` (lower-case ASCII) by their first word. A phrase whose first word is
    /// longer than 15 bytes cannot be indexed and is left out; [`Phrases::unindexed`] names
    /// such phrases, for a test to keep the lists clear of them.
    pub fn new(phrases: impl IntoIterator<Item = (&'static str, T)>) -> Phrases<T> {
        let mut groups: FxHashMap<u128, Vec<Phrase<T>>> = FxHashMap::default();
        let mut order = Vec::new();
        let mut marks_only = Vec::new();
        let mut class = [OTHER; 256];
        for (b, c) in class.iter_mut().enumerate() {
            if b >= 128 {
                *c = NON_ASCII;
            } else if (b as u8).is_ascii_alphanumeric() {
                *c = WORD;
            }
        }
        let mut openings = Box::new([0u16; 1024]);
        for (text, what) in phrases {
            let text = text.as_bytes();
            let (lead, len) = first_word(text);
            let phrase = Phrase { text, lead, what };
            if len == 0 {
                if let Some(&b) = text.first().filter(|b| b.is_ascii()) {
                    class[usize::from(b)] = MARK;
                    marks_only.push(phrase);
                }
                continue;
            }
            let word = &text[lead..lead + len];
            let (Some(key), Some((at, bit))) = (short_key(word), opening(word)) else {
                continue;
            };
            openings[at] |= bit;
            groups
                .entry(key)
                .or_insert_with(|| {
                    order.push(key);
                    Vec::new()
                })
                .push(phrase);
        }
        let mut by_word = FxHashMap::default();
        let mut phrases = Vec::new();
        let index = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        for key in order {
            let from = index(phrases.len());
            phrases.extend(groups.remove(&key).unwrap_or_default());
            by_word.insert(key, (from, index(phrases.len())));
        }
        Phrases {
            by_word,
            phrases,
            marks_only,
            class,
            openings,
        }
    }

    /// The phrases of `list` that [`Phrases::new`] cannot index.
    pub fn unindexed<'a>(list: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        list.into_iter()
            .filter(|p| {
                let (lead, len) = first_word(p.as_bytes());
                len > 0 && short_key(&p.as_bytes()[lead..lead + len]).is_none()
            })
            .collect()
    }

    /// Calls `found(start, end, value)` for every occurrence of a phrase inside
    /// `lower[start..end]` whose first word is a whole word there (letters and digits of any
    /// script make words; the text before `start` does not count), in order of where its first
    /// word starts.
    pub fn scan(
        &self,
        lower: &str,
        start: usize,
        end: usize,
        mut found: impl FnMut(usize, usize, T),
    ) {
        let bytes = &lower.as_bytes()[..end];
        let mut i = start;
        let mut prev_alnum = false;
        while i < end {
            match self.class[usize::from(bytes[i])] {
                WORD => {
                    // Word bytes are exactly the ASCII letters and digits.
                    let j = i + 1 + alnum_run(bytes, i + 1);
                    // A letter of another script after the run continues the word.
                    let whole = j == end
                        || self.class[usize::from(bytes[j])] != NON_ASCII
                        || !lower[j..].chars().next().is_some_and(char::is_alphanumeric);
                    if !prev_alnum && whole {
                        self.at_word(bytes, start, i, j, &mut found);
                    }
                    prev_alnum = true;
                    i = j;
                }
                OTHER => {
                    prev_alnum = false;
                    i += 1;
                }
                MARK => {
                    for p in &self.marks_only {
                        if bytes[i..].starts_with(p.text) {
                            found(i, i + p.text.len(), p.what);
                        }
                    }
                    prev_alnum = false;
                    i += 1;
                }
                _ => {
                    let c = lower[i..].chars().next().unwrap_or(' ');
                    prev_alnum = c.is_alphanumeric();
                    i += c.len_utf8();
                }
            }
        }
    }

    /// Reports the phrases whose first word is the word `bytes[i..j]`.
    #[inline]
    fn at_word(
        &self,
        bytes: &[u8],
        start: usize,
        i: usize,
        j: usize,
        found: &mut impl FnMut(usize, usize, T),
    ) {
        let word = &bytes[i..j];
        let Some((at, bit)) = opening(word) else {
            return;
        };
        if self.openings[at] & bit == 0 {
            return;
        }
        let Some(&(from, to)) = short_key(word).and_then(|k| self.by_word.get(&k)) else {
            return;
        };
        for p in &self.phrases[from as usize..to as usize] {
            if i - start < p.lead {
                continue;
            }
            let s = i - p.lead;
            if bytes[s..].starts_with(p.text) {
                found(s, s + p.text.len(), p.what);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIST: &[&str] = &[
        "not",
        "do not",
        "no evidence",
        " that ",
        "; ",
        ", and it ",
        "n",
    ];

    /// Every occurrence whose first word is a whole word of the text, read position by
    /// position.
    fn reference(text: &str) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let alnum_before = |i: usize| {
            text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        };
        let alnum_at = |i: usize| text[i..].chars().next().is_some_and(char::is_alphanumeric);
        for (i, _) in text.char_indices() {
            for (k, p) in LIST.iter().enumerate() {
                let (lead, len) = first_word(p.as_bytes());
                if !text[i..].starts_with(p) {
                    continue;
                }
                let (from, to) = (i + lead, i + lead + len);
                if len == 0 || !(alnum_before(from) || alnum_at(to)) {
                    out.push((i, i + p.len(), k));
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_phrases_at_word_starts_only() {
        let phrases = Phrases::new(LIST.iter().enumerate().map(|(k, p)| (*p, k)));
        let text = "we do not know; cannot say that it, and it was no evidence";
        let mut got = Vec::new();
        phrases.scan(text, 0, text.len(), |s, e, _| got.push(&text[s..e]));
        assert_eq!(
            got,
            ["do not", "not", "; ", " that ", ", and it ", "no evidence"]
        );
    }

    proptest! {
        /// The word-by-word reading finds what a reading at every position finds.
        #[test]
        fn word_reading_equals_reading_every_position(
            words in prop::collection::vec(
                prop::sample::select(vec![
                    "not", "do", "cannot", "no", "evidence", "that", "it", "and", ";", ",", "n",
                    "é", "ßnot", "x", "knot", "évidence", "noté", "nothing",
                ]),
                0..14,
            ),
            glue in prop::collection::vec(prop::sample::select(vec![" ", "", ", ", "; "]), 14),
        ) {
            let mut text = String::new();
            for (w, g) in words.iter().zip(&glue) {
                text.push_str(w);
                text.push_str(g);
            }
            let phrases = Phrases::new(LIST.iter().enumerate().map(|(k, p)| (*p, k)));
            let mut got = Vec::new();
            phrases.scan(&text, 0, text.len(), |s, e, k| got.push((s, e, k)));
            got.sort_unstable();
            prop_assert_eq!(got, reference(&text));
        }
    }
}
