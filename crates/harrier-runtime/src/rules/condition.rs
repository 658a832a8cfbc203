//! The condition language of Falco rules, parsed into an [`Expr`] tree.
//!
//! Grammar (libsinsp's, by precedence from loosest): `or`, `and`, `not`, then a check:
//! `field op value`, `field op (list)`, `field exists`, a parenthesised expression, or a bare
//! identifier naming a macro. Fields may carry an argument in brackets (`proc.aname[2]`,
//! `jevt.value[/a/b]`) and be wrapped in transformers (`tolower(proc.name)`); the right side
//! may be another field as `val(field)`. Macros and lists are resolved later, at compile time,
//! because rule files may append to them after use.

use std::fmt;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// All must hold.
    And(Vec<Expr>),
    /// Any must hold.
    Or(Vec<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// A macro reference.
    Macro(String),
    /// A field check.
    Check(Check),
}

/// `field op rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The field, with its transformers.
    pub field: FieldRef,
    /// The operator.
    pub op: Op,
    /// The right-hand side.
    pub rhs: Rhs,
}

/// A field reference as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// Transformers, outermost first.
    pub transformers: Vec<Transformer>,
    /// The field name (`proc.aname`).
    pub name: String,
    /// The bracketed argument (`2`, `/a/b`).
    pub arg: Option<String>,
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.transformers {
            write!(f, "{}(", t.name())?;
        }
        f.write_str(&self.name)?;
        if let Some(arg) = &self.arg {
            write!(f, "[{arg}]")?;
        }
        for _ in &self.transformers {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Field transformers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transformer {
    /// Lower case.
    Tolower,
    /// Upper case.
    Toupper,
    /// Base64 decoding.
    B64,
    /// Last path component.
    Basename,
    /// Length of a string or list.
    Len,
}

impl Transformer {
    fn from_name(name: &str) -> Option<Transformer> {
        Some(match name {
            "tolower" => Transformer::Tolower,
            "toupper" => Transformer::Toupper,
            "b64" => Transformer::B64,
            "basename" => Transformer::Basename,
            "len" => Transformer::Len,
            _ => return None,
        })
    }

    /// The transformer's name.
    pub fn name(self) -> &'static str {
        match self {
            Transformer::Tolower => "tolower",
            Transformer::Toupper => "toupper",
            Transformer::B64 => "b64",
            Transformer::Basename => "basename",
            Transformer::Len => "len",
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=` or `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `in`.
    In,
    /// `intersects`.
    Intersects,
    /// `contains`.
    Contains,
    /// `icontains`.
    IContains,
    /// `bcontains` (hex bytes).
    BContains,
    /// `startswith`.
    StartsWith,
    /// `bstartswith` (hex bytes).
    BStartsWith,
    /// `endswith`.
    EndsWith,
    /// `glob`.
    Glob,
    /// `iglob`.
    IGlob,
    /// `pmatch`.
    PMatch,
    /// `exists`.
    Exists,
    /// `regex`.
    Regex,
}

impl Op {
    fn from_word(word: &str) -> Option<Op> {
        Some(match word {
            "in" => Op::In,
            "intersects" => Op::Intersects,
            "contains" => Op::Contains,
            "icontains" => Op::IContains,
            "bcontains" => Op::BContains,
            "startswith" => Op::StartsWith,
            "bstartswith" => Op::BStartsWith,
            "endswith" => Op::EndsWith,
            "glob" => Op::Glob,
            "iglob" => Op::IGlob,
            "pmatch" => Op::PMatch,
            "exists" => Op::Exists,
            "regex" => Op::Regex,
            _ => return None,
        })
    }

    /// Whether the right side is a list.
    pub fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::In => "in",
            Op::Intersects => "intersects",
            Op::Contains => "contains",
            Op::IContains => "icontains",
            Op::BContains => "bcontains",
            Op::StartsWith => "startswith",
            Op::BStartsWith => "bstartswith",
            Op::EndsWith => "endswith",
            Op::Glob => "glob",
            Op::IGlob => "iglob",
            Op::PMatch => "pmatch",
            Op::Exists => "exists",
            Op::Regex => "regex",
        }
    }

    /// Parses an operator as written in exception `comps`.
    pub fn parse(text: &str) -> Option<Op> {
        Some(match text {
            "=" | "==" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            other => return Op::from_word(other),
        })
    }
}

