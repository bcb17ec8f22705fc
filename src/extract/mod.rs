//! Reading text into candidate facts. Pure: text in, candidates out; it never touches the store.
//! [`build_into`] is the glue that hands the candidates to [`crate::ingest::Ingest`].

mod ascii;
pub mod curation;
pub mod document;
pub mod lexicon;
pub mod pairs;
pub mod phrases;
pub mod relations;

use crate::error::Error;
use crate::ingest::{EntitySpec, Ingest};
use crate::model::{DocName, Evidence};
use crate::store::{Graph, NodeId};
use document::Document;
use lexicon::{Hit, Lexicon};
use relations::{Context, Fact, Mention, SentenceMentions};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// What `pharmakg build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    /// Files and folders to read (.txt, .md, .html, PubTator).
    pub inputs: Vec<PathBuf>,
    /// Extra lexicon files, added to the built-in lexicon.
    pub lexicons: Vec<PathBuf>,
    /// Extra curation files, applied after the built-in one.
    pub curation: Vec<PathBuf>,
}

/// What a build read and produced, for its summary.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Documents read.
    pub documents: usize,
    /// Sentences read.
    pub sentences: usize,
    /// Entity mentions found.
    pub mentions: usize,
    /// Facts added, by relationship type.
    pub facts_by_type: std::collections::BTreeMap<String, usize>,
    /// Files skipped, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
    /// Warnings to show the user (lossy UTF-8, unreadable files...).
    pub warnings: Vec<String>,
}

/// An entity as one document knows it, with how often the document mentions it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocEntity {
    /// How ingestion should name and merge it; shared, since every document that names a
    /// lexicon entry names it alike (counted without atomics: a build runs on one thread, and
    /// documents take and drop dozens of these each).
    pub spec: Rc<EntitySpec>,
    /// Mentions in the document (0 for an entity only a pattern implies).
    pub count: u32,
    /// Where it came from, so repeated documents map to the same node quickly.
    pub key: EntityKey,
    /// The input's own type for it (PubTator's `Chemical`, `Disease`); empty otherwise.
    pub kind: String,
}

/// Identifies an entity across documents before it reaches the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntityKey {
    /// A lexicon entry, by index.
    Lexicon(usize),
    /// An external id (PubTator's MeSH ids).
    Xref(String),
}

/// What extraction read from one document.
#[derive(Debug, Clone)]
pub struct Extraction {
    /// The document.
    pub document: Document,
    /// Its entities; facts refer to them by index.
    pub entities: Vec<DocEntity>,
    /// Candidate facts.
    pub facts: Vec<Fact>,
    /// Mentions found, nested ones included.
    pub mentions: usize,
}

/// Finds the mentions of a plain-text document, per sentence, with the document's entities.
fn find_mentions(doc: &Document, lower: &str, lex: &Lexicon) -> (Vec<DocEntity>, SentenceMentions) {
    let mut hits: Vec<Hit> = Vec::new();
    let mut scratch = lexicon::FindScratch::default();
    for b in doc
        .blocks
        .iter()
        .filter(|b| b.chrome != document::Chrome::Boilerplate)
    {
        let (text, block_lower) = (&doc.text[b.start..b.end], &lower[b.start..b.end]);
        lex.find_into(text, block_lower, b.start, &mut scratch, &mut hits);
    }
    let learned = lexicon::learn_abbreviations(&doc.text, &hits);
    if !learned.is_empty() {
        // A document's own definition wins over the lexicon's reading of the same letters.
        for h in &mut hits {
            let t = &doc.text[h.start..h.end];
            if let Some((_, e)) = learned.iter().find(|(a, _)| a == t) {
                h.entry = *e;
            }
        }
        let extra = lexicon::find_abbreviations(&doc.text, &learned, &hits);
        let keep = |h: &Hit| {
            doc.blocks.iter().any(|b| {
                b.start <= h.start && h.end <= b.end && b.chrome != document::Chrome::Boilerplate
            })
        };
        hits.extend(extra.into_iter().filter(keep));
        hits.sort_by_key(|h| (h.start, h.nested, h.end));
    }
    let hits = expand_ellipses(doc, lower, lex, hits);
    let mut entities: Vec<DocEntity> = Vec::new();
    let mut index: FxHashMap<usize, usize> = FxHashMap::default();
    let mut placed: Vec<(usize, Mention)> = Vec::with_capacity(hits.len());
    let mut si = 0;
    for h in hits {
        let ent = *index.entry(h.entry).or_insert_with(|| {
            entities.push(lexicon_entity(lex, h.entry));
            entities.len() - 1
        });
        entities[ent].count += 1;
        while si < doc.sentences.len() && doc.sentences[si].end <= h.start {
            si += 1;
        }
        // Sentences are sorted; a hit lies in the first sentence that ends after it starts.
        let mut k = si;
        while k < doc.sentences.len() && doc.sentences[k].start <= h.start {
            if h.end <= doc.sentences[k].end {
                placed.push((
                    k,
                    Mention {
                        start: h.start,
                        end: h.end,
                        ent,
                        nested: h.nested,
                    },
                ));
                break;
            }
            k += 1;
        }
    }
    (
        entities,
        SentenceMentions::group(doc.sentences.len(), placed),
    )
}

