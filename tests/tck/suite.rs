//! Loading the TCK folder: every feature file under `features/`, parsed, with each test case's
//! tier and disposition.

use crate::gherkin::{parse_feature, Case};
use crate::tiers::{Disposition, Plan};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One test case with where it comes from and what to do with it.
#[derive(Clone, Debug)]
pub struct Job {
    /// The feature file's path relative to the TCK folder, with `/` separators.
    pub path: String,
    /// The test case.
    pub case: Case,
    /// Its tier and whether it runs.
    pub disposition: Disposition,
}

impl Job {
    /// A one-line name for reports: path, title and example row.
    pub fn name(&self) -> String {
        match self.case.example {
            Some(row) => format!("{}: {} (example {row})", self.path, self.case.title),
            None => format!("{}: {}", self.path, self.case.title),
        }
    }
}

/// The whole suite, in path order.
#[derive(Debug)]
pub struct Suite {
    /// Every test case of every feature file.
    pub jobs: Vec<Job>,
    /// Feature files that `tiers.txt` does not list (they count as tier 2).
    pub unlisted: Vec<String>,
    /// `skip.txt` entries that match no scenario.
    pub stale_skips: Vec<String>,
    /// The tier of every feature file read (unlisted files count as tier 2).
    pub file_tiers: BTreeMap<String, u8>,
}

/// Feature files under `dir`, sorted, as paths relative to `root`.
fn feature_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    paths.sort();
    for p in paths {
        if p.is_dir() {
            feature_files(root, &p, out)?;
        } else if p.extension().is_some_and(|x| x == "feature") {
            let rel = p.strip_prefix(root).unwrap_or(&p);
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((rel.join("/"), p));
        }
    }
    Ok(())
}

