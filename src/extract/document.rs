//! Documents: reading .txt, .md, .html and PubTator text, leaving out web chrome, and splitting
//! what remains into blocks (headings, bullets, paragraphs) and sentences.

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa::DFA, AhoCorasick, Anchored};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// What kind of line a block is; lists under headings depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A title or heading ("# Side effects", "Short-term effects include:").
    Heading,
    /// An item of a bulleted or numbered list.
    Bullet,
    /// Running text.
    Paragraph,
}

/// How much of a block or sentence may be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chrome {
    /// Content: entities and facts are read from it.
    Content,
    /// Marketing or reader-directed copy: entities are counted, no fact is read from it.
    Marketing,
    /// Navigation, portal boilerplate, markup, foreign text: nothing is read from it.
    Boilerplate,
}

/// A line (or hard-wrapped paragraph) of a document, by byte span.
#[derive(Debug, Clone)]
pub struct Block {
    /// Byte offset of the block's text (after any bullet or heading marker).
    pub start: usize,
    /// Byte offset just past the block's text.
    pub end: usize,
    /// Heading, bullet or paragraph.
    pub kind: BlockKind,
    /// Whether the block is content.
    pub chrome: Chrome,
}

/// A sentence, by byte span in the document.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// Byte offset of the sentence's first character.
    pub start: usize,
    /// Byte offset just past the sentence's last character.
    pub end: usize,
    /// Index of the block the sentence belongs to.
    pub block: usize,
    /// Whether facts may be read from the sentence.
    pub chrome: Chrome,
}

/// An entity mention that the input itself annotates (PubTator).
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// Byte offset of the mention in the document text.
    pub start: usize,
    /// Byte offset just past the mention.
    pub end: usize,
    /// The annotation's type, e.g. `Chemical` or `Disease`.
    pub kind: String,
    /// The identifier, e.g. `D007649`, `D1|D2` or `-1`.
    pub id: String,
}

/// A document ready for extraction.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document's name in evidence: its file name, or the PubMed id.
    pub name: String,
    /// The text, as read (HTML with its tags stripped).
    pub text: String,
    /// `text` with its ASCII letters lower-cased, at the same byte offsets: every stage that
    /// matches words reads this one copy.
    pub lower: String,
    /// Lines and paragraphs.
    pub blocks: Vec<Block>,
    /// Sentences in document order.
    pub sentences: Vec<Sentence>,
    /// Mentions given by the input (PubTator); empty for plain text.
    pub annotations: Vec<Annotation>,
}

/// Recognises PubTator text by its content: the first non-blank line is `PMID|t|title`.
pub fn is_pubtator(text: &str) -> bool {
    let Some(first) = text.lines().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    match first.split_once("|t|") {
        Some((pmid, _)) => !pmid.is_empty() && pmid.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

/// Recognises HTML by its file name or its content.
pub fn is_html(name: &str, text: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".html") || lower.ends_with(".htm") {
        return true;
    }
    // Only the first 512 characters are looked at. Both tags are ASCII, so a tag that matches
    // takes one character a byte: what counts is how many characters the leading white space
    // leaves for it.
    let mut room = 512usize;
    let mut rest = text;
    while let Some(c) = rest.chars().next().filter(|c| c.is_whitespace()) {
        if room == 0 {
            return false;
        }
        room -= 1;
        rest = &rest[c.len_utf8()..];
    }
    let opens = |tag: &[u8]| {
        tag.len() <= room
            && rest
                .as_bytes()
                .get(..tag.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(tag))
    };
    opens(b"<!doctype html") || opens(b"<html")
}

/// Reads one plain-text, Markdown or HTML document.
pub fn parse_text(name: &str, text: &str) -> Document {
    let text = if is_html(name, text) {
        strip_html(text)
    } else {
        text.to_string()
    };
    let lower = text.to_ascii_lowercase();
    // The words that can make a sentence marketing are found while the blocks are classified,
    // so the sentences of a block are judged without walking its words again.
    let mut marks = Vec::new();
    let blocks = blocks_marked(&text, &lower, &mut marks);
    let mut sentences = Vec::with_capacity(2 * blocks.len());
    let mut first = 0;
    for (bi, b) in blocks.iter().enumerate() {
        // Blocks and marks are both in text order.
        let held = marks[first..].partition_point(|m| m.start < b.end);
        let block_marks = &marks[first..first + held];
        first += held;
        block_sentences(&mut sentences, &text, &lower, b, bi, block_marks);
    }
    Document {
        name: name.to_string(),
        text,
        lower,
        blocks,
        sentences,
        annotations: Vec::new(),
    }
}

/// A problem in a PubTator file, by line.
#[derive(Debug, Clone, PartialEq)]
pub struct PubTatorIssue {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// Reads a PubTator file into its documents (title + ' ' + abstract, with the annotated
/// mentions), skipping malformed lines and reporting them.
pub fn parse_pubtator(text: &str) -> (Vec<Document>, Vec<PubTatorIssue>) {
    struct Pending {
        pmid: String,
        title: String,
        abstract_: String,
        raw: Vec<(usize, usize, String, String, usize)>,
    }
    fn finish(p: Pending, docs: &mut Vec<Document>, issues: &mut Vec<PubTatorIssue>) {
        let text = if p.abstract_.is_empty() {
            p.title.clone()
        } else {
            format!("{} {}", p.title, p.abstract_)
        };
        // PubTator offsets count characters; the store keeps byte offsets.
        let char_to_byte: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(text.len()))
            .collect();
        let mut annotations = Vec::new();
        for (s, e, kind, id, line) in p.raw {
            match (char_to_byte.get(s), char_to_byte.get(e)) {
                (Some(&bs), Some(&be)) if bs < be => annotations.push(Annotation {
                    start: bs,
                    end: be,
                    kind,
                    id,
                }),
                _ => issues.push(PubTatorIssue {
                    line,
                    message: format!("mention offsets {s}-{e} fall outside the text"),
                }),
            }
        }
        annotations.sort_by_key(|a| (a.start, a.end));
        let title_len = p.title.len();
        let mut blocks = vec![Block {
            start: 0,
            end: title_len,
            kind: BlockKind::Heading,
            chrome: Chrome::Content,
        }];
        if !p.abstract_.is_empty() {
            blocks.push(Block {
                start: title_len + 1,
                end: text.len(),
                kind: BlockKind::Paragraph,
                chrome: Chrome::Content,
            });
        }
        let lower = text.to_ascii_lowercase();
        let sentences = split_sentences(&text, &lower, &blocks);
        docs.push(Document {
            name: p.pmid,
            text,
            lower,
            blocks,
            sentences,
            annotations,
        });
    }

    let mut docs = Vec::new();
    let mut issues = Vec::new();
    let mut cur: Option<Pending> = None;
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if let Some(p) = cur.take() {
                finish(p, &mut docs, &mut issues);
            }
            continue;
        }
        if let Some((pmid, rest)) = line.split_once('|') {
            if !pmid.contains('\t') && pmid.bytes().all(|b| b.is_ascii_digit()) {
                if let Some(title) = rest.strip_prefix("t|") {
                    if let Some(p) = cur.take() {
                        finish(p, &mut docs, &mut issues);
                    }
                    cur = Some(Pending {
                        pmid: pmid.to_string(),
                        title: title.to_string(),
                        abstract_: String::new(),
                        raw: Vec::new(),
                    });
                    continue;
                }
                if let Some(abs) = rest.strip_prefix("a|") {
                    match cur.as_mut() {
                        Some(p) if p.pmid == pmid => p.abstract_ = abs.to_string(),
                        _ => issues.push(PubTatorIssue {
                            line: lineno,
                            message: "abstract line without its title line".into(),
                        }),
                    }
                    continue;
                }
            }
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let Some(p) = cur.as_mut() else {
            issues.push(PubTatorIssue {
                line: lineno,
                message: "line outside any document".into(),
            });
            continue;
        };
        if cols.len() >= 5 && cols[0] == p.pmid {
            match (cols[1].parse::<usize>(), cols[2].parse::<usize>()) {
                (Ok(s), Ok(e)) => {
                    let id = cols.get(5).copied().unwrap_or("-1").trim().to_string();
                    p.raw.push((s, e, cols[4].trim().to_string(), id, lineno));
                }
                _ => issues.push(PubTatorIssue {
                    line: lineno,
                    message: "mention offsets are not numbers".into(),
                }),
            }
        } else if cols.len() == 4 && cols[0] == p.pmid {
            // A relation line (e.g. CID): gold, not input; extraction ignores it.
        } else {
            issues.push(PubTatorIssue {
                line: lineno,
                message: "unrecognised line".into(),
            });
        }
    }
    if let Some(p) = cur.take() {
        finish(p, &mut docs, &mut issues);
    }
    (docs, issues)
}