/// "loss of coordination and balance" also names "loss of balance" when the lexicon knows it.
fn expand_ellipses(doc: &Document, lower: &str, lex: &Lexicon, hits: Vec<Hit>) -> Vec<Hit> {
    let joined = |h: &Hit| {
        let rest = &lower[h.end..];
        !h.nested
            && (rest.starts_with(" and ") || rest.starts_with(" or "))
            && lower[h.start..h.end].contains(' ')
    };
    if !hits.iter().any(joined) {
        // Nothing to expand: most documents; no copy of the hits.
        let mut out = hits;
        out.sort_by_key(|h| (h.start, h.nested, h.end));
        out.dedup();
        return out;
    }
    let mut out = hits.clone();
    let mut candidate = String::new();
    for h in hits.iter().filter(|h| !h.nested) {
        let name = &lower[h.start..h.end];
        let rest = &lower[h.end..];
        let Some(after) = rest
            .strip_prefix(" and ")
            .or_else(|| rest.strip_prefix(" or "))
        else {
            continue;
        };
        let tail_start = lower.len() - after.len();
        let ws: SmallVec<[&str; 8]> = name.split(' ').collect();
        if ws.len() < 2 {
            continue;
        }
        let next: SmallVec<[(usize, &str); 3]> = after
            .split(' ')
            .scan(tail_start, |pos, w| {
                let at = *pos;
                *pos += w.len() + 1;
                Some((at, w))
            })
            .take(3)
            .collect();
        'found: for keep in (1..ws.len()).rev() {
            // The name's first `keep` words, as the name spells them.
            let prefix = &name[..ws[..keep].iter().map(|w| w.len()).sum::<usize>() + keep - 1];
            for take in (1..=next.len()).rev() {
                let last = next[take - 1];
                let word_end = last.0
                    + last
                        .1
                        .trim_end_matches(|c: char| !c.is_alphanumeric())
                        .len();
                if word_end <= tail_start || word_end > doc.text.len() {
                    continue;
                }
                let tail = &lower[tail_start..word_end];
                candidate.clear();
                candidate.push_str(prefix);
                candidate.push(' ');
                candidate.push_str(tail);
                if let Some(entry) = lex.lookup(&candidate) {
                    if entry == h.entry {
                        continue;
                    }
                    out.retain(|o| !(o.start >= tail_start && o.end <= word_end));
                    out.push(Hit {
                        start: tail_start,
                        end: word_end,
                        entry,
                        nested: false,
                    });
                    break 'found;
                }
            }
        }
    }
    out.sort_by_key(|h| (h.start, h.nested, h.end));
    out.dedup();
    out
}

/// A lexicon entity as a document knows it. Its aliases stay in the lexicon; ingestion adds
/// them when it first creates the node (see [`full_spec`]).
fn lexicon_entity(lex: &Lexicon, entry: usize) -> DocEntity {
    DocEntity {
        spec: lex.spec(entry).cloned().unwrap_or_default(),
        count: 0,
        key: EntityKey::Lexicon(entry),
        kind: String::new(),
    }
}

/// The entity with everything the lexicon knows of it, for the node's creation.
pub fn full_spec(e: &DocEntity, lex: &Lexicon) -> EntitySpec {
    let mut spec = EntitySpec::clone(&e.spec);
    if let EntityKey::Lexicon(i) = e.key {
        if let Some(entry) = lex.entries().get(i) {
            spec.aliases = entry.aliases.clone();
        }
    }
    spec
}

