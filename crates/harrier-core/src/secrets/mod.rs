//! Recognising credentials: by the name they are stored under (`db_password`, `API_TOKEN`), by
//! their shape (an AWS access key id, a PEM private key, a GitHub token, a JSON Web Token), and
//! telling real values from the stand-ins that configuration and documentation are full of
//! (`${DB_PASSWORD}`, `<your-token>`, `AKIAIOSFODNN7EXAMPLE`).
//!
//! It lives here, below the analyzers, because two of them must agree on what a credential is:
//! the posture checks look into ConfigMaps and environment variables ([`find_in_value`],
//! [`sensitive_key`], [`is_placeholder`]), and the image scanner looks into every text file of
//! every layer ([`Shape`], [`is_example`]). Callers never quote a value: they get *what kind*
//! of secret was found and *where* (a byte range, so that they can redact it), not the secret.
//!
//! Every shape is matched by hand, anchored on a fixed prefix or marker ([`Shape::anchors`]):
//! they are few and rigid, and a hand-written matcher says exactly what it accepts. A caller
//! scanning a lot of text finds the anchors of all shapes in one pass with a multi-pattern
//! search (Aho–Corasick) and verifies each candidate with [`Shape::match_at`]; [`find_shapes`]
//! does that over all shapes. Key names are split into words (`dbPassword`, `DB_PASSWORD` and
//! `db-password` all give `db`, `password`) so that a sensitive word matches whole words only
//! (`token` in `API_TOKEN`, not in `tokenizer`).
//!
//! Two notions of "not a real secret" are kept apart on purpose. [`is_placeholder`] says a
//! value *stands for* a credential (a reference, a template, a path, a mask) and applies to
//! every caller. [`is_example`] says a value that has a credential's shape is a documentation
//! example or a dummy (`EXAMPLE`, `xxxx`, `0123456789`); the image scanner applies it, the
//! posture checks do not, because a dummy committed into a cluster object is still a mistake
//! worth reporting there.

mod jwt;
mod names;
mod placeholder;
mod shapes;
mod value;

pub use jwt::jwt_payload;
pub use names::sensitive_key;
pub use placeholder::{is_example, is_placeholder};
pub use shapes::{Shape, ShapeMatch, find_shapes, mentions_private_key, url_password};
pub use value::{Detection, find_in_value, setting};
