#[test]
fn empty_graph_has_no_nodes() {
    assert_eq!(pharmakg::Graph::new().node_count(), 0);
}
