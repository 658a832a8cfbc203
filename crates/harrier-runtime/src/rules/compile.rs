//! Compiling a parsed condition, with its macros and lists resolved, into an evaluator tree,
//! and working out which event types it can match (the engine's index).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

use base64::Engine as _;

use super::condition::{Check, Expr, FieldRef, Op, Rhs, Transformer, Value};
use super::fields::{self, Field, FieldId, FieldType, Sys, Val};
use super::matcher::{self, Net};
use crate::event::{Event, EventType, Source};

/// Macros and lists a condition may use: macros parsed, lists fully expanded.
pub struct Definitions<'a> {
    /// Macro conditions by name (`Err` holds why a macro cannot be parsed).
    pub macros: &'a HashMap<String, Result<Expr, String>>,
    /// List items by name, lists inside lists expanded.
    pub lists: &'a HashMap<String, Vec<String>>,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Node {
    /// All hold.
    And(Box<[Node]>),
    /// Any holds.
    Or(Box<[Node]>),
    /// Negation.
    Not(Box<Node>),
    /// A field test.
    Test(Box<Test>),
}

/// One field test.
#[derive(Debug, Clone)]
pub struct Test {
    field: Field,
    /// Direct accessor when the field has one and no transformer applies.
    getter: Option<fields::Getter>,
    transformers: Vec<Transformer>,
    op: Op,
    rhs: Operand,
    /// Falco rules compare some fields with `"<NA>"` to mean "not there"; a missing value
    /// matches such a test.
    missing_matches: bool,
}

/// FxHash (rustc's): sets of rule values are short strings looked up per event, where SipHash's
/// DoS resistance buys nothing (the keys come from rule files) and costs a third of the time.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxSet = HashSet<String, BuildHasherDefault<FxHasher>>;

/// Event types as a bitmask over [`EventType::KNOWN`], plus names outside it.
#[derive(Debug, Clone)]
struct TypeBits {
    bits: [u64; 2],
    others: Vec<String>,
    names: BTreeSet<String>,
}

impl TypeBits {
    fn new(names: &[String]) -> TypeBits {
        let mut bits = [0u64; 2];
        let mut others = Vec::new();
        for n in names {
            match EventType::from_name(n).index() {
                Some(i) if i < 128 => {
                    if let Some(w) = bits.get_mut(i / 64) {
                        *w |= 1 << (i % 64);
                    }
                }
                _ => others.push(n.clone()),
            }
        }
        TypeBits {
            bits,
            others,
            names: names.iter().cloned().collect(),
        }
    }

    fn contains(&self, kind: &EventType) -> bool {
        match kind.index() {
            Some(i) if i < 128 => self
                .bits
                .get(i / 64)
                .is_some_and(|w| w & (1 << (i % 64)) != 0),
            _ => self.others.iter().any(|o| o == kind.name()),
        }
    }
}

#[derive(Debug, Clone)]
enum Operand {
    None,
    Types(Box<TypeBits>),
    Str(String),
    Num(i64),
    Bool(bool),
    Bytes(Vec<u8>),
    Set(FxSet),
    IntSet(Vec<i64>),
    Nets(Vec<Net>),
    Prefixes(Vec<String>),
    Regex(regex::Regex),
    Field(Box<(Field, Vec<Transformer>)>),
}

/// Compiles `expr` for `source`.
pub fn compile(expr: &Expr, source: Source, defs: &Definitions<'_>) -> Result<Node, String> {
    let mut stack = Vec::new();
    let node = compile_inner(expr, source, defs, &mut stack)?;
    Ok(optimize(node))
}

/// Flattens nested `and`s and `or`s (macros nest them deeply) and orders each one's operands
/// cheapest first, so the usual early exit (a wrong event type, a flag) comes before string
/// work. Conditions have no side effects, so order does not change the result.
fn optimize(node: Node) -> Node {
    match node {
        Node::And(items) => {
            let mut flat = Vec::with_capacity(items.len());
            for n in items.into_vec() {
                match optimize(n) {
                    Node::And(inner) => flat.extend(inner.into_vec()),
                    other => flat.push(other),
                }
            }
            flat.sort_by_cached_key(cost);
            if flat.len() == 1 {
                flat.pop().map_or(Node::And(Box::new([])), |n| n)
            } else {
                Node::And(flat.into_boxed_slice())
            }
        }
        Node::Or(items) => {
            let mut flat = Vec::with_capacity(items.len());
            for n in items.into_vec() {
                match optimize(n) {
                    Node::Or(inner) => flat.extend(inner.into_vec()),
                    other => flat.push(other),
                }
            }
            flat.sort_by_cached_key(cost);
            if flat.len() == 1 {
                flat.pop().map_or(Node::Or(Box::new([])), |n| n)
            } else {
                Node::Or(flat.into_boxed_slice())
            }
        }
        Node::Not(n) => Node::Not(Box::new(optimize(*n))),
        t @ Node::Test(_) => t,
    }
}

