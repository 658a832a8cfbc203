//! Falco output templates: text with `%field`, `%(field)` and `%proc.aname[2]` references,
//! compiled once against the rule's source. Missing values print as [`MISSING`] (Falco:
//! `<NA>`).

use super::condition::Transformer;
use super::fields::{self, Field};
use crate::event::{Event, MISSING, Source};

/// A compiled output template.
#[derive(Debug, Clone, Default)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Field {
        name: String,
        field: Field,
        transformers: Vec<Transformer>,
    },
}

fn is_field_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

impl Template {
    /// Compiles `text` for `source`.
    pub fn compile(text: &str, source: Source) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(i) = rest.find('%') {
            lit.push_str(rest.get(..i).unwrap_or(""));
            rest = rest.get(i + 1..).unwrap_or("");
            let (spec, after) = if let Some(inner) = rest.strip_prefix('(') {
                match inner.find(')') {
                    Some(end) => {
                        let spec = inner.get(..end).unwrap_or("");
                        (spec.to_string(), inner.get(end + 1..).unwrap_or(""))
                    }
                    None => return Err("unterminated `%(` in the output".to_string()),
                }
            } else {
                let mut end = rest
                    .char_indices()
                    .find(|&(_, c)| !is_field_char(c))
                    .map_or(rest.len(), |(i, _)| i);
                // A trailing period ends the sentence, not the field.
                while end > 0 && rest.get(..end).is_some_and(|s| s.ends_with('.')) {
                    end -= 1;
                }
                if rest.get(end..).is_some_and(|s| s.starts_with('[')) {
                    if let Some(close) = rest.get(end..).and_then(|s| s.find(']')) {
                        end += close + 1;
                    }
                }
                (
                    rest.get(..end).unwrap_or("").to_string(),
                    rest.get(end..).unwrap_or(""),
                )
            };
            if spec.is_empty() {
                lit.push('%');
                rest = after;
                continue;
            }
            let fref = super::condition::parse_field(&spec)
                .map_err(|e| format!("output field `%{spec}`: {}", e.message))?;
            let field = fields::resolve(source, &fref.name, fref.arg.as_deref())
                .map_err(|e| format!("output: {e}"))?;
            if !lit.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut lit)));
            }
            parts.push(Part::Field {
                name: spec,
                field,
                transformers: fref.transformers,
            });
            rest = after;
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Text(lit));
        }
        Ok(Template { parts })
    }

    /// Renders the template for `event`, and the fields it names with their values (`None`
    /// for missing), in order of first use.
    pub fn render(&self, event: &Event) -> (String, Vec<(String, Option<String>)>) {
        let mut out = String::new();
        let mut fields_out: Vec<(String, Option<String>)> = Vec::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Field {
                    name,
                    field,
                    transformers,
                } => {
                    let v = fields::extract(field, event)
                        .and_then(|v| super::compile::transform_for_output(v, transformers))
                        .map(|v| v.render());
                    out.push_str(v.as_deref().unwrap_or(MISSING));
                    if !fields_out.iter().any(|(n, _)| n == name) {
                        fields_out.push((name.clone(), v));
                    }
                }
            }
        }
        (out, fields_out)
    }

    /// The field names the template uses.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Field { name, .. } => Some(name.as_str()),
            Part::Text(_) => None,
        })
    }
}