/// Replaces markup with plain text: scripts and styles go, block tags become line breaks,
/// list items become bullets, headings keep a `#`, entities are decoded.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < html.len() {
        if bytes[i] == b'<' {
            let Some(close) = html[i..].find('>').map(|p| i + p) else {
                break;
            };
            let tag = &lower[i + 1..close];
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let closing = tag.starts_with('/');
            if !closing && (name == "script" || name == "style") {
                let end_tag = format!("</{name}");
                i = match lower[close..].find(&end_tag) {
                    Some(p) => lower[close + p..]
                        .find('>')
                        .map_or(html.len(), |q| close + p + q + 1),
                    None => html.len(),
                };
                continue;
            }
            if tag.starts_with("!--") {
                i = lower[i..].find("-->").map_or(html.len(), |p| i + p + 3);
                continue;
            }
            match name.as_str() {
                "li" if !closing => out.push_str("\n- "),
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" if !closing => out.push_str("\n# "),
                "p" | "div" | "br" | "li" | "ul" | "ol" | "tr" | "table" | "section"
                | "article" | "header" | "footer" | "nav" | "h1" | "h2" | "h3" | "h4" | "h5"
                | "h6" | "blockquote" | "title" => out.push('\n'),
                "td" | "th" => out.push(' '),
                _ => {}
            }
            i = close + 1;
        } else if bytes[i] == b'&' {
            let rest = &html[i..];
            let end = rest.find(';').filter(|&p| p <= 10);
            let decoded = end.and_then(|p| decode_entity(&rest[1..p]).map(|c| (c, p + 1)));
            match decoded {
                Some((c, len)) => {
                    out.push(c);
                    i += len;
                }
                None => {
                    out.push('&');
                    i += 1;
                }
            }
        } else {
            let next = html[i..].find(['<', '&']).map_or(html.len(), |p| i + p);
            out.push_str(&html[i..next]);
            i = next;
        }
    }
    out
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "ndash" => Some('–'),
        "mdash" => Some('—'),
        "rsquo" | "lsquo" => Some('\''),
        "rdquo" | "ldquo" => Some('"'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

const BULLETS: [char; 5] = ['-', '*', '•', '·', '–'];

/// Splits text into blocks: one per line, hard-wrapped paragraph lines joined, each classified
/// as heading, bullet or paragraph and as content, marketing or boilerplate. `lower` is
/// `text.to_ascii_lowercase()`.
pub fn split_blocks(text: &str, lower: &str) -> Vec<Block> {
    blocks_marked(text, lower, &mut Vec::new())
}

/// [`split_blocks`], also adding to `marks` the marks of every content block, in text order.
fn blocks_marked(text: &str, lower: &str, marks: &mut Vec<Mark>) -> Vec<Block> {
    // Room for lines of 128 bytes: most documents never grow the list.
    let mut blocks: Vec<Block> = Vec::with_capacity(text.len() / 128 + 4);
    let mut marker = Marker {
        lower,
        phrase_end: 0,
    };
    let mut offset = 0;
    // Lines with their line breaks, as `split_inclusive('\n')` gives them.
    while offset < text.len() {
        let line_start = offset;
        offset = find_ascii(text.as_bytes(), offset, [b'\n']).map_or(text.len(), |p| p + 1);
        let raw = &text[line_start..offset];
        let line = raw.trim_end_matches(['\n', '\r']);
        let lead = line.len() - line.trim_start().len();
        let body = line.trim();
        if body.is_empty() {
            continue;
        }
        let mut start = line_start + lead;
        let end = start + body.len();
        let mut kind = BlockKind::Paragraph;
        let mut content = body;
        if let Some(rest) = body.strip_prefix('#') {
            kind = BlockKind::Heading;
            let rest2 = rest.trim_start_matches('#').trim_start();
            start = end - rest2.len();
            content = rest2;
        } else if let Some(first) = body.chars().next() {
            let after = &body[first.len_utf8()..];
            if BULLETS.contains(&first) && after.starts_with(' ') {
                kind = BlockKind::Bullet;
                let rest = after.trim_start();
                start = end - rest.len();
                content = rest;
            } else if let Some(rest) = numbered_item(body) {
                kind = BlockKind::Bullet;
                start = end - rest.len();
                content = rest;
            }
        }
        if content.is_empty() {
            continue;
        }
        // A hard-wrapped paragraph continues when the previous line did not end a sentence and
        // this line starts in lower case.
        if kind == BlockKind::Paragraph {
            if let Some(prev) = blocks.last_mut() {
                let prev_text = &text[prev.start..prev.end];
                let continues = prev.end + 2 >= line_start
                    && prev.kind != BlockKind::Heading
                    && !prev_text.ends_with(['.', '!', '?', ':'])
                    && content.starts_with(|c: char| c.is_lowercase());
                if continues {
                    prev.end = end;
                    continue;
                }
            }
        }
        if kind == BlockKind::Paragraph && looks_like_heading(content) {
            kind = BlockKind::Heading;
        }
        blocks.push(Block {
            start,
            end,
            kind,
            chrome: Chrome::Content,
        });
    }
    for b in &mut blocks {
        b.chrome = classify_marked(&text[b.start..b.end], b.start, &mut marker, marks);
    }
    blocks
}

fn numbered_item(body: &str) -> Option<&str> {
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &body[digits..];
    let rest = rest.strip_prefix(['.', ')'])?;
    if !rest.starts_with(' ') {
        return None;
    }
    let rest = rest.trim_start();
    // "3. Effects of X" is a numbered heading more often than a list item; both introduce text.
    Some(rest)
}

fn looks_like_heading(content: &str) -> bool {
    if content.ends_with(':') {
        return true;
    }
    // Most paragraphs end with a full stop: their words are not counted. Counting stops at the
    // thirteenth word: a long paragraph is not walked to its end.
    !content.ends_with(['.', '!', ';', ','])
        && content.split_whitespace().take(13).count() <= 12
        && !content.contains(". ")
}

const ENGLISH_STOP: [&str; 20] = [
    "the", "of", "and", "to", "in", "is", "that", "for", "with", "as", "by", "are", "on", "it",
    "this", "be", "from", "can", "or", "an",
];
const FOREIGN_STOP: [&str; 36] = [
    "il", "di", "che", "per", "non", "la", "le", "del", "della", "questo", "sono", "è", "und",
    "der", "die", "das", "ist", "nicht", "mit", "el", "los", "las", "es", "en", "que", "de", "du",
    "des", "et", "est", "pour", "une", "por", "una", "um", "zu",
];
const BOILERPLATE: [&str; 34] = [
    "cookie",
    "log in",
    "login",
    "sign in",
    "sign up",
    "subscribe",
    "newsletter",
    "copyright",
    "all rights reserved",
    "privacy policy",
    "terms and conditions",
    "terms of use",
    "no comments",
    "comments",
    "leave a comment",
    "share this",
    "click here",
    "read more",
    "http://",
    "https://",
    "www.",
    "contact us",
    "call us",
    "disclaimer",
    "doi:",
    "source:",
    "cited by",
    "citation count",
    "download",
    "full text",
    "advertisement",
    "related articles",
    "skip to",
    "menu",
];
const MARKETING: [&str; 24] = [
    "you",
    "your",
    "yourself",
    "we",
    "our",
    "us",
    "reach out",
    "call",
    "today",
    "journey",
    "hope",
    "healing",
    "recovery center",
    "rehab",
    "admissions",
    "campus",
    "free",
    "insurance",
    "shattered",
    "devastating",
    "seductive",
    "countless",
    "start",
    "contact",
];

/// What a word is to the chrome checks, as bits.
const ENGLISH: u8 = 1;
const FOREIGN: u8 = 2;
/// Addressed to the reader ("you", "we").
const READER: u8 = 4;
/// A selling word ("free", "rehab").
const SELLING: u8 = 8;
/// A selling phrase ("reach out"); only a [`Mark`] carries it.
const PHRASE: u8 = 16;

/// A word or phrase of a content block that may make its sentence marketing. A block's words
/// are walked once, when it is classified; its sentences then count the marks they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    /// Byte offset of the word or phrase in the document.
    start: usize,
    /// Byte offset just past it.
    end: usize,
    /// `READER`, `SELLING` or `PHRASE`.
    class: u8,
}