/// The right-hand side of a check.
#[derive(Debug, Clone, PartialEq)]
pub enum Rhs {
    /// None (`exists`).
    None,
    /// One value.
    Value(Value),
    /// A parenthesised list.
    List(Vec<Value>),
    /// Another field (`val(field)`).
    Field(FieldRef),
}

/// A literal value: quoted ones are never list names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The text, unquoted and unescaped.
    pub text: String,
    /// Whether it was quoted.
    pub quoted: bool,
}

/// A syntax error with its byte offset in the condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.message, self.offset)
    }
}

/// Deepest nesting of parentheses and `not` accepted (bounds recursion on hostile input).
const MAX_DEPTH: usize = 256;

/// Parses a condition.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let mut p = Parser {
        s: text,
        pos: 0,
        depth: 0,
    };
    let e = p.or()?;
    p.ws();
    if p.pos < p.s.len() {
        return Err(p.err("unexpected text after the end of the expression"));
    }
    Ok(e)
}

/// Parses a list of values as written in an exception's values or a list's items.
pub fn parse_value_list(text: &str) -> Result<Vec<Value>, SyntaxError> {
    let mut p = Parser {
        s: text,
        pos: 0,
        depth: 0,
    };
    p.ws();
    let v = p.list()?;
    Ok(v)
}

/// Parses a field reference as written in exception `fields` and output templates.
pub fn parse_field(text: &str) -> Result<FieldRef, SyntaxError> {
    let mut p = Parser {
        s: text,
        pos: 0,
        depth: 0,
    };
    let f = p.field()?;
    p.ws();
    if p.pos < p.s.len() {
        return Err(p.err("unexpected text after the field"));
    }
    Ok(f)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    depth: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

fn is_bare_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '(' | ')' | ',' | '"' | '\'' | '=' | '<' | '>' | '!'))
}