/// Mentions of a PubTator document: its annotations, one entity per identifier (an
/// unnormalised mention, id -1, is an entity of its own document only).
fn annotated_mentions(doc: &Document, lex: &Lexicon) -> (Vec<DocEntity>, SentenceMentions) {
    let mut entities: Vec<DocEntity> = Vec::new();
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut placed: Vec<(usize, Mention)> = Vec::new();
    for a in &doc.annotations {
        let surface = &doc.text[a.start..a.end];
        let xref = if a.id == "-1" || a.id.is_empty() {
            format!("{}:{}", doc.name, surface.to_lowercase())
        } else if a.id.contains(':') {
            a.id.clone()
        } else {
            format!("MESH:{}", a.id)
        };
        let ent = *index.entry(xref.clone()).or_insert_with(|| {
            let from_lex = lex.by_xref(&xref).map(|i| &lex.entries()[i]);
            let (name, label) = match from_lex {
                Some(e) => (e.name.clone(), e.label.clone()),
                None => (
                    surface.to_string(),
                    match a.kind.as_str() {
                        "Chemical" => "Drug".to_string(),
                        "Disease" => "Disorder".to_string(),
                        other => other.to_string(),
                    },
                ),
            };
            entities.push(DocEntity {
                spec: Rc::new(EntitySpec {
                    name,
                    label,
                    xref: Some(xref.clone()),
                    aliases: Vec::new(),
                }),
                count: 0,
                key: EntityKey::Xref(xref.clone()),
                kind: a.kind.clone(),
            });
            entities.len() - 1
        });
        entities[ent].count += 1;
        if let Some(k) = doc
            .sentences
            .iter()
            .position(|s| s.start <= a.start && a.end <= s.end)
        {
            placed.push((
                k,
                Mention {
                    start: a.start,
                    end: a.end,
                    ent,
                    nested: false,
                },
            ));
        }
    }
    placed.sort_by_key(|(k, m)| (*k, m.start, m.end));
    // Overlapping annotations: keep the first, longest.
    let mut last = (usize::MAX, 0);
    for (k, m) in &mut placed {
        if last.0 == *k && m.start < last.1 {
            m.nested = true;
        } else {
            last = (*k, m.end);
        }
    }
    (
        entities,
        SentenceMentions::group(doc.sentences.len(), placed),
    )
}

/// The drug a document is about: its most mentioned drug (a drug in the title counts double),
/// when it is mentioned at least twice. A document whose title names entities but no drug
/// (a receptor, a disorder) is about that entity: it has no drug topic, so that its pronouns
/// and lists are not handed to a drug it merely mentions.
fn topic(doc: &Document, entities: &[DocEntity], mentions: &SentenceMentions) -> Option<usize> {
    let mut score: Vec<u32> = entities.iter().map(|e| e.count).collect();
    let title_block = doc.blocks.first().map(|b| (b.start, b.end));
    if let Some((s, e)) = title_block {
        let mut titled = false;
        let mut titled_drug = false;
        for m in mentions.all() {
            if m.start >= s && m.end <= e {
                score[m.ent] += 2;
                titled = true;
                titled_drug |= entities[m.ent].spec.label == "Drug";
            }
        }
        if titled && !titled_drug {
            return None;
        }
    }
    let best = (0..entities.len())
        .filter(|&i| entities[i].spec.label == "Drug" && entities[i].count >= 2)
        .max_by_key(|&i| (score[i], std::cmp::Reverse(i)))?;
    Some(best)
}

fn cid_model() -> &'static pairs::Model {
    static M: std::sync::OnceLock<pairs::Model> = std::sync::OnceLock::new();
    M.get_or_init(|| pairs::Model::parse(pairs::MODEL))
}

/// In an annotated abstract, which chemical induces which disease is decided per pair by the
/// pair model over the whole abstract; sentence patterns feed it and keep their other facts.
fn decide_pairs(
    doc: &Document,
    lower: &str,
    mentions: &SentenceMentions,
    entities: &[DocEntity],
    mut facts: Vec<Fact>,
    model: &pairs::Model,
) -> Vec<Fact> {
    let kinds: Vec<String> = entities.iter().map(|e| e.kind.clone()).collect();
    let candidates = pairs::features(doc, lower, mentions, &kinds, &facts);
    let is_pair = |f: &Fact| {
        f.relation == "CAUSES" && kinds[f.subject] == "Chemical" && kinds[f.object] == "Disease"
    };
    facts.retain(|f| !is_pair(f));
    for p in candidates {
        let prob = model.probability(&p.x);
        if prob >= model.threshold {
            let hedged = doc
                .sentences
                .get(p.sentence)
                .is_some_and(|s| relations::hedged(&lower[s.start..s.end]));
            facts.push(Fact {
                subject: p.chemical,
                relation: "CAUSES",
                object: p.disease,
                hedged,
                confidence: prob,
                sentence: p.sentence,
            });
        }
    }
    facts
}