struct ChromeWords {
    /// Boilerplate phrases, walked a byte at a time: the blocks searched are short, and a
    /// plain walk has no set-up per block.
    boilerplate: DFA,
    /// Every listed word with what it is; one look-up per word of the text.
    words: FxHashMap<&'static [u8], u8>,
    /// The listed words of up to 8 bytes, by [`short_key`], in an open-addressed table of
    /// `SHORT_SLOTS` (key 0 is an empty slot): faster than the map for the many short words.
    short: Vec<(u64, u8)>,
    /// For each first byte, the lengths (as bits, below 15) of the listed words that start
    /// with it: most words of a text are told apart from every listed one without a look-up.
    shapes: [u16; 256],
    selling_phrases: AhoCorasick,
    /// Each selling phrase split before its first space. Its head is made of word bytes, so
    /// the phrase occurs exactly where a word ends with the head and the text goes on with
    /// the tail: phrases are found while walking words, without a search of their own.
    phrase_parts: Vec<(&'static [u8], &'static [u8])>,
    /// Whether some phrase head ends with the byte: for most words no phrase is tried.
    phrase_last: [bool; 256],
}

fn chrome_words() -> &'static ChromeWords {
    static W: OnceLock<ChromeWords> = OnceLock::new();
    W.get_or_init(|| {
        let phrases: Vec<&'static str> = MARKETING[6..]
            .iter()
            .copied()
            .filter(|m| m.contains(' '))
            .collect();
        let mut words: FxHashMap<&'static [u8], u8> = FxHashMap::default();
        let lists: [(&[&'static str], u8); 4] = [
            (&ENGLISH_STOP, ENGLISH),
            (&FOREIGN_STOP, FOREIGN),
            (&MARKETING[..6], READER),
            (&MARKETING[6..], SELLING),
        ];
        for (list, bit) in lists {
            for w in list.iter().filter(|w| !w.contains(' ')) {
                *words.entry(w.as_bytes()).or_default() |= bit;
            }
        }
        let phrase_parts: Vec<(&'static [u8], &'static [u8])> = phrases
            .iter()
            .map(|p| p.as_bytes().split_at(p.find(' ').unwrap_or(p.len())))
            .collect();
        let mut phrase_last = [false; 256];
        for (head, _) in &phrase_parts {
            assert!(
                !head.is_empty() && head.iter().all(|&b| ASCII_WORD[usize::from(b)]),
                "a selling phrase starts with a word"
            );
            phrase_last[usize::from(head[head.len() - 1])] = true;
        }
        ChromeWords {
            boilerplate: DFA::new(BOILERPLATE).expect("fixed word lists compile"),
            shapes: {
                let mut shapes = [0u16; 256];
                for w in words.keys() {
                    // Words of 15 bytes or more are always looked up.
                    shapes[usize::from(w[0])] |= 1 << w.len().min(15);
                }
                shapes
            },
            short: {
                let mut short = vec![(0u64, 0u8); SHORT_SLOTS];
                for (w, &class) in words.iter().filter(|(w, _)| w.len() <= 8) {
                    let key = short_key(w);
                    let mut i = short_slot(key);
                    while short[i].0 != 0 {
                        i = (i + 1) % SHORT_SLOTS;
                    }
                    short[i] = (key, class);
                }
                short
            },
            words,
            selling_phrases: AhoCorasick::new(phrases).expect("fixed word lists compile"),
            phrase_parts,
            phrase_last,
        }
    })
}

/// Slots of the table of short listed words; a power of two, several times their number.
const SHORT_SLOTS: usize = 512;

/// A word of up to 8 bytes as a number: its bytes, little-endian, zero-padded.
fn short_key(word: &[u8]) -> u64 {
    let mut key = [0u8; 8];
    key[..word.len()].copy_from_slice(word);
    u64::from_le_bytes(key)
}

/// Where the table of short words starts looking for a key.
#[inline]
fn short_slot(key: u64) -> usize {
    // The top bits of a Fibonacci hash, as many as index a slot.
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHORT_SLOTS.trailing_zeros())) as usize
}

impl ChromeWords {
    /// What a word is (0 for a word on no list).
    #[inline]
    fn class(&self, word: &[u8]) -> u8 {
        if !self.may_be_listed(word) {
            return 0;
        }
        if word.len() <= 8 {
            return self.short_class(short_key(word));
        }
        self.words.get(word).copied().unwrap_or(0)
    }

