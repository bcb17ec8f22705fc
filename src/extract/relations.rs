//! Relations: candidate facts read from sentences by trigger words and sentence structure
//! (active and passive verbs, appositions, compounds, coordinated lists, lists under headings,
//! effect adjectives), with negation dropping a statement and hedging marking it.

use super::document::{BlockKind, Chrome, Document};
use super::phrases::Phrases;
use aho_corasick::AhoCorasick;
use smallvec::{smallvec, SmallVec};
use std::sync::OnceLock;

/// An entity mention inside a document, as relation patterns see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// Byte offset in the document.
    pub start: usize,
    /// Byte offset just past the mention.
    pub end: usize,
    /// The document-local entity index.
    pub ent: usize,
    /// True for a name inside a longer one; such mentions are not arguments of patterns.
    pub nested: bool,
}

/// The entities a pattern found on one side of a trigger: most often one or two, kept inline.
type Ents = SmallVec<[usize; 4]>;

/// The mentions of a document, grouped by sentence in one list: `mentions[i]` is the slice of
/// sentence `i`, sorted by position. One list per document instead of one per sentence, since
/// most sentences that hold a mention hold only a few.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentenceMentions {
    list: Vec<Mention>,
    /// Where the mentions of each sentence end in `list`.
    ends: Vec<usize>,
}

impl SentenceMentions {
    /// Groups (sentence index, mention) pairs for a document of `sentences` sentences. Pairs of
    /// one sentence keep their order; pairs naming a sentence past the last are dropped.
    pub fn group(sentences: usize, mut pairs: Vec<(usize, Mention)>) -> SentenceMentions {
        pairs.retain(|&(k, _)| k < sentences);
        // Stable, and linear on the sorted input that extraction gives.
        pairs.sort_by_key(|&(k, _)| k);
        let mut ends = Vec::with_capacity(sentences);
        let mut at = 0;
        for k in 0..sentences {
            while pairs.get(at).is_some_and(|&(s, _)| s == k) {
                at += 1;
            }
            ends.push(at);
        }
        SentenceMentions {
            list: pairs.into_iter().map(|(_, m)| m).collect(),
            ends,
        }
    }

    /// The number of sentences.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the document has no sentence.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The mentions of sentence `i`, if the document has that sentence.
    pub fn get(&self, i: usize) -> Option<&[Mention]> {
        (i < self.len()).then(|| &self[i])
    }

    /// The mentions of each sentence in turn.
    pub fn iter(&self) -> impl Iterator<Item = &[Mention]> + '_ {
        (0..self.len()).map(|i| &self[i])
    }

    /// Every mention of the document, sentence after sentence.
    pub fn all(&self) -> &[Mention] {
        &self.list
    }
}

impl std::ops::Index<usize> for SentenceMentions {
    type Output = [Mention];

    /// The mentions of sentence `i`; panics past the last sentence, as a slice index does.
    fn index(&self, i: usize) -> &[Mention] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.list[start..self.ends[i]]
    }
}

/// A candidate fact between document-local entities.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// The subject entity.
    pub subject: usize,
    /// The relationship type (SCHEMA.md).
    pub relation: &'static str,
    /// The object entity.
    pub object: usize,
    /// True when the sentence hedges the statement.
    pub hedged: bool,
    /// How reliable the pattern that found it is, in [0, 1].
    pub confidence: f64,
    /// Index of the sentence in the document.
    pub sentence: usize,
}

/// What relation patterns need to know about a document beyond its text.
pub struct Context<'a> {
    /// The document.
    pub doc: &'a Document,
    /// `doc.text` lower-cased (ASCII), same byte offsets.
    pub lower: &'a str,
    /// Mentions of each sentence, sorted by position.
    pub mentions: &'a SentenceMentions,
    /// The label of each document-local entity.
    pub labels: &'a [&'a str],
    /// The entity the document is about (its main drug), if any.
    pub topic: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Block,
    Inhibit,
    Activate,
    Bind,
    Increase,
    Decrease,
    Cause,
    Treat,
    Prevent,
    Reduction,
    Improve,
    Metabolized,
    Interact,
    Located,
    Biomarker,
    Assoc,
    IsA,
    Include,
}

/// Trigger phrases: (phrases separated by `|`, kind, left mention is the object, confidence).
const TRIGGERS: &[(&str, Kind, bool, f64)] = &[
    ("block|blocks|blocking|antagonizes|antagonises|antagonize|antagonise|antagonizing|antagonising|antagonist of|antagonist at|blocker of|binds and blocks|bind and block", Kind::Block, false, 0.85),
    ("blocked by|antagonized by|antagonised by", Kind::Block, true, 0.85),
    ("inhibit|inhibits|inhibiting|inhibitor of|inhibition of|suppress|suppresses|suppressing", Kind::Inhibit, false, 0.8),
    ("inhibited by|suppressed by", Kind::Inhibit, true, 0.8),
    ("activate|activates|activating|agonist of|agonist at|stimulate|stimulates|stimulating", Kind::Activate, false, 0.75),
    ("activated by|stimulated by", Kind::Activate, true, 0.75),
    ("binds to|bind to|binding to|bound to|binds|acts at|act at|acting at|affinity for", Kind::Bind, false, 0.75),
    ("increase|increases|increasing|raise|raises|raising|elevate|elevates|elevating|enhance|enhances|enhancing|upregulate|upregulates|upregulating|boost|boosts|leads to increased|lead to increased|led to increased|contributed to increased|contributes to increased|contribute to increased|resulting in increased|results in increased|increased|enhanced|elevated|raised|restore|restores|restoring|promote the release of|promotes the release of|lead to the release of|leads to the release of|increase the release of|increases the release of", Kind::Increase, false, 0.75),
    ("increased by|enhanced by|elevated by|raised by", Kind::Increase, true, 0.75),
    ("decrease|decreases|decreasing|reduce|reduces|reducing|lower|lowers|lowering|downregulate|downregulates|downregulating|diminish|diminishes|diminishing|attenuate|attenuates|attenuating|deplete|depletes|decreased|reduced|lowered|diminished|attenuated", Kind::Decrease, false, 0.75),
    ("decreased by|reduced by|lowered by|attenuated by", Kind::Decrease, true, 0.75),
    ("cause|causes|causing|caused|induce|induces|inducing|trigger|triggers|triggering|triggered|lead to|leads to|led to|leading to|result in|results in|resulted in|resulting in|produce|produces|producing|produced|contribute to|contributes to|contributed to|contributing to|elicit|elicits|eliciting|provoke|provokes|precipitate|precipitates|increase the risk of|increases the risk of|increased risk of|raise the risk of|raises the risk of|risk factor for|ability to cause", Kind::Cause, false, 0.75),
    ("caused by|induced by|triggered by|produced by|precipitated by|elicited by|provoked by|secondary to|attributed to|stemming from|stems from|resulting from", Kind::Cause, true, 0.7),
    ("treat|treats|treating|treatment of|treatment for|in the treatment of|used to treat|effective for|effective in treating|effective against|relieve|relieves|relieving|alleviate|alleviates|alleviating|ameliorate|ameliorates|ameliorating|overcome|overcoming|therapy for|indicated for|approved for|medication for|antidepressant for|role in treating|management of", Kind::Treat, false, 0.75),
    ("treated with|treated by|relieved by|alleviated by", Kind::Treat, true, 0.75),
    ("prevent|prevents|preventing|prevention of|protects against|protect against|protecting against|reduce the risk of|reduces the risk of|reducing the risk of|reduce the likelihood of|reduces the likelihood of|reducing the likelihood of", Kind::Prevent, false, 0.75),
    ("prevented by", Kind::Prevent, true, 0.75),
    ("reduction in|reductions in|reduced symptoms of|decrease in|decreases in|reduction|reductions", Kind::Reduction, false, 0.7),
    ("improvement in|improvements in|improvements|improvement|increase in|increases in", Kind::Improve, false, 0.7),
    ("metabolized by|metabolised by|metabolism by|broken down by|substrate of|substrate for|cleared by", Kind::Metabolized, false, 0.85),
    ("metabolizes|metabolises|metabolize|metabolise|metabolizing|metabolising", Kind::Metabolized, true, 0.8),
    ("interact with|interacts with|interacting with|interaction with|interactions with|interaction between|combined with|mixed with|together with", Kind::Interact, false, 0.75),
    ("located in|expressed in|expression in|localized in|localised in|found in the|present in the", Kind::Located, false, 0.7),
    ("biomarker of|biomarker for|biomarkers of|biomarkers for|marker of|marker for|markers of|markers for|predictor of|predictors of", Kind::Biomarker, false, 0.75),
    ("associated with|association with|associated to|linked to|link between|linked with|correlated with|correlates with|correlation with|implicated in|involved in|regulator of|regulates|modulates|modulate|modulating|affect|affects|affecting|role in|hallmark of|related to|mechanisms underlying|mechanism underlying|underlying|underlie|underlies|impact on", Kind::Assoc, false, 0.6),
    ("is a|is an|is the|are|was a|was an|is a type of|is classified as|are classified as|classified as|belongs to|belong to|acts as a|acts as an|used as a|used as an|as a|as an|is considered a|is considered an|considered a|known as|is one of the", Kind::IsA, false, 0.8),
    ("include|includes|including|such as", Kind::Include, false, 0.7),
];

