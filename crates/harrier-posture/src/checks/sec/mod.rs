//! Checks on secret material in objects (`HRR-SEC`): credentials where they do not belong, and
//! Secrets whose content travels with the manifests.
//!
//! Findings of this group never carry the secret: messages name the key and the kind of
//! credential, and evidence is emitted redacted ([`crate::Emitter::emit_redacted`]).

use crate::Check;

mod credential_in_configmap;
mod secret_in_manifest;

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[&credential_in_configmap::CHECK, &secret_in_manifest::CHECK];
