//! Comparing values and result tables the way the TCK does: type-exact, NaN equal to NaN, rows
//! as a bag or a sequence, lists optionally as bags.

use crate::values::{NodeVal, RelVal, TckValue};
use std::collections::BTreeMap;

/// How strictly rows and lists are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    /// Rows must come in the written order.
    pub ordered: bool,
    /// Lists inside values compare as multisets.
    pub lists_as_bags: bool,
}

/// Largest relative difference between two floats still taken as equal: only the last bits of
/// a computed sum or average may differ.
const REL_TOLERANCE: f64 = 1e-12;

fn floats_equal(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == b {
        return true;
    }
    if a.is_infinite() || b.is_infinite() {
        return false;
    }
    (a - b).abs() <= REL_TOLERANCE * a.abs().max(b.abs())
}

/// Equality for test purposes: `1` is not `1.0`, null equals null, NaN equals NaN.
pub fn values_equal(a: &TckValue, b: &TckValue, lists_as_bags: bool) -> bool {
    use TckValue::*;
    match (a, b) {
        (Null, Null) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Float(x), Float(y)) => floats_equal(*x, *y),
        (String(x), String(y)) => x == y,
        (List(x), List(y)) => {
            if lists_as_bags {
                bag_equal(x, y, |p, q| values_equal(p, q, true))
            } else {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q, false))
            }
        }
        (Map(x), Map(y)) => maps_equal(x, y, lists_as_bags),
        (Node(x), Node(y)) => nodes_equal(x, y, lists_as_bags),
        (Rel(x), Rel(y)) => rels_equal(x, y, lists_as_bags),
        (Path(xs, xh), Path(ys, yh)) => {
            nodes_equal(xs, ys, lists_as_bags)
                && xh.len() == yh.len()
                && xh.iter().zip(yh).all(|(p, q)| {
                    p.forward == q.forward
                        && rels_equal(&p.rel, &q.rel, lists_as_bags)
                        && nodes_equal(&p.node, &q.node, lists_as_bags)
                })
        }
        _ => false,
    }
}

fn maps_equal(
    x: &BTreeMap<String, TckValue>,
    y: &BTreeMap<String, TckValue>,
    lists_as_bags: bool,
) -> bool {
    x.len() == y.len()
        && x.iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w, lists_as_bags)))
}

fn nodes_equal(x: &NodeVal, y: &NodeVal, lists_as_bags: bool) -> bool {
    x.labels == y.labels && maps_equal(&x.props, &y.props, lists_as_bags)
}

fn rels_equal(x: &RelVal, y: &RelVal, lists_as_bags: bool) -> bool {
    x.ty == y.ty && maps_equal(&x.props, &y.props, lists_as_bags)
}

/// Multiset equality under `eq`, by matching each left item to an unused right item.
fn bag_equal<T>(x: &[T], y: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let mut used = vec![false; y.len()];
    x.iter()
        .all(|a| match (0..y.len()).find(|&k| !used[k] && eq(a, &y[k])) {
            Some(k) => {
                used[k] = true;
                true
            }
            None => false,
        })
}

fn rows_equal(a: &[TckValue], b: &[TckValue], lists_as_bags: bool) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(p, q)| values_equal(p, q, lists_as_bags))
}

fn show_row(row: &[TckValue]) -> String {
    let cells: Vec<String> = row.iter().map(ToString::to_string).collect();
    format!("| {} |", cells.join(" | "))
}

/// The most rows a failure message lists, so that one bad case does not flood the report.
const SHOW: usize = 5;

fn show_rows(label: &str, rows: &[&[TckValue]]) -> String {
    if rows.is_empty() {
        return format!("{label}: none");
    }
    let mut s = format!("{label} ({}):", rows.len());
    for r in rows.iter().take(SHOW) {
        s.push(' ');
        s.push_str(&show_row(r));
    }
    if rows.len() > SHOW {
        s.push_str(" ...");
    }
    s
}

