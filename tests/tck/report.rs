//! Tallies per feature and tier, the summary lines, and the recorded pass levels.

use crate::suite::Job;
use crate::tiers::{Disposition, TIERS};
use comfy_table::{presets::ASCII_MARKDOWN, Table};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// How one test case ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// All its steps held.
    Passed,
    /// A step failed, for this reason.
    Failed(String),
    /// It was not run, for this reason.
    Skipped(String),
}

/// Passed, failed and skipped counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases not run.
    pub skipped: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Skipped(_) => self.skipped += 1,
        }
    }

    /// Every case counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped
    }
}

/// Counts per tier.
pub fn per_tier(jobs: &[Job], outcomes: &[Outcome]) -> BTreeMap<u8, Tally> {
    let mut tiers: BTreeMap<u8, Tally> = TIERS.iter().map(|t| (*t, Tally::default())).collect();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        tiers
            .entry(job.disposition.tier())
            .or_default()
            .add(outcome);
    }
    tiers
}

/// Writes the per-feature table (one row per feature and tier, ordered by tier then path).
pub fn write_table(out: &mut impl Write, jobs: &[Job], outcomes: &[Outcome]) -> io::Result<()> {
    let mut rows: BTreeMap<(u8, &str), Tally> = BTreeMap::new();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        rows.entry((job.disposition.tier(), job.path.as_str()))
            .or_default()
            .add(outcome);
    }
    let mut table = Table::new();
    table.load_preset(ASCII_MARKDOWN);
    table.set_header(["feature", "tier", "passed", "failed", "skipped"]);
    for ((tier, path), t) in rows {
        let name = path.strip_prefix("features/").unwrap_or(path);
        table.add_row([
            name.to_string(),
            tier.to_string(),
            t.passed.to_string(),
            t.failed.to_string(),
            t.skipped.to_string(),
        ]);
    }
    writeln!(out, "{table}")
}

/// Writes how many cases each tier has and where they come from, so the counts can be checked
/// against the TCK folder's README: tier 1 keeps the cases of tier-1 files that `skip.txt` does
/// not defer; tier 2 has the tier-2 files' cases and the deferred ones.
pub fn write_counts(
    out: &mut impl Write,
    jobs: &[Job],
    file_tiers: &BTreeMap<String, u8>,
) -> io::Result<()> {
    let file_tier = |j: &Job| file_tiers.get(&j.path).copied().unwrap_or(2);
    for tier in TIERS {
        let in_tier: Vec<&Job> = jobs
            .iter()
            .filter(|j| j.disposition.tier() == tier)
            .collect();
        let runnable = in_tier
            .iter()
            .filter(|j| matches!(j.disposition, Disposition::Run(_)))
            .count();
        let from_files: Vec<&Job> = jobs.iter().filter(|j| file_tier(j) == tier).collect();
        let files_runnable = from_files
            .iter()
            .filter(|j| j.disposition == Disposition::Run(tier))
            .count();
        let deferred = jobs
            .iter()
            .filter(|j| file_tier(j) == 1 && j.disposition == Disposition::Run(2))
            .count();
        writeln!(
            out,
            "tier {tier} cases: {} total, {runnable} runnable, {} skipped \
             (tier-{tier} files: {} cases, {files_runnable} runnable in tier {tier}; \
             deferred from tier 1 to tier 2: {deferred})",
            in_tier.len(),
            in_tier.len() - runnable,
            from_files.len(),
        )?;
    }
    Ok(())
}

/// The summary line of a tier, exactly as scripts look for it.
pub fn summary_line(tier: u8, t: &Tally) -> String {
    format!(
        "tier {tier}: {} passed, {} failed, {} skipped",
        t.passed, t.failed, t.skipped
    )
}

/// Reads recorded pass levels: lines `tier <n>: <passed>`; `#` starts a comment.
pub fn parse_baseline(text: &str) -> Result<BTreeMap<u8, usize>, String> {
    let mut levels = BTreeMap::new();
    for (k, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let parsed = line
            .strip_prefix("tier ")
            .and_then(|r| r.split_once(':'))
            .and_then(|(t, n)| Some((t.trim().parse().ok()?, n.trim().parse().ok()?)));
        let (tier, passed) = parsed
            .ok_or_else(|| format!("baseline line {}: expected `tier <n>: <passed>`", k + 1))?;
        levels.insert(tier, passed);
    }
    Ok(levels)
}

/// The tiers whose pass count fell below the recorded level, described.
pub fn regressions(levels: &BTreeMap<u8, usize>, tallies: &BTreeMap<u8, Tally>) -> Vec<String> {
    levels
        .iter()
        .filter_map(|(tier, &level)| {
            let passed = tallies.get(tier).map_or(0, |t| t.passed);
            (passed < level).then(|| {
                format!("tier {tier}: {passed} passed, below the recorded level of {level}")
            })
        })
        .collect()
}

/// Writes every failing case with its reason.
pub fn write_failures(out: &mut impl Write, jobs: &[Job], outcomes: &[Outcome]) -> io::Result<()> {
    for (job, outcome) in jobs.iter().zip(outcomes) {
        if let Outcome::Failed(reason) = outcome {
            writeln!(
                out,
                "FAIL [tier {}] {}\n    {}",
                job.disposition.tier(),
                job.name(),
                reason.replace('\n', "\n    ")
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_lines() {
        let levels = parse_baseline("# levels\ntier 1: 12\n\ntier 2: 0 # none yet\n").unwrap();
        assert_eq!(levels[&1], 12);
        assert_eq!(levels[&2], 0);
        assert!(parse_baseline("tier one: 3\n")
            .unwrap_err()
            .contains("line 1"));
    }

    #[test]
    fn regressions_only_below_the_level() {
        let levels: BTreeMap<u8, usize> = [(1, 10), (2, 0)].into_iter().collect();
        let mut tallies = BTreeMap::new();
        tallies.insert(
            1,
            Tally {
                passed: 10,
                failed: 0,
                skipped: 0,
            },
        );
        assert!(regressions(&levels, &tallies).is_empty());
        tallies.insert(
            1,
            Tally {
                passed: 9,
                failed: 1,
                skipped: 0,
            },
        );
        assert_eq!(
            regressions(&levels, &tallies),
            vec!["tier 1: 9 passed, below the recorded level of 10".to_string()]
        );
    }

    #[test]
    fn summary_format() {
        let t = Tally {
            passed: 3,
            failed: 2,
            skipped: 1,
        };
        assert_eq!(summary_line(1, &t), "tier 1: 3 passed, 2 failed, 1 skipped");
        assert_eq!(t.total(), 6);
    }
}