/// The chemical–disease pairs of an annotated document with their features, and the
/// document's entities: what the pair model is trained on.
pub fn pair_candidates(
    doc: Document,
    lex: &Lexicon,
) -> (Document, Vec<DocEntity>, Vec<pairs::Pair>) {
    let lower: &str = &doc.lower;
    let (entities, mentions) = annotated_mentions(&doc, lex);
    let topic = topic(&doc, &entities, &mentions);
    let labels: Vec<&str> = entities.iter().map(|e| e.spec.label.as_str()).collect();
    let kinds: Vec<String> = entities.iter().map(|e| e.kind.clone()).collect();
    let cx = Context {
        doc: &doc,
        lower,
        mentions: &mentions,
        labels: &labels,
        topic,
    };
    let facts = relations::extract(&cx, &|_| None);
    let p = pairs::features(&doc, lower, &mentions, &kinds, &facts);
    (doc, entities, p)
}

/// Reads one document into entities and candidate facts.
pub fn extract_document(doc: Document, lex: &Lexicon) -> Extraction {
    let lower: &str = &doc.lower;
    let (mut entities, mentions) = if doc.annotations.is_empty() {
        find_mentions(&doc, lower, lex)
    } else {
        annotated_mentions(&doc, lex)
    };
    let mention_count = entities.iter().map(|e| e.count as usize).sum();
    let topic = topic(&doc, &entities, &mentions);
    // Entities that effect adjectives stand for ("antidepressant effects" → depression) are
    // known up front so that patterns can check their labels; unused ones are not ingested.
    if doc.annotations.is_empty() {
        for &entry in lex.effect_entries() {
            if !entities.iter().any(|e| e.key == EntityKey::Lexicon(entry)) {
                entities.push(lexicon_entity(lex, entry));
            }
        }
    }
    let labels: Vec<&str> = entities.iter().map(|e| e.spec.label.as_str()).collect();
    let effect_entity = |name: &str| -> Option<usize> {
        let entry = lex.lookup(name)?;
        entities
            .iter()
            .position(|e| e.key == EntityKey::Lexicon(entry))
    };
    let cx = Context {
        doc: &doc,
        lower,
        mentions: &mentions,
        labels: &labels,
        topic,
    };
    let mut facts = relations::extract(&cx, &effect_entity);
    if !doc.annotations.is_empty() {
        facts = decide_pairs(&doc, lower, &mentions, &entities, facts, cid_model());
    }
    Extraction {
        document: doc,
        entities,
        facts,
        mentions: mention_count,
    }
}

/// The documents of one file: a PubTator file holds many, other files one.
pub fn read_documents(path: &Path, bytes: &[u8], warnings: &mut Vec<String>) -> Vec<Document> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            warnings.push(format!(
                "{}: not valid UTF-8 (first bad byte at offset {}); read with replacement characters",
                path.display(),
                e.valid_up_to()
            ));
            String::from_utf8_lossy(bytes)
        }
    };
    if document::is_pubtator(&text) {
        let (docs, issues) = document::parse_pubtator(&text);
        for i in issues {
            warnings.push(format!("{}:{}: {}", path.display(), i.line, i.message));
        }
        docs
    } else {
        vec![document::parse_text(&name, &text)]
    }
}

/// The files a request names, folders expanded recursively in sorted order.
fn collect_files(inputs: &[PathBuf], report: &mut BuildReport) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, report: &mut BuildReport) {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                report.skipped.push((dir.to_path_buf(), e.to_string()));
                return;
            }
        };
        // The listing tells files from folders without asking the file system again for each
        // entry; a link is followed to see what it points to.
        let mut paths: Vec<(PathBuf, bool)> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                let path = e.path();
                let is_dir = match e.file_type() {
                    Ok(t) if !t.is_symlink() => t.is_dir(),
                    _ => path.is_dir(),
                };
                Some((path, is_dir))
            })
            .collect();
        paths.sort();
        for (p, is_dir) in paths {
            let hidden = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            }
            if is_dir {
                walk(&p, out, report);
            } else {
                let ext = p
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase())
                    .unwrap_or_default();
                if matches!(ext.as_str(), "txt" | "md" | "html" | "htm" | "pubtator") {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, &mut out, report);
        } else if input.exists() {
            out.push(input.clone());
        } else {
            report
                .skipped
                .push((input.clone(), "no such file or folder".into()));
        }
    }
    out
}

