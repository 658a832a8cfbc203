use super::*;

fn load_str(text: &str) -> Loaded {
    load_text(Arc::from("test.yaml"), text)
}

#[test]
fn reads_multi_document_yaml_with_lines() {
    let l = load_str(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: web\n",
    );
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.objects.len(), 2);
    assert_eq!(l.objects[1].resource.kind, "Service");
    assert_eq!(l.objects[1].resource.namespace.as_deref(), Some("web"));
    assert_eq!(l.objects[1].location().line, 6);
}

#[test]
fn expands_lists_from_kubectl() {
    let l = load_str(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: b}\n",
    );
    assert_eq!(l.objects.len(), 2);
    assert_eq!(l.objects[1].location().line, 7);
}

#[test]
fn keeps_helm_source_comments() {
    let l = load_str(
        "---\n# Source: chart/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n---\n# Source: chart/templates/dep.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n",
    );
    assert_eq!(
        l.objects[0].template.as_deref(),
        Some("chart/templates/sa.yaml")
    );
    assert_eq!(
        l.objects[1].template.as_deref(),
        Some("chart/templates/dep.yaml")
    );
}

#[test]
fn keeps_unknown_kinds_and_skips_non_kubernetes_yaml() {
    let l = load_str("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
    assert_eq!(l.objects.len(), 1);
    let l = load_str("replicaCount: 1\nimage:\n  repository: nginx\n");
    assert!(l.objects.is_empty() && l.errors.is_empty());
    assert_eq!(l.notes.len(), 1);
}

#[test]
fn unrendered_templates_are_errors_with_lines() {
    let l = load_str(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"x.fullname\" . }}\n",
    );
    assert_eq!(l.errors.len(), 1);
    assert!(
        l.errors[0].to_string().contains("template"),
        "{}",
        l.errors[0]
    );
    let l = load_str("apiVersion: v1\nkind: Service\nmetadata:\n  name: \"{{ .Release.Name }}\"\n");
    assert!(matches!(l.errors[0], Error::UnrenderedTemplate { .. }));
    assert_eq!(l.errors[0].location().map(|l| l.line), Some(4));
    assert!(l.objects.is_empty());
}

#[test]
fn prometheus_templates_are_content_not_helm() {
    let l = load_str(
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  groups:\n  - rules:\n    - annotations:\n        summary: 'Instance {{ $labels.instance }} down'\n",
    );
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.objects.len(), 1);
}

#[test]
fn malformed_yaml_keeps_earlier_objects() {
    let l = load_str(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: [oops\n",
    );
    assert_eq!(l.objects.len(), 1);
    assert_eq!(l.errors.len(), 1);
    assert!(l.errors[0].location().is_some_and(|l| l.line >= 7));
}

#[test]
fn broken_objects_are_errors() {
    let l = load_str("kind: Pod\nmetadata: {name: a}\n");
    assert_eq!(l.errors.len(), 1);
    assert!(
        l.errors[0].to_string().starts_with("test.yaml:1:1: "),
        "{}",
        l.errors[0]
    );
}