/// A rough evaluation cost, for ordering.
fn cost(node: &Node) -> u32 {
    match node {
        Node::And(items) | Node::Or(items) => {
            items.iter().map(cost).fold(0u32, u32::saturating_add)
        }
        Node::Not(n) => cost(n),
        Node::Test(t) => {
            if matches!(t.rhs, Operand::Types(_)) {
                return 1;
            }
            let field = match t.field.id {
                FieldId::Sys(
                    Sys::ProcCmdline
                    | Sys::ProcArgs
                    | Sys::ProcPcmdline
                    | Sys::ProcEnv
                    | Sys::ProcAcmdline
                    | Sys::EvtArgs
                    | Sys::EvtTime
                    | Sys::ThreadCapPermitted
                    | Sys::ThreadCapEffective
                    | Sys::ContainerMounts
                    | Sys::ContainerMountDest
                    | Sys::K8sPodLabels,
                ) => 20,
                FieldId::Sys(
                    Sys::ProcAname | Sys::ProcAexe | Sys::ProcAexepath | Sys::ProcApid,
                ) if t.field.arg == fields::Arg::None => 8,
                FieldId::Sys(_) => 2,
                FieldId::Ka(_) => 6,
            };
            let op = match t.op {
                Op::Exists => 0,
                Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => 1,
                Op::StartsWith | Op::EndsWith | Op::BStartsWith => 2,
                Op::In | Op::Intersects => 3,
                Op::Contains | Op::PMatch => 4,
                Op::Glob | Op::BContains => 6,
                Op::IContains | Op::IGlob => 10,
                Op::Regex => 15,
            };
            let rhs = if matches!(t.rhs, Operand::Field(_)) {
                5
            } else {
                0
            };
            let transforms = 10 * u32::try_from(t.transformers.len()).unwrap_or(10);
            field + op + rhs + transforms
        }
    }
}

