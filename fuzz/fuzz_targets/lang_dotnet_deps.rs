//! Any input as a .NET `*.deps.json`: packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::dotnet_deps;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&dotnet_deps::DOTNET_DEPS, "app/App.deps.json", data);
});