/// Compares actual rows with expected ones; the error says which rows are missing or extra, or
/// where the order differs.
pub fn compare_rows(
    expected: &[Vec<TckValue>],
    actual: &[Vec<TckValue>],
    mode: Mode,
) -> Result<(), String> {
    if mode.ordered {
        if expected.len() == actual.len() {
            let first_diff = expected
                .iter()
                .zip(actual)
                .position(|(e, a)| !rows_equal(e, a, mode.lists_as_bags));
            return match first_diff {
                None => Ok(()),
                Some(k) => Err(format!(
                    "row {} differs: expected {}, got {}",
                    k + 1,
                    show_row(&expected[k]),
                    show_row(&actual[k])
                )),
            };
        }
    } else if bag_equal(expected, actual, |e, a| {
        rows_equal(e, a, mode.lists_as_bags)
    }) {
        return Ok(());
    }
    // Report the unmatched rows of each side.
    let mut used = vec![false; actual.len()];
    let mut missing: Vec<&[TckValue]> = Vec::new();
    for e in expected {
        match (0..actual.len()).find(|&k| !used[k] && rows_equal(e, &actual[k], mode.lists_as_bags))
        {
            Some(k) => used[k] = true,
            None => missing.push(e),
        }
    }
    let extra: Vec<&[TckValue]> = actual
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(a, _)| a.as_slice())
        .collect();
    Err(format!(
        "expected {} rows, got {}; {}; {}",
        expected.len(),
        actual.len(),
        show_rows("missing", &missing),
        show_rows("unexpected", &extra)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::parse_value;

    fn v(s: &str) -> TckValue {
        parse_value(s).expect("value")
    }

    fn rows(rs: &[&[&str]]) -> Vec<Vec<TckValue>> {
        rs.iter()
            .map(|r| r.iter().map(|c| v(c)).collect())
            .collect()
    }

    const BAG: Mode = Mode {
        ordered: false,
        lists_as_bags: false,
    };
    const SEQ: Mode = Mode {
        ordered: true,
        lists_as_bags: false,
    };

    #[test]
    fn type_exact_numbers() {
        assert!(!values_equal(&v("1"), &v("1.0"), false));
        assert!(values_equal(&v("NaN"), &v("NaN"), false));
        assert!(!values_equal(&v("NaN"), &v("1.0"), false));
        assert!(values_equal(&v("null"), &v("null"), false));
        assert!(!values_equal(&v("Inf"), &v("-Inf"), false));
        assert!(values_equal(&TckValue::Float(0.1 + 0.2), &v("0.3"), false));
        assert!(!values_equal(&v("0.3"), &v("0.30001"), false));
    }

    #[test]
    fn graph_elements_ignore_label_order_not_direction() {
        assert!(values_equal(
            &v("(:A:B {k: 1})"),
            &v("(:B:A {k: 1})"),
            false
        ));
        assert!(!values_equal(&v("(:A {k: 1})"), &v("(:A {k: 1.0})"), false));
        assert!(!values_equal(&v("[:T]"), &v("[:U]"), false));
        assert!(!values_equal(
            &v("<()-[:T]->()>"),
            &v("<()<-[:T]-()>"),
            false
        ));
        assert!(!values_equal(&v("(:A)"), &v("{}"), false));
    }

    #[test]
    fn lists_ordered_unless_asked() {
        assert!(!values_equal(&v("['a', 'b']"), &v("['b', 'a']"), false));
        assert!(values_equal(&v("['a', 'b']"), &v("['b', 'a']"), true));
        assert!(!values_equal(&v("['a', 'a']"), &v("['a', 'b']"), true));
        assert!(values_equal(
            &v("{k: [1, [2, 3]]}"),
            &v("{k: [[3, 2], 1]}"),
            true
        ));
    }

    #[test]
    fn rows_as_bags_and_sequences() {
        let e = rows(&[&["1"], &["2"], &["2"]]);
        assert!(compare_rows(&e, &rows(&[&["2"], &["1"], &["2"]]), BAG).is_ok());
        assert!(compare_rows(&e, &rows(&[&["2"], &["1"], &["1"]]), BAG).is_err());
        assert!(compare_rows(&e, &rows(&[&["2"], &["1"], &["2"]]), SEQ).is_err());
        assert!(compare_rows(&e, &rows(&[&["1"], &["2"], &["2"]]), SEQ).is_ok());
        let err = compare_rows(&e, &rows(&[&["1"], &["2"]]), BAG).unwrap_err();
        assert!(err.contains("expected 3 rows, got 2"), "{err}");
        assert!(
            err.contains("missing (1): | 2 |; unexpected: none"),
            "{err}"
        );
        assert!(compare_rows(&[], &[], BAG).is_ok());
    }
}
