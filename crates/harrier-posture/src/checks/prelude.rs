//! The imports every check file starts with.
#![allow(unused_imports)] // each check uses a different subset

pub(crate) use harrier_core::check::Reference::{Cis, Cwe, Mitre, Nsa, Pss, Url};
pub(crate) use harrier_core::{CheckId, CheckMeta, CheckStatus, FieldPath, Severity};
pub(crate) use harrier_k8s::{ContainerRef, Object, ObjectIndex, Workload};

pub(crate) use crate::{Check, Emitter, PodContext, Run};

/// The status of checks introduced in Harrier's first release.
pub(crate) const SINCE_0_1: CheckStatus = CheckStatus::Stable { since: "0.1.0" };
