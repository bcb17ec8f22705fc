//! Chemical–disease pairs of annotated abstracts (PubTator): features of each pair and a small
//! logistic-regression model that decides which chemical induces which disease across the
//! whole abstract, where sentence patterns alone see too little. The model is trained on the
//! BioCreative V CDR training set by `examples/train_cid.rs` and shipped as `cid_model.txt`.

use super::document::Document;
use super::relations::{Fact, SentenceMentions};

/// The shipped model: one `name<TAB>weight` line per feature, plus `threshold`.
pub const MODEL: &str = include_str!("cid_model.txt");

/// Names of the features, in the order [`features`] fills them.
pub const FEATURES: &[&str] = &[
    "bias",
    "same_sentence",
    "same_sentence_count",
    "sentence_distance",
    "chemical_in_title",
    "disease_in_title",
    "both_in_title",
    "chemical_count",
    "disease_count",
    "top_chemical",
    "top_disease",
    "rule_causes",
    "rule_treats",
    "induced_compound",
    "cue_induce",
    "cue_cause",
    "cue_associated",
    "cue_after",
    "cue_toxicity",
    "cue_develop",
    "cue_adverse",
    "cue_treat",
    "cue_prevent",
    "cue_protect",
    "cue_reduce",
    "negated",
    "chemical_first",
    "chemicals_in_doc",
    "diseases_in_doc",
    "disease_first_sentence",
    "cue_patients",
    "cue_rats",
    "disease_general",
    "chemical_general",
    "title_chemical_any",
    "top_pair",
    "only_chemical",
];

/// A candidate pair: chemical and disease entity, the sentence that best shows them together
/// (or the title), and the features.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The chemical entity.
    pub chemical: usize,
    /// The disease entity.
    pub disease: usize,
    /// Evidence sentence.
    pub sentence: usize,
    /// Feature values, as [`FEATURES`] names them.
    pub x: Vec<f64>,
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct Model {
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// Probability above which a pair is a fact.
    pub threshold: f64,
}

impl Model {
    /// Parses a model file; unknown or missing features weigh zero.
    pub fn parse(text: &str) -> Model {
        let mut weights = vec![0.0; FEATURES.len()];
        let mut threshold = 0.5;
        for line in text.lines() {
            let Some((name, w)) = line.split_once('\t') else {
                continue;
            };
            let Ok(w) = w.trim().parse::<f64>() else {
                continue;
            };
            if name == "threshold" {
                threshold = w;
            } else if let Some(i) = FEATURES.iter().position(|f| *f == name) {
                weights[i] = w;
            }
        }
        Model { weights, threshold }
    }

    /// Writes the model in the format [`Model::parse`] reads.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (name, w) in FEATURES.iter().zip(&self.weights) {
            out.push_str(&format!("{name}\t{w:.6}\n"));
        }
        out.push_str(&format!("threshold\t{:.4}\n", self.threshold));
        out
    }

    /// The probability that a pair is a fact.
    pub fn probability(&self, x: &[f64]) -> f64 {
        let z: f64 = self.weights.iter().zip(x).map(|(w, v)| w * v).sum();
        1.0 / (1.0 + (-z).exp())
    }
}

fn has(text: &str, cues: &[&str]) -> bool {
    cues.iter().any(|c| text.contains(c))
}

