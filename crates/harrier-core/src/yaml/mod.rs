//! A YAML and JSON reader that keeps the position of every node.
//!
//! Kubernetes manifests are YAML read by `sigs.k8s.io/yaml`, which follows YAML 1.1 as go-yaml v2
//! does: `on`/`off`/`yes`/`no`/`y`/`n` are booleans, `0644` is octal, `<<` merges mappings. A
//! YAML 1.2 reader would disagree with `kubectl` on exactly the values security checks look at
//! (`privileged: yes`, `defaultMode: 0777`), so scalar resolution follows a [`Schema`] chosen by
//! the caller. Syntax comes from `saphyr-parser`'s event stream; this module builds a small tree
//! of [`Node`]s, each with its [`Pos`], which checks read through typed views ([`de`]) while
//! findings point back at lines through [`Node::locate`].
//!
//! Hostile input is bounded: nesting depth and alias expansion (the "billion laughs") have
//! limits, and an error stops only the document it is in; earlier documents are kept.

pub mod de;
mod resolve;

use std::borrow::Cow;
use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use crate::Pos;
use crate::path::{FieldPath, Segment};

pub use resolve::Schema;

/// Deepest nesting accepted. Real manifests stay under 30 levels; the limit keeps recursive
/// consumers (drop, deserialization) far from the stack's end.
pub const MAX_DEPTH: usize = 200;

/// A YAML value with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the node starts.
    pub pos: Pos,
}

/// The value of a [`Node`]: the JSON data model, which is what Kubernetes sees.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or empty.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Map),
}

/// A mapping in document order. Keys are strings, as in JSON; non-string scalar keys are kept as
/// written. Lookups are linear: Kubernetes mappings are small and order matters for reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Map {
    entries: Vec<Entry>,
}

/// One key and value of a [`Map`].
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key is written.
    pub key_pos: Pos,
    /// The value.
    pub value: Node,
}

