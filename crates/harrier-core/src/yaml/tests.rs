use super::*;

fn k8s(text: &str) -> Stream {
    parse_stream(text, Schema::Kubernetes)
}

#[test]
fn keeps_positions_of_keys_and_values() {
    let s = k8s(
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      privileged: true\n",
    );
    assert!(s.error.is_none());
    let root = &s.documents[0].root;
    let path = FieldPath::root()
        .keys("spec.containers")
        .index(0)
        .keys("securityContext.privileged");
    assert_eq!(root.locate(&path), Pos::new(7, 7));
    assert_eq!(root.at(&path).and_then(Node::as_bool), Some(true));
    // A missing field is located at the deepest part that exists.
    let missing = FieldPath::root()
        .keys("spec.containers")
        .index(0)
        .keys("resources.limits");
    assert_eq!(root.locate(&missing), Pos::new(5, 5));
}

#[test]
fn splits_documents_and_keeps_those_before_an_error() {
    let s = k8s("a: 1\n---\nb: 2\n---\nc: [unclosed\n");
    assert_eq!(s.documents.len(), 2);
    let err = s.error.expect("syntax error");
    assert!(err.pos.line >= 5, "{err:?}");
}

#[test]
fn reads_json() {
    let s =
        k8s("{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"List\",\n\t\"items\": [{\"a\": 1}]\n}\n");
    assert!(s.error.is_none(), "{:?}", s.error);
    let root = &s.documents[0].root;
    assert_eq!(root.get("kind").and_then(Node::as_str), Some("List"));
    assert_eq!(root.get("items").unwrap().pos.line, 4);
}

#[test]
fn expands_anchors_and_merge_keys() {
    let s = k8s("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n");
    let root = &s.documents[0].root;
    let used = root.get("use").unwrap();
    assert_eq!(used.get("x").and_then(Node::as_i64), Some(1));
    assert_eq!(used.get("y").and_then(Node::as_i64), Some(3));
}

#[test]
fn stops_alias_bombs() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let s = k8s(&text);
    let err = s.error.expect("bomb must be stopped");
    assert!(err.message.contains("too many nodes"), "{err:?}");
}

#[test]
fn stops_deep_nesting() {
    let text = "[".repeat(10_000);
    let s = k8s(&text);
    assert!(s.error.is_some());
}

#[test]
fn reports_duplicate_keys_and_keeps_the_last() {
    let s = k8s("a: 1\nb: 2\na: 3\n");
    assert_eq!(s.documents[0].root.get("a").and_then(Node::as_i64), Some(3));
    assert_eq!(s.warnings.len(), 1);
    assert_eq!(s.warnings[0].pos, Pos::new(3, 1));
}

#[test]
fn quoted_scalars_stay_strings() {
    let s = k8s("a: \"true\"\nb: '0644'\nc: 0644\nd: !!str 12\n");
    let root = &s.documents[0].root;
    assert_eq!(root.get("a").and_then(Node::as_str), Some("true"));
    assert_eq!(root.get("b").and_then(Node::as_str), Some("0644"));
    assert_eq!(root.get("c").and_then(Node::as_i64), Some(0o644));
    assert_eq!(root.get("d").and_then(Node::as_str), Some("12"));
}

#[test]
fn empty_and_comment_only_streams_have_no_documents() {
    assert!(k8s("").documents.is_empty());
    assert!(k8s("# just a comment\n").documents.is_empty());
    assert!(k8s("---\n---\n").documents.iter().all(|d| d.root.is_null()));
}

#[test]
fn accepts_under_indented_quoted_continuations_like_go_yaml() {
    let text = "spec:\n  command:\n    - sh\n    - \"exec a --x=1 \\\n  --y=2\"\n  after: 1\n";
    let s = k8s(text);
    assert!(s.error.is_none(), "{:?}", s.error);
    let root = &s.documents[0].root;
    let cmd = root
        .get_path("spec.command")
        .and_then(Node::as_seq)
        .unwrap();
    assert_eq!(cmd[1].as_str(), Some("exec a --x=1 --y=2"));
    assert_eq!(root.get_path("spec.after").map(|n| n.pos.line), Some(6));
}