fn compile_inner(
    expr: &Expr,
    source: Source,
    defs: &Definitions<'_>,
    stack: &mut Vec<String>,
) -> Result<Node, String> {
    Ok(match expr {
        Expr::And(items) => Node::And(
            items
                .iter()
                .map(|e| compile_inner(e, source, defs, stack))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Or(items) => Node::Or(
            items
                .iter()
                .map(|e| compile_inner(e, source, defs, stack))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(e) => Node::Not(Box::new(compile_inner(e, source, defs, stack)?)),
        Expr::Macro(name) => {
            if stack.iter().any(|m| m == name) {
                return Err(format!("macro `{name}` refers to itself"));
            }
            let Some(m) = defs.macros.get(name) else {
                return Err(format!("undefined macro `{name}`"));
            };
            let m = m.as_ref().map_err(|e| format!("macro `{name}`: {e}"))?;
            stack.push(name.clone());
            let node = compile_inner(m, source, defs, stack);
            stack.pop();
            node?
        }
        Expr::Check(c) => Node::Test(Box::new(compile_check(c, source, defs)?)),
    })
}

fn resolve_field(f: &FieldRef, source: Source) -> Result<Field, String> {
    fields::resolve(source, &f.name, f.arg.as_deref())
}

/// The type of a field after its transformers.
fn transformed_type(ty: FieldType, ts: &[Transformer]) -> FieldType {
    ts.iter().rev().fold(ty, |ty, t| match t {
        Transformer::Len => FieldType::Int,
        _ if ty == FieldType::List => FieldType::List,
        _ => FieldType::Str,
    })
}

fn expand_values(values: &[Value], defs: &Definitions<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for v in values {
        match defs.lists.get(&v.text) {
            Some(items) if !v.quoted => out.extend(items.iter().cloned()),
            _ => out.push(v.text.clone()),
        }
    }
    out
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    t.parse::<i64>().ok()
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "TRUE" | "True" => Some(true),
        "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.len() % 2 != 0 {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| t.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

fn compile_check(c: &Check, source: Source, defs: &Definitions<'_>) -> Result<Test, String> {
    let field = resolve_field(&c.field, source)?;
    let ty = transformed_type(field.ty, &c.field.transformers);
    let op = c.op;
    let fname = c.field.to_string();
    let bad = |v: &str, what: &str| format!("`{fname} {} {v}`: {what}", op.as_str());
    let values: Vec<String> = match &c.rhs {
        Rhs::None => Vec::new(),
        Rhs::Value(v) => vec![v.text.clone()],
        Rhs::List(items) => expand_values(items, defs),
        Rhs::Field(_) => Vec::new(),
    };
    let missing_matches =
        matches!(op, Op::Eq | Op::In) && values.iter().any(|v| v == "<NA>" || v == "N/A");
    let single = || values.first().cloned().unwrap_or_default();
    let is_type = field.id == FieldId::Sys(Sys::EvtType) && c.field.transformers.is_empty();
    let rhs = match (&c.rhs, op) {
        (_, Op::Exists) => Operand::None,
        (Rhs::Value(_) | Rhs::List(_), Op::Eq | Op::Ne | Op::In | Op::Intersects) if is_type => {
            Operand::Types(Box::new(TypeBits::new(&values)))
        }
        (Rhs::Field(f), _) => {
            let other = resolve_field(f, source)?;
            Operand::Field(Box::new((other, f.transformers.clone())))
        }
        (_, Op::In | Op::Intersects) => match ty {
            FieldType::Int => Operand::IntSet(
                values
                    .iter()
                    .map(|v| parse_int(v).ok_or_else(|| bad(v, "not a number")))
                    .collect::<Result<_, _>>()?,
            ),
            FieldType::Ip | FieldType::Net => Operand::Nets(
                values
                    .iter()
                    .map(|v| Net::parse(v).ok_or_else(|| bad(v, "not an address or network")))
                    .collect::<Result<_, _>>()?,
            ),
            _ => Operand::Set(values.into_iter().collect()),
        },
        (_, Op::PMatch) => Operand::Prefixes(
            values
                .into_iter()
                .map(|v| {
                    if v.len() > 1 {
                        v.trim_end_matches('/').to_string()
                    } else {
                        v
                    }
                })
                .collect(),
        ),
        (_, Op::Regex) => {
            let v = single();
            Operand::Regex(regex::Regex::new(&v).map_err(|e| bad(&v, &format!("bad regex: {e}")))?)
        }
        (_, Op::BContains | Op::BStartsWith) => {
            let v = single();
            Operand::Bytes(hex_bytes(&v).ok_or_else(|| bad(&v, "not hex bytes"))?)
        }
        (_, Op::IContains | Op::IGlob) => Operand::Str(single().to_lowercase()),
        (_, Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge) => {
            let v = single();
            match ty {
                FieldType::Int => match parse_int(&v) {
                    Some(n) => Operand::Num(n),
                    None if missing_matches => Operand::Str(v),
                    None => return Err(bad(&v, "not a number")),
                },
                FieldType::Bool => match parse_bool(&v) {
                    Some(b) => Operand::Bool(b),
                    None => return Err(bad(&v, "not `true` or `false`")),
                },
                FieldType::Ip | FieldType::Net => match Net::parse(&v) {
                    Some(n) => Operand::Nets(vec![n]),
                    None if missing_matches => Operand::Str(v),
                    None => return Err(bad(&v, "not an address or network")),
                },
                FieldType::Str | FieldType::List => {
                    if matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge) {
                        match parse_int(&v) {
                            Some(n) => Operand::Num(n),
                            None => Operand::Str(v),
                        }
                    } else {
                        Operand::Str(v)
                    }
                }
            }
        }
        _ => Operand::Str(single()),
    };
    let getter = if c.field.transformers.is_empty() && !matches!(rhs, Operand::Field(_)) {
        fields::getter(&field)
    } else {
        None
    };
    Ok(Test {
        field,
        getter,
        transformers: c.field.transformers.clone(),
        op,
        rhs,
        missing_matches,
    })
}

/// Applies transformers to a value for output.
pub(crate) fn transform_for_output<'a>(v: Val<'a>, ts: &[Transformer]) -> Option<Val<'a>> {
    if ts.is_empty() {
        return Some(v);
    }
    apply_transformers(v, ts)
}