impl Map {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry under `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// All entries in document order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the mapping is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Inserts or replaces `key`, keeping the first position of the key.
    pub fn insert(&mut self, key: String, key_pos: Pos, value: Node) {
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(e) => e.value = value,
            None => self.entries.push(Entry {
                key,
                key_pos,
                value,
            }),
        }
    }
}

impl Node {
    /// A node at `pos`.
    pub fn new(value: Value, pos: Pos) -> Node {
        Node { value, pos }
    }

    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }

    /// Follows a dotted chain of keys, such as `"spec.template.spec"`.
    pub fn get_path(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// The mapping, if this is one.
    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The sequence, if this is one.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The position of the field at `path`, or of the deepest part of it that exists (a missing
    /// field is reported where it should have been written). For a mapping key the key's own
    /// position is returned, which is the line an editor should highlight.
    pub fn locate(&self, path: &FieldPath) -> Pos {
        let mut node = self;
        let mut pos = self.pos;
        for seg in path.segments() {
            let next = match (seg, &node.value) {
                (Segment::Key(k), Value::Map(m)) => m.entry(k).map(|e| (e.key_pos, &e.value)),
                (Segment::Index(i), Value::Seq(items)) => items.get(*i).map(|n| (n.pos, n)),
                _ => None,
            };
            match next {
                Some((p, n)) => {
                    pos = p;
                    node = n;
                }
                None => break,
            }
        }
        pos
    }

    /// The node at `path`, if every step exists.
    pub fn at(&self, path: &FieldPath) -> Option<&Node> {
        path.segments()
            .iter()
            .try_fold(self, |node, seg| match (seg, &node.value) {
                (Segment::Key(k), Value::Map(m)) => m.get(k),
                (Segment::Index(i), Value::Seq(items)) => items.get(*i),
                _ => None,
            })
    }

    /// Replaces the deepest node that starts at `pos` with `null`, or, when that node is already
    /// `null`, removes it from its parent. Returns whether anything changed. Used to read the
    /// rest of an object after reporting one field of the wrong type.
    pub fn prune_at(&mut self, pos: Pos) -> bool {
        // Children first, so that the innermost node at `pos` is the one pruned.
        match &mut self.value {
            Value::Seq(items) => {
                if let Some(i) = items.iter().position(|n| n.pos == pos && n.is_null()) {
                    items.remove(i);
                    return true;
                }
                if items.iter_mut().any(|n| n.prune_at(pos)) {
                    return true;
                }
            }
            Value::Map(m) => {
                if let Some(i) = m
                    .entries
                    .iter()
                    .position(|e| e.value.pos == pos && e.value.is_null())
                {
                    m.entries.remove(i);
                    return true;
                }
                if m.entries.iter_mut().any(|e| e.value.prune_at(pos)) {
                    return true;
                }
            }
            _ => {}
        }
        if self.pos == pos && !self.is_null() {
            self.value = Value::Null;
            return true;
        }
        false
    }

    /// Number of nodes in this subtree, itself included.
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(m) => m.entries.iter().map(|e| e.value.size()).sum(),
            _ => 0,
        }
    }

    /// Converts to a `serde_json::Value` (for tools that need plain JSON, such as policy
    /// engines). Non-finite floats, which JSON cannot hold, become `null`.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(m) => serde_json::Value::Object(
                m.entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Value {
    /// A compact, single-line rendering for evidence in reports.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::String(s) => f.write_str(s),
            Value::Seq(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", item.value)?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, e) in m.entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {}", e.key, e.value.value)?;
                }
                f.write_str("}")
            }
        }
    }
}

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's content.
    pub root: Node,
    /// Where the document starts (its `---` line when explicit, else its first node).
    pub start: Pos,
    /// The last line the document's content reaches.
    pub end_line: u32,
}

/// A problem found while reading a stream. Hard problems (syntax) end the stream; soft ones
/// (duplicate keys) are reported and the document is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is.
    pub pos: Pos,
    /// What is wrong, lowercase, without a final period.
    pub message: String,
}

/// A soft problem: the document was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where the problem is.
    pub pos: Pos,
    /// What it is.
    pub kind: WarningKind,
}

/// The kinds of [`Warning`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningKind {
    /// A mapping sets this key more than once; the last value is kept.
    DuplicateKey(String),
}

/// The result of reading a YAML stream: every document read before the first hard error, the
/// hard error if any, and soft problems.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    /// Documents read, in order.
    pub documents: Vec<Document>,
    /// The syntax error that stopped reading, if any.
    pub error: Option<Problem>,
    /// Soft problems in documents that were kept.
    pub warnings: Vec<Warning>,
}

/// Reads every document of a YAML (or JSON) stream.
pub fn parse_stream(text: &str, schema: Schema) -> Stream {
    let mut stream = parse_once(text, schema);
    // go-yaml (libyaml) accepts continuation lines of a quoted scalar indented less than the
    // block they are in; the YAML spec and saphyr do not. Such files are common (kubectl
    // applies them), and since leading white space of continuation lines is folded away,
    // re-indenting them changes no value and no line number. Each retry fixes one scalar.
    let mut fixed = std::borrow::Cow::Borrowed(text);
    for _ in 0..MAX_REINDENTS {
        let Some(err) = &stream.error else { break };
        if err.message != "invalid indentation in quoted scalar" {
            break;
        }
        match reindent_quoted_scalar(&fixed, err.pos) {
            Some(next) => fixed = std::borrow::Cow::Owned(next),
            None => break,
        }
        stream = parse_once(&fixed, schema);
    }
    stream
}

/// How many under-indented quoted scalars one stream may have re-indented.
const MAX_REINDENTS: usize = 64;

/// Re-indents the continuation lines of the quoted scalar that starts at `pos` (the position
/// saphyr reports) to one column past the opening quote.
fn reindent_quoted_scalar(text: &str, pos: Pos) -> Option<String> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(pos.line.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let line = text.get(line_start..)?.lines().next()?;
    let (quote_byte, quote) = line
        .char_indices()
        .skip(pos.column.saturating_sub(1) as usize)
        .find(|(_, c)| *c == '"' || *c == '\'')?;
    let indent = line[..quote_byte].chars().count() + 1;
    let body_start = line_start + quote_byte + 1;
    let body_len = closing_quote(text.get(body_start..)?, quote)?;
    let body = &text[body_start..body_start + body_len];
    let pad = " ".repeat(indent);
    let mut rebuilt = String::with_capacity(body.len() + 64);
    for (i, part) in body.split('\n').enumerate() {
        if i > 0 {
            rebuilt.push('\n');
            if !part.trim().is_empty() {
                rebuilt.push_str(&pad);
            }
            rebuilt.push_str(part.trim_start_matches([' ', '\t']));
        } else {
            rebuilt.push_str(part);
        }
    }
    let mut out = String::with_capacity(text.len() + rebuilt.len());
    out.push_str(&text[..body_start]);
    out.push_str(&rebuilt);
    out.push_str(&text[body_start + body_len..]);
    Some(out)
}

/// Byte length of a quoted scalar's body, up to (not including) its closing quote.
fn closing_quote(body: &str, quote: char) -> Option<usize> {
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            ('"', '\\') => {
                chars.next();
            }
            ('\'', '\'') if chars.peek().is_some_and(|(_, n)| *n == '\'') => {
                chars.next();
            }
            (q, c) if q == c => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_once(text: &str, schema: Schema) -> Stream {
    // saphyr-parser is a third-party state machine; a panic inside it on some hostile input
    // must become an error naming the file, not a crash of the whole scan.
    match std::panic::catch_unwind(|| Builder::new(text, schema).run()) {
        Ok(stream) => stream,
        Err(_) => Stream {
            documents: Vec::new(),
            error: Some(Problem {
                pos: Pos::new(1, 1),
                message: "the YAML parser failed on this input".to_owned(),
            }),
            warnings: Vec::new(),
        },
    }
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        map: Map,
        key: Option<(String, Pos, bool)>,
        merges: Vec<Node>,
    },
}

struct Builder<'t> {
    text: &'t str,
    schema: Schema,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node)>,
    /// Nodes created so far, aliases counted at their expanded size.
    nodes: usize,
    node_budget: usize,
    doc_start: Option<Pos>,
    root: Option<Node>,
    out: Stream,
}

/// Stops the build with an error at a position.
struct Abort(Problem);

fn pos_of(span: &Span) -> Pos {
    let line = u32::try_from(span.start.line()).unwrap_or(u32::MAX);
    let col = u32::try_from(span.start.col()).unwrap_or(u32::MAX - 1);
    Pos::new(line.max(1), col.saturating_add(1))
}

impl<'t> Builder<'t> {
    fn new(text: &'t str, schema: Schema) -> Builder<'t> {
        Builder {
            text,
            schema,
            stack: Vec::new(),
            anchors: Vec::new(),
            nodes: 0,
            // Alias expansion may multiply a document, but not beyond a few times its size.
            node_budget: 100_000 + 4 * text.len(),
            doc_start: None,
            root: None,
            out: Stream::default(),
        }
    }

    fn run(mut self) -> Stream {
        let text = self.text.strip_prefix('\u{feff}').unwrap_or(self.text);
        for item in Parser::new_from_str(text) {
            let result = match item {
                Ok((event, span)) => self.on_event(event, &span),
                Err(e) => {
                    let m = e.marker();
                    let line = u32::try_from(m.line()).unwrap_or(u32::MAX).max(1);
                    let col = u32::try_from(m.col()).unwrap_or(u32::MAX - 1) + 1;
                    Err(Abort(Problem {
                        pos: Pos::new(line, col),
                        message: e.info().to_owned(),
                    }))
                }
            };
            match result {
                Ok(true) => {}
                Ok(false) => break,
                Err(Abort(problem)) => {
                    self.out.error = Some(problem);
                    break;
                }
            }
        }
        self.out
    }

    /// Handles one event; `Ok(false)` at the end of the stream.
    fn on_event(&mut self, event: Event<'_>, span: &Span) -> Result<bool, Abort> {
        let pos = pos_of(span);
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => return Ok(false),
            Event::DocumentStart(_) => {
                self.doc_start = Some(pos);
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    let end_line = u32::try_from(span.start.line()).unwrap_or(u32::MAX);
                    let start = self.doc_start.take().unwrap_or(root.pos);
                    self.out.documents.push(Document {
                        root,
                        start,
                        end_line: end_line.max(start.line),
                    });
                }
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone())
                    .ok_or_else(|| abort(pos, "alias refers to an unknown anchor"))?;
                self.count(node.size(), pos)?;
                // The alias is used where it is written, not where its anchor was.
                let node = Node::new(node.value, pos);
                self.add(node)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, pos)?;
                let is_merge_key = style == ScalarStyle::Plain && text == "<<" && tag.is_none();
                let value = self.scalar(&text, style, tag.as_deref(), pos)?;
                let node = Node::new(value, pos);
                if anchor != 0 {
                    self.anchors.push((anchor, node.clone()));
                }
                self.add_scalar(node, &text, is_merge_key)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.enter(pos)?;
                self.stack.push(Frame::Seq {
                    pos,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.enter(pos)?;
                self.stack.push(Frame::Map {
                    pos,
                    anchor,
                    map: Map::default(),
                    key: None,
                    merges: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { pos, anchor, items }) => {
                        (Node::new(Value::Seq(items), pos), anchor)
                    }
                    Some(Frame::Map {
                        pos,
                        anchor,
                        map,
                        merges,
                        ..
                    }) => (
                        Node::new(Value::Map(apply_merges(map, merges)), pos),
                        anchor,
                    ),
                    None => return Err(abort(pos, "unbalanced collection end")),
                };
                if anchor != 0 {
                    self.anchors.push((anchor, node.clone()));
                }
                self.add(node)?;
            }
        }
        Ok(true)
    }

    fn enter(&mut self, pos: Pos) -> Result<(), Abort> {
        self.count(1, pos)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(abort(
                pos,
                &format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn count(&mut self, n: usize, pos: Pos) -> Result<(), Abort> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.node_budget {
            return Err(abort(
                pos,
                "document expands to too many nodes (alias expansion bomb?)",
            ));
        }
        Ok(())
    }

    fn scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        pos: Pos,
    ) -> Result<Value, Abort> {
        match tag {
            Some(tag) if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" => {
                resolve::tagged(&tag.suffix, text, self.schema).map_err(|msg| abort(pos, &msg))
            }
            // Local tags (`!Ref`, `!vault`) carry no meaning for Kubernetes; keep the text.
            Some(_) => Ok(Value::String(text.to_owned())),
            None if style == ScalarStyle::Plain => Ok(resolve::plain(text, self.schema)),
            None => Ok(Value::String(text.to_owned())),
        }
    }

    fn add_scalar(&mut self, node: Node, raw: &str, is_merge_key: bool) -> Result<(), Abort> {
        if let Some(Frame::Map {
            key: key @ None, ..
        }) = self.stack.last_mut()
        {
            // Keys keep their text as written, as JSON conversion of YAML does.
            let text = match &node.value {
                Value::String(s) => s.clone(),
                Value::Null => String::from("null"),
                _ => raw.to_owned(),
            };
            *key = Some((text, node.pos, is_merge_key));
            return Ok(());
        }
        self.add(node)
    }

    fn add(&mut self, node: Node) -> Result<(), Abort> {
        match self.stack.last_mut() {
            None => {
                if self.root.is_some() {
                    return Err(abort(node.pos, "a document has more than one root node"));
                }
                self.root = Some(node);
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                map, key, merges, ..
            }) => match key.take() {
                None => {
                    return Err(abort(
                        node.pos,
                        "a mapping key is a collection; Kubernetes objects only have string keys",
                    ));
                }
                Some((_, _, true)) => merges.push(node),
                Some((k, key_pos, false)) => {
                    if map.get(&k).is_some() {
                        self.out.warnings.push(Warning {
                            pos: key_pos,
                            kind: WarningKind::DuplicateKey(k.clone()),
                        });
                    }
                    map.insert(k, key_pos, node);
                }
            },
        }
        Ok(())
    }
}

/// Applies YAML merge keys (`<<: *base` or `<<: [*a, *b]`): merged entries fill in keys the
/// mapping does not set itself; earlier sources win over later ones.
fn apply_merges(mut map: Map, merges: Vec<Node>) -> Map {
    for source in merges {
        let sources = match source.value {
            Value::Seq(items) => items,
            other => vec![Node::new(other, source.pos)],
        };
        for src in sources {
            if let Value::Map(m) = src.value {
                for e in m.entries {
                    if map.get(&e.key).is_none() {
                        map.entries.push(e);
                    }
                }
            }
        }
    }
    map
}

fn abort(pos: Pos, message: &str) -> Abort {
    Abort(Problem {
        pos,
        message: message.to_owned(),
    })
}

/// Reads a single-document text (a config or exceptions file). An empty text is `null`.
pub fn parse_single(text: &str, schema: Schema) -> Result<Node, Problem> {
    let stream = parse_stream(text, schema);
    if let Some(err) = stream.error {
        return Err(err);
    }
    let mut docs = stream.documents.into_iter();
    let first = docs
        .next()
        .map_or_else(|| Node::new(Value::Null, Pos::new(1, 1)), |d| d.root);
    if let Some(second) = docs.next() {
        return Err(Problem {
            pos: second.start,
            message: "expected a single YAML document".to_owned(),
        });
    }
    Ok(first)
}

impl From<Cow<'_, str>> for Value {
    fn from(s: Cow<'_, str>) -> Value {
        Value::String(s.into_owned())
    }
}

#[cfg(test)]
mod tests;
