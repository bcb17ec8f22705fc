//! Documents: reading .txt, .md, .html and PubTator text, leaving out web chrome, and splitting
//! what remains into blocks (headings, bullets, paragraphs) and sentences.

use aho_corasick::AhoCorasick;
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
    let head_end = text.char_indices().nth(512).map_or(text.len(), |(i, _)| i);
    let head = text[..head_end].trim_start().as_bytes();
    let opens = |tag: &[u8]| {
        head.get(..tag.len())
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
    let blocks = split_blocks(&text, &lower);
    let sentences = split_sentences(&text, &lower, &blocks);
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
        b.chrome = classify_block(&text[b.start..b.end], &lower[b.start..b.end]);
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
    // Counting stops at the thirteenth word: a long paragraph is not walked to its end.
    let words = content.split_whitespace().take(13).count();
    words <= 12 && !content.ends_with(['.', '!', ';', ',']) && !content.contains(". ")
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

struct ChromeWords {
    boilerplate: AhoCorasick,
    /// Every listed word with what it is; one look-up per word of the text.
    words: FxHashMap<&'static str, u8>,
    /// For each first byte, the lengths (as bits, below 15) of the listed words that start
    /// with it: most words of a text are told apart from every listed one without a look-up.
    shapes: [u16; 256],
    selling_phrases: AhoCorasick,
}

fn chrome_words() -> &'static ChromeWords {
    static W: OnceLock<ChromeWords> = OnceLock::new();
    W.get_or_init(|| {
        let phrases: Vec<&str> = MARKETING[6..]
            .iter()
            .copied()
            .filter(|m| m.contains(' '))
            .collect();
        let mut words: FxHashMap<&'static str, u8> = FxHashMap::default();
        let lists: [(&[&'static str], u8); 4] = [
            (&ENGLISH_STOP, ENGLISH),
            (&FOREIGN_STOP, FOREIGN),
            (&MARKETING[..6], READER),
            (&MARKETING[6..], SELLING),
        ];
        for (list, bit) in lists {
            for w in list.iter().filter(|w| !w.contains(' ')) {
                *words.entry(w).or_default() |= bit;
            }
        }
        ChromeWords {
            boilerplate: AhoCorasick::new(BOILERPLATE).expect("fixed word lists compile"),
            shapes: {
                let mut shapes = [0u16; 256];
                for w in words.keys() {
                    // Words of 15 bytes or more are always looked up.
                    shapes[usize::from(w.as_bytes()[0])] |= 1 << w.len().min(15);
                }
                shapes
            },
            words,
            selling_phrases: AhoCorasick::new(phrases).expect("fixed word lists compile"),
        }
    })
}

impl ChromeWords {
    /// What a word is (0 for a word on no list).
    #[inline]
    fn class(&self, word: &str) -> u8 {
        let Some(&first) = word.as_bytes().first() else {
            return 0;
        };
        if word.len() < 15 && self.shapes[usize::from(first)] & (1 << word.len()) == 0 {
            return 0;
        }
        self.words.get(word).copied().unwrap_or(0)
    }
}

/// Calls `f` with every word of a lower-cased text: runs of letters, digits and apostrophes.
fn lower_words(lower: &str, mut f: impl FnMut(&str)) {
    /// ASCII bytes that belong to words.
    const WORD_BYTE: [bool; 128] = {
        let mut t = [false; 128];
        let mut b = 0;
        while b < 128 {
            t[b] = (b as u8).is_ascii_alphanumeric() || b == b'\'' as usize;
            b += 1;
        }
        t
    };
    let bytes = lower.as_bytes();
    // Whether the character at `i` belongs to a word, and its width.
    let at = |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b < 128 {
            (WORD_BYTE[usize::from(b)], 1)
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
        f(&lower[start..i]);
    }
}

/// Decides whether a block is content, marketing or boilerplate from its wording alone.
/// `ascii_lower` is `block.to_ascii_lowercase()`.
pub fn classify_block(block: &str, ascii_lower: &str) -> Chrome {
    let (letters, latin) = if block.is_ascii() {
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
    // ASCII text lower-cases the same either way, without the Unicode tables.
    let unicode_lower;
    let lower = if block.is_ascii() {
        ascii_lower
    } else {
        unicode_lower = block.to_lowercase();
        &unicode_lower
    };
    let w = chrome_words();
    let (mut n, mut english, mut foreign) = (0, 0, 0);
    lower_words(lower, |word| {
        n += 1;
        let class = w.class(word);
        english += usize::from(class & ENGLISH != 0);
        foreign += usize::from(class & FOREIGN != 0);
    });
    if foreign >= 2 && foreign > english {
        return Chrome::Boilerplate;
    }
    if n <= 25 && w.boilerplate.is_match(lower) {
        return Chrome::Boilerplate;
    }
    Chrome::Content
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
        let class = w.class(word);
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

/// Splits every block into sentences. A full stop ends a sentence only when a space and an
/// upper-case letter, digit or opening quote follow, and the word before it is not an
/// abbreviation ("e.g.", "et al.", "Fig.") or an initial. `lower` is
/// `text.to_ascii_lowercase()`.
pub fn split_sentences(text: &str, lower: &str, blocks: &[Block]) -> Vec<Sentence> {
    let mut out = Vec::new();
    // Selling phrases, found once for the whole text (they cannot overlap one another).
    let phrases: Vec<(usize, usize)> = chrome_words()
        .selling_phrases
        .find_iter(lower)
        .map(|m| (m.start(), m.end()))
        .collect();
    for (bi, b) in blocks.iter().enumerate() {
        let block = &text[b.start..b.end];
        let block_lower = &lower[b.start..b.end];
        let mut start = 0;
        let bytes = block.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c == b'.' || c == b'?' || c == b'!' {
                // Closing quotes and brackets belong to the sentence that ends here.
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
                        && (c != b'.' || !is_abbreviation(&block[start..i], &block_lower[start..i]))
                    {
                        push_sentence(
                            &mut out,
                            &phrases,
                            b.start,
                            block_lower,
                            start,
                            j,
                            bi,
                            b.chrome,
                        );
                        start = j + ws;
                        i = start;
                        continue;
                    }
                }
            }
            i += 1;
        }
        push_sentence(
            &mut out,
            &phrases,
            b.start,
            block_lower,
            start,
            block.len(),
            bi,
            b.chrome,
        );
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn push_sentence(
    out: &mut Vec<Sentence>,
    phrases: &[(usize, usize)],
    base: usize,
    block_lower: &str,
    start: usize,
    end: usize,
    bi: usize,
    chrome: Chrome,
) {
    let s = &block_lower[start..end];
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return;
    }
    let lead = s.len() - s.trim_start().len();
    let st = base + start + lead;
    let end = st + trimmed.len();
    let held = |&(ps, pe): &(usize, usize)| ps >= st && pe <= end;
    let first = phrases.partition_point(|&(ps, _)| ps < st);
    let phrase_count = phrases[first..]
        .iter()
        .take_while(|&&(ps, _)| ps < end)
        .filter(|p| held(p))
        .count();
    let chrome = if chrome == Chrome::Content && marketing(trimmed, phrase_count) {
        Chrome::Marketing
    } else {
        chrome
    };
    out.push(Sentence {
        start: st,
        end,
        block: bi,
        chrome,
    });
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
    if ABBREVIATIONS.contains(&&before_lower[at..]) {
        return true;
    }
    // An initial ("L. Alan") or a dotted abbreviation ("U.S.").
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
        || (word.contains('.') && word.len() <= 6)
}