const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "neither",
    "nor",
    "without",
    "failed to",
    "fail to",
    "fails to",
    "lack of",
    "lacks",
    "absence of",
    "unlikely to",
    "did not",
    "cannot",
    "rather than",
    "instead of",
    "unrelated to",
    "independent of",
];
/// The negation that ends a word ("don't", "can't"); it counts wherever it stands.
const CONTRACTED_NEGATION: &str = "n't";
const HEDGES: &[&str] = &[
    "may",
    "might",
    "could",
    "possibly",
    "possible",
    "potential",
    "potentially",
    "suggest",
    "suggests",
    "suggested",
    "suggesting",
    "promising",
    "perhaps",
    "likely",
    "putative",
    "hypothesized",
    "hypothesised",
    "appear to",
    "appears to",
    "seem to",
    "seems to",
    "presumed",
    "plausible",
    "preliminary",
    "emerging",
];
const PRONOUNS: &[&str] = &[
    "it",
    "its",
    "this drug",
    "the drug",
    "this medication",
    "the medication",
    "this medicine",
    "this compound",
    "the compound",
    "this substance",
    "this disruption",
    "this binding",
    "this mechanism",
];
/// Nouns that stand for the subject of the clause before a restrictive "that".
const GENERIC_NOUNS: &[&str] = &[
    "drug",
    "medication",
    "medicine",
    "substance",
    "agent",
    "compound",
    "treatment",
    "therapy",
];
/// Words that introduce the members of a list.
const LIST_INTRO: &[&str] = &[
    "such as",
    "including",
    "like",
    "e.g.",
    "especially",
    "particularly",
    "specifically",
    "namely",
    "include",
    "i.e.",
];
/// Words before a subject that invert its effect ("downregulation of X").
const INVERTERS: &[&str] = &[
    "downregulation of ",
    "down-regulation of ",
    "inhibition of ",
    "knockdown of ",
    "loss of ",
    "deletion of ",
    "blockade of ",
    "depletion of ",
    "deficiency of ",
    "suppression of ",
    "reduction of ",
    "reduced ",
    "decreased ",
    "lower ",
];
/// Labels of mentions that can act as agents in a participial chain.
const AGENTS: &[&str] = &[
    "Gene",
    "Neurotransmitter",
    "Receptor",
    "Enzyme",
    "CellType",
    "Transporter",
];
/// Words and marks that open a new clause.
const BOUNDS: &[&str] = &[
    "; ",
    ": ",
    " that ",
    " which ",
    " who ",
    " whereas ",
    " while ",
    " but ",
    " although ",
    " because ",
    " whilst ",
    " meaning ",
    " where ",
    ", and it ",
    ", and they ",
    ", and this ",
];

/// Words that open a mention of two drugs taken together ("mixing X with Y").
const INTERACTION_CUES: [&str; 4] = ["mixing ", "combining ", "co-use of ", "taking "];

/// Words that start an introductory phrase ending at the first comma ("In rats, ...").
const INTROS: &[&str] = &[
    "in",
    "among",
    "after",
    "during",
    "for",
    "like",
    "unlike",
    "by",
    "at",
    "with",
    "when",
    "although",
    "though",
    "while",
    "moreover",
    "furthermore",
    "however",
    "notably",
    "additionally",
    "interestingly",
    "similarly",
    "thus",
    "therefore",
    "overall",
    "recently",
    "subsequently",
    "taken together",
    "in addition",
];
/// Words that tell a heading announces effects of its subject.
const EFFECT_WORDS: &[&str] = &[
    "effect",
    "effects",
    "sign",
    "signs",
    "symptom",
    "symptoms",
    "risk",
    "risks",
    "complication",
    "complications",
    "danger",
    "dangers",
    "dangerous",
    "adverse",
    "side",
    "consequences",
    "harms",
    "toxicity",
];
/// Adjectives that name an effect ("antidepressant effects"): relation and entity name.
const EFFECT_ADJECTIVES: &[(&str, &str, &str)] = &[
    ("antidepressant", "TREATS", "depression"),
    ("anti-inflammatory", "DECREASES", "inflammation"),
    ("analgesic", "TREATS", "pain"),
    ("pain-relieving", "TREATS", "pain"),
    ("hallucinogenic", "CAUSES", "hallucinations"),
    ("sedative", "CAUSES", "sedation"),
    ("euphoric", "CAUSES", "euphoria"),
    ("anxiolytic", "TREATS", "anxiety"),
    ("dissociative", "CAUSES", "dissociation"),
    ("antipsychotic", "TREATS", "psychosis"),
    ("anticonvulsant", "TREATS", "seizures"),
    ("antiemetic", "TREATS", "nausea"),
    ("psychotomimetic", "CAUSES", "psychosis"),
    ("hypnotic", "CAUSES", "sedation"),
    ("stimulant", "CAUSES", "arousal"),
    ("neuroprotective", "DECREASES", "neurotoxicity"),
];

/// What each trigger phrase stands for (kind, left mention is the object, confidence), by its
/// index in the trigger table.
fn trigger_info() -> &'static [(Kind, bool, f64)] {
    static T: OnceLock<Vec<(Kind, bool, f64)>> = OnceLock::new();
    T.get_or_init(|| {
        let mut info = Vec::new();
        for (list, kind, rev, conf) in TRIGGERS {
            for _ in list.split('|') {
                info.push((*kind, *rev, *conf));
            }
        }
        info
    })
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether `lower[s..e]` stands as whole words.
fn bounded(lower: &str, s: usize, e: usize) -> bool {
    let before = lower[..s].chars().next_back();
    let after = lower[e..].chars().next();
    let first = lower[s..e].chars().next();
    let last = lower[s..e].chars().next_back();
    (first.is_some_and(|c| !word_char(c)) || !before.is_some_and(word_char))
        && (last.is_some_and(|c| !word_char(c)) || !after.is_some_and(word_char))
}

/// Whether a phrase of the cue lists that `wanted` picks stands as whole words in `lower`.
fn stands(lower: &str, wanted: fn(Cue) -> bool) -> bool {
    let mut found = false;
    cues().scan(lower, 0, lower.len(), |s, e, cue| {
        found |= wanted(cue) && bounded(lower, s, e);
    });
    found
}

/// Whether the sentence hedges its statements: a hedging word ("may", "suggests") stands in it.
pub fn hedged(lower_sentence: &str) -> bool {
    stands(lower_sentence, |c| matches!(c, Cue::Hedge))
}

/// Whether the sentence holds a negation ("not", "failed to", "don't").
fn negates(lower_sentence: &str) -> bool {
    lower_sentence.contains(CONTRACTED_NEGATION)
        || stands(lower_sentence, |c| matches!(c, Cue::Negation))
}

fn words(s: &str) -> usize {
    if s.is_ascii() {
        // The same count without decoding characters: a word is a run between whitespace
        // that holds a letter or digit.
        let (mut count, mut in_word, mut counted) = (0, false, false);
        for &b in s.as_bytes() {
            if b.is_ascii_whitespace() || b == 0x0B {
                in_word = false;
                continue;
            }
            if !in_word {
                in_word = true;
                counted = false;
            }
            if !counted && b.is_ascii_alphanumeric() {
                count += 1;
                counted = true;
            }
        }
        return count;
    }
    s.split(|c: char| c.is_whitespace())
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
        .count()
}