    /// What the word at `start..end` of `text` is: [`Self::class`], reading a short word as a
    /// number straight from the text when 8 bytes follow its start.
    #[inline(always)]
    fn class_at(&self, text: &[u8], start: usize, end: usize) -> u8 {
        let word = &text[start..end];
        if !self.may_be_listed(word) {
            return 0;
        }
        match text.get(start..start + 8) {
            Some(eight) if word.len() <= 8 => {
                let all = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
                self.short_class(all & (u64::MAX >> (64 - 8 * word.len())))
            }
            _ => self.class(word),
        }
    }

    /// Whether a word's first byte and length are those of a listed word.
    #[inline(always)]
    fn may_be_listed(&self, word: &[u8]) -> bool {
        let Some(&first) = word.first() else {
            return false;
        };
        word.len() >= 15 || self.shapes[usize::from(first)] & (1 << word.len()) != 0
    }

    /// Whether the text holds a boilerplate phrase.
    fn is_boilerplate(&self, text: &[u8]) -> bool {
        let dfa = &self.boilerplate;
        // An unanchored start state is always built; without one nothing is found.
        let Ok(mut state) = dfa.start_state(Anchored::No) else {
            return false;
        };
        for &b in text {
            state = dfa.next_state(Anchored::No, state, b);
            // With the standard semantics, a state matches when some phrase ends at it.
            if dfa.is_special(state) && dfa.is_match(state) {
                return true;
            }
        }
        false
    }

    /// The class of a short word, by its key.
    #[inline]
    fn short_class(&self, key: u64) -> u8 {
        let mut i = short_slot(key);
        loop {
            let (k, class) = self.short[i];
            if k == key {
                return class;
            }
            if k == 0 {
                return 0;
            }
            i = (i + 1) % SHORT_SLOTS;
        }
    }
}

/// Finds the marks of content blocks, one block after another in text order.
struct Marker<'a> {
    /// The document lower-cased (ASCII).
    lower: &'a str,
    /// End of the last selling phrase found: phrases are counted without overlaps, as a
    /// left-to-right search of the whole text finds them.
    phrase_end: usize,
}

impl Marker<'_> {
    /// Adds the marks of the word at `start..end` of the document, whose class is `class`.
    #[inline(always)]
    fn word(
        &mut self,
        w: &ChromeWords,
        start: usize,
        end: usize,
        class: u8,
        marks: &mut Vec<Mark>,
    ) {
        if class & (READER | SELLING) != 0 {
            marks.push(Mark {
                start,
                end,
                class: class & (READER | SELLING),
            });
        }
        let lower = self.lower.as_bytes();
        if w.phrase_last[usize::from(lower[end - 1])] {
            let word = &lower[start..end];
            let rest = &lower[end..];
            for &(head, tail) in &w.phrase_parts {
                if word.ends_with(head) && rest.starts_with(tail) {
                    let (ps, pe) = (end - head.len(), end + tail.len());
                    if ps >= self.phrase_end {
                        marks.push(Mark {
                            start: ps,
                            end: pe,
                            class: PHRASE,
                        });
                        self.phrase_end = pe;
                    }
                    break;
                }
            }
        }
    }

    /// Adds the marks of the block at `start..end` of the document.
    fn block(&mut self, start: usize, end: usize, marks: &mut Vec<Mark>) {
        let w = chrome_words();
        let block = &self.lower[start..end];
        let lower = self.lower.as_bytes();
        if block.is_ascii() {
            for (s, e) in AsciiWords::new(lower, start, end) {
                let class = w.class_at(lower, s, e);
                self.word(w, s, e, class, marks);
            }
        } else {
            word_spans(block, |s, e| {
                let class = w.class_at(lower, start + s, start + e);
                self.word(w, start + s, start + e, class, marks);
            });
        }
    }
}

/// ASCII bytes that belong to words: letters, digits and the apostrophe.
const ASCII_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'\'' as usize;
        b += 1;
    }
    t
};

/// The byte spans of the words of ASCII text, as [`word_spans`] finds them. The text is read
/// 64 bytes at a time into a mask of its word bytes, and words are read off the mask: most
/// words are a few bytes long, and reading a byte at a time costs a branch per byte.
struct AsciiWords<'a> {
    text: &'a [u8],
    /// End of the span of `text` walked.
    end: usize,
    /// Offset of the 64 bytes `mask` covers.
    base: usize,
    /// Bit `i` set when byte `base + i` is a word byte.
    mask: u64,
    /// Bits of `mask` where a word starts or ends, not yet read.
    edges: u64,
    /// Start of the word being read.
    start: usize,
}

impl<'a> AsciiWords<'a> {
    /// The words of `text[from..to]`, which is ASCII, with offsets in `text`.
    fn new(text: &'a [u8], from: usize, to: usize) -> Self {
        let mask = word_mask_64(&text[from..to.min(from + 64)]);
        AsciiWords {
            text,
            end: to,
            base: from,
            mask,
            edges: mask ^ (mask << 1),
            start: from,
        }
    }
}

impl Iterator for AsciiWords<'_> {
    type Item = (usize, usize);

    #[inline(always)]
    fn next(&mut self) -> Option<(usize, usize)> {
        loop {
            while self.edges != 0 {
                let at = self.edges.trailing_zeros() as usize;
                self.edges &= self.edges - 1;
                if self.mask >> at & 1 != 0 {
                    self.start = self.base + at;
                } else {
                    return Some((self.start, self.base + at));
                }
            }
            // A word that runs to the end of the mask goes on into the next 64 bytes.
            let open = self.mask >> 63;
            self.base += 64;
            if self.base >= self.end {
                if open == 0 {
                    return None;
                }
                // The text ends in a word: past its end, nothing is a word byte.
                self.mask = 0;
                self.edges = 1;
                self.base = self.end;
                continue;
            }
            self.mask = word_mask_64(&self.text[self.base..self.end.min(self.base + 64)]);
            self.edges = self.mask ^ ((self.mask << 1) | open);
        }
    }
}

/// Bit `i` set when byte `i` of an ASCII chunk of up to 64 bytes is a word byte.
#[inline(always)]
fn word_mask_64(chunk: &[u8]) -> u64 {
    let mut mask = 0;
    let mut eights = chunk.chunks_exact(8);
    let mut shift = 0;
    for eight in &mut eights {
        let lanes: [u8; 8] = eight.try_into().unwrap_or([0; 8]);
        mask |= u64::from(word_mask_8(u64::from_le_bytes(lanes))) << shift;
        shift += 8;
    }
    let rest = eights.remainder();
    if !rest.is_empty() {
        // A zero byte is no word byte.
        let mut lanes = [0u8; 8];
        lanes[..rest.len()].copy_from_slice(rest);
        mask |= u64::from(word_mask_8(u64::from_le_bytes(lanes))) << shift;
    }
    mask
}

