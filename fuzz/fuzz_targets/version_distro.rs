//! Any text as two versions of each distro scheme (dpkg, rpm, apk): an error or an order,
//! never a panic, and the order must hold up (each version equals itself, `a < b` exactly
//! when `b > a`).
#![no_main]

use std::cmp::Ordering;

use harrier_vulndb::version::{apk, dpkg, rpm, Invalid, Scheme};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first line is one version, the rest the other, so that the fuzzer can grow pairs
    // that share a long prefix.
    let (a, b) = text.split_once('\n').unwrap_or((&text, "1.0-r0"));
    check(dpkg::parse, a, b);
    check(rpm::parse, a, b);
    check(apk::parse, a, b);
    assert_eq!(rpm::vercmp(a, b), rpm::vercmp(b, a).reverse());
    for scheme in [Scheme::Dpkg, Scheme::Rpm, Scheme::Apk] {
        let _ = scheme.compare(a, b);
    }
});

fn check<V: Ord + std::fmt::Debug>(parse: fn(&str) -> Result<V, Invalid>, a: &str, b: &str) {
    let (Ok(x), Ok(y)) = (parse(a), parse(b)) else { return };
    assert_eq!(x.cmp(&x), Ordering::Equal, "{x:?}");
    assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{x:?} vs {y:?}");
}