/// Whether SCHEMA.md allows `relation` from `s` to `o`.
pub fn allowed(relation: &str, s: &str, o: &str) -> bool {
    match relation {
        "ANTAGONIZES" | "AGONIZES" => s == "Drug" && o == "Receptor",
        "BINDS" => s == "Drug" && matches!(o, "Receptor" | "Transporter" | "Enzyme"),
        "INHIBITS" => matches!(o, "Transporter" | "Enzyme" | "Gene" | "Process"),
        "INCREASES" | "DECREASES" | "ASSOCIATED_WITH" => true,
        "CAUSES" => matches!(o, "Symptom" | "Disorder" | "Process"),
        "TREATS" | "PREVENTS" => {
            matches!(s, "Drug" | "Therapy") && matches!(o, "Disorder" | "Symptom")
        }
        "METABOLIZED_BY" => s == "Drug" && o == "Enzyme",
        "INTERACTS_WITH" => s == "Drug" && matches!(o, "Drug" | "DrugClass"),
        "LOCATED_IN" => matches!(s, "Receptor" | "CellType" | "Gene") && o == "BrainRegion",
        "BIOMARKER_OF" => matches!(s, "Gene" | "Measure") && o == "Disorder",
        "IS_A" => s == "Drug" && o == "DrugClass",
        _ => false,
    }
}

/// The relationship a trigger kind names between entities of these labels.
fn resolve(kind: Kind, s: &str, o: &str) -> Option<&'static str> {
    let rel = match kind {
        Kind::Block => match o {
            "Receptor" => "ANTAGONIZES",
            "Transporter" | "Enzyme" | "Gene" | "Process" => "INHIBITS",
            "Neurotransmitter" => "DECREASES",
            _ => return None,
        },
        Kind::Inhibit => match o {
            "Receptor" => "ANTAGONIZES",
            "Transporter" | "Enzyme" | "Gene" | "Process" => "INHIBITS",
            "Symptom" | "Disorder" => return None,
            _ => "DECREASES",
        },
        Kind::Activate => match o {
            "Receptor" => "AGONIZES",
            "Process" | "Symptom" | "Disorder" => "CAUSES",
            _ => "INCREASES",
        },
        Kind::Bind => "BINDS",
        Kind::Increase | Kind::Decrease | Kind::Improve
            if matches!(o, "BrainRegion" | "Therapy" | "DrugClass") =>
        {
            return None
        }
        Kind::Increase => "INCREASES",
        Kind::Decrease => "DECREASES",
        Kind::Improve => match o {
            "Symptom" | "Disorder" if matches!(s, "Drug" | "Therapy") => "TREATS",
            _ => "INCREASES",
        },
        Kind::Cause => match o {
            "Symptom" | "Disorder" | "Process" => "CAUSES",
            "Drug" | "DrugClass" | "Therapy" | "BrainRegion" => return None,
            _ => "INCREASES",
        },
        Kind::Treat => "TREATS",
        Kind::Prevent => "PREVENTS",
        Kind::Reduction => match o {
            "Symptom" | "Disorder" if matches!(s, "Drug" | "Therapy") => "TREATS",
            _ => "DECREASES",
        },
        Kind::Metabolized => "METABOLIZED_BY",
        Kind::Interact => "INTERACTS_WITH",
        Kind::Located => "LOCATED_IN",
        Kind::Biomarker => "BIOMARKER_OF",
        Kind::Assoc => "ASSOCIATED_WITH",
        Kind::IsA => "IS_A",
        Kind::Include => return None,
    };
    allowed(rel, s, o).then_some(rel)
}

/// A trigger occurrence in a sentence.
#[derive(Debug, Clone, Copy)]
struct Trig {
    start: usize,
    end: usize,
    kind: Kind,
    reversed: bool,
    conf: f64,
}

struct Sent<'a, 'c> {
    cx: &'a Context<'c>,
    index: usize,
    start: usize,
    end: usize,
    args: Vec<Mention>,
    all: &'a [Mention],
    trigs: Vec<Trig>,
    hedged: bool,
    bounds: Vec<(usize, usize, &'static str)>,
    /// Every occurrence of a negation phrase, by start and then longest first.
    negations: Vec<(usize, usize)>,
    /// Which of the cues that gate whole patterns the sentence holds.
    cues: CueFlags,
    /// For each argument, whether it is coordinated with the next; filled on first use.
    linked: std::cell::OnceCell<SmallVec<[bool; 16]>>,
}

/// The entity names that effect adjectives stand for ("antidepressant effects" → depression).
pub fn effect_names() -> impl Iterator<Item = &'static str> {
    EFFECT_ADJECTIVES.iter().map(|(_, _, name)| *name)
}

/// Reads the candidate facts of a document. `effect_entity` gives the document-local entity
/// an effect adjective stands for, when the document's entities include it.
pub fn extract(cx: &Context, effect_entity: &dyn Fn(&str) -> Option<usize>) -> Vec<Fact> {
    let mut facts = Vec::new();
    let mut spare = Spare::default();
    for (i, sentence) in cx.doc.sentences.iter().enumerate() {
        if sentence.chrome != Chrome::Content {
            continue;
        }
        let all = &cx.mentions[i];
        let lower = &cx.lower[sentence.start..sentence.end];
        // Without a mention, only an effect adjective can speak of the topic.
        if all.is_empty() && (cx.topic.is_none() || !lower.contains(" effect")) {
            continue;
        }
        let scan = scan_sentence(&mut spare, cx.lower, sentence.start, sentence.end, all);
        let mut args = Spare::take(&mut spare.args);
        args.extend(
            all.iter()
                .copied()
                .filter(|m| !m.nested && !adjectival(cx, m)),
        );
        let s = Sent {
            cx,
            index: i,
            start: sentence.start,
            end: sentence.end,
            args,
            all,
            trigs: scan.trigs,
            hedged: scan.hedged,
            bounds: scan.bounds,
            negations: scan.negations,
            cues: scan.cues,
            linked: std::cell::OnceCell::new(),
        };
        let before = facts.len();
        s.triggered(&mut facts);
        s.compounds(&mut facts);
        s.appositions(&mut facts);
        s.interactions(&mut facts);
        s.effect_adjectives(&mut facts, effect_entity);
        derive_from_classes(&s, &mut facts, before);
        spare.keep(s);
    }
    lists_under_headings(cx, &mut facts);
    finish(facts, cx)
}

/// Phrases that gate whole patterns: a sentence without them skips the pattern.
#[derive(Debug, Clone, Copy, Default)]
struct CueFlags {
    /// "mixing ", "combining ", "co-use of " or "taking ", opening a word.
    interaction: bool,
    /// "no evidence", opening a word.
    no_evidence: bool,
}

/// What a phrase of the cue lists stands for.
#[derive(Debug, Clone, Copy)]
enum Cue {
    /// A trigger, by index in the trigger table.
    Trigger(usize),
    Negation,
    Hedge,
    /// A clause opening, by index in [`BOUNDS`].
    Bound(usize),
    Interaction,
    NoEvidence,
}

/// Every phrase a sentence is searched for, in one table, so that a sentence is read once.
fn cues() -> &'static Phrases<Cue> {
    static C: OnceLock<Phrases<Cue>> = OnceLock::new();
    C.get_or_init(|| Phrases::new(cue_phrases()))
}

/// The phrases of [`cues`], with what each stands for.
fn cue_phrases() -> impl Iterator<Item = (&'static str, Cue)> {
    let triggers = TRIGGERS
        .iter()
        .flat_map(|t| t.0.split('|'))
        .enumerate()
        .map(|(i, p)| (p, Cue::Trigger(i)));
    triggers
        .chain(NEGATIONS.iter().map(|p| (*p, Cue::Negation)))
        .chain(HEDGES.iter().map(|p| (*p, Cue::Hedge)))
        .chain(BOUNDS.iter().enumerate().map(|(i, p)| (*p, Cue::Bound(i))))
        .chain(INTERACTION_CUES.iter().map(|p| (*p, Cue::Interaction)))
        .chain(std::iter::once(("no evidence", Cue::NoEvidence)))
}

/// Whether one of `occurrences` (sorted by start) lies inside `s..e`.
fn has_cue_in(occurrences: &[(usize, usize)], s: usize, e: usize) -> bool {
    let from = occurrences.partition_point(|&(a, _)| a < s);
    occurrences[from..]
        .iter()
        .take_while(|&&(a, _)| a < e)
        .any(|&(_, b)| b <= e)
}

/// What one pass over a sentence finds: its triggers (leftmost-longest, whole words, outside
/// mentions), whether it hedges, where its clauses open, its negation phrases and its cues.
struct Scan {
    trigs: Vec<Trig>,
    hedged: bool,
    bounds: Vec<(usize, usize, &'static str)>,
    negations: Vec<(usize, usize)>,
    cues: CueFlags,
}

/// Lists kept from one sentence to the next, so that reading a sentence allocates nothing
/// once they have grown.
#[derive(Default)]
struct Spare {
    trig_occ: Vec<(usize, usize, usize)>,
    trigs: Vec<Trig>,
    bounds: Vec<(usize, usize, &'static str)>,
    negations: Vec<(usize, usize)>,
    args: Vec<Mention>,
}

impl Spare {
    /// An empty list, reusing what an earlier sentence left.
    fn take<T>(v: &mut Vec<T>) -> Vec<T> {
        let mut v = std::mem::take(v);
        v.clear();
        v
    }