fn apply_transformers<'a>(mut v: Val<'a>, ts: &[Transformer]) -> Option<Val<'a>> {
    for t in ts.iter().rev() {
        v = match (t, v) {
            (Transformer::Len, Val::List(l)) => {
                Val::Int(i64::try_from(l.len()).unwrap_or(i64::MAX))
            }
            (Transformer::Len, other) => {
                Val::Int(i64::try_from(other.render().len()).unwrap_or(i64::MAX))
            }
            (t, Val::List(l)) => {
                Val::List(l.into_iter().filter_map(|s| transform_str(*t, s)).collect())
            }
            (t, other) => Val::Str(transform_str(*t, Cow::Owned(other.render()))?),
        };
    }
    Some(v)
}

fn transform_str(t: Transformer, s: Cow<'_, str>) -> Option<Cow<'_, str>> {
    Some(match t {
        Transformer::Tolower => Cow::Owned(s.to_lowercase()),
        Transformer::Toupper => Cow::Owned(s.to_uppercase()),
        Transformer::Basename => match s {
            Cow::Borrowed(b) => Cow::Borrowed(b.rsplit('/').next().unwrap_or(b)),
            Cow::Owned(o) => Cow::Owned(o.rsplit('/').next().unwrap_or(&o).to_string()),
        },
        Transformer::B64 => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .ok()?;
            Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
        }
        Transformer::Len => s,
    })
}

impl Node {
    /// Evaluates the condition on `event`.
    pub fn eval(&self, event: &Event) -> bool {
        match self {
            Node::And(items) => items.iter().all(|n| n.eval(event)),
            Node::Or(items) => items.iter().any(|n| n.eval(event)),
            Node::Not(n) => !n.eval(event),
            Node::Test(t) => t.eval(event),
        }
    }

    /// Every field the condition reads.
    pub fn fields(&self, out: &mut Vec<Field>) {
        match self {
            Node::And(items) | Node::Or(items) => items.iter().for_each(|n| n.fields(out)),
            Node::Not(n) => n.fields(out),
            Node::Test(t) => out.push(t.field.clone()),
        }
    }
}

impl Test {
    fn eval(&self, event: &Event) -> bool {
        if let Operand::Types(t) = &self.rhs {
            let Event::Syscall(e) = event else {
                return false;
            };
            let hit = t.contains(&e.kind);
            return if self.op == Op::Ne { !hit } else { hit };
        }
        if let (Some(g), Event::Syscall(e)) = (self.getter, event) {
            return self.eval_fast(g, e);
        }
        let v = fields::extract(&self.field, event);
        let v = match v {
            Some(v) if self.transformers.is_empty() => v,
            Some(v) => match apply_transformers(v, &self.transformers) {
                Some(v) => v,
                None => return self.on_missing(),
            },
            None => return self.on_missing(),
        };
        if self.op == Op::Exists {
            return true;
        }
        if let Operand::Field(other) = &self.rhs {
            let Some(o) = fields::extract(&other.0, event) else {
                return false;
            };
            let Some(o) = apply_transformers(o, &other.1) else {
                return false;
            };
            return compare_vals(&v, self.op, &o);
        }
        compare(&v, self.op, &self.rhs)
    }

    fn eval_fast(&self, g: fields::Getter, e: &crate::event::SyscallEvent) -> bool {
        use fields::Getter;
        let exists = self.op == Op::Exists;
        match g {
            Getter::Str(get) => match get(e) {
                Some(s) => exists || compare_str(s, self.op, &self.rhs),
                None => self.on_missing(),
            },
            Getter::Aname(n) => match e.process.ancestor(n).and_then(|a| a.name.as_deref()) {
                Some(s) => exists || compare_str(s, self.op, &self.rhs),
                None => self.on_missing(),
            },
            Getter::Int(get) => match get(e) {
                Some(n) => exists || compare(&Val::Int(n), self.op, &self.rhs),
                None => self.on_missing(),
            },
            Getter::Bool(get) => match get(e) {
                Some(b) => exists || compare(&Val::Bool(b), self.op, &self.rhs),
                None => self.on_missing(),
            },
        }
    }

