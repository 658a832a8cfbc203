//! Every environment variable Harrier reads, in one place.

/// Default for `--format`.
pub const FORMAT: &str = "HARRIER_FORMAT";
/// Default for `--fail-on`.
pub const FAIL_ON: &str = "HARRIER_FAIL_ON";
/// Default for `--exceptions`.
pub const EXCEPTIONS: &str = "HARRIER_EXCEPTIONS";
/// Default for `--color`.
pub const COLOR: &str = "HARRIER_COLOR";
/// Disables colour when set to anything (<https://no-color.org>).
pub const NO_COLOR: &str = "NO_COLOR";
/// The date exceptions expire against (`YYYY-MM-DD`), instead of today: for reproducible CI
/// runs and tests.
pub const TODAY: &str = "HARRIER_TODAY";
/// Default for `--db`: the vulnerability database file.
pub const DB: &str = "HARRIER_DB";
/// Default for `db update --mirror`.
pub const MIRROR: &str = "HARRIER_DB_MIRROR";
/// Default for `--username` of registry pulls.
pub const REGISTRY_USERNAME: &str = "HARRIER_REGISTRY_USERNAME";
/// The registry password or token, read instead of `--password-stdin` (never logged).
pub const REGISTRY_PASSWORD: &str = "HARRIER_REGISTRY_PASSWORD";
