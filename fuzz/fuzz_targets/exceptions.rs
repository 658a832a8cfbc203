//! Any text as an exceptions file: an error or a set, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(catalog) = harrier_core::Catalog::new(harrier_posture::checks::catalog_entries()) else { return };
    let today = jiff_today();
    let _ = harrier_core::exceptions::ExceptionSet::parse("fuzz.yaml", text, &catalog, today);
});

fn jiff_today() -> harrier_core::exceptions::Date {
    harrier_core::exceptions::Date::constant(2026, 11, 27)
}
