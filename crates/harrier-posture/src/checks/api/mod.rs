//! Checks on API versions (`HRR-API`): objects written against API versions that Kubernetes has
//! deprecated or stopped serving. The data is one table, [`deprecations::TABLE`].

use harrier_k8s::Object;

use crate::Check;

mod deprecated_api_version;
mod deprecations;
mod removed_api_version;

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[&deprecated_api_version::CHECK, &removed_api_version::CHECK];

/// "Ingress `web`".
fn describe(object: &Object) -> String {
    format!(
        "{} `{}`",
        object.kind(),
        object.resource.name.as_deref().unwrap_or("<unnamed>")
    )
}