    /// A missing value fails every test, `!=` included, as in Falco (libsinsp compares only
    /// extracted values), except equality with the literal `<NA>`.
    fn on_missing(&self) -> bool {
        match self.op {
            Op::Ne => false,
            _ => self.missing_matches,
        }
    }
}

fn compare(v: &Val<'_>, op: Op, rhs: &Operand) -> bool {
    match v {
        Val::Str(s) => compare_str(s, op, rhs),
        Val::List(items) => match op {
            Op::In => !items.is_empty() && items.iter().all(|i| compare_str(i, Op::In, rhs)),
            Op::Intersects => items.iter().any(|i| compare_str(i, Op::In, rhs)),
            Op::Ne => !items.iter().any(|i| compare_str(i, Op::Eq, rhs)),
            _ => items.iter().any(|i| compare_str(i, op, rhs)),
        },
        Val::Int(n) => match (op, rhs) {
            (Op::Eq, Operand::Num(x)) => n == x,
            (Op::Ne, Operand::Num(x)) => n != x,
            (Op::Lt, Operand::Num(x)) => n < x,
            (Op::Le, Operand::Num(x)) => n <= x,
            (Op::Gt, Operand::Num(x)) => n > x,
            (Op::Ge, Operand::Num(x)) => n >= x,
            (Op::In | Op::Intersects, Operand::IntSet(xs)) => xs.contains(n),
            _ => compare_str(&n.to_string(), op, rhs),
        },
        Val::Bool(b) => match (op, rhs) {
            (Op::Eq, Operand::Bool(x)) => b == x,
            (Op::Ne, Operand::Bool(x)) => b != x,
            _ => compare_str(if *b { "true" } else { "false" }, op, rhs),
        },
        Val::Ip(ip) => match (op, rhs) {
            (Op::Eq | Op::In | Op::Intersects, Operand::Nets(nets)) => {
                nets.iter().any(|n| n.contains(*ip))
            }
            (Op::Ne, Operand::Nets(nets)) => !nets.iter().any(|n| n.contains(*ip)),
            _ => compare_str(&ip.to_string(), op, rhs),
        },
    }
}

fn compare_str(s: &str, op: Op, rhs: &Operand) -> bool {
    match (op, rhs) {
        (Op::Eq, Operand::Str(x)) => s == x,
        (Op::Ne, Operand::Str(x)) => s != x,
        (Op::Eq, Operand::Num(x)) => parse_int(s) == Some(*x),
        (Op::Ne, Operand::Num(x)) => parse_int(s) != Some(*x),
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, Operand::Num(x)) => match parse_int(s) {
            Some(n) => ordered(op, n.cmp(x)),
            None => false,
        },
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, Operand::Str(x)) => ordered(op, s.cmp(x.as_str())),
        (Op::In | Op::Intersects, Operand::Set(set)) => set.contains(s),
        (Op::In | Op::Intersects, Operand::IntSet(xs)) => {
            parse_int(s).is_some_and(|n| xs.contains(&n))
        }
        (Op::In | Op::Intersects | Op::Eq, Operand::Nets(nets)) => s
            .parse::<IpAddr>()
            .is_ok_and(|ip| nets.iter().any(|n| n.contains(ip))),
        (Op::Contains, Operand::Str(x)) => s.contains(x.as_str()),
        (Op::IContains, Operand::Str(x)) => s.to_lowercase().contains(x.as_str()),
        (Op::StartsWith, Operand::Str(x)) => s.starts_with(x.as_str()),
        (Op::EndsWith, Operand::Str(x)) => s.ends_with(x.as_str()),
        (Op::BContains, Operand::Bytes(b)) => {
            !b.is_empty() && s.as_bytes().windows(b.len()).any(|w| w == b.as_slice())
        }
        (Op::BStartsWith, Operand::Bytes(b)) => s.as_bytes().starts_with(b),
        (Op::Glob, Operand::Str(x)) => matcher::glob(x, s),
        (Op::IGlob, Operand::Str(x)) => matcher::glob(x, &s.to_lowercase()),
        (Op::PMatch, Operand::Prefixes(ps)) => ps.iter().any(|p| {
            s == p
                || p == "/"
                || s.strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        }),
        (Op::Regex, Operand::Regex(re)) => re.is_match(s),
        _ => false,
    }
}

