//! Side effects of a query, measured by diffing snapshots of the graph taken before and after.
//!
//! Nodes and relationships count by identity; properties as (entity, key, value) triples, so a
//! changed value is one removal and one addition; labels as the set of label names in use.

use pharmakg::{EdgeId, Graph, NodeId};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The entity a property belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Entity {
    Node(NodeId),
    Rel(EdgeId),
}

/// What the graph held at one moment, as far as side effects are concerned.
pub struct Snapshot {
    nodes: HashSet<NodeId>,
    rels: HashSet<EdgeId>,
    /// Values are kept as their literal text, which tells integers from floats.
    props: HashSet<(Entity, String, String)>,
    labels: BTreeSet<String>,
}

/// The counter names the TCK uses, in its order.
pub const COUNTERS: [&str; 8] = [
    "+nodes",
    "-nodes",
    "+relationships",
    "-relationships",
    "+properties",
    "-properties",
    "+labels",
    "-labels",
];

/// Counter values by name; every name of [`COUNTERS`] is present.
pub type Effects = BTreeMap<&'static str, usize>;

impl Snapshot {
    /// Records the graph's current state.
    pub fn take(graph: &Graph) -> Snapshot {
        let nodes: HashSet<NodeId> = graph.node_ids().collect();
        let rels: HashSet<EdgeId> = graph.edge_ids().collect();
        let mut props = HashSet::new();
        let mut labels = BTreeSet::new();
        for &n in &nodes {
            labels.extend(graph.node_labels(n).map(str::to_string));
            for (k, v) in graph.node_props_map(n) {
                props.insert((Entity::Node(n), k, v.to_string()));
            }
        }
        for &e in &rels {
            for (k, v) in graph.edge_props_map(e) {
                props.insert((Entity::Rel(e), k, v.to_string()));
            }
        }
        Snapshot {
            nodes,
            rels,
            props,
            labels,
        }
    }

    /// The counters for going from `self` to `after`.
    pub fn diff(&self, after: &Snapshot) -> Effects {
        let values = [
            after.nodes.difference(&self.nodes).count(),
            self.nodes.difference(&after.nodes).count(),
            after.rels.difference(&self.rels).count(),
            self.rels.difference(&after.rels).count(),
            after.props.difference(&self.props).count(),
            self.props.difference(&after.props).count(),
            after.labels.difference(&self.labels).count(),
            self.labels.difference(&after.labels).count(),
        ];
        COUNTERS.into_iter().zip(values).collect()
    }
}

/// The expected counters from a `side effects should be` table; unlisted ones are zero.
pub fn expected_effects(table: &[Vec<String>]) -> Result<Effects, String> {
    let mut effects: Effects = COUNTERS.into_iter().map(|c| (c, 0)).collect();
    for row in table {
        let [name, count] = row.as_slice() else {
            return Err(format!("side-effect row {row:?} does not have two cells"));
        };
        let key = COUNTERS
            .into_iter()
            .find(|c| c == name)
            .ok_or_else(|| format!("unknown side-effect counter `{name}`"))?;
        let count = count
            .parse()
            .map_err(|_| format!("side-effect count `{count}` is not a number"))?;
        effects.insert(key, count);
    }
    Ok(effects)
}

/// Compares counters, naming each one that differs.
pub fn check_effects(expected: &Effects, actual: &Effects) -> Result<(), String> {
    let wrong: Vec<String> = COUNTERS
        .iter()
        .filter(|c| expected.get(*c) != actual.get(*c))
        .map(|c| {
            format!(
                "{c}: expected {}, got {}",
                expected.get(c).copied().unwrap_or(0),
                actual.get(c).copied().unwrap_or(0)
            )
        })
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("side effects differ: {}", wrong.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pharmakg::Value;

    #[test]
    fn counts_identity_triples_and_label_names() {
        let mut g = Graph::new();
        let a = g.add_node(&["A"], &[("k", Value::Int(1))]);
        let b = g.add_node(&["A", "B"], &[]);
        let e = g.add_edge(a, b, "T", &[("w", Value::Int(2))]).unwrap();
        let before = Snapshot::take(&g);
        assert_eq!(before.diff(&before).values().sum::<usize>(), 0);

        // Same value, other type: one property removed, one added.
        // The store reuses freed slots, so the new node is added before the old one goes.
        g.set_node_prop(a, "k", Value::Float(1.0)).unwrap();
        g.add_node(&["C"], &[("x", Value::from("y"))]);
        g.remove_edge(e).unwrap();
        g.remove_node(b).unwrap();
        let d = before.diff(&Snapshot::take(&g));
        assert_eq!(d["+nodes"], 1);
        assert_eq!(d["-nodes"], 1);
        assert_eq!(d["-relationships"], 1);
        assert_eq!(d["+relationships"], 0);
        assert_eq!(d["+properties"], 2);
        assert_eq!(d["-properties"], 2);
        // `A` is still in use, `B` is gone, `C` is new.
        assert_eq!(d["+labels"], 1);
        assert_eq!(d["-labels"], 1);
    }

    #[test]
    fn tables_default_to_zero_and_reject_unknown_counters() {
        let t = vec![vec!["+nodes".to_string(), "2".to_string()]];
        let e = expected_effects(&t).unwrap();
        assert_eq!(e["+nodes"], 2);
        assert_eq!(e["-labels"], 0);
        assert!(expected_effects(&[vec!["+edges".into(), "1".into()]]).is_err());
        assert!(expected_effects(&[vec!["+nodes".into(), "x".into()]]).is_err());
        let mut got = e.clone();
        got.insert("-labels", 1);
        let err = check_effects(&e, &got).unwrap_err();
        assert_eq!(err, "side effects differ: -labels: expected 0, got 1");
    }
}