    /// Takes back the lists of a sentence that has been read.
    fn keep(&mut self, s: Sent) {
        self.trigs = s.trigs;
        self.bounds = s.bounds;
        self.negations = s.negations;
        self.args = s.args;
    }
}

fn scan_sentence(
    spare: &mut Spare,
    lower: &str,
    start: usize,
    end: usize,
    mentions: &[Mention],
) -> Scan {
    let hay = &lower[start..end];
    let trig_occ = &mut spare.trig_occ;
    trig_occ.clear();
    let mut negations = Spare::take(&mut spare.negations);
    let mut bounds = Spare::take(&mut spare.bounds);
    let mut flags = CueFlags::default();
    let mut hedged = false;
    cues().scan(lower, start, end, |s, e, cue| match cue {
        Cue::Trigger(i) => {
            if bounded(lower, s, e) {
                trig_occ.push((s, e, i));
            }
        }
        Cue::Negation => {
            if bounded(hay, s - start, e - start) {
                negations.push((s, e));
            }
        }
        Cue::Hedge => hedged = hedged || bounded(hay, s - start, e - start),
        Cue::Bound(i) => {
            let b = BOUNDS[i];
            // ", and it": the new clause starts at the pronoun.
            let skip = if b.starts_with(", and ") { 6 } else { b.len() };
            bounds.push((e, s + skip, b.trim()));
        }
        Cue::Interaction => flags.interaction = true,
        Cue::NoEvidence => flags.no_evidence = true,
    });
    if hay.contains('\'') {
        negations.extend(
            hay.match_indices(CONTRACTED_NEGATION)
                .map(|(p, n)| (start + p, start + p + n.len())),
        );
    }
    negations.sort_unstable_by_key(|&(s, e)| (s, std::cmp::Reverse(e)));
    trig_occ.sort_unstable_by_key(|&(s, e, i)| (s, std::cmp::Reverse(e), i));
    let info = trigger_info();
    let mut trigs = Spare::take(&mut spare.trigs);
    let mut last_end = 0;
    for &(s, e, i) in trig_occ.iter() {
        if s < last_end {
            continue;
        }
        last_end = e;
        if mentions.iter().any(|x| s < x.end && x.start < e) {
            continue;
        }
        let (kind, reversed, conf) = info[i];
        trigs.push(Trig {
            start: s,
            end: e,
            kind,
            reversed,
            conf,
        });
    }
    Scan {
        trigs,
        hedged,
        bounds,
        negations,
        cues: flags,
    }
}

impl Sent<'_, '_> {
    fn label(&self, ent: usize) -> &str {
        self.cx.labels.get(ent).copied().unwrap_or("")
    }

    fn text(&self, s: usize, e: usize) -> &str {
        if s >= e {
            return "";
        }
        &self.cx.lower[s..e]
    }

    fn push(&self, facts: &mut Vec<Fact>, s: usize, rel: &'static str, o: usize, conf: f64) {
        if s == o || !allowed(rel, self.label(s), self.label(o)) {
            return;
        }
        let conf = if self.hedged { conf * 0.8 } else { conf };
        facts.push(Fact {
            subject: s,
            relation: rel,
            object: o,
            hedged: self.hedged,
            confidence: conf,
            sentence: self.index,
        });
    }

    /// Where the clause holding byte `pos` starts, and the word that opened it.
    fn clause_start(&self, pos: usize) -> (usize, &'static str) {
        let mut best = (self.start, "");
        for &(end, at, opener) in &self.bounds {
            if end <= pos && at > best.0 {
                best = (at, opener);
            }
        }
        best
    }

    /// Skips an introductory phrase ("In rats, ", "Like cocaine, ") at a clause start,
    /// returning the new start and the mentions of a "like" phrase.
    fn skip_intro(&self, start: usize, pos: usize) -> (usize, Ents) {
        let hay = self.text(start, pos);
        let first: &str = hay
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        if !INTROS.contains(&first) {
            return (start, Ents::new());
        }
        let Some(comma) = hay.find(", ") else {
            return (start, Ents::new());
        };
        let cut = start + comma + 2;
        let mut like = Ents::new();
        if first == "like" {
            like = self
                .args
                .iter()
                .filter(|m| m.start >= start && m.end <= cut)
                .map(|m| m.ent)
                .collect();
        }
        (cut, like)
    }

    /// Whether `pos` lies inside parentheses within the sentence.
    fn in_parens(&self, pos: usize) -> bool {
        let before = self.text(self.start, pos);
        before.matches('(').count() > before.matches(')').count()
    }

    /// The mention `m` and the mentions coordinated with it ("A, B, and C").
    fn chain(&self, first: usize) -> std::ops::RangeInclusive<usize> {
        // Whether each mention is coordinated with the next, decided once per sentence.
        let linked = self.linked.get_or_init(|| {
            self.args
                .windows(2)
                .map(|w| coordinating(self.text(w[0].end, w[1].start)))
                .collect()
        });
        let mut last = first;
        while linked.get(last).copied().unwrap_or(false) {
            last += 1;
        }
        first..=last
    }

    /// The entity a pronoun in this sentence stands for: the sentence's own subject when the
    /// sentence opens with a mention, else the document's topic.
    fn antecedent(&self, pron: usize, domain_ok: &dyn Fn(&str) -> bool) -> Option<(usize, f64)> {
        let opening = self.text(self.start, self.end);
        let starts_with_pronoun = PRONOUNS
            .iter()
            .any(|p| opening.starts_with(p) && bounded(opening, 0, p.len()));
        if !starts_with_pronoun {
            let first = self.args.iter().find(|m| {
                m.end <= pron
                    && words(self.text(self.start, m.start)) <= 3
                    && self.label(m.ent) != "DrugClass"
            });
            if let Some(m) = first {
                return domain_ok(self.label(m.ent)).then_some((m.ent, 0.85));
            }
        }
        let topic = self.cx.topic?;
        domain_ok(self.label(topic)).then_some((topic, 0.8))
    }

    /// The subjects of a trigger: the leftmost mention of its clause (with the mentions
    /// coordinated with it), or what a pronoun or a relative clause points to.
    fn subjects(&self, t: &Trig, domain_ok: &dyn Fn(&str) -> bool) -> (Ents, f64) {
        let (mut cs, opener) = self.clause_start(t.start);
        let (skipped, like) = self.skip_intro(cs, t.start);
        cs = skipped;
        let before_trig = self.text(self.start, t.start);
        // A participle ("dopamine, a transmitter associated with craving") modifies the
        // nearest mention before it.
        if t.kind == Kind::Assoc {
            let prev_word = before_trig
                .split(|c: char| !c.is_alphanumeric())
                .rfind(|w| !w.is_empty())
                .unwrap_or("");
            const AUX: &[&str] = &[
                "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "also",
                "may", "might", "can", "could", "strongly", "closely", "often", "not",
            ];
            if !AUX.contains(&prev_word) {
                let near = self.args.iter().rev().find(|m| m.end <= t.start);
                if let Some(m) = near {
                    let gap_ok = words(self.text(m.end, t.start)) <= 5
                        && !self
                            .trigs
                            .iter()
                            .any(|o| o.start >= m.end && o.end <= t.start)
                        && !self.in_parens(m.start);
                    if gap_ok && domain_ok(self.label(m.ent)) {
                        return (smallvec![m.ent], 0.9);
                    }
                }
                return (Ents::new(), 0.0);
            }
        }
        let is_cand = |i: usize| {
            let m = self.args[i];
            m.start >= cs && m.end <= t.start && !self.in_parens(m.start)
        };
        if let Some(i) =
            (0..self.args.len()).find(|&i| is_cand(i) && domain_ok(self.label(self.args[i].ent)))
        {
            if words(self.text(self.args[i].end, t.start)) > 14 {
                return (Ents::new(), 0.0);
            }
            let chain = || self.chain(i).filter(|&j| self.args[j].end <= t.start);
            let drugs_listed = chain().any(|j| self.label(self.args[j].ent) == "Drug");
            let mut out: Ents = chain()
                .map(|j| self.args[j].ent)
                .filter(|&e| !(drugs_listed && self.label(e) == "DrugClass"))
                .collect();
            out.extend(like);
            return (out, 1.0);
        }
        let clause = self.text(cs, t.start);
        if matches!(opener, "that" | "which" | "who")
            && !(0..self.args.len()).any(is_cand)
            && clause_is_predicate(clause)
        {
            let open_at = cs.saturating_sub(opener.len() + 1);
            let before = self.text(self.start, open_at).trim_end();
            if before.ends_with(',') {
                // ", which ..." speaks of the whole clause before: its subject.
                let prev = Trig {
                    start: open_at,
                    ..*t
                };
                if prev.start > self.start {
                    let (s, c) = self.subjects(&prev, domain_ok);
                    return (s, c * 0.9);
                }
            } else {
                // A restrictive clause speaks of the noun just before it.
                let near = self.args.iter().rev().find(|m| m.end <= open_at);
                if let Some(m) = near {
                    if words(self.text(m.end, open_at)) == 0 {
                        return if domain_ok(self.label(m.ent)) {
                            (smallvec![m.ent], 0.85)
                        } else {
                            (Ents::new(), 0.0)
                        };
                    }
                }
                let last = before.rsplit(' ').next().unwrap_or("");
                if GENERIC_NOUNS.contains(&last) {
                    let prev = Trig {
                        start: open_at,
                        ..*t
                    };
                    let (s, c) = self.subjects(&prev, domain_ok);
                    return (s, c * 0.9);
                }
                return (Ents::new(), 0.0);
            }
        }
        if let Some(p) = clause_pronoun_pos(clause) {
            if let Some((e, c)) = self.antecedent(cs + p, domain_ok) {
                return (smallvec![e], c);
            }
        }
        (Ents::new(), 0.0)
    }