fn ordered(op: Op, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Lt => o == Less,
        Op::Le => o != Greater,
        Op::Gt => o == Greater,
        Op::Ge => o != Less,
        _ => false,
    }
}

fn compare_vals(a: &Val<'_>, op: Op, b: &Val<'_>) -> bool {
    if let (Val::Int(x), Val::Int(y)) = (a, b) {
        return match op {
            Op::Eq => x == y,
            Op::Ne => x != y,
            Op::Lt | Op::Le | Op::Gt | Op::Ge => ordered(op, x.cmp(y)),
            _ => compare_str(&x.to_string(), op, &Operand::Str(y.to_string())),
        };
    }
    let rhs = match (op, b) {
        (Op::In | Op::Intersects, Val::List(items)) => {
            Operand::Set(items.iter().map(|i| i.to_string()).collect())
        }
        (Op::In | Op::Intersects, other) => Operand::Set([other.render()].into_iter().collect()),
        (Op::IContains | Op::IGlob, other) => Operand::Str(other.render().to_lowercase()),
        (Op::PMatch, other) => Operand::Prefixes(vec![other.render()]),
        (_, other) => Operand::Str(other.render()),
    };
    compare(a, op, &rhs)
}

/// The event types a condition can match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeSet {
    /// Any type.
    All,
    /// Only these.
    Only(BTreeSet<String>),
    /// Any but these.
    Except(BTreeSet<String>),
}

impl TypeSet {
    /// Whether `name` is in the set.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            TypeSet::All => true,
            TypeSet::Only(s) => s.contains(name),
            TypeSet::Except(s) => !s.contains(name),
        }
    }

    fn and(self, other: TypeSet) -> TypeSet {
        use TypeSet::*;
        match (self, other) {
            (All, x) | (x, All) => x,
            (Only(a), Only(b)) => Only(a.intersection(&b).cloned().collect()),
            (Only(a), Except(b)) | (Except(b), Only(a)) => {
                Only(a.difference(&b).cloned().collect())
            }
            (Except(a), Except(b)) => Except(a.union(&b).cloned().collect()),
        }
    }

    fn or(self, other: TypeSet) -> TypeSet {
        use TypeSet::*;
        match (self, other) {
            (All, _) | (_, All) => All,
            (Only(a), Only(b)) => Only(a.union(&b).cloned().collect()),
            (Only(a), Except(b)) | (Except(b), Only(a)) => {
                Except(b.difference(&a).cloned().collect())
            }
            (Except(a), Except(b)) => Except(a.intersection(&b).cloned().collect()),
        }
    }

    fn not(self) -> TypeSet {
        match self {
            TypeSet::All => TypeSet::All,
            TypeSet::Only(s) => TypeSet::Except(s),
            TypeSet::Except(s) => TypeSet::Only(s),
        }
    }
}

/// The event types `node` can match. A negation is only complemented when what it negates
/// tests nothing but `evt.type` (else `not (evt.type=open and x)` would wrongly exclude opens).
pub fn event_types(node: &Node) -> TypeSet {
    types(node).0
}

fn types(node: &Node) -> (TypeSet, bool) {
    match node {
        Node::And(items) => items.iter().fold((TypeSet::All, true), |(s, pure), n| {
            let (t, p) = types(n);
            (s.and(t), pure && p)
        }),
        Node::Or(items) => {
            let mut iter = items.iter().map(types);
            let Some(first) = iter.next() else {
                return (TypeSet::All, false);
            };
            iter.fold(first, |(s, pure), (t, p)| (s.or(t), pure && p))
        }
        Node::Not(n) => match types(n) {
            (s, true) => (s.not(), true),
            (_, false) => (TypeSet::All, false),
        },
        Node::Test(t) => {
            if t.field.id != FieldId::Sys(Sys::EvtType) || !t.transformers.is_empty() {
                return (TypeSet::All, false);
            }
            match (&t.op, &t.rhs) {
                (Op::Eq | Op::In | Op::Intersects, Operand::Types(tb)) => {
                    (TypeSet::Only(tb.names.clone()), true)
                }
                (Op::Ne, Operand::Types(tb)) => (TypeSet::Except(tb.names.clone()), true),
                _ => (TypeSet::All, false),
            }
        }
    }
}
