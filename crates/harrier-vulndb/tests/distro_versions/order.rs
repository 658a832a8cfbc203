//! Checks that a comparison is a total order on a set of versions.

use std::cmp::Ordering;
use std::fmt::Debug;

use crate::generate::Rng;

/// Reflexivity, antisymmetry and transitivity of `Ord` on `versions`: sorts them, then checks
/// every pair (no earlier one greater than a later one, each pair's two answers mirror each
/// other) and random triples. Returns how many comparisons were checked.
pub fn check_total_order<V: Ord + Debug + Clone>(versions: &[V], seed: u64) -> usize {
    let mut sorted = versions.to_vec();
    sorted.sort();
    let mut checked = 0;
    for (i, a) in sorted.iter().enumerate() {
        assert_eq!(a.cmp(a), Ordering::Equal, "{a:?} is not equal to itself");
        for b in &sorted[i + 1..] {
            let forward = a.cmp(b);
            assert_ne!(
                forward,
                Ordering::Greater,
                "sorted {a:?} before {b:?}, yet a > b"
            );
            assert_eq!(
                b.cmp(a),
                forward.reverse(),
                "{a:?} vs {b:?} is not antisymmetric"
            );
            checked += 1;
        }
    }
    let mut rng = Rng::new(seed);
    for _ in 0..100_000 {
        let (a, b, c) = (rng.pick(versions), rng.pick(versions), rng.pick(versions));
        if a <= b && b <= c {
            assert!(a <= c, "{a:?} <= {b:?} <= {c:?} but not {a:?} <= {c:?}");
        }
        if a == b && b == c {
            assert_eq!(a, c);
        }
        checked += 1;
    }
    checked
}

/// A deterministic sample of at most `count` of `items`, spread over all of them.
pub fn sample<T: Clone>(items: &[T], count: usize) -> Vec<T> {
    if items.len() <= count {
        return items.to_vec();
    }
    let step = items.len() as f64 / count as f64;
    (0..count)
        .map(|i| items[(i as f64 * step) as usize].clone())
        .collect()
}
