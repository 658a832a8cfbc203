//! Attack paths (`harrier paths`) as a table of readable chains, as JSON, or as Graphviz DOT.
//!
//! JSON is the [`PathsResult`] as docs/attack-paths.md describes it: `paths`, each with
//! `source`, `target`, `goal`, `length` and `hops` (`technique`, `mitre`, `from`, `to`,
//! `evidence`), plus `truncated` (which caps were hit) and the graph's size. DOT draws the
//! vertices and edges of the paths found, or the whole graph.

use std::collections::BTreeSet;
use std::io;

use harrier_graph::{Graph, PathsResult, Truncated, VertexId, VertexKind};
use serde::Serialize;

#[derive(Serialize)]
struct PathsDoc<'a> {
    #[serde(flatten)]
    result: &'a PathsResult,
    problems: &'a [String],
}

/// Writes the paths as JSON; `problems` are the inputs that could not be used.
pub fn paths_json(
    out: &mut dyn io::Write,
    result: &PathsResult,
    problems: &[String],
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &PathsDoc { result, problems })?;
    writeln!(out)
}

/// What each hit cap means, for people.
pub fn truncation_notes(t: &Truncated) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if t.depth {
        notes.push("the depth cap was reached: longer paths may exist (raise --max-depth)");
    }
    if t.paths {
        notes.push("more paths were found than --max-paths; the first ones in order are shown");
    }
    if t.visits {
        notes.push("the search stopped after --max-visits vertices; some paths may be missing");
    }
    if t.time {
        notes.push("the search stopped at --timeout; some paths may be missing");
    }
    notes
}

/// Writes each path as a chain, then its hops with technique, ATT&CK id and evidence.
pub fn paths_table(out: &mut dyn io::Write, result: &PathsResult) -> io::Result<()> {
    if result.paths.is_empty() {
        writeln!(out, "No attack path found.")?;
    }
    for (i, path) in result.paths.iter().enumerate() {
        let mut chain = vec![path.source.clone()];
        chain.extend(path.hops.iter().map(|h| h.to.clone()));
        let plural = if path.length == 1 { "" } else { "s" };
        writeln!(
            out,
            "{}. [{}, {} technique{plural}] {}",
            i + 1,
            path.goal,
            path.length,
            chain.join(" → ")
        )?;
        for hop in &path.hops {
            let at = hop
                .evidence
                .location
                .as_ref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            writeln!(
                out,
                "     → {} [{} {}, {}]: {}{at}",
                hop.to, hop.technique, hop.mitre, hop.title, hop.evidence.detail
            )?;
        }
    }
    writeln!(
        out,
        "\n{} path{} (graph: {} vertices, {} edges).",
        result.paths.len(),
        if result.paths.len() == 1 { "" } else { "s" },
        result.graph.vertices,
        result.graph.edges
    )?;
    for note in truncation_notes(&result.truncated) {
        writeln!(out, "Truncated: {note}.")?;
    }
    Ok(())
}

/// A DOT string literal.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c if c.is_control() => {}
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

fn shape(kind: Option<VertexKind>) -> &'static str {
    match kind {
        Some(VertexKind::Internet) => "shape=doubleoctagon",
        Some(VertexKind::ServiceAccount | VertexKind::User | VertexKind::Group) => "shape=ellipse",
        Some(VertexKind::Node) => "shape=box3d",
        Some(VertexKind::ClusterAdmin | VertexKind::NamespaceAdmin) => "shape=octagon",
        Some(VertexKind::Secrets) => "shape=cylinder",
        _ => "shape=box",
    }
}

/// Writes a Graphviz digraph: the edges of the paths found, or (`all`) the whole graph.
pub fn paths_dot(
    out: &mut dyn io::Write,
    graph: &Graph,
    result: &PathsResult,
    all: bool,
) -> io::Result<()> {
    let edges: BTreeSet<u32> = if all {
        (0..u32::try_from(graph.edges().len()).unwrap_or(u32::MAX)).collect()
    } else {
        result
            .paths
            .iter()
            .flat_map(|p| p.edge_indices().iter().copied())
            .collect()
    };
    let mut vertices: BTreeSet<VertexId> = BTreeSet::new();
    for &e in &edges {
        if let Some(edge) = graph.edge_at(e) {
            vertices.insert(edge.from);
            vertices.insert(edge.to);
        }
    }
    if all {
        vertices.extend(graph.vertex_ids());
    }
    writeln!(out, "digraph attack_paths {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];")?;
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];")?;
    for &v in &vertices {
        writeln!(
            out,
            "  {} [label={}, {}];",
            quote(&graph.id_of(v)),
            quote(&graph.label(v)),
            shape(graph.kind(v))
        )?;
    }
    for &e in &edges {
        let Some(edge) = graph.edge_at(e) else {
            continue;
        };
        writeln!(
            out,
            "  {} -> {} [label={}];",
            quote(&graph.id_of(edge.from)),
            quote(&graph.id_of(edge.to)),
            quote(&format!("{}\n{}", edge.technique, edge.technique.mitre()))
        )?;
    }
    writeln!(out, "}}")
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn dot_strings_are_escaped() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(quote("a\nb"), r#""a\nb""#);
    }
}