/// Mentions gathered over a build and written node by node in document order. The store keeps
/// each node's mentions sorted by document; written as documents come, a node that many
/// documents mention would shift its long list on nearly every insert.
#[derive(Default)]
struct PendingMentions {
    /// Document names, by arrival.
    docs: Vec<DocName>,
    /// For each node: (document index, count).
    by_node: FxHashMap<NodeId, Vec<(u32, u32)>>,
}

impl PendingMentions {
    /// Starts a document; its mentions are added under the index returned.
    fn document(&mut self, name: &DocName) -> u32 {
        self.docs.push(name.clone());
        // Four billion documents' names would not fit in memory before the index overflowed.
        u32::try_from(self.docs.len() - 1).unwrap_or(u32::MAX)
    }

    fn add(&mut self, n: NodeId, doc: u32, count: u32) {
        self.by_node.entry(n).or_default().push((doc, count));
    }

    /// Writes everything gathered.
    fn flush(&mut self, ingest: &mut Ingest) -> Result<(), Error> {
        let docs = &self.docs;
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by(|&a, &b| docs[a].cmp(&docs[b]));
        // Each document's place in the order of names; documents of one name share a place,
        // so that their mentions add up.
        let mut place = vec![0; docs.len()];
        let mut p = 0;
        for (k, &d) in order.iter().enumerate() {
            if k > 0 && docs[d] != docs[order[k - 1]] {
                p += 1;
            }
            place[d] = p;
        }
        let mut batch: Vec<(DocName, u32)> = Vec::new();
        for (n, mut list) in self.by_node.drain() {
            list.sort_by_key(|&(d, _)| place[d as usize]);
            batch.clear();
            let mut last_place = None;
            for (d, count) in list {
                let d = d as usize;
                match batch.last_mut() {
                    Some((_, total)) if last_place == Some(place[d]) => {
                        *total = total.saturating_add(count);
                    }
                    _ => batch.push((docs[d].clone(), count)),
                }
                last_place = Some(place[d]);
            }
            ingest.mentions_in_order(n, &batch)?;
        }
        self.docs.clear();
        Ok(())
    }
}

/// The node each entity became, so that later documents naming it find it at once: lexicon
/// entries in a table by entry, external ids in a map.
#[derive(Default)]
struct NodeCache {
    by_entry: Vec<Option<NodeId>>,
    by_xref: FxHashMap<String, NodeId>,
}

impl NodeCache {
    fn get(&self, key: &EntityKey) -> Option<NodeId> {
        match key {
            EntityKey::Lexicon(i) => self.by_entry.get(*i).copied().flatten(),
            EntityKey::Xref(x) => self.by_xref.get(x).copied(),
        }
    }

    fn insert(&mut self, key: &EntityKey, n: NodeId) {
        match key {
            EntityKey::Lexicon(i) => {
                if self.by_entry.len() <= *i {
                    self.by_entry.resize(*i + 1, None);
                }
                self.by_entry[*i] = Some(n);
            }
            EntityKey::Xref(x) => {
                self.by_xref.insert(x.clone(), n);
            }
        }
    }
}