/// Bit `i` set when byte `i` (little-endian) of eight ASCII bytes is a word byte: a letter, a
/// digit or an apostrophe.
#[inline(always)]
fn word_mask_8(x: u64) -> u8 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOP: u64 = 0x8080_8080_8080_8080;
    // With every byte below 128, adding to a byte never carries into the next one: the top
    // bit of `x + (128 - lo)` says the byte is at least `lo`, of `x + (127 - hi)` above `hi`.
    let within = |x: u64, lo: u8, hi: u8| {
        x.wrapping_add(ONES * u64::from(128 - lo)) & !x.wrapping_add(ONES * u64::from(127 - hi))
    };
    // Setting bit 5 folds upper-case letters onto lower-case ones and no other byte onto them.
    let letters = within(x | (ONES * 0x20), b'a', b'z');
    let digits = within(x, b'0', b'9');
    let apostrophes = !((x ^ (ONES * u64::from(b'\''))).wrapping_add(ONES * 0x7f));
    let top = (letters | digits | apostrophes) & TOP;
    // Gathers the eight top bits into one byte: the products land on distinct bits.
    ((top >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

/// Calls `f` with the byte span of every word of a lower-cased text: runs of letters, digits
/// and apostrophes.
fn word_spans(lower: &str, mut f: impl FnMut(usize, usize)) {
    let bytes = lower.as_bytes();
    // Whether the character at `i` belongs to a word, and its width.
    let at = |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b < 128 {
            (ASCII_WORD[usize::from(b)], 1)
        } else {
            let c = lower[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        // Separators, then a word.
        let (in_word, width) = at(i);
        if !in_word {
            i += width;
            continue;
        }
        let start = i;
        i += width;
        while i < bytes.len() {
            let (in_word, width) = at(i);
            if !in_word {
                break;
            }
            i += width;
        }
        f(start, i);
    }
}

/// Decides whether a block is content, marketing or boilerplate from its wording alone.
/// `ascii_lower` is `block.to_ascii_lowercase()`.
pub fn classify_block(block: &str, ascii_lower: &str) -> Chrome {
    // A caller's lower case that is not the block's own is replaced rather than trusted: the
    // walk slices both texts at the same offsets.
    let own;
    let ascii_lower = if ascii_lower.len() == block.len()
        && ascii_lower
            .bytes()
            .zip(block.bytes())
            .all(|(l, b)| l == b.to_ascii_lowercase())
    {
        ascii_lower
    } else {
        own = block.to_ascii_lowercase();
        &own
    };
    let mut marker = Marker {
        lower: ascii_lower,
        phrase_end: 0,
    };
    classify_marked(block, 0, &mut marker, &mut Vec::new())
}

/// [`classify_block`] for the block at `start` of the document `marker` reads, adding the
/// block's marks to `marks` when it is content.
fn classify_marked(
    block: &str,
    start: usize,
    marker: &mut Marker<'_>,
    marks: &mut Vec<Mark>,
) -> Chrome {
    let ascii = block.is_ascii();
    let (letters, latin) = if ascii {
        // ASCII letters are all Latin.
        let n = usize::from(block.bytes().any(|b| b.is_ascii_alphabetic()));
        (n, n)
    } else {
        let (mut letters, mut latin) = (0usize, 0usize);
        for c in block.chars() {
            if c.is_alphabetic() {
                letters += 1;
                if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
                    latin += 1;
                }
            }
        }
        (letters, latin)
    };
    if letters == 0 || latin * 10 < letters * 7 {
        return Chrome::Boilerplate;
    }
    let trimmed = block.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('[')) && block.contains("\":") {
        return Chrome::Boilerplate;
    }
    let end = start + block.len();
    let ascii_lower = &marker.lower[start..end];
    let w = chrome_words();
    let (mut n, mut english, mut foreign) = (0, 0, 0);
    let first_mark = marks.len();
    // ASCII text lower-cases the same either way, without the Unicode tables, and its walk
    // also finds the marks.
    let unicode_lower;
    let lower = if ascii {
        let text = marker.lower.as_bytes();
        for (s, e) in AsciiWords::new(text, start, end) {
            n += 1;
            let class = w.class_at(text, s, e);
            if class != 0 {
                english += usize::from(class & ENGLISH != 0);
                foreign += usize::from(class & FOREIGN != 0);
            }
            marker.word(w, s, e, class, marks);
        }
        ascii_lower
    } else {
        unicode_lower = block.to_lowercase();
        lower_words(&unicode_lower, |word| {
            n += 1;
            let class = w.class(word.as_bytes());
            english += usize::from(class & ENGLISH != 0);
            foreign += usize::from(class & FOREIGN != 0);
        });
        &unicode_lower
    };
    let chrome =
        if (foreign >= 2 && foreign > english) || (n <= 25 && w.is_boilerplate(lower.as_bytes())) {
            Chrome::Boilerplate
        } else {
            Chrome::Content
        };
    if chrome != Chrome::Content {
        marks.truncate(first_mark);
    } else if !ascii {
        // Sentences are judged on the ASCII lower case, whose words differ from the Unicode
        // one's.
        marker.block(start, end, marks);
    }
    chrome
}

/// Calls `f` with every word of a lower-cased text.
fn lower_words(lower: &str, mut f: impl FnMut(&str)) {
    word_spans(lower, |s, e| f(&lower[s..e]));
}

/// Decides whether a sentence is addressed to the reader or sells something, from the
/// sentence lower-cased (ASCII).
pub fn is_marketing(lower: &str) -> bool {
    let phrases = chrome_words().selling_phrases.find_iter(lower).count();
    marketing(lower, phrases)
}

/// [`is_marketing`], given how many selling phrases the sentence holds.
fn marketing(lower: &str, phrases: usize) -> bool {
    if lower.contains('!') {
        return true;
    }
    let w = chrome_words();
    let (mut reader, mut hits) = (false, 0);
    lower_words(lower, |word| {
        let class = w.class(word.as_bytes());
        reader |= class & READER != 0;
        hits += usize::from(class & SELLING != 0);
    });
    reader || hits + phrases >= 2
}

const ABBREVIATIONS: [&str; 36] = [
    "e.g", "i.e", "al", "fig", "figs", "vs", "dr", "mr", "mrs", "ms", "prof", "approx", "ca", "cf",
    "no", "vol", "pp", "st", "jr", "sr", "inc", "ltd", "co", "eq", "ref", "refs", "tab", "resp",
    "incl", "spp", "sp", "etc", "nos", "ed", "eds", "viz",
];

/// The length of the longest abbreviation: longer words are no abbreviation.
const ABBREVIATION_LEN: usize = {
    let (mut i, mut longest) = (0, 0);
    while i < ABBREVIATIONS.len() {
        if ABBREVIATIONS[i].len() > longest {
            longest = ABBREVIATIONS[i].len();
        }
        i += 1;
    }
    longest
};

/// Splits every block into sentences. A full stop ends a sentence only when a space and an
/// upper-case letter, digit or opening quote follow, and the word before it is not an
/// abbreviation ("e.g.", "et al.", "Fig.") or an initial. `lower` is
/// `text.to_ascii_lowercase()`.
pub fn split_sentences(text: &str, lower: &str, blocks: &[Block]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut marker = Marker {
        lower,
        phrase_end: 0,
    };
    let mut marks = Vec::new();
    for (bi, b) in blocks.iter().enumerate() {
        marks.clear();
        if b.chrome == Chrome::Content {
            marker.block(b.start, b.end, &mut marks);
        }
        block_sentences(&mut out, text, lower, b, bi, &marks);
    }
    out
}

/// Adds the sentences of block `bi` to `out`; `marks` are the block's, in text order.
fn block_sentences(
    out: &mut Vec<Sentence>,
    text: &str,
    lower: &str,
    b: &Block,
    bi: usize,
    marks: &[Mark],
) {
    let block = &text[b.start..b.end];
    let block_lower = &lower[b.start..b.end];
    let mut sentence = SentenceJudge {
        block: b,
        bi,
        block_lower,
        marks,
        next_mark: 0,
    };
    let mut start = 0;
    // Whether the sentence so far holds an exclamation mark: such a sentence is marketing.
    let mut bang = false;
    let bytes = block.as_bytes();
    let mut i = 0;
    while let Some(p) = find_ascii(bytes, i, [b'.', b'?', b'!']) {
        i = p;
        let c = bytes[i];
        bang |= c == b'!';
        // Closing quotes and brackets belong to the sentence that ends here.
        let mut j = i + 1;
        while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b')' | b']') {
            j += 1;
        }
        let rest = &block[j..];
        let after = rest.trim_start();
        let ws = rest.len() - after.len();
        if ws > 0 && j + ws < bytes.len() {
            let next = after.chars().next().unwrap_or(' ');
            let opens = next.is_uppercase()
                || next.is_ascii_digit()
                || matches!(next, '"' | '“' | '\'' | '(' | '[');
            if opens && (c != b'.' || !is_abbreviation(&block[start..i], &block_lower[start..i])) {
                sentence.push(out, start, j, bang);
                bang = false;
                start = j + ws;
                i = start;
                continue;
            }
        }
        i += 1;
    }
    sentence.push(out, start, block.len(), bang);
}