impl Parser<'_> {
    fn err(&self, message: &str) -> SyntaxError {
        SyntaxError {
            offset: self.pos,
            message: message.to_string(),
        }
    }

    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn ws(&mut self) {
        let rest = self.rest();
        let trimmed = rest.trim_start();
        self.pos += rest.len() - trimmed.len();
    }

    /// The keyword `word` follows, as a whole word.
    fn keyword(&mut self, word: &str) -> bool {
        self.ws();
        let rest = self.rest();
        if let Some(after) = rest.strip_prefix(word) {
            let boundary = after
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'));
            if boundary {
                self.pos += word.len();
                return true;
            }
        }
        false
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("expression nested too deeply"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut items = vec![self.and()?];
        while self.keyword("or") {
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::And(Vec::new()))
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut items = vec![self.not()?];
        while self.keyword("and") {
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::And(Vec::new()))
        } else {
            Expr::And(items)
        })
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        if self.keyword("not") {
            self.enter()?;
            let e = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        self.ws();
        match self.peek() {
            Some('(') => {
                self.enter()?;
                self.pos += 1;
                let e = self.or()?;
                self.ws();
                if self.peek() != Some(')') {
                    return Err(self.err("expected `)`"));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(e)
            }
            Some(c) if is_ident_start(c) => self.check(),
            Some(_) => Err(self.err("expected a field, a macro, `not` or `(`")),
            None => Err(self.err("unexpected end of the condition")),
        }
    }

    fn ident(&mut self) -> &str {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(_, c)| !is_ident_char(c))
            .map_or(rest.len(), |(i, _)| i);
        let start = self.pos;
        self.pos += len;
        self.s.get(start..self.pos).unwrap_or("")
    }

    /// A field with optional argument and transformers; `name` has been read.
    fn field_after_name(&mut self, name: String) -> Result<FieldRef, SyntaxError> {
        let mut arg = None;
        if self.peek() == Some('[') {
            let rest = self.rest();
            let Some(end) = rest.find(']') else {
                return Err(self.err("unterminated `[` in a field argument"));
            };
            arg = Some(rest.get(1..end).unwrap_or("").to_string());
            self.pos += end + 1;
        }
        Ok(FieldRef {
            transformers: Vec::new(),
            name,
            arg,
        })
    }

    /// A field, possibly transformed: `tolower(proc.name)`.
    fn field(&mut self) -> Result<FieldRef, SyntaxError> {
        self.ws();
        if !self.peek().is_some_and(is_ident_start) {
            return Err(self.err("expected a field name"));
        }
        let name = self.ident().to_string();
        if self.peek() == Some('(') {
            let Some(t) = Transformer::from_name(&name) else {
                return Err(self.err(&format!("unknown transformer `{name}`")));
            };
            self.enter()?;
            self.pos += 1;
            let mut inner = self.field()?;
            self.ws();
            if self.peek() != Some(')') {
                return Err(self.err("expected `)` after a transformed field"));
            }
            self.pos += 1;
            self.depth -= 1;
            inner.transformers.insert(0, t);
            return Ok(inner);
        }
        self.field_after_name(name)
    }

    fn check(&mut self) -> Result<Expr, SyntaxError> {
        let start = self.pos;
        let name = self.ident().to_string();
        let field = if self.peek() == Some('(') {
            if Transformer::from_name(&name).is_some() {
                self.pos = start;
                self.field()?
            } else {
                return Err(self.err(&format!("unknown transformer `{name}`")));
            }
        } else if self.peek() == Some('[') {
            self.field_after_name(name)?
        } else {
            // A bare identifier is a macro unless an operator follows.
            let save = self.pos;
            self.ws();
            let next_is_op = self.peek_op().is_some();
            self.pos = save;
            if !next_is_op {
                if name.contains('.') {
                    return Err(self.err(&format!("field `{name}` is not followed by an operator")));
                }
                return Ok(Expr::Macro(name));
            }
            FieldRef {
                transformers: Vec::new(),
                name,
                arg: None,
            }
        };
        self.ws();
        let Some((op, len)) = self.peek_op() else {
            return Err(self.err(&format!("expected an operator after `{field}`")));
        };
        self.pos += len;
        let rhs = match op {
            Op::Exists => Rhs::None,
            _ => {
                self.ws();
                if op.takes_list() {
                    if self.peek() == Some('(') {
                        Rhs::List(self.list()?)
                    } else {
                        Rhs::List(vec![self.value()?])
                    }
                } else if self.rest().starts_with("val(") {
                    self.pos += 4;
                    let f = self.field()?;
                    self.ws();
                    if self.peek() != Some(')') {
                        return Err(self.err("expected `)` after `val(`"));
                    }
                    self.pos += 1;
                    Rhs::Field(f)
                } else {
                    Rhs::Value(self.value()?)
                }
            }
        };
        Ok(Expr::Check(Check { field, op, rhs }))
    }

    fn peek_op(&self) -> Option<(Op, usize)> {
        let rest = self.rest();
        for (sym, op) in [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if rest.starts_with(sym) {
                return Some((op, sym.len()));
            }
        }
        let word_len = rest
            .char_indices()
            .find(|&(_, c)| !c.is_ascii_alphabetic())
            .map_or(rest.len(), |(i, _)| i);
        let word = rest.get(..word_len)?;
        Op::from_word(word).map(|op| (op, word_len))
    }

    fn list(&mut self) -> Result<Vec<Value>, SyntaxError> {
        if self.peek() != Some('(') {
            return Err(self.err("expected `(` to open a list"));
        }
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                Some(')') => {
                    self.pos += 1;
                    return Ok(items);
                }
                Some(',') if !items.is_empty() => {
                    self.pos += 1;
                }
                None => return Err(self.err("unterminated list")),
                _ => {
                    if !items.is_empty() {
                        return Err(self.err("expected `,` or `)` in a list"));
                    }
                }
            }
            self.ws();
            if self.peek() == Some(')') {
                continue;
            }
            items.push(self.value()?);
        }
    }

    fn value(&mut self) -> Result<Value, SyntaxError> {
        self.ws();
        match self.peek() {
            Some(q @ ('"' | '\'')) => {
                self.pos += 1;
                let mut out = String::new();
                let mut chars = self.rest().char_indices();
                while let Some((i, c)) = chars.next() {
                    if c == q {
                        self.pos += i + 1;
                        return Ok(Value {
                            text: out,
                            quoted: true,
                        });
                    }
                    if c == '\\' {
                        match chars.next() {
                            Some((_, 'n')) => out.push('\n'),
                            Some((_, 't')) => out.push('\t'),
                            Some((_, 'r')) => out.push('\r'),
                            Some((_, e @ ('\\' | '"' | '\''))) => out.push(e),
                            Some((_, e)) => {
                                out.push('\\');
                                out.push(e);
                            }
                            None => break,
                        }
                    } else {
                        out.push(c);
                    }
                }
                Err(self.err("unterminated quoted string"))
            }
            Some(c) if is_bare_char(c) => {
                let rest = self.rest();
                let len = rest
                    .char_indices()
                    .find(|&(_, c)| !is_bare_char(c))
                    .map_or(rest.len(), |(i, _)| i);
                let text = rest.get(..len).unwrap_or("").to_string();
                self.pos += len;
                Ok(Value {
                    text,
                    quoted: false,
                })
            }
            _ => Err(self.err("expected a value")),
        }
    }
}