    /// The objects of a trigger: the first mention after it, close enough, with those
    /// coordinated with it.
    fn objects(&self, t: &Trig) -> Ents {
        let Some(mut first) = self.args.iter().position(|m| m.start >= t.end) else {
            return Ents::new();
        };
        // "microglia-mediated inflammation": the mention is a modifier; the head follows.
        if self.cx.lower[self.args[first].end..].starts_with('-') {
            if let Some(next) = self.args.get(first + 1) {
                if words(self.text(self.args[first].end, next.start)) <= 1 {
                    first += 1;
                }
            }
        }
        // "the plasma level of X": the measure is of X.
        if self.label(self.args[first].ent) == "Measure" {
            if let Some(next) = self.args.get(first + 1) {
                let gap = self.text(self.args[first].end, next.start);
                if gap == " of " || gap == " of the " {
                    first += 1;
                }
            }
        }
        let gap = self.text(t.end, self.args[first].start);
        let limit = match t.kind {
            Kind::IsA => 7,
            Kind::Improve => 7,
            _ => 5,
        };
        let n = words(gap);
        // Only a long gap needs to know whether it introduces a list.
        if n > limit && !(n <= 12 && LIST_INTRO.iter().any(|w| has(gap, w))) {
            return Ents::new();
        }
        if gap.contains(';') || has(gap, " which ") || has(gap, " while ") || has(gap, " but ") {
            return Ents::new();
        }
        let blocked = self.trigs.iter().any(|o| {
            o.start >= t.end
                && o.end <= self.args[first].start
                && o.kind != Kind::Include
                && !(t.kind == Kind::IsA && o.kind == Kind::IsA)
        });
        if blocked {
            return Ents::new();
        }
        self.chain(first).map(|i| self.args[i].ent).collect()
    }

    fn negated(&self, from: usize, to: usize) -> bool {
        // Negation cues from a few words before the subject up to the object.
        let lo = self.text(self.start, from);
        let back = lo
            .char_indices()
            .rev()
            .filter(|(_, c)| c.is_whitespace())
            .nth(3)
            .map_or(self.start, |(p, _)| self.start + p);
        has_cue_in(&self.negations, back.max(self.start), to.min(self.end)) || self.cues.no_evidence
    }

    /// Whether the trigger opens a participial clause (", activating Y", "and ultimately
    /// inducing Z").
    fn participial(&self, t: &Trig) -> bool {
        let word = self.text(t.start, t.end);
        if !word.split(' ').next().is_some_and(|w| w.ends_with("ing")) {
            return false;
        }
        let before = self.text(self.start, t.start).trim_end();
        before.ends_with(',')
            || before.ends_with(" and")
            || before.ends_with(" ultimately")
            || before.ends_with(" thereby")
            || before.ends_with(" thus")
            || before.ends_with(" subsequently")
    }

    /// "downregulation of X ... increases Y": the subject's loss has the opposite effect.
    fn inverted(&self, subject_start: usize) -> bool {
        let before = self.text(self.start, subject_start);
        INVERTERS.iter().any(|w| before.ends_with(w))
    }

    fn triggered(&self, facts: &mut Vec<Fact>) {
        // (subjects, objects) of the previous trigger, for participial chains.
        let mut prev: Option<(Ents, Ents, bool)> = None;
        for t in &self.trigs {
            if matches!(t.kind, Kind::Include) {
                self.include_list(t, facts);
                continue;
            }
            // "X-induced Y" is a compound, read by `compounds`.
            if self.cx.lower[..t.start].ends_with('-') {
                continue;
            }
            let (left_is_object, kind) = (t.reversed, t.kind);
            let objs = self.objects(t);
            if objs.is_empty() {
                if matches!(kind, Kind::Reduction | Kind::Improve) {
                    self.patient_before(t, facts);
                }
                continue;
            }
            let first_obj_label = self.label(objs[0]);
            let domain_ok = |l: &str| {
                if left_is_object {
                    resolve(kind, first_obj_label, l).is_some()
                } else {
                    resolve(kind, l, first_obj_label).is_some()
                        || objs
                            .iter()
                            .any(|&o| resolve(kind, l, self.label(o)).is_some())
                }
            };
            let participial = self.participial(t);
            let (subs, sconf) = match (&prev, participial) {
                (Some((ps, _, true)), true)
                    if self
                        .text(self.start, t.start)
                        .trim_end()
                        .ends_with(|c: char| c.is_alphabetic()) =>
                {
                    (ps.clone(), 0.8)
                }
                (Some((_, po, _)), true)
                    if !matches!(
                        self.text(t.start, t.end),
                        "resulting in" | "leading to" | "contributing to"
                    ) && po.last().is_some_and(|&o| AGENTS.contains(&self.label(o))) =>
                {
                    (smallvec![*po.last().unwrap_or(&0)], 0.8)
                }
                _ => self.subjects(t, &domain_ok),
            };
            if subs.is_empty() {
                if matches!(kind, Kind::Reduction | Kind::Improve) {
                    self.agent_from_previous(t, &objs, facts);
                }
                continue;
            }
            let obj_end = self
                .args
                .iter()
                .find(|m| m.start >= t.end)
                .map_or(t.end, |m| m.end);
            let subj_mention = self
                .args
                .iter()
                .find(|m| subs.contains(&m.ent) && m.end <= t.start);
            let subj_start = subj_mention.map_or(t.start, |m| m.start.min(t.start));
            if self.negated(subj_start, obj_end) {
                prev = Some((subs, objs, participial));
                continue;
            }
            let flip = subj_mention.is_some_and(|m| self.inverted(m.start));
            for &s in &subs {
                for &o in &objs {
                    let (s2, o2) = if left_is_object { (o, s) } else { (s, o) };
                    if let Some(rel) = resolve(kind, self.label(s2), self.label(o2)) {
                        let rel = match (flip, rel) {
                            (true, "INCREASES") => "DECREASES",
                            (true, "DECREASES") => "INCREASES",
                            (_, r) => r,
                        };
                        self.push(facts, s2, rel, o2, t.conf * sconf);
                    }
                }
            }
            prev = Some((subs, objs, participial));
        }
    }

    /// "A, B and C showed a marked reduction": the mentions before a change noun are what
    /// changed; the agent is the previous sentence's.
    fn patient_before(&self, t: &Trig, facts: &mut Vec<Fact>) {
        let before: Vec<usize> = (0..self.args.len())
            .filter(|&i| self.args[i].end <= t.start)
            .collect();
        let Some(&last) = before.last() else {
            return;
        };
        let gap = self.text(self.args[last].end, t.start);
        if words(gap) > 3 || !(has(gap, "show") || has(gap, "display") || has(gap, "exhibit")) {
            return;
        }
        let mut first = last;
        while first > 0 && coordinating(self.text(self.args[first - 1].end, self.args[first].start))
        {
            first -= 1;
        }
        let objs: Vec<usize> = (first..=last).map(|i| self.args[i].ent).collect();
        self.agent_from_previous(t, &objs, facts);
    }