/// Reads `tiers.txt`, `skip.txt` and every feature file of the TCK folder `root`.
pub fn load(root: &Path) -> Result<Suite, String> {
    let read = |name: &str| {
        let p = root.join(name);
        fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))
    };
    let plan = Plan::parse(&read("tiers.txt")?, &read("skip.txt")?)?;
    let mut files = Vec::new();
    feature_files(root, &root.join("features"), &mut files)?;
    let mut jobs = Vec::new();
    let mut unlisted = Vec::new();
    let mut file_tiers = BTreeMap::new();
    for (path, full) in files {
        let text = fs::read_to_string(&full).map_err(|e| format!("{}: {e}", full.display()))?;
        let feature = parse_feature(&text).map_err(|e| format!("{path}: {e}"))?;
        if plan.file_tier(&path).is_none() {
            unlisted.push(path.clone());
        }
        file_tiers.insert(path.clone(), plan.file_tier(&path).unwrap_or(2));
        for case in feature.cases {
            let disposition = plan.classify(&path, &case);
            jobs.push(Job {
                path: path.clone(),
                case,
                disposition,
            });
        }
    }
    let stale_skips = plan.unmatched_skips(jobs.iter().map(|j| (j.path.as_str(), &j.case)));
    Ok(Suite {
        jobs,
        unlisted,
        stale_skips,
        file_tiers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiers::Disposition;

    /// The TCK folder the runner would use (`PHARMAKG_TCK`, else the shared folder next to the
    /// crate), when it is there.
    fn tck_root() -> Option<PathBuf> {
        let root = std::env::var_os("PHARMAKG_TCK")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tck"));
        root.join("features").is_dir().then_some(root)
    }

    fn count(suite: &Suite, f: impl Fn(&Job) -> bool) -> usize {
        suite.jobs.iter().filter(|j| f(j)).count()
    }

    /// The counts the TCK folder's README gives for tiers 1 and 2.
    #[test]
    fn counts_match_the_readme() {
        let Some(root) = tck_root() else {
            println!("no TCK folder next to the crate; counts not checked");
            return;
        };
        let suite = load(&root).expect("TCK loads");
        assert!(suite.unlisted.is_empty(), "{:?}", suite.unlisted);
        assert!(suite.stale_skips.is_empty(), "{:?}", suite.stale_skips);
        assert_eq!(suite.jobs.len(), 2138);
        assert_eq!(suite.file_tiers.values().filter(|t| **t == 1).count(), 72);
        assert_eq!(suite.file_tiers.values().filter(|t| **t == 2).count(), 84);
        let tier1_file = |j: &Job| suite.file_tiers[&j.path] == 1;
        assert_eq!(count(&suite, tier1_file), 1063);
        assert_eq!(count(&suite, |j| j.disposition == Disposition::Run(1)), 802);
        assert_eq!(
            count(&suite, |j| tier1_file(j)
                && j.disposition == Disposition::Run(2)),
            252
        );
        assert_eq!(
            count(&suite, |j| matches!(j.disposition, Disposition::Skip(1, _))),
            9
        );
        let tier2_file = |j: &Job| !tier1_file(j);
        assert_eq!(count(&suite, tier2_file), 1075);
        assert_eq!(
            count(&suite, |j| tier2_file(j)
                && j.disposition == Disposition::Run(2)),
            930
        );
        assert_eq!(
            count(&suite, |j| matches!(j.disposition, Disposition::Skip(2, _))),
            145
        );
        // Scenarios (outlines counted once) per the README: 710 in tier-1 files, 598 in tier 2.
        let scenarios = |f: &dyn Fn(&Job) -> bool| {
            let mut seen: Vec<(&str, usize)> = suite
                .jobs
                .iter()
                .filter(|j| f(j))
                .map(|j| (j.path.as_str(), j.case.line))
                .collect();
            seen.dedup();
            seen.len()
        };
        assert_eq!(scenarios(&tier1_file), 710);
        assert_eq!(scenarios(&tier2_file), 598);
        // Runnable tier-1 scenarios expecting an error, using parameters, checking side effects.
        let tier1_with = |step: &dyn Fn(&crate::gherkin::Step) -> bool| {
            scenarios(&|j: &Job| {
                j.disposition == Disposition::Run(1) && j.case.steps.iter().any(step)
            })
        };
        assert_eq!(
            tier1_with(&|s| s.text.contains(" should be raised at ")),
            86
        );
        // Parameters: bound by a step, or referred to (unbound) by a query.
        let params = |s: &crate::gherkin::Step| {
            s.text == "parameters are:" || s.doc.as_deref().is_some_and(|d| d.contains('$'))
        };
        assert_eq!(tier1_with(&params), 16);
        assert_eq!(tier1_with(&|s| s.text == "the side effects should be:"), 40);
    }

    /// Every expected value and parameter in the TCK parses in the value notation.
    #[test]
    fn every_table_cell_parses() {
        let Some(root) = tck_root() else {
            println!("no TCK folder next to the crate; cells not checked");
            return;
        };
        let suite = load(&root).expect("TCK loads");
        let mut cells = 0;
        for job in &suite.jobs {
            for step in &job.case.steps {
                let Some(table) = &step.table else { continue };
                let values: Vec<&String> = if step.text.starts_with("the result should be") {
                    table.iter().skip(1).flatten().collect()
                } else if step.text == "parameters are:" {
                    table.iter().filter_map(|r| r.get(1)).collect()
                } else {
                    continue;
                };
                for v in values {
                    cells += 1;
                    let parsed = crate::values::parse_value(v).unwrap_or_else(|e| {
                        panic!("{} line {}: `{v}`: {e}", job.name(), step.line)
                    });
                    // Failure messages print values back; they must read as the same value.
                    let shown = parsed.to_string();
                    let again = crate::values::parse_value(&shown)
                        .unwrap_or_else(|e| panic!("`{v}` shown as `{shown}`: {e}"));
                    assert!(
                        crate::compare::values_equal(&parsed, &again, false),
                        "`{v}` shown as `{shown}`"
                    );
                }
            }
        }
        // Thousands of expected values: far fewer means the tables were not read.
        assert!(cells > 3000, "only {cells} cells");
    }
}