/// Names of macros an expression uses.
pub fn macros_used(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| macros_used(e, out)),
        Expr::Not(e) => macros_used(e, out),
        Expr::Macro(m) => out.push(m.clone()),
        Expr::Check(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_precedence_and_lists() {
        let e = parse("a and not b or proc.name in (bash, \"x y\") and fd.name exists").unwrap();
        let Expr::Or(items) = e else { panic!("{e:?}") };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[0], Expr::And(v) if v.len() == 2));
    }

    #[test]
    fn parses_fields_with_arguments_and_transformers() {
        let e = parse("proc.aname[2]=sh and tolower(proc.name) = val(proc.pname) and jevt.value[/a~1b] exists").unwrap();
        let Expr::And(items) = e else { panic!() };
        let Expr::Check(c) = &items[0] else { panic!() };
        assert_eq!(c.field.arg.as_deref(), Some("2"));
        let Expr::Check(c) = &items[1] else { panic!() };
        assert_eq!(c.field.transformers, vec![Transformer::Tolower]);
        assert!(matches!(&c.rhs, Rhs::Field(f) if f.name == "proc.pname"));
    }

    #[test]
    fn bare_values_keep_paths_and_colons() {
        let e = parse("fd.name startswith /etc/ and ka.user.name=system:admin").unwrap();
        let Expr::And(items) = e else { panic!() };
        let Expr::Check(c) = &items[1] else { panic!() };
        assert_eq!(
            c.rhs,
            Rhs::Value(Value {
                text: "system:admin".into(),
                quoted: false
            })
        );
    }

    #[test]
    fn errors_carry_offsets() {
        let err = parse("proc.name = ").unwrap_err();
        assert_eq!(err.offset, 12);
        assert!(parse("(a and b").is_err());
        assert!(parse("proc.name").is_err());
        assert!(parse(&"(".repeat(10_000)).is_err());
    }
}