    /// A change with no agent in its sentence takes the drug that the previous sentence said
    /// caused changes of the same kind.
    fn agent_from_previous(&self, t: &Trig, objs: &[usize], facts: &mut Vec<Fact>) {
        let Some(prev) = self.index.checked_sub(1) else {
            return;
        };
        let agent = facts
            .iter()
            .rev()
            .take_while(|f| f.sentence >= prev)
            .find(|f| {
                f.sentence == prev
                    && self.label(f.subject) == "Drug"
                    && matches!(f.relation, "INCREASES" | "DECREASES")
            })
            .map(|f| f.subject)
            .or_else(|| {
                // The previous sentence's changes may have had no known object.
                let sent = self.cx.doc.sentences.get(prev)?;
                let text = &self.cx.lower[sent.start..sent.end];
                let changes = ["increase", "decrease", "reduc", "improv"]
                    .iter()
                    .any(|w| text.contains(w));
                let drug = self
                    .cx
                    .mentions
                    .get(prev)?
                    .iter()
                    .find(|m| !m.nested && self.label(m.ent) == "Drug")?;
                changes.then_some(drug.ent)
            });
        let Some(agent) = agent else {
            return;
        };
        if self.negated(self.start, self.end) {
            return;
        }
        let rel = match t.kind {
            Kind::Improve => "INCREASES",
            _ => "DECREASES",
        };
        for &o in objs {
            if matches!(
                self.label(o),
                "Microbe" | "Gene" | "Neurotransmitter" | "Process" | "Measure"
            ) {
                self.push(facts, agent, rel, o, 0.6);
            }
        }
    }

    /// "effects of X include A, B and C", "signs include A and B".
    fn include_list(&self, t: &Trig, facts: &mut Vec<Fact>) {
        let (cs, _) = self.clause_start(t.start);
        let left = self.text(cs, t.start);
        let left_words: Vec<&str> = left.split(|c: char| !c.is_alphanumeric()).collect();
        let effecty = left_words.iter().any(|w| EFFECT_WORDS.contains(w));
        if !effecty {
            return;
        }
        let Some(first) = self.args.iter().position(|m| m.start >= t.end) else {
            return;
        };
        if words(self.text(t.end, self.args[first].start)) > 3 {
            return;
        }
        let subject = self
            .args
            .iter()
            .find(|m| m.start >= cs && m.end <= t.start && self.label(m.ent) == "Drug")
            .map(|m| (m.ent, 1.0))
            .or(self.cx.topic.map(|t| (t, 0.8)));
        let Some((s, sconf)) = subject else {
            return;
        };
        if self.negated(cs, self.args[first].end) {
            return;
        }
        for i in self.chain(first) {
            let o = self.args[i].ent;
            if matches!(self.label(o), "Symptom" | "Disorder") {
                self.push(facts, s, "CAUSES", o, t.conf * sconf);
            }
        }
    }

    /// "X-induced Y" (CAUSES), "X-related Y" / "X-associated Y" (ASSOCIATED_WITH).
    fn compounds(&self, facts: &mut Vec<Fact>) {
        for (i, m) in self.args.iter().enumerate() {
            let rest = &self.cx.lower[m.end..self.end];
            let rel = if rest.starts_with("-induced") || rest.starts_with(" induced ") {
                "CAUSES"
            } else if rest.starts_with("-related") || rest.starts_with("-associated") {
                "ASSOCIATED_WITH"
            } else {
                continue;
            };
            let Some(next) = self.args.get(i + 1) else {
                continue;
            };
            let gap = self.text(m.end, next.start);
            if words(gap) > 4 || gap.contains(',') {
                continue;
            }
            if self.negated(m.start, next.end) {
                continue;
            }
            for j in self.chain(i + 1) {
                self.push(facts, m.ent, rel, self.args[j].ent, 0.85);
            }
        }
    }

    /// "X, a CLASS," and "The CLASS, A, B and C," and "CLASS such as A and B".
    fn appositions(&self, facts: &mut Vec<Fact>) {
        for (i, m) in self.args.iter().enumerate() {
            let Some(next) = self.args.get(i + 1) else {
                continue;
            };
            let gap = self.text(m.end, next.start);
            let (a, b) = (self.label(m.ent), self.label(next.ent));
            if a == "Drug" && b == "DrugClass" {
                let article = [", a ", ", an ", ", the ", ", another "]
                    .iter()
                    .any(|p| gap.starts_with(p));
                if article && words(gap) <= 6 && !gap[1..].contains(',') {
                    self.push(facts, m.ent, "IS_A", next.ent, 0.85);
                }
            }
            if a == "DrugClass" && b == "Drug" {
                let appos = gap == ", "
                    || gap.trim() == "such as"
                    || gap.trim() == ", such as"
                    || gap.trim() == ", including"
                    || gap.trim() == "including";
                if appos {
                    for j in self.chain(i + 1) {
                        let d = self.args[j].ent;
                        if self.label(d) == "Drug" {
                            self.push(facts, d, "IS_A", m.ent, 0.8);
                        }
                    }
                }
            }
        }
    }

    /// "Mixing X with Y", "combining X and Y".
    fn interactions(&self, facts: &mut Vec<Fact>) {
        if !self.cues.interaction {
            return;
        }
        let lower = self.text(self.start, self.end);
        for cue in INTERACTION_CUES {
            // The cue opens a word: "taking " inside "undertaking " is not one.
            let opens_word = |p: usize| !lower[..p].chars().next_back().is_some_and(word_char);
            let Some((p, _)) = lower.match_indices(cue).find(|&(p, _)| opens_word(p)) else {
                continue;
            };
            let at = self.start + p + cue.len();
            let Some(first) = self.args.iter().position(|m| m.start >= at) else {
                continue;
            };
            if words(self.text(at, self.args[first].start)) > 1 {
                continue;
            }
            let x = self.args[first].ent;
            if self.label(x) != "Drug" {
                continue;
            }
            let after = self.args[first].end;
            let rest = self.text(after, self.end);
            let Some(w) = rest.find(" with ").or_else(|| rest.find(" and ")) else {
                continue;
            };
            let from = after + w;
            let Some(second) = self.args.iter().position(|m| m.start > from) else {
                continue;
            };
            let gap = self.text(from, self.args[second].start);
            let listed = has(gap, "such as") || has(gap, "including") || has(gap, "like");
            if words(gap) > 3 && !(listed && words(gap) <= 8) {
                continue;
            }
            if self.negated(self.args[first].start, self.args[second].end) {
                continue;
            }
            for j in self.chain(second) {
                self.push(facts, x, "INTERACTS_WITH", self.args[j].ent, 0.75);
            }
        }
    }

    /// "its antidepressant and anti-inflammatory effects", "has sedative effects".
    fn effect_adjectives(
        &self,
        facts: &mut Vec<Fact>,
        effect_entity: &dyn Fn(&str) -> Option<usize>,
    ) {
        let lower = self.text(self.start, self.end);
        if !has(lower, " effect") {
            return;
        }
        for (p, _) in lower.match_indices(" effect") {
            let abs = self.start + p;
            // Walk back over coordinated adjectives.
            let before = &lower[..p];
            let mut adjs = Vec::new();
            let toks: Vec<&str> = before
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|w| !w.is_empty())
                .collect();
            let mut cut = p;
            for w in toks.iter().rev().take(8) {
                let at = before[..cut].rfind(w).unwrap_or(cut);
                if matches!(*w, "and" | "or" | "and/or") {
                    cut = at;
                    continue;
                }
                let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
                if let Some((_, rel, name)) = EFFECT_ADJECTIVES.iter().find(|(a, _, _)| *a == w) {
                    adjs.push((*rel, *name));
                } else if !(w.ends_with("ic")
                    || w.ends_with("ive")
                    || w.ends_with("ory")
                    || w.ends_with("ant")
                    || w.ends_with("ing")
                    || w.ends_with("al"))
                {
                    break;
                }
                cut = at;
            }
            if adjs.is_empty() {
                continue;
            }
            let run_start = self.start + cut;
            let word_before = lower[..cut]
                .split(|c: char| !c.is_alphanumeric())
                .rfind(|w| !w.is_empty())
                .unwrap_or("");
            // The subject: "effects of X", else what "its" stands for, else the nearest drug.
            let after = self.text(abs, self.end);
            let of_x = after.find(" of ").filter(|&q| q <= 10).and_then(|q| {
                self.args
                    .iter()
                    .find(|m| m.start >= abs + q && m.start <= abs + q + 5)
            });
            let drugish = |l: &str| matches!(l, "Drug" | "DrugClass");
            let subj = of_x
                .filter(|m| drugish(self.label(m.ent)))
                .map(|m| (m.ent, 1.0))
                .or_else(|| {
                    if matches!(word_before, "its" | "their") {
                        self.antecedent(run_start, &drugish)
                    } else {
                        self.args
                            .iter()
                            .rev()
                            .find(|m| m.end <= run_start && self.label(m.ent) == "Drug")
                            .map(|m| (m.ent, 0.9))
                    }
                });
            let Some((s, sconf)) = subj else {
                continue;
            };
            if self.negated(self.start, abs) {
                continue;
            }
            for (rel, name) in adjs {
                if let Some(o) = effect_entity(name) {
                    self.push(facts, s, rel, o, 0.65 * sconf);
                }
            }
        }
    }
}

/// A class name used as an adjective ("its antidepressant effects") names an effect, not the
/// class.
fn adjectival(cx: &Context, m: &Mention) -> bool {
    let rest = &cx.lower[m.end..];
    cx.labels.get(m.ent) == Some(&"DrugClass")
        && (rest.starts_with(" effect")
            || rest.starts_with(" propert")
            || rest.starts_with(" action"))
}

/// Words that join the items of a list, besides those that introduce one.
const LIST_WORDS: [&str; 2] = ["and/or", "as well as"];

/// Every list word in one automaton: a gap that holds none needs no removal pass.
fn list_words() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::new(LIST_WORDS.iter().chain(LIST_INTRO)).expect("fixed word lists compile")
    })
}