/// Writes one document's extraction into the graph through the ingestion API; its mentions go
/// to `mentions`, written later.
fn ingest_extraction(
    ingest: &mut Ingest,
    ex: &Extraction,
    cache: &mut NodeCache,
    mentions: &mut PendingMentions,
    lex: &Lexicon,
    counts: &mut FxHashMap<&'static str, usize>,
    report: &mut BuildReport,
) -> Result<(), Error> {
    let doc = &ex.document;
    let mut used = vec![false; ex.entities.len()];
    for f in &ex.facts {
        for i in [f.subject, f.object] {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
        }
    }
    let mut nodes: Vec<Option<NodeId>> = Vec::with_capacity(ex.entities.len());
    // One copy of the name for all the document's mentions and evidence.
    let name = DocName::from(doc.name.as_str());
    let doc_index = mentions.document(&name);
    for (i, e) in ex.entities.iter().enumerate() {
        if e.count == 0 && !used[i] {
            nodes.push(None);
            continue;
        }
        let cached = cache
            .get(&e.key)
            .filter(|n| ingest.graph().node(*n).is_some());
        let n = match cached {
            Some(n) => n,
            None => {
                let n = ingest.entity(&full_spec(e, lex));
                cache.insert(&e.key, n);
                n
            }
        };
        if e.count > 0 {
            mentions.add(n, doc_index, e.count);
        }
        nodes.push(Some(n));
    }
    for f in &ex.facts {
        let (Some(&Some(s)), Some(&Some(o))) = (nodes.get(f.subject), nodes.get(f.object)) else {
            continue;
        };
        if s == o {
            continue;
        }
        let Some(sent) = doc.sentences.get(f.sentence) else {
            continue;
        };
        let evidence = Evidence {
            doc: name.clone(),
            sentence: doc.text[sent.start..sent.end].to_string(),
            start: u32::try_from(sent.start).unwrap_or(u32::MAX),
            end: u32::try_from(sent.end).unwrap_or(u32::MAX),
            hedged: f.hedged,
        };
        ingest.fact(s, f.relation, o, f.confidence, Some(evidence))?;
        *counts.entry(f.relation).or_default() += 1;
    }
    report.documents += 1;
    report.sentences += doc.sentences.len();
    report.mentions += ex.mentions;
    Ok(())
}

/// Reads the inputs into `graph` (a fresh one, or an existing one for `--into`; a document
/// already in it is replaced). Calls `progress(done, total)` as files are read.
pub fn build_into(
    graph: &mut Graph,
    request: &BuildRequest,
    progress: &dyn Fn(u64, u64),
) -> Result<BuildReport, Error> {
    let mut report = BuildReport::default();
    let mut extra_lex = Vec::new();
    for p in &request.lexicons {
        match std::fs::read(p) {
            Ok(bytes) => extra_lex.push((
                p.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )),
            Err(e) => report.skipped.push((p.clone(), e.to_string())),
        }
    }
    let (lex, issues) = Lexicon::new(&extra_lex);
    for i in issues {
        report
            .warnings
            .push(format!("lexicon {}:{}: {}", i.file, i.line, i.message));
    }
    let files = collect_files(&request.inputs, &mut report);
    let total = files.len() as u64;
    let fresh = graph.node_count() == 0 && graph.edge_count() == 0;
    let mut ingest = Ingest::new(graph);
    let mut cache = NodeCache::default();
    let mut mentions = PendingMentions::default();
    // Facts by type, keyed by the relation's static name: the report's own keys are strings.
    let mut counts: FxHashMap<&'static str, usize> = FxHashMap::default();
    // One buffer for every file: most are small, and reading into the room the last one left
    // needs neither an allocation nor a question to the file system about the file's size.
    let mut bytes = Vec::new();
    for (i, path) in files.iter().enumerate() {
        bytes.clear();
        match std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)) {
            Ok(_) => {
                for doc in read_documents(path, &bytes, &mut report.warnings) {
                    if !fresh {
                        // What goes depends on the mentions the graph holds.
                        mentions.flush(&mut ingest)?;
                        ingest.remove_document(&doc.name)?;
                    }
                    let ex = extract_document(doc, &lex);
                    ingest_extraction(
                        &mut ingest,
                        &ex,
                        &mut cache,
                        &mut mentions,
                        &lex,
                        &mut counts,
                        &mut report,
                    )?;
                }
            }
            Err(e) => {
                report.skipped.push((path.clone(), e.to_string()));
            }
        }
        progress(i as u64 + 1, total);
    }
    mentions.flush(&mut ingest)?;
    for (relation, n) in counts {
        *report
            .facts_by_type
            .entry(relation.to_string())
            .or_default() += n;
    }
    let mut sources = vec![("curation.tsv".to_string(), curation::BUILTIN.to_string())];
    for p in &request.curation {
        match std::fs::read(p) {
            Ok(bytes) => sources.push((
                p.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )),
            Err(e) => report.skipped.push((p.clone(), e.to_string())),
        }
    }
    let mut rules = Vec::new();
    for (name, text) in sources {
        let (r, issues) = curation::parse(&name, &text);
        report.warnings.extend(issues);
        rules.extend(r);
    }
    curation::apply_adds(&mut ingest, &rules)?;
    drop(ingest);
    curation::apply_rejects(graph, &rules)?;
    Ok(report)
}