/// The candidate pairs of an annotated document with their features. `kinds` gives each
/// entity's annotation type (`Chemical`, `Disease`); `facts` are the sentence patterns' facts.
pub fn features(
    doc: &Document,
    lower: &str,
    mentions: &SentenceMentions,
    kinds: &[String],
    facts: &[Fact],
) -> Vec<Pair> {
    let n = kinds.len();
    let mut count = vec![0usize; n];
    let mut first_sentence = vec![usize::MAX; n];
    let mut first_pos = vec![usize::MAX; n];
    let mut sentences_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (si, ms) in mentions.iter().enumerate() {
        for m in ms {
            count[m.ent] += 1;
            first_sentence[m.ent] = first_sentence[m.ent].min(si);
            first_pos[m.ent] = first_pos[m.ent].min(m.start);
            if sentences_of[m.ent].last() != Some(&si) {
                sentences_of[m.ent].push(si);
            }
        }
    }
    let title_end = doc.blocks.first().map_or(0, |b| b.end);
    let in_title = |e: usize| first_pos[e] < title_end;
    let chems: Vec<usize> = (0..n)
        .filter(|&e| kinds[e] == "Chemical" && count[e] > 0)
        .collect();
    let dises: Vec<usize> = (0..n)
        .filter(|&e| kinds[e] == "Disease" && count[e] > 0)
        .collect();
    let top = |set: &[usize]| {
        set.iter()
            .copied()
            .max_by_key(|&e| (count[e], std::cmp::Reverse(first_pos[e])))
    };
    let (top_c, top_d) = (top(&chems), top(&dises));
    let first_chem = chems.iter().copied().min_by_key(|&e| first_pos[e]);
    // A name inside another entity's name of the same kind is the more general one
    // ("hepatitis" beside "acute hepatitis"); annotators prefer the specific.
    let surfaces: Vec<Vec<String>> = {
        let mut v: Vec<Vec<String>> = vec![Vec::new(); n];
        for ms in mentions.iter() {
            for m in ms {
                let t = lower[m.start..m.end].to_string();
                if !v[m.ent].contains(&t) {
                    v[m.ent].push(t);
                }
            }
        }
        v
    };
    let general: Vec<bool> = (0..n)
        .map(|e| {
            (0..n).any(|o| {
                o != e
                    && kinds[o] == kinds[e]
                    && surfaces[e].iter().any(|a| {
                        surfaces[o]
                            .iter()
                            .any(|b| b.len() > a.len() && b.contains(a.as_str()))
                    })
            })
        })
        .collect();
    let mut out = Vec::new();
    for &c in &chems {
        for &d in &dises {
            let shared: Vec<usize> = sentences_of[c]
                .iter()
                .copied()
                .filter(|s| sentences_of[d].contains(s))
                .collect();
            let distance = sentences_of[c]
                .iter()
                .flat_map(|a| sentences_of[d].iter().map(move |b| a.abs_diff(*b)))
                .min()
                .unwrap_or(10)
                .min(5);
            let text_of = |s: usize| doc.sentences.get(s).map_or("", |x| &lower[x.start..x.end]);
            let co: String = shared
                .iter()
                .map(|&s| text_of(s))
                .collect::<Vec<_>>()
                .join(" ");
            let mut compound = false;
            for &s in &shared {
                for m in mentions[s].iter().filter(|m| m.ent == c) {
                    let rest = &lower[m.end..doc.sentences[s].end];
                    let induced = rest.starts_with("-induced")
                        || rest.starts_with(" induced")
                        || rest.starts_with("-associated")
                        || rest.starts_with("-related");
                    if induced
                        && mentions[s]
                            .iter()
                            .any(|o| o.ent == d && o.start > m.end && o.start <= m.end + 40)
                    {
                        compound = true;
                    }
                }
            }
            let rule = |rel: &str| {
                facts
                    .iter()
                    .any(|f| f.subject == c && f.object == d && f.relation == rel)
            };
            let b = |v: bool| if v { 1.0 } else { 0.0 };
            let x = vec![
                1.0,
                b(!shared.is_empty()),
                (shared.len() as f64).ln_1p(),
                distance as f64 / 5.0,
                b(in_title(c)),
                b(in_title(d)),
                b(in_title(c) && in_title(d)),
                (count[c] as f64).ln_1p(),
                (count[d] as f64).ln_1p(),
                b(top_c == Some(c)),
                b(top_d == Some(d)),
                b(rule("CAUSES")),
                b(rule("TREATS") || rule("PREVENTS")),
                b(compound),
                b(has(&co, &["induc", "evoked", "provok"])),
                b(has(
                    &co,
                    &["caus", "result in", "lead to", "led to", "produc"],
                )),
                b(has(&co, &["associat", "relat", "linked"])),
                b(has(
                    &co,
                    &["after", "following", "during", "receiv", "admin"],
                )),
                b(has(&co, &["toxic", "poison", "overdose", "intoxic"])),
                b(has(&co, &["develop", "occur", "onset", "experienc"])),
                b(has(
                    &co,
                    &["adverse", "side effect", "complication", "risk"],
                )),
                b(has(
                    &co,
                    &["treat", "therap", "management", "efficacy", "effective"],
                )),
                b(has(&co, &["prevent", "prophyla"])),
                b(has(&co, &["protect", "attenuat", "revers", "antagon"])),
                b(has(
                    &co,
                    &["reduc", "decreas", "improv", "alleviat", "relie"],
                )),
                b(has(&co, &[" not ", " no ", "n't", "without", "neither"])),
                b(first_chem == Some(c)),
                (chems.len() as f64).ln_1p(),
                (dises.len() as f64).ln_1p(),
                b(first_sentence[d] <= 1),
                b(has(&co, &["patient", "case", "woman", "man ", "child"])),
                b(has(&co, &["rat", "mice", "mouse", "animal"])),
                b(general[d]),
                b(general[c]),
                b(in_title(c) && shared.is_empty()),
                b(top_c == Some(c) && top_d == Some(d)),
                b(chems.len() == 1),
            ];
            let sentence = shared.first().copied().unwrap_or_else(|| {
                // No shared sentence: the chemical's first sentence, e.g. the title.
                first_sentence[c].min(first_sentence[d])
            });
            out.push(Pair {
                chemical: c,
                disease: d,
                sentence,
                x,
            });
        }
    }
    out
}