/// "and", "or", commas and brackets only: mentions in a list.
fn coordinating(gap: &str) -> bool {
    // The gaps of nearly every list, answered without reading them word by word.
    matches!(gap, ", " | " and " | ", and " | " or " | ", or ") || reads_as_list(gap)
}

/// [`coordinating`], read word by word.
fn reads_as_list(gap: &str) -> bool {
    if !gap.contains([',', '(']) && !has(gap, " and ") && !has(gap, " or ") {
        return false;
    }
    // The list words go in turn (one removal can bring the next one's words together); most
    // gaps hold none, and then nothing is copied.
    let mut rest = std::borrow::Cow::Borrowed(gap);
    if list_words().is_match(gap) {
        for w in LIST_WORDS.iter().chain(LIST_INTRO) {
            if has(&rest, w) {
                rest = std::borrow::Cow::Owned(rest.replace(w, " "));
            }
        }
    }
    // The words left once punctuation is dropped: a list allows one at most.
    let kept = |c: &char| !matches!(c, ',' | '(' | ')' | ';' | ':');
    let mut ws = rest
        .split_whitespace()
        .filter(|w| w.chars().any(|c| kept(&c)));
    let Some(word) = ws.next() else {
        return true;
    };
    if ws.next().is_some() {
        return false;
    }
    let is = |lit: &str| word.chars().filter(kept).eq(lit.chars());
    let symptoms_of = ["symptoms", "symptomatology", "signs", "features"]
        .into_iter()
        .any(is)
        && gap.contains('(');
    symptoms_of || ["and", "or", "&"].into_iter().any(is)
}

fn clause_is_predicate(clause: &str) -> bool {
    clause.split_whitespace().count() <= 8
}

fn clause_pronoun_pos(clause: &str) -> Option<usize> {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    let ac = AC.get_or_init(|| AhoCorasick::new(PRONOUNS).expect("fixed word lists compile"));
    ac.find_overlapping_iter(clause)
        .filter(|m| bounded(clause, m.start(), m.end()))
        .map(|m| m.start())
        .min()
}

/// Whether `needle` occurs in `hay`; the gaps between mentions are short, and a plain scan
/// of them costs less than setting up a substring searcher.
fn has(hay: &str, needle: &str) -> bool {
    if hay.len() > 64 {
        return hay.contains(needle);
    }
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    // Compared byte by byte: a needle that opens with a space matches its first byte at every
    // space of the gap, and a call to memcmp there costs more than the two bytes that differ.
    (0..(h.len() + 1).saturating_sub(n.len()))
        .any(|i| h[i] == first && h[i + 1..i + n.len()].iter().zip(rest).all(|(a, b)| a == b))
}

/// A drug that IS_A "NMDA receptor antagonist" also ANTAGONIZES the NMDA receptor it names.
fn derive_from_classes(s: &Sent, facts: &mut Vec<Fact>, from: usize) {
    let mut extra = Vec::new();
    for f in &facts[from..] {
        if f.relation != "IS_A" {
            continue;
        }
        // The class mention in this sentence, and the names nested in it.
        for c in s.all.iter().filter(|m| m.ent == f.object && !m.nested) {
            // "used as a CLASS for DISORDER": the drug treats it.
            let follows = s.text(c.end, s.end);
            if follows.starts_with(" for ") {
                if let Some(d) = s.args.iter().find(|m| m.start == c.end + 5) {
                    if allowed("TREATS", s.label(f.subject), s.label(d.ent)) {
                        extra.push(Fact {
                            relation: "TREATS",
                            object: d.ent,
                            confidence: f.confidence * 0.9,
                            ..f.clone()
                        });
                    }
                }
            }
            let class = s.text(c.start, c.end);
            let rel = if class.contains("antagonist") || class.contains("blocker") {
                "ANTAGONIZES"
            } else if class.contains("agonist") {
                "AGONIZES"
            } else if class.contains("inhibitor") {
                "INHIBITS"
            } else {
                continue;
            };
            for n in s
                .all
                .iter()
                .filter(|n| n.nested && n.start >= c.start && n.end <= c.end)
            {
                let rel = match (rel, s.label(n.ent)) {
                    ("INHIBITS", "Receptor") => "ANTAGONIZES",
                    (r, _) => r,
                };
                if allowed(rel, s.label(f.subject), s.label(n.ent)) {
                    extra.push(Fact {
                        relation: rel,
                        object: n.ent,
                        confidence: f.confidence * 0.95,
                        ..f.clone()
                    });
                }
            }
        }
    }
    facts.extend(extra);
}