/// The first byte at or after `from` that is one of `targets`, which are ASCII. Eight bytes
/// are tested at a time: sentences run for dozens of bytes between full stops, lines for
/// hundreds between line breaks.
#[inline(always)]
fn find_ascii<const N: usize>(bytes: &[u8], from: usize, targets: [u8; N]) -> Option<usize> {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut i = from;
    while let Some(eight) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
        // A byte's top bit in `differs(t)` is set when its low seven bits are not `t`'s.
        let low = x & LOW;
        let differs = |t: u8| (low ^ (ONES * u64::from(t))) + LOW;
        // Bytes that are none of the targets, or not ASCII, have their top bit set here.
        let other = targets.iter().fold(!0, |acc, &t| acc & differs(t)) | x;
        let found = !other & !LOW;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i.min(bytes.len())..]
        .iter()
        .position(|c| targets.contains(c))
        .map(|p| i + p)
}

/// Turns spans of one block into sentences, judging them by the block's marks.
struct SentenceJudge<'a> {
    block: &'a Block,
    bi: usize,
    block_lower: &'a str,
    marks: &'a [Mark],
    /// The first mark no earlier sentence has looked at.
    next_mark: usize,
}

impl SentenceJudge<'_> {
    /// Adds the sentence at `start..end` of the block, trimmed, unless it is blank; `bang`
    /// says whether it holds an exclamation mark.
    fn push(&mut self, out: &mut Vec<Sentence>, start: usize, end: usize, bang: bool) {
        let s = &self.block_lower[start..end];
        // Sentences start after the white space that ends the one before and end with their
        // stop: most need no trimming.
        let plain = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
        let body = if plain(s.as_bytes().first()) {
            s
        } else {
            s.trim_start()
        };
        let trimmed = if plain(body.as_bytes().last()) {
            body
        } else {
            body.trim_end()
        };
        if trimmed.is_empty() {
            return;
        }
        let st = self.block.start + start + (s.len() - body.len());
        let end = st + trimmed.len();
        let mut chrome = self.block.chrome;
        if chrome == Chrome::Content {
            let marks = self.marks;
            let mut k = self.next_mark;
            while k < marks.len() && marks[k].start < st {
                k += 1;
            }
            let (mut reader, mut hits) = (false, 0);
            while k < marks.len() && marks[k].start < end {
                let m = marks[k];
                if m.end <= end {
                    reader |= m.class & READER != 0;
                    hits += usize::from(m.class & (SELLING | PHRASE) != 0);
                }
                k += 1;
            }
            self.next_mark = k;
            if bang || reader || hits >= 2 {
                chrome = Chrome::Marketing;
            }
        }
        out.push(Sentence {
            start: st,
            end,
            block: self.bi,
            chrome,
        });
    }
}

