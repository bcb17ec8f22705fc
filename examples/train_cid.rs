//! Trains the chemical-induced-disease pair model on a BioCreative V CDR PubTator file and
//! writes it where the library embeds it.
//!
//! Usage: train_cid TRAIN.PubTator.txt [OUT=src/extract/cid_model.txt]

use pharmakg::extract::lexicon::Lexicon;
use pharmakg::extract::pairs::{Model, FEATURES};
use pharmakg::extract::{document, pair_candidates, EntityKey};
use std::collections::HashSet;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = args
        .first()
        .ok_or("usage: train_cid TRAIN.PubTator.txt [OUT]")?;
    let out = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "src/extract/cid_model.txt".to_string());
    let text = std::fs::read_to_string(input)?;
    let mut gold: HashSet<(String, String, String)> = HashSet::new();
    for line in text.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() == 4 && c[1] == "CID" {
            gold.insert((c[0].to_string(), c[2].to_string(), c[3].to_string()));
        }
    }
    let (lex, _) = Lexicon::new(&[]);
    let (docs, _) = document::parse_pubtator(&text);
    let mut xs: Vec<Vec<f64>> = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    let ids = |k: &EntityKey| match k {
        EntityKey::Xref(x) => x
            .trim_start_matches("MESH:")
            .split('|')
            .map(String::from)
            .collect::<Vec<_>>(),
        EntityKey::Lexicon(_) => Vec::new(),
    };
    for doc in docs {
        let pmid = doc.name.clone();
        let (_, entities, pairs) = pair_candidates(doc, &lex);
        for p in pairs {
            let cs = ids(&entities[p.chemical].key);
            let ds = ids(&entities[p.disease].key);
            let pos = cs.iter().any(|c| {
                ds.iter()
                    .any(|d| gold.contains(&(pmid.clone(), c.clone(), d.clone())))
            });
            xs.push(p.x);
            ys.push(if pos { 1.0 } else { 0.0 });
        }
    }
    // Logistic regression, full-batch gradient descent with a little L2.
    let dim = FEATURES.len();
    let mut w = vec![0.0; dim];
    let n = xs.len() as f64;
    for _ in 0..4000 {
        let mut g = vec![0.0; dim];
        for (x, y) in xs.iter().zip(&ys) {
            let z: f64 = w.iter().zip(x).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            for (gi, xi) in g.iter_mut().zip(x) {
                *gi += (p - y) * xi;
            }
        }
        for (i, (wi, gi)) in w.iter_mut().zip(&g).enumerate() {
            let l2 = if i == 0 { 0.0 } else { 0.001 * *wi };
            *wi -= 1.0 * (gi / n + l2);
        }
    }
    let mut model = Model {
        weights: w,
        threshold: 0.5,
    };
    // The threshold that maximises F1 on the training pairs.
    let probs: Vec<f64> = xs.iter().map(|x| model.probability(x)).collect();
    let positives = ys.iter().filter(|y| **y > 0.5).count() as f64;
    let mut best = (0.0, 0.5);
    for step in 5..95 {
        let t = step as f64 / 100.0;
        let (mut tp, mut fp) = (0.0, 0.0);
        for (p, y) in probs.iter().zip(&ys) {
            if *p >= t {
                if *y > 0.5 {
                    tp += 1.0
                } else {
                    fp += 1.0
                }
            }
        }
        let f1 = if tp > 0.0 {
            2.0 * tp / (2.0 * tp + fp + (positives - tp))
        } else {
            0.0
        };
        if f1 > best.0 {
            best = (f1, t);
        }
    }
    model.threshold = best.1;
    eprintln!(
        "{} pairs, {} positive; training-pair F1 {:.3} at threshold {:.2}",
        xs.len(),
        positives,
        best.0,
        best.1
    );
    std::fs::write(&out, model.to_text())?;
    Ok(())
}