/// Bulleted lists under a heading that announces effects ("Side effects", "Signs of X use
/// include:") give CAUSES from the heading's drug, or the document's topic, to every symptom
/// or disorder the items name; a heading about uses gives TREATS.
fn lists_under_headings(cx: &Context, facts: &mut Vec<Fact>) {
    let doc = cx.doc;
    // The sentences of each block, in order, as ranges of one list (a list per block would
    // cost an allocation per paragraph).
    let mut first = vec![0usize; doc.blocks.len() + 1];
    for s in &doc.sentences {
        if s.block < doc.blocks.len() {
            first[s.block + 1] += 1;
        }
    }
    for b in 0..doc.blocks.len() {
        first[b + 1] += first[b];
    }
    let mut members = vec![0usize; first[doc.blocks.len()]];
    let mut next = first.clone();
    for (i, s) in doc.sentences.iter().enumerate() {
        if s.block < doc.blocks.len() {
            members[next[s.block]] = i;
            next[s.block] += 1;
        }
    }
    let by_block = |b: usize| &members[first[b]..first[b + 1]];
    let mut heading: Option<(usize, &'static str, f64)> = None;
    for (bi, block) in doc.blocks.iter().enumerate() {
        match block.kind {
            BlockKind::Bullet => {
                let Some((subject, rel, conf)) = heading else {
                    continue;
                };
                if block.chrome != Chrome::Content {
                    continue;
                }
                for &si in by_block(bi) {
                    if doc.sentences[si].chrome != Chrome::Content {
                        continue;
                    }
                    let sl = &cx.lower[doc.sentences[si].start..doc.sentences[si].end];
                    if negates(sl) {
                        continue;
                    }
                    let hedge = hedged(sl);
                    for m in cx.mentions[si].iter().filter(|m| !m.nested) {
                        let label = cx.labels[m.ent];
                        if m.ent != subject
                            && allowed(rel, cx.labels[subject], label)
                            && label != "Process"
                        {
                            facts.push(Fact {
                                subject,
                                relation: rel,
                                object: m.ent,
                                hedged: hedge,
                                confidence: if hedge { conf * 0.8 } else { conf },
                                sentence: si,
                            });
                        }
                    }
                }
            }
            _ => {
                heading = None;
                let text = &cx.lower[block.start..block.end];
                let is_heading = block.kind == BlockKind::Heading || text.ends_with(':');
                if !is_heading || block.chrome == Chrome::Boilerplate {
                    continue;
                }
                let ws = || text.split(|c: char| !c.is_alphanumeric());
                let rel = if ws().any(|w| EFFECT_WORDS.contains(&w)) {
                    "CAUSES"
                } else if ws().any(|w| matches!(w, "uses" | "treats" | "indications" | "benefits"))
                {
                    "TREATS"
                } else {
                    continue;
                };
                let drug = by_block(bi)
                    .iter()
                    .flat_map(|&si| cx.mentions[si].iter())
                    .find(|m| !m.nested && cx.labels[m.ent] == "Drug")
                    .map(|m| (m.ent, 0.75));
                if let Some((s, c)) = drug.or(cx.topic.map(|t| (t, 0.7))) {
                    heading = Some((s, rel, c));
                }
            }
        }
    }
}

/// Drops facts a stronger one makes redundant (BINDS beside ANTAGONIZES or AGONIZES for the
/// same pair) and exact repeats within a sentence.
fn finish(mut facts: Vec<Fact>, _cx: &Context) -> Vec<Fact> {
    let strong: Vec<(usize, usize)> = facts
        .iter()
        .filter(|f| matches!(f.relation, "ANTAGONIZES" | "AGONIZES"))
        .map(|f| (f.subject, f.object))
        .collect();
    facts.retain(|f| !(f.relation == "BINDS" && strong.contains(&(f.subject, f.object))));
    drop_repeats(&mut facts);
    facts
}

/// Keeps the first of facts that repeat (subject, relation, object, sentence), in order.
fn drop_repeats(facts: &mut Vec<Fact>) {
    let same = |a: &Fact, b: &Fact| {
        (a.subject, a.object, a.sentence) == (b.subject, b.object, b.sentence)
            && a.relation == b.relation
    };
    if facts.len() > 256 {
        let mut seen = rustc_hash::FxHashSet::default();
        facts.retain(|f| seen.insert((f.subject, f.relation, f.object, f.sentence)));
        return;
    }
    // A document's facts are few: comparing each with those kept costs less than hashing.
    let mut kept = 0;
    for i in 0..facts.len() {
        if !facts[..kept].iter().any(|k| same(k, &facts[i])) {
            facts.swap(kept, i);
            kept += 1;
        }
    }
    facts.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Triggers read from left to right: at each place, the longest trigger there that stands
    /// as whole words, and the reading goes on after it.
    fn reference_triggers(lower: &str) -> Vec<(usize, usize)> {
        let pats: Vec<&str> = TRIGGERS.iter().flat_map(|t| t.0.split('|')).collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < lower.len() {
            let longest = pats
                .iter()
                .filter(|p| lower[i..].starts_with(*p) && bounded(lower, i, i + p.len()))
                .map(|p| p.len())
                .max();
            match longest {
                Some(n) => {
                    out.push((i, i + n));
                    i += n;
                }
                None => i += lower[i..].chars().next().map_or(1, char::len_utf8),
            }
        }
        out
    }

    proptest! {
        /// Repeated facts go, the first of each stays, and the order holds, on short lists
        /// (compared pairwise) and long ones (hashed) alike.
        #[test]
        fn repeated_facts_keep_their_first_in_order(
            keys in prop::collection::vec((0..3usize, 0..2usize, 0..3usize, 0..3usize), 0..400),
        ) {
            let facts: Vec<Fact> = keys
                .iter()
                .enumerate()
                .map(|(n, &(subject, relation, object, sentence))| Fact {
                    subject,
                    relation: ["CAUSES", "TREATS"][relation],
                    object,
                    hedged: false,
                    confidence: n as f64,
                    sentence,
                })
                .collect();
            let mut want: Vec<Fact> = Vec::new();
            for f in &facts {
                let key = |g: &Fact| (g.subject, g.relation, g.object, g.sentence);
                if !want.iter().any(|w| key(w) == key(f)) {
                    want.push(f.clone());
                }
            }
            let mut got = facts;
            drop_repeats(&mut got);
            prop_assert_eq!(got, want);
        }

        /// Grouping (sentence, mention) pairs gives each sentence exactly its own mentions, in
        /// the order they came, whatever order the sentences came in.
        #[test]
        fn grouped_mentions_are_each_sentences_own(
            pairs in prop::collection::vec((0..6usize, 0..50usize), 0..30),
            sentences in 0..5usize,
        ) {
            let mention = |start: usize| Mention { start, end: start + 1, ent: 0, nested: false };
            let grouped = SentenceMentions::group(
                sentences,
                pairs.iter().map(|&(k, at)| (k, mention(at))).collect(),
            );
            prop_assert_eq!(grouped.len(), sentences);
            for k in 0..sentences {
                let want: Vec<Mention> =
                    pairs.iter().filter(|p| p.0 == k).map(|p| mention(p.1)).collect();
                prop_assert_eq!(&grouped[k], &want[..]);
                prop_assert_eq!(grouped.get(k), Some(&want[..]));
            }
            prop_assert_eq!(grouped.get(sentences), None);
            let all: Vec<Mention> = grouped.iter().flatten().copied().collect();
            prop_assert_eq!(grouped.all(), &all[..]);
        }

        /// Counting words byte by byte agrees with splitting the text at whitespace.
        #[test]
        fn ascii_word_count_agrees_with_splitting(
            text in "[ a-z0-9,.;()'\t\n\x0b\x0c\r-]{0,40}",
        ) {
            let reference = text
                .split(|c: char| c.is_whitespace())
                .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
                .count();
            prop_assert_eq!(words(&text), reference);
        }

        /// A needle is found by the byte scan exactly where `str::contains` finds it.
        #[test]
        fn has_agrees_with_contains(
            hay in "[ abw,hie]{0,70}",
            needle in prop::sample::select(vec![" which ", " while ", "ab", "a", " ", "and"]),
        ) {
            prop_assert_eq!(has(&hay, needle), hay.contains(needle));
        }

        /// One word-by-word pass gives the triggers a left-to-right reading finds, the hedging
        /// and negations a reading at every position finds, and the cues' flags.
        #[test]
        fn one_pass_equals_reading_every_position(
            words in prop::collection::vec(
                prop::sample::select(vec![
                    "increase", "increased", "increased by", "in", "the", "risk", "of", "not",
                    "cannot", "may", "no", "evidence", "is", "a", "an", "associated", "with",
                    "lead", "to", "leads", "blocks", "block", "x", "that", ",", ";", "effect",
                    "has", "affinity", "for", "this", "knot", "don't", "mayor", "taking",
                    "undertaking", "mixing", "fail", "candid", "did", "é", "\u{e9}not",
                ]),
                0..16,
            ),
        ) {
            let lower = words.join(" ");
            let scan = scan_sentence(&mut Spare::default(), &lower, 0, lower.len(), &[]);
            let got: Vec<(usize, usize)> = scan.trigs.iter().map(|t| (t.start, t.end)).collect();
            prop_assert_eq!(got, reference_triggers(&lower));
            prop_assert_eq!(scan.hedged, reference_stands(&lower, HEDGES, 0, lower.len()));
            prop_assert_eq!(scan.hedged, hedged(&lower));
            prop_assert_eq!(
                negates(&lower),
                reference_stands(&lower, NEGATIONS, 0, lower.len())
                    || lower.contains(CONTRACTED_NEGATION)
            );
            let alnum_at = |i: usize| lower[i..].chars().next().is_some_and(word_char);
            let alnum_before = |i: usize| lower[..i].chars().next_back().is_some_and(word_char);
            // Ranges that start and end where a word does, as the patterns' ranges do.
            let edges: Vec<usize> = (0..=lower.len())
                .filter(|&i| lower.is_char_boundary(i) && !(alnum_before(i) && alnum_at(i)))
                .collect();
            for &s in &edges {
                for &e in edges.iter().filter(|&&e| e >= s) {
                    let contracted = lower[s..e].contains(CONTRACTED_NEGATION);
                    prop_assert_eq!(
                        has_cue_in(&scan.negations, s, e),
                        reference_stands(&lower, NEGATIONS, s, e) || contracted,
                        "{}..{}", s, e
                    );
                }
            }
            let opens = |cue: &str| {
                lower.match_indices(cue).any(|(p, _)| !alnum_before(p))
            };
            prop_assert_eq!(scan.cues.no_evidence, opens("no evidence"));
            prop_assert_eq!(scan.cues.interaction, INTERACTION_CUES.iter().any(|c| opens(c)));
        }
    }

    /// Whether a phrase of `list` stands as whole words in `lower[s..e]`, looked for at every
    /// position.
    fn reference_stands(lower: &str, list: &[&str], s: usize, e: usize) -> bool {
        let hay = &lower[s..e];
        hay.char_indices().any(|(i, _)| {
            list.iter()
                .any(|p| hay[i..].starts_with(p) && bounded(hay, i, i + p.len()))
        })
    }

    #[test]
    fn every_cue_phrase_is_indexed() {
        let phrases: Vec<&str> = cue_phrases().map(|(p, _)| p).collect();
        assert_eq!(Phrases::<Cue>::unindexed(phrases), Vec::<&str>::new());
    }
}