/// Whether the word that ends `before` (`before_lower` is its ASCII lower case) is an
/// abbreviation whose full stop ends no sentence.
fn is_abbreviation(before: &str, before_lower: &str) -> bool {
    let at = before
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == '[')
        .map_or(0, |p| {
            p + before[p..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &before[at..];
    let lower = &before_lower[at..];
    if lower.len() <= ABBREVIATION_LEN && ABBREVIATIONS.contains(&lower) {
        return true;
    }
    // An initial ("L. Alan") or a dotted abbreviation ("U.S.").
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
        || (word.contains('.') && word.len() <= 6)
}

#[cfg(test)]
mod tests {
    //! The splitting and classifying above read each word once and test eight bytes at a time;
    //! these tests hold them to a plain reading of the same rules, kept here as the reference.
    use super::*;

    #[test]
    fn classify_block_reads_a_wrong_lower_case_as_the_right_one() {
        for block in [
            "Accept all cookies",
            "Ketamine blocks the NMDA receptor.",
            "Café é",
        ] {
            let right = classify_block(block, &block.to_ascii_lowercase());
            for wrong in ["", "x", block, "ACCEPT ALL COOKIES", "é"] {
                assert_eq!(
                    classify_block(block, wrong),
                    right,
                    "{block:?} with {wrong:?}"
                );
            }
        }
    }
    use proptest::prelude::*;

    mod reference {
        use super::super::*;

        fn class(word: &str) -> u8 {
            let mut class = 0;
            let lists: [(&[&str], u8); 4] = [
                (&ENGLISH_STOP, ENGLISH),
                (&FOREIGN_STOP, FOREIGN),
                (&MARKETING[..6], READER),
                (&MARKETING[6..], SELLING),
            ];
            for (list, bit) in lists {
                if list.contains(&word) {
                    class |= bit;
                }
            }
            class
        }

        fn words(lower: &str) -> Vec<&str> {
            lower
                .split(|c: char| !(c.is_alphanumeric() || c == '\''))
                .filter(|w| !w.is_empty())
                .collect()
        }

        pub fn is_html(text: &str) -> bool {
            let head_end = text.char_indices().nth(512).map_or(text.len(), |(i, _)| i);
            let head = text[..head_end].trim_start().as_bytes();
            let opens = |tag: &[u8]| {
                head.get(..tag.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(tag))
            };
            opens(b"<!doctype html") || opens(b"<html")
        }

        fn looks_like_heading(content: &str) -> bool {
            if content.ends_with(':') {
                return true;
            }
            let words = content.split_whitespace().take(13).count();
            words <= 12 && !content.ends_with(['.', '!', ';', ',']) && !content.contains(". ")
        }

        pub fn classify_block(block: &str) -> Chrome {
            let (mut letters, mut latin) = (0usize, 0usize);
            for c in block.chars() {
                if c.is_alphabetic() {
                    letters += 1;
                    if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
                        latin += 1;
                    }
                }
            }
            if letters == 0 || latin * 10 < letters * 7 {
                return Chrome::Boilerplate;
            }
            let trimmed = block.trim_start();
            if (trimmed.starts_with('{') || trimmed.starts_with('[')) && block.contains("\":") {
                return Chrome::Boilerplate;
            }
            let lower = block.to_lowercase();
            let words = words(&lower);
            let english = words.iter().filter(|w| class(w) & ENGLISH != 0).count();
            let foreign = words.iter().filter(|w| class(w) & FOREIGN != 0).count();
            if foreign >= 2 && foreign > english {
                return Chrome::Boilerplate;
            }
            if words.len() <= 25 && BOILERPLATE.iter().any(|b| lower.contains(b)) {
                return Chrome::Boilerplate;
            }
            Chrome::Content
        }

        pub fn split_blocks(text: &str) -> Vec<Block> {
            let mut blocks: Vec<Block> = Vec::new();
            let mut offset = 0;
            for raw in text.split_inclusive('\n') {
                let line_start = offset;
                offset += raw.len();
                let line = raw.trim_end_matches(['\n', '\r']);
                let lead = line.len() - line.trim_start().len();
                let body = line.trim();
                if body.is_empty() {
                    continue;
                }
                let mut start = line_start + lead;
                let end = start + body.len();
                let mut kind = BlockKind::Paragraph;
                let mut content = body;
                if let Some(rest) = body.strip_prefix('#') {
                    kind = BlockKind::Heading;
                    let rest2 = rest.trim_start_matches('#').trim_start();
                    start = end - rest2.len();
                    content = rest2;
                } else if let Some(first) = body.chars().next() {
                    let after = &body[first.len_utf8()..];
                    if BULLETS.contains(&first) && after.starts_with(' ') {
                        kind = BlockKind::Bullet;
                        let rest = after.trim_start();
                        start = end - rest.len();
                        content = rest;
                    } else if let Some(rest) = numbered_item(body) {
                        kind = BlockKind::Bullet;
                        start = end - rest.len();
                        content = rest;
                    }
                }
                if content.is_empty() {
                    continue;
                }
                if kind == BlockKind::Paragraph {
                    if let Some(prev) = blocks.last_mut() {
                        let prev_text = &text[prev.start..prev.end];
                        let continues = prev.end + 2 >= line_start
                            && prev.kind != BlockKind::Heading
                            && !prev_text.ends_with(['.', '!', '?', ':'])
                            && content.starts_with(|c: char| c.is_lowercase());
                        if continues {
                            prev.end = end;
                            continue;
                        }
                    }
                }
                if kind == BlockKind::Paragraph && looks_like_heading(content) {
                    kind = BlockKind::Heading;
                }
                blocks.push(Block {
                    start,
                    end,
                    kind,
                    chrome: Chrome::Content,
                });
            }
            for b in &mut blocks {
                b.chrome = classify_block(&text[b.start..b.end]);
            }
            blocks
        }

        /// Selling phrases as a left-to-right search of the whole text finds them.
        fn phrases(lower: &str) -> Vec<(usize, usize)> {
            let list: Vec<&str> = MARKETING[6..]
                .iter()
                .copied()
                .filter(|m| m.contains(' '))
                .collect();
            let mut found = Vec::new();
            let mut at = 0;
            'search: while at < lower.len() {
                // The match that ends first, as the standard semantics report it.
                let mut best: Option<(usize, usize)> = None;
                for p in &list {
                    if let Some(i) = lower[at..].find(p) {
                        let (s, e) = (at + i, at + i + p.len());
                        if best.is_none_or(|(_, be)| e < be) {
                            best = Some((s, e));
                        }
                    }
                }
                match best {
                    Some((s, e)) => {
                        found.push((s, e));
                        at = e;
                    }
                    None => break 'search,
                }
            }
            found
        }

        pub fn split_sentences(text: &str, lower: &str, blocks: &[Block]) -> Vec<Sentence> {
            let mut out = Vec::new();
            let phrases = phrases(lower);
            for (bi, b) in blocks.iter().enumerate() {
                let block = &text[b.start..b.end];
                let block_lower = &lower[b.start..b.end];
                let mut start = 0;
                let bytes = block.as_bytes();
                let mut i = 0;
                let push = |out: &mut Vec<Sentence>, start: usize, end: usize| {
                    let s = &block_lower[start..end];
                    let trimmed = s.trim();
                    if trimmed.is_empty() {
                        return;
                    }
                    let st = b.start + start + (s.len() - s.trim_start().len());
                    let end = st + trimmed.len();
                    let held = phrases
                        .iter()
                        .filter(|&&(ps, pe)| ps >= st && pe <= end)
                        .count();
                    let words = words(trimmed);
                    let reader = words.iter().any(|w| class(w) & READER != 0);
                    let hits = words.iter().filter(|w| class(w) & SELLING != 0).count();
                    let marketing = trimmed.contains('!') || reader || hits + held >= 2;
                    let chrome = if b.chrome == Chrome::Content && marketing {
                        Chrome::Marketing
                    } else {
                        b.chrome
                    };
                    out.push(Sentence {
                        start: st,
                        end,
                        block: bi,
                        chrome,
                    });
                };
                while i < bytes.len() {
                    let c = bytes[i];
                    if c == b'.' || c == b'?' || c == b'!' {
                        let mut j = i + 1;
                        while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b')' | b']') {
                            j += 1;
                        }
                        let rest = &block[j..];
                        let ws = rest.len() - rest.trim_start().len();
                        if ws > 0 && j + ws < bytes.len() {
                            let next = rest.trim_start().chars().next().unwrap_or(' ');
                            let opens = next.is_uppercase()
                                || next.is_ascii_digit()
                                || matches!(next, '"' | '“' | '\'' | '(' | '[');
                            if opens
                                && (c != b'.'
                                    || !is_abbreviation(&block[start..i], &block_lower[start..i]))
                            {
                                push(&mut out, start, j);
                                start = j + ws;
                                i = start;
                                continue;
                            }
                        }
                    }
                    i += 1;
                }
                push(&mut out, start, block.len());
            }
            out
        }

        pub fn words_of(lower: &str) -> Vec<(usize, usize)> {
            let mut out = Vec::new();
            let mut start = None;
            for (i, c) in lower.char_indices() {
                let in_word = c.is_alphanumeric() || c == '\'';
                match (in_word, start) {
                    (true, None) => start = Some(i),
                    (false, Some(s)) => {
                        out.push((s, i));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                out.push((s, lower.len()));
            }
            out
        }
    }

    fn blocks_key(blocks: &[Block]) -> Vec<(usize, usize, BlockKind, Chrome)> {
        blocks
            .iter()
            .map(|b| (b.start, b.end, b.kind, b.chrome))
            .collect()
    }

    fn sentences_key(sentences: &[Sentence]) -> Vec<(usize, usize, usize, Chrome)> {
        sentences
            .iter()
            .map(|s| (s.start, s.end, s.block, s.chrome))
            .collect()
    }

    /// Pieces of text that the rules treat specially, joined at random.
    #[rustfmt::skip]
    const PIECES: &[&str] = &[
        "the", "of", "and", "il", "di", "che", "der", "è", "You", "you", "we", "Our", "us",
        "free", "rehab", "call", "today", "start", "contact", "reach", "out", "outreach",
        "reach out", "reach outward", "recovery", "center", "recovery center", "Recovery Center",
        "centerecovery", "cookie", "menu", "log in", "http://x", "www.", "doi:", "Acamprosate",
        "GABA", "NMDA", "receptor", "e.g.", "i.e.", "et al.", "Fig.", "U.S.", "L.", "approx.",
        "No.", "42", "3.5", "'", "\"", "(", ")", "[", "]", "“", ".", ". ", "! ", "? ", "!", "?",
        ": ", ";", ",", " ", " ", " ", " ", "  ", "\t", "\u{b}", "\u{a0}", "\u{2003}", "\n",
        "\n", "\n\n", "\r\n", "# ", "## ", "#", "- ", "* ", "• ", "1. ", "12) ", "{", "\":",
        "é", "É", "İ", "ß", "Ω", "жизнь", "中文", "1", "a", "A", "Z", "z", "0", "9", "`", "@",
        "{\"a\": 1}", "Side effects include:", "it's", "don't",
    ];

    fn text_strategy() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn parse_text_matches_the_reference(text in text_strategy()) {
            let doc = parse_text("t.txt", &text);
            let blocks = reference::split_blocks(&text);
            prop_assert_eq!(blocks_key(&doc.blocks), blocks_key(&blocks));
            let sentences = reference::split_sentences(&text, &doc.lower, &blocks);
            prop_assert_eq!(sentences_key(&doc.sentences), sentences_key(&sentences));
            prop_assert_eq!(blocks_key(&split_blocks(&text, &doc.lower)), blocks_key(&blocks));
        }

        #[test]
        fn split_sentences_matches_the_reference(text in text_strategy(), cut in 0usize..400) {
            // Two content blocks with one space between, as PubTator titles and abstracts.
            let lower = text.to_ascii_lowercase();
            let mut cut = cut.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let mut blocks = vec![Block {
                start: 0,
                end: cut,
                kind: BlockKind::Heading,
                chrome: Chrome::Content,
            }];
            if cut < text.len() {
                blocks.push(Block {
                    start: cut + 1 + text[cut..].chars().next().map_or(0, |c| c.len_utf8() - 1),
                    end: text.len(),
                    kind: BlockKind::Paragraph,
                    chrome: Chrome::Content,
                });
            }
            prop_assert_eq!(
                sentences_key(&split_sentences(&text, &lower, &blocks)),
                sentences_key(&reference::split_sentences(&text, &lower, &blocks))
            );
        }

        #[test]
        fn classify_block_matches_the_reference(text in text_strategy()) {
            let lower = text.to_ascii_lowercase();
            prop_assert_eq!(classify_block(&text, &lower), reference::classify_block(&text));
        }

        #[test]
        fn words_match_the_reference(text in text_strategy()) {
            let lower = text.to_ascii_lowercase();
            let mut spans = Vec::new();
            word_spans(&lower, |s, e| spans.push((s, e)));
            prop_assert_eq!(&spans, &reference::words_of(&lower));
            if lower.is_ascii() {
                for from in [0, lower.len() / 3] {
                    let to = lower.len() - lower.len() / 5;
                    let ascii: Vec<_> = AsciiWords::new(lower.as_bytes(), from, to).collect();
                    let shifted: Vec<_> = reference::words_of(&lower[from..to])
                        .into_iter()
                        .map(|(s, e)| (from + s, from + e))
                        .collect();
                    prop_assert_eq!(ascii, shifted);
                }
            }
        }

        #[test]
        fn is_html_matches_the_reference(lead in prop::collection::vec(prop::sample::select(&[" ", "\n", "\u{a0}", "\u{2003}", "x"][..]), 0..600), tag in prop::sample::select(&["<html>", "<!DOCTYPE html>", "<HTM", "<p>", ""][..])) {
            let text = format!("{}{tag}", lead.concat());
            prop_assert_eq!(is_html("a.txt", &text), reference::is_html(&text));
        }

        #[test]
        fn stops_are_found_as_a_byte_at_a_time(bytes in prop::collection::vec(prop::sample::select(&[b'.', b'?', b'!', b'a', b' ', 0xc3, 0xae, 0x2e | 0x80][..]), 0..40), from in 0usize..40) {
            let from = from.min(bytes.len());
            let slow = bytes[from..].iter().position(|&c| c == b'.' || c == b'?' || c == b'!').map(|p| from + p);
            prop_assert_eq!(find_ascii(&bytes, from, [b'.', b'?', b'!']), slow);
            let slow = bytes[from..].iter().position(|&c| c == b'?').map(|p| from + p);
            prop_assert_eq!(find_ascii(&bytes, from, [b'?']), slow);
        }
    }

    #[test]
    fn overlapping_selling_phrases_count_once() {
        // A search of the text finds no phrase overlapping one found before it.
        for text in [
            "Recovery centerecovery center.",
            "Recovery centerecovery center. Free.",
            "Recovery centereach out now.",
            "Reach out, reach out.",
            "Recovery center reach out.",
            "A recovery\ncenter rehab.",
        ] {
            let doc = parse_text("t.txt", text);
            let blocks = reference::split_blocks(text);
            let expected = reference::split_sentences(text, &doc.lower, &blocks);
            assert_eq!(
                sentences_key(&doc.sentences),
                sentences_key(&expected),
                "{text}"
            );
        }
        // Across the space between a PubTator title and its abstract.
        let text = "Our recovery centerecovery center rehab";
        let lower = text.to_ascii_lowercase();
        let blocks = [
            (0, 12, BlockKind::Heading),
            (13, text.len(), BlockKind::Paragraph),
        ]
        .map(|(start, end, kind)| Block {
            start,
            end,
            kind,
            chrome: Chrome::Content,
        });
        assert_eq!(
            sentences_key(&split_sentences(text, &lower, &blocks)),
            sentences_key(&reference::split_sentences(text, &lower, &blocks))
        );
    }

    #[test]
    fn every_byte_is_a_word_byte_as_the_table_says() {
        for b in 0u8..128 {
            let eight = u64::from_le_bytes([b; 8]);
            let expected = if ASCII_WORD[usize::from(b)] { 0xff } else { 0 };
            assert_eq!(word_mask_8(eight), expected, "byte {b}");
        }
    }

    #[test]
    fn long_word_lists_and_phrases_are_looked_up() {
        let w = chrome_words();
        assert_eq!(w.class(b"devastating"), SELLING);
        assert_eq!(w.class("è".as_bytes()), FOREIGN);
        assert_eq!(w.class(b"yourself"), READER);
        assert_eq!(w.class(b"yourselves"), 0);
        assert_eq!(w.class_at(b"the end", 0, 3), ENGLISH);
        assert_eq!(w.class_at(b"you", 0, 3), READER);
        let doc = parse_text("t.txt", "Please reach out to our recovery center.\n");
        assert_eq!(doc.sentences[0].chrome, Chrome::Marketing);
        let doc = parse_text("t.txt", "Outreach outcomes improved at recovery centers.\n");
        assert_eq!(doc.sentences[0].chrome, Chrome::Marketing);
    }
}
