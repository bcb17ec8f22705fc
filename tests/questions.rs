//! Questions a pharmacology or addiction researcher asks of the shipped graph, each as a query
//! with the answer the corpus in `graphs/corpus/` gives.
//!
//! Where the graph gives the corpus's answer, the test asserts that exact answer. Where the
//! corpus states more than the graph holds, the test asserts the part the graph gets right and
//! bounds the rest with [`assert_within`]: every name the graph returns must be one the corpus
//! supports, and the comment names what is missing.

use pharmakg::output::results::plain_text;
use pharmakg::query::{execute, ExecOptions};
use pharmakg::store::{persist, Graph};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn shipped_graph() -> Graph {
    persist::load(&crate_path("graphs/pharmacology.kg")).expect("the shipped graph loads")
}

/// Runs one query on the shipped graph; every cell as CSV/TSV output would print it.
fn ask(query: &str) -> Vec<Vec<String>> {
    let mut graph = shipped_graph();
    let result = execute(&mut graph, query, &BTreeMap::new(), &ExecOptions::default())
        .unwrap_or_else(|e| panic!("query failed: {e}\n{query}"));
    result
        .rows
        .iter()
        .map(|row| row.iter().map(|v| plain_text(&graph, v)).collect())
        .collect()
}

/// The first column of a query's rows, sorted and without duplicates.
fn names(query: &str) -> Vec<String> {
    let set: BTreeSet<String> = ask(query).into_iter().map(|mut r| r.remove(0)).collect();
    set.into_iter().collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// `got` holds every name in `must`, and nothing outside `must` and `may`.
fn assert_within(got: &[String], must: &[&str], may: &[&str]) {
    let missing: Vec<&&str> = must
        .iter()
        .filter(|m| !got.iter().any(|g| g == *m))
        .collect();
    assert!(missing.is_empty(), "missing {missing:?}; got {got:?}");
    let extra: Vec<&String> = got
        .iter()
        .filter(|g| !must.contains(&g.as_str()) && !may.contains(&g.as_str()))
        .collect();
    assert!(extra.is_empty(), "not supported by the corpus: {extra:?}");
}

fn corpus_doc(doc: &str) -> String {
    std::fs::read_to_string(crate_path("graphs/corpus").join(doc))
        .unwrap_or_else(|e| panic!("corpus document {doc}: {e}"))
}

/// Which receptors does ketamine block?
#[test]
fn receptors_ketamine_blocks() {
    let got = names("MATCH (:Drug {name: 'ketamine'})-[:ANTAGONIZES]->(r:Receptor) RETURN r.name");
    assert_eq!(got, strings(&["NMDA receptor"]));
}

/// Which drugs block the NMDA receptor? (nmda-receptor.md lists them.)
#[test]
fn drugs_blocking_the_nmda_receptor() {
    let got =
        names("MATCH (d:Drug)-[:ANTAGONIZES]->(:Receptor {name: 'NMDA receptor'}) RETURN d.name");
    assert_eq!(
        got,
        strings(&[
            "alcohol",
            "dextromethorphan",
            "esketamine",
            "ketamine",
            "memantine",
            "methadone",
            "nitrous oxide",
            "phencyclidine",
        ])
    );
}

/// What lies on the paths from ketamine to depression (up to two steps, either direction)?
/// The corpus's chain runs through BDNF; the direct fact is that ketamine treats depression.
#[test]
fn paths_from_ketamine_to_depression() {
    let rows = ask(
        "MATCH p = (:Drug {name: 'ketamine'})-[*1..2]-(:Disorder {name: 'depression'}) \
         RETURN [n IN nodes(p) | n.name] AS chain",
    );
    let chains: BTreeSet<String> = rows.into_iter().map(|mut r| r.remove(0)).collect();
    assert!(
        chains.contains("['ketamine', 'depression']"),
        "no direct fact: {chains:?}"
    );
    assert!(
        chains.contains("['ketamine', 'BDNF', 'depression']"),
        "no path through BDNF: {chains:?}"
    );
    let direct = names(
        "MATCH (:Drug {name: 'ketamine'})-[r]->(:Disorder {name: 'depression'}) RETURN type(r)",
    );
    assert_eq!(direct, strings(&["TREATS"]));
}

/// Which drugs raise dopamine (or dopamine release)? Disulfiram and morphine raise it too, but
/// the corpus says so through "This action" / "This disinhibition", which the graph misses.
#[test]
fn drugs_that_raise_dopamine() {
    let got = names(
        "MATCH (d:Drug)-[:INCREASES]->(x) WHERE x.name IN ['dopamine', 'dopamine release'] \
         RETURN d.name",
    );
    assert_within(
        &got,
        &[
            "MDMA",
            "alcohol",
            "amphetamine",
            "cannabis",
            "cocaine",
            "heroin",
            "methamphetamine",
            "methylphenidate",
            "nicotine",
            "varenicline",
        ],
        &["disulfiram", "morphine"],
    );
}

/// Every symptom ketamine causes, with the sentence that says so. The corpus also names the
/// K-hole, ketamine-induced ulcerative cystitis and memory loss, which the graph lacks.
#[test]
fn symptoms_ketamine_causes_with_evidence() {
    let rows = ask(
        "MATCH (:Drug {name: 'ketamine'})-[r:CAUSES]->(s:Symptom) UNWIND evidence(r) AS e \
         RETURN s.name, e.doc, e.sentence",
    );
    let symptoms: Vec<String> = rows
        .iter()
        .map(|r| r[0].clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_within(
        &symptoms,
        &[
            "agitation",
            "confusion",
            "dissociation",
            "emergence phenomena",
            "hallucinations",
            "increased blood pressure",
            "increased heart rate",
            "nausea",
            "nightmares",
            "vomiting",
        ],
        &["K-hole", "ketamine-induced cystitis", "memory loss"],
    );
    for row in &rows {
        let (symptom, doc, sentence) = (&row[0], &row[1], &row[2]);
        assert!(!sentence.is_empty(), "{symptom}: no evidence sentence");
        assert!(
            corpus_doc(doc).contains(sentence.as_str()),
            "{symptom}: {doc} does not contain {sentence:?}"
        );
    }
}

/// Which medicines treat opioid use disorder?
#[test]
fn medicines_for_opioid_use_disorder() {
    let got =
        names("MATCH (d:Drug)-[:TREATS]->(:Disorder {name: 'opioid use disorder'}) RETURN d.name");
    assert_eq!(got, strings(&["buprenorphine", "methadone", "naltrexone"]));
}

/// Which medicines treat alcohol use disorder? The corpus also says nalmefene is used "to
/// reduce alcohol consumption", which the graph does not read as a treatment.
#[test]
fn medicines_for_alcohol_use_disorder() {
    let got =
        names("MATCH (d:Drug)-[:TREATS]->(:Disorder {name: 'alcohol use disorder'}) RETURN d.name");
    assert_within(
        &got,
        &["acamprosate", "disulfiram", "naltrexone"],
        &["nalmefene"],
    );
}

/// Which medicines treat nicotine dependence? Nicotine replacement therapy is named in the same
/// sentence as varenicline and bupropion but has no TREATS fact.
#[test]
fn medicines_for_nicotine_dependence() {
    let got =
        names("MATCH (d)-[:TREATS]->(:Disorder {name: 'tobacco use disorder'}) RETURN d.name");
    assert_within(
        &got,
        &["bupropion", "varenicline"],
        &["nicotine replacement therapy", "cytisine"],
    );
}

/// Which drugs are metabolised by CYP3A4? The drugs the corpus says are *not* (naltrexone,
/// acamprosate, varenicline, gabapentin) must stay out. Codeine ("CYP3A4 converts some codeine
/// to norcodeine") is missing.
#[test]
fn drugs_metabolised_by_cyp3a4() {
    let got = names("MATCH (d:Drug)-[:METABOLIZED_BY]->(:Enzyme {name: 'CYP3A4'}) RETURN d.name");
    assert_within(
        &got,
        &[
            "alprazolam",
            "buprenorphine",
            "diazepam",
            "esketamine",
            "fentanyl",
            "ketamine",
            "methadone",
            "midazolam",
            "oxycodone",
            "tetrahydrocannabinol",
            "tramadol",
        ],
        &["codeine"],
    );
}

/// What interacts with alcohol? Clonidine and lofexidine ("these drugs") and sedating
/// antihistamines are stated too but missing.
#[test]
fn what_interacts_with_alcohol() {
    let got = names("MATCH (x)-[:INTERACTS_WITH]-(:Drug {name: 'alcohol'}) RETURN x.name");
    assert_within(
        &got,
        &[
            "GHB",
            "benzodiazepine",
            "buprenorphine",
            "cocaine",
            "codeine",
            "disulfiram",
            "fentanyl",
            "gabapentinoid",
            "heroin",
            "ketamine",
            "methadone",
            "methylphenidate",
            "metronidazole",
            "morphine",
            "opioid",
            "oxycodone",
            "tramadol",
        ],
        &["antihistamine", "clonidine", "lofexidine"],
    );
}

/// Which opioid receptor antagonists are there?
#[test]
fn opioid_receptor_antagonists() {
    let got = names(
        "MATCH (d:Drug)-[:IS_A]->(:DrugClass {name: 'opioid receptor antagonist'}) RETURN d.name",
    );
    assert_eq!(got, strings(&["nalmefene", "naloxone", "naltrexone"]));
}

/// Which drugs act as agonists at the mu-opioid receptor? Heroin's metabolite
/// 6-monoacetylmorphine is stated to be one ("These metabolites are agonists") but is missing.
#[test]
fn mu_opioid_agonists() {
    let got =
        names("MATCH (d:Drug)-[:AGONIZES]->(:Receptor {name: 'mu-opioid receptor'}) RETURN d.name");
    assert_within(
        &got,
        &[
            "buprenorphine",
            "fentanyl",
            "loperamide",
            "methadone",
            "morphine",
            "oxycodone",
        ],
        &["6-monoacetylmorphine"],
    );
}

/// Which drugs cause precipitated withdrawal?
#[test]
fn drugs_causing_precipitated_withdrawal() {
    let got = names(
        "MATCH (d:Drug)-[:CAUSES]->(:Symptom {name: 'precipitated withdrawal'}) RETURN d.name",
    );
    assert_eq!(
        got,
        strings(&["buprenorphine", "nalmefene", "naloxone", "naltrexone"])
    );
}

/// Which drugs cause respiratory depression? The graph also says naltrexone does, read from a
/// list of mu-opioid receptor effects; the corpus never says so, so that row is not asserted.
#[test]
fn drugs_causing_respiratory_depression() {
    let got = names(
        "MATCH (d:Drug)-[:CAUSES]->(:Symptom {name: 'respiratory depression'}) RETURN d.name",
    );
    for drug in [
        "GHB",
        "alcohol",
        "codeine",
        "fentanyl",
        "heroin",
        "methadone",
        "morphine",
        "oxycodone",
        "tramadol",
    ] {
        assert!(got.iter().any(|g| g == drug), "missing {drug}: {got:?}");
    }
}

/// Which enzymes does disulfiram inhibit?
#[test]
fn enzymes_disulfiram_inhibits() {
    let got = names("MATCH (:Drug {name: 'disulfiram'})-[:INHIBITS]->(e) RETURN e.name");
    assert_eq!(
        got,
        strings(&[
            "CYP2E1",
            "aldehyde dehydrogenase",
            "dopamine beta-hydroxylase"
        ])
    );
}

/// Which drugs both treat a disorder and cause a symptom? (The graph also lists alcohol and
/// tramadol, from misread sentences; they are not asserted.)
#[test]
fn drugs_that_treat_and_cause() {
    let got = names(
        "MATCH (s:Symptom)<-[:CAUSES]-(d:Drug)-[:TREATS]->(:Disorder) RETURN DISTINCT d.name",
    );
    for drug in [
        "acamprosate",
        "amphetamine",
        "buprenorphine",
        "bupropion",
        "disulfiram",
        "esketamine",
        "ketamine",
        "lithium",
        "methadone",
        "methylphenidate",
        "naltrexone",
        "varenicline",
    ] {
        assert!(got.iter().any(|g| g == drug), "missing {drug}: {got:?}");
    }
    assert!(
        !got.iter().any(|g| g == "naloxone"),
        "naloxone treats no disorder"
    );
}

/// Which entity does a brand name or abbreviation stand for?
#[test]
fn brand_names_resolve_to_entities() {
    let rows = ask(
        "RETURN entity('Ketalar').name, entity('Spravato').name, entity('THC').name, \
         entity('no such drug') IS NULL",
    );
    assert_eq!(
        rows,
        vec![vec![
            "ketamine".to_string(),
            "esketamine".to_string(),
            "tetrahydrocannabinol".to_string(),
            "true".to_string(),
        ]]
    );
}

/// How is naloxone connected to fentanyl, by the shortest routes? Both act at the mu-opioid
/// receptor: naloxone blocks it, fentanyl activates it.
#[test]
fn shortest_routes_from_naloxone_to_fentanyl() {
    let rows = ask(
        "MATCH p = allShortestPaths((:Drug {name: 'naloxone'})-[*..4]-(:Drug {name: 'fentanyl'})) \
         RETURN length(p), nodes(p)[1].name",
    );
    assert!(rows.iter().all(|r| r[0] == "2"), "{rows:?}");
    assert!(
        rows.iter().any(|r| r[1] == "mu-opioid receptor"),
        "{rows:?}"
    );
    let short = ask(
        "MATCH p = shortestPath((:Drug {name: 'naloxone'})-[*..4]-(:Drug {name: 'fentanyl'})) \
         RETURN length(p)",
    );
    assert_eq!(short, vec![vec!["2".to_string()]]);
}

/// How many facts of each type does the graph hold about nalmefene? The corpus also makes it a
/// partial agonist at the kappa-opioid receptor and says UGT2B7 metabolises it; the graph has
/// neither, so those two types may be absent but must not count more than one fact.
#[test]
fn fact_counts_by_type_for_nalmefene() {
    let rows = ask("MATCH (:Drug {name: 'nalmefene'})-[r]->() \
         RETURN type(r) AS t, count(*) AS n ORDER BY t");
    let got: BTreeMap<String, String> = rows
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let must = [
        ("ANTAGONIZES", "3"),
        ("CAUSES", "7"),
        ("DECREASES", "2"),
        ("INHIBITS", "1"),
        ("IS_A", "1"),
        ("TREATS", "1"),
    ];
    for (t, n) in must {
        assert_eq!(got.get(t).map(String::as_str), Some(n), "{t}: {got:?}");
    }
    for (t, n) in &got {
        if !must.iter().any(|(m, _)| m == t) {
            assert!(
                ["AGONIZES", "METABOLIZED_BY"].contains(&t.as_str()) && n == "1",
                "{t} = {n} not supported by the corpus"
            );
        }
    }
    let causes = names("MATCH (:Drug {name: 'nalmefene'})-[:CAUSES]->(s) RETURN s.name");
    assert_eq!(
        causes,
        strings(&[
            "dizziness",
            "fatigue",
            "headache",
            "insomnia",
            "nausea",
            "precipitated withdrawal",
            "vomiting",
        ])
    );
}

/// Which of ketamine's metabolites may help depression, and is that stated as a hedge?
#[test]
fn hedged_fact_about_hydroxynorketamine() {
    let rows = ask(
        "MATCH (d:Drug)-[r:TREATS]->(:Disorder {name: 'depression'}) \
         WHERE ALL(e IN evidence(r) WHERE e.hedged) RETURN d.name",
    );
    let got: BTreeSet<String> = rows.into_iter().map(|mut r| r.remove(0)).collect();
    assert_eq!(
        got.into_iter().collect::<Vec<_>>(),
        strings(&["hydroxynorketamine"])
    );
    // The plain statement "Ketamine blocks the NMDA receptor." is not hedged.
    let plain = ask(
        "MATCH (:Drug {name: 'ketamine'})-[r:ANTAGONIZES]->() UNWIND evidence(r) AS e \
         WITH e WHERE e.sentence = 'Ketamine blocks the NMDA receptor.' RETURN DISTINCT e.hedged",
    );
    assert_eq!(plain, vec![vec!["false".to_string()]]);
}

/// Which of methadone's facts does the corpus state only tentatively ("may")? The graph also
/// marks "It blocks the hERG potassium channel" as hedged, though only the clause after it is.
/// "It may increase the risk of overdose, because it reduces tolerance" in the treatment
/// overview speaks of detoxification, not of methadone, and must not become a methadone fact.
#[test]
fn hedged_facts_about_methadone() {
    let got = names(
        "MATCH (:Drug {name: 'methadone'})-[r]->(t) WHERE ALL(e IN evidence(r) WHERE e.hedged) \
         RETURN t.name",
    );
    assert!(
        got.iter().any(|g| g == "torsades de pointes"),
        "missing torsades de pointes: {got:?}"
    );
    assert!(!got.iter().any(|g| g == "tolerance"), "{got:?}");
}

/// Which drugs lie within two steps of naltrexone through a receptor it blocks? (Heroin's
/// metabolite 6-monoacetylmorphine belongs here too; see [`mu_opioid_agonists`].)
#[test]
fn drugs_sharing_a_receptor_with_naltrexone() {
    let got = names(
        "MATCH (:Drug {name: 'naltrexone'})-[:ANTAGONIZES]->(r:Receptor)<-[:AGONIZES|ANTAGONIZES]-(d:Drug) \
         WHERE d.name <> 'naltrexone' RETURN d.name",
    );
    assert_within(
        &got,
        &[
            "buprenorphine",
            "fentanyl",
            "loperamide",
            "methadone",
            "morphine",
            "nalmefene",
            "naloxone",
            "oxycodone",
        ],
        &["6-monoacetylmorphine"],
    );
}

/// Which documents state facts about naloxone? (Node mentions are not visible to queries, so
/// the documents are read from the evidence of naloxone's facts.)
#[test]
fn documents_with_facts_about_naloxone() {
    let got = names(
        "MATCH (:Drug {name: 'naloxone'})-[r]-() UNWIND evidence(r) AS e RETURN DISTINCT e.doc",
    );
    for doc in ["naloxone.md", "buprenorphine.md"] {
        assert!(got.iter().any(|g| g == doc), "missing {doc}: {got:?}");
    }
    for doc in &got {
        assert!(
            corpus_doc(doc).to_lowercase().contains("naloxone"),
            "{doc} never names naloxone"
        );
    }
}

/// Does naltrexone cause the effects of opioids? No: it blocks the receptor. The list of the
/// mu-opioid receptor's effects sits in a document about the receptor, which names naltrexone
/// only among its ligands, so that list belongs to no drug there.
#[test]
fn naltrexone_causes_none_of_the_opioid_effects() {
    let got = names("MATCH (:Drug {name: 'naltrexone'})-[:CAUSES]->(s) RETURN s.name");
    for effect in [
        "euphoria",
        "respiratory depression",
        "miosis",
        "constipation",
    ] {
        assert!(!got.iter().any(|g| g == effect), "{effect} in {got:?}");
    }
}
