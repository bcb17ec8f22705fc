//! Which tier each test case belongs to, and which are skipped, from `tiers.txt` and `skip.txt`.

use crate::gherkin::{title_number, Case};
use std::collections::{BTreeMap, BTreeSet};

/// The tiers a case can land in.
pub const TIERS: [u8; 2] = [1, 2];

/// What to do with one test case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Run it, counting it in this tier.
    Run(u8),
    /// Do not run it; count it as skipped in this tier, for this reason.
    Skip(u8, String),
}

impl Disposition {
    /// The tier the case counts in.
    pub fn tier(&self) -> u8 {
        match self {
            Disposition::Run(t) | Disposition::Skip(t, _) => *t,
        }
    }
}

/// How far a `skip.txt` entry reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scope {
    /// Deferred from tier 1 to tier 2.
    Tier1,
    /// Skipped at every tier.
    All,
}

/// The tier of every feature file and the skip list, keyed by path and `[n]` title number.
#[derive(Debug, Default)]
pub struct Plan {
    tiers: BTreeMap<String, u8>,
    skips: BTreeMap<(String, String), (Scope, String)>,
}

impl Plan {
    /// Reads `tiers.txt` (`<tier> TAB <path>`) and `skip.txt` (`<path>: <title> TAB <scope> TAB
    /// <reason>`); errors name the file and line.
    pub fn parse(tiers: &str, skip: &str) -> Result<Plan, String> {
        let mut plan = Plan::default();
        for (k, line) in data_lines(tiers) {
            let err = |m: &str| format!("tiers.txt line {}: {m}", k + 1);
            let (tier, path) = line
                .split_once('\t')
                .ok_or_else(|| err("expected `<tier> TAB <path>`"))?;
            let tier: u8 = tier
                .trim()
                .parse()
                .ok()
                .filter(|t| TIERS.contains(t))
                .ok_or_else(|| err("tier must be 1 or 2"))?;
            plan.tiers.insert(path.trim().to_string(), tier);
        }
        for (k, line) in data_lines(skip) {
            let err = |m: &str| format!("skip.txt line {}: {m}", k + 1);
            let mut fields = line.split('\t');
            let (Some(what), Some(scope)) = (fields.next(), fields.next()) else {
                return Err(err("expected `<path>: <title> TAB <scope> TAB <reason>`"));
            };
            let reason = fields.next().unwrap_or("").trim().to_string();
            let (path, title) = what
                .split_once(": ")
                .ok_or_else(|| err("expected `<path>: <title>`"))?;
            let number = title_number(title).ok_or_else(|| err("title must start with `[n]`"))?;
            let scope = match scope.trim() {
                "tier1" => Scope::Tier1,
                "all" => Scope::All,
                other => return Err(err(&format!("unknown scope `{other}`"))),
            };
            plan.skips.insert(
                (path.trim().to_string(), number.to_string()),
                (scope, reason),
            );
        }
        Ok(plan)
    }

    /// The tier `tiers.txt` gives a file, if it lists it.
    pub fn file_tier(&self, path: &str) -> Option<u8> {
        self.tiers.get(path).copied()
    }

    /// Decides a case's tier and whether it runs: tier 1 when its file is tier 1 and `skip.txt`
    /// does not defer it, tier 2 otherwise; skipped when `skip.txt` says `all` or it is tagged
    /// `@ignore`. Files missing from `tiers.txt` count as tier 2.
    pub fn classify(&self, path: &str, case: &Case) -> Disposition {
        let file_tier = self.file_tier(path).unwrap_or(2);
        let entry = case
            .number()
            .and_then(|n| self.skips.get(&(path.to_string(), n.to_string())));
        match entry {
            Some((Scope::All, reason)) => Disposition::Skip(file_tier, reason.clone()),
            Some((Scope::Tier1, _)) if case.ignored() => {
                Disposition::Skip(2, "tagged @ignore".into())
            }
            Some((Scope::Tier1, _)) => Disposition::Run(2),
            None if case.ignored() => Disposition::Skip(file_tier, "tagged @ignore".into()),
            None => Disposition::Run(file_tier),
        }
    }

    /// `skip.txt` entries that match none of the given (path, case) pairs: a stale skip list.
    pub fn unmatched_skips<'a>(
        &self,
        seen: impl IntoIterator<Item = (&'a str, &'a Case)>,
    ) -> Vec<String> {
        let seen: BTreeSet<(String, String)> = seen
            .into_iter()
            .filter_map(|(p, c)| c.number().map(|n| (p.to_string(), n.to_string())))
            .collect();
        self.skips
            .keys()
            .filter(|k| !seen.contains(*k))
            .map(|(p, n)| format!("{p}: {n}"))
            .collect()
    }
}

/// Lines that are neither blank nor comments, with their 0-based index.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gherkin::parse_feature;

    const TIERS_TXT: &str = "# comment\n\n1\tfeatures/a.feature\n2\tfeatures/b.feature\n";
    const SKIP_TXT: &str = "# c\nfeatures/a.feature: [2] Two <x>\ttier1\tneeds UNWIND\n\
                            features/a.feature: [3] Three\tall\tneeds temporal\n\
                            features/b.feature: [1] One\tall\tdeprecated\n\
                            features/b.feature: [9] Gone\tall\tstale\n";

    fn case(title: &str, tags: &[&str]) -> Case {
        let tags = tags.join(" ");
        let text = format!("Feature: f\n{tags}\nScenario: {title}\n  Given any graph\n");
        parse_feature(&text).unwrap().cases.remove(0)
    }

    #[test]
    fn tiers_follow_file_and_skip_list() {
        let plan = Plan::parse(TIERS_TXT, SKIP_TXT).unwrap();
        let a = "features/a.feature";
        let b = "features/b.feature";
        assert_eq!(plan.classify(a, &case("[1] One", &[])), Disposition::Run(1));
        // Deferred: matched on the number even though the outline title differs.
        assert_eq!(
            plan.classify(a, &case("[2] Two y", &[])),
            Disposition::Run(2)
        );
        assert_eq!(
            plan.classify(a, &case("[3] Three", &[])),
            Disposition::Skip(1, "needs temporal".into())
        );
        assert_eq!(plan.classify(b, &case("[2] Two", &[])), Disposition::Run(2));
        assert_eq!(plan.classify(b, &case("[1] One", &[])).tier(), 2);
        assert!(matches!(
            plan.classify(b, &case("[3] Three", &["@ignore", "@skipStyleCheck"])),
            Disposition::Skip(2, _)
        ));
        assert_eq!(
            plan.classify("features/c.feature", &case("[1] x", &[])),
            Disposition::Run(2)
        );
        let c1 = case("[1] One", &[]);
        let c2 = case("[2] Two", &[]);
        let c3 = case("[3] Three", &[]);
        let stale = plan.unmatched_skips([(a, &c2), (a, &c3), (b, &c1)]);
        assert_eq!(stale, vec!["features/b.feature: [9]".to_string()]);
    }

    #[test]
    fn malformed_lists_name_the_line() {
        assert_eq!(
            Plan::parse("3\tx.feature\n", "").unwrap_err(),
            "tiers.txt line 1: tier must be 1 or 2"
        );
        assert!(Plan::parse("", "\nx.feature: [1] a\tsometimes\tr\n")
            .unwrap_err()
            .starts_with("skip.txt line 2"));
        assert!(Plan::parse("", "x.feature: no number\tall\tr\n").is_err());
    }
}
