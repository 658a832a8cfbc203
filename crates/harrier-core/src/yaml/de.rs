//! Typed views of spanned documents: `serde` deserialization straight from a [`Node`].
//!
//! Checks read Kubernetes objects through typed structs (k8s-openapi) rather than walking maps
//! by hand, and a value of the wrong type must be reported at its line. Deserializing from the
//! node tree itself, instead of converting to `serde_json::Value` first, gives both: every error
//! carries the position of the innermost node that failed.
//!
//! Types are as strict as the API server's JSON decoding (a string is not a boolean); leniency
//! that Kubernetes has (a number as a `Quantity`) lives in the target types' own visitors.

use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use super::{Node, Value};
use crate::Pos;

/// A value did not have the type or shape the target type wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// Where the offending node is, when known.
    pub pos: Option<Pos>,
    /// What was wrong.
    pub message: String,
}

impl DeError {
    fn at(mut self, pos: Pos) -> DeError {
        self.pos.get_or_insert(pos);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{}:{}: {}", p.line, p.column, self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            pos: None,
            message: msg.to_string(),
        }
    }
}

/// Deserializes `T` from a node.
pub fn from_node<'de, T: de::Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    T::deserialize(NodeDeserializer(node)).map_err(|e| e.at(node.pos))
}

/// A `serde` deserializer over a borrowed [`Node`].
#[derive(Debug, Clone, Copy)]
pub struct NodeDeserializer<'de>(pub &'de Node);

impl<'de> Deserializer<'de> for NodeDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let node = self.0;
        let result = match &node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Seq(items) => visitor.visit_seq(SeqAccess {
                items: items.iter(),
            }),
            Value::Map(m) => visitor.visit_map(MapAccess {
                entries: m.entries().iter(),
                value: None,
            }),
        };
        result.map_err(|e| e.at(node.pos))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let node = self.0;
        let result = match &node.value {
            Value::String(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s.as_str())),
            Value::Map(m) if m.len() == 1 => {
                visitor.visit_enum(MapAccessDeserializer::new(MapAccess {
                    entries: m.entries().iter(),
                    value: None,
                }))
            }
            _ => Err(de::Error::custom(format!(
                "expected an enum variant name or a single-key mapping, found {}",
                kind_name(&node.value)
            ))),
        };
        result.map_err(|e| e.at(node.pos))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

impl<'de> IntoDeserializer<'de, DeError> for &'de Node {
    type Deserializer = NodeDeserializer<'de>;

    fn into_deserializer(self) -> NodeDeserializer<'de> {
        NodeDeserializer(self)
    }
}

struct SeqAccess<'de> {
    items: std::slice::Iter<'de, Node>,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(node) => seed
                .deserialize(NodeDeserializer(node))
                .map(Some)
                .map_err(|e| e.at(node.pos)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'de> {
    entries: std::slice::Iter<'de, super::Entry>,
    value: Option<&'de Node>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            Some(entry) => {
                self.value = Some(&entry.value);
                seed.deserialize(BorrowedStrDeserializer::<DeError>::new(&entry.key))
                    .map(Some)
                    .map_err(|e| e.at(entry.key_pos))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self
            .value
            .take()
            .ok_or_else(|| <DeError as de::Error>::custom("map value requested before its key"))?;
        seed.deserialize(NodeDeserializer(node))
            .map_err(|e| e.at(node.pos))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The YAML kind of a value, for messages.
pub fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a number",
        Value::String(_) => "a string",
        Value::Seq(_) => "a sequence",
        Value::Map(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Schema, parse_single};
    use std::collections::BTreeMap;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Ctx {
        privileged: Option<bool>,
        run_as_user: Option<i64>,
        labels: Option<BTreeMap<String, String>>,
    }

    #[test]
    fn reads_typed_values() {
        let node = parse_single(
            "privileged: yes\nrunAsUser: 0\nlabels: {a: b}\n",
            Schema::Kubernetes,
        )
        .unwrap();
        let ctx: Ctx = from_node(&node).unwrap();
        assert_eq!(ctx.privileged, Some(true));
        assert_eq!(ctx.run_as_user, Some(0));
    }

    #[test]
    fn wrong_type_names_its_line() {
        let node =
            parse_single("runAsUser: 0\nprivileged: \"true\"\n", Schema::Kubernetes).unwrap();
        let err = from_node::<Ctx>(&node).unwrap_err();
        assert_eq!(err.pos, Some(Pos::new(2, 13)));
        assert!(
            err.message.contains("expected a boolean"),
            "{}",
            err.message
        );
    }
}
