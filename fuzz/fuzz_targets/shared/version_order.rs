//! What every version-scheme fuzz target checks on the versions it parsed.

use std::cmp::Ordering;

/// Up to three strings from the input, split at 0xFF (a byte no UTF-8 text contains).
pub fn texts(data: &[u8]) -> Vec<String> {
    data.splitn(3, |b| *b == 0xFF)
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect()
}

/// Reflexive, antisymmetric and transitive on every triple of `versions`, where `cmp` is
/// the scheme's order.
pub fn check_order<V: std::fmt::Debug>(versions: &[V], cmp: impl Fn(&V, &V) -> Ordering) {
    for a in versions {
        assert_eq!(cmp(a, a), Ordering::Equal, "{a:?} differs from itself");
        for b in versions {
            assert_eq!(
                cmp(a, b),
                cmp(b, a).reverse(),
                "{a:?} and {b:?} are not antisymmetric"
            );
        }
    }
}

/// [`check_order`] plus transitivity, for orders that are total.
pub fn check_total_order<V: Ord + std::fmt::Debug>(versions: &[V]) {
    check_order(versions, V::cmp);
    for a in versions {
        for b in versions {
            for c in versions {
                if a <= b && b <= c {
                    assert!(a <= c, "{a:?} <= {b:?} <= {c:?} but not {a:?} <= {c:?}");
                }
            }
        }
    }
}
