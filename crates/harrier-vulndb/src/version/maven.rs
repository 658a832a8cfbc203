//! Maven versions, ordered exactly as Maven 3.8's
//! `org.apache.maven.artifact.versioning.ComparableVersion`.
//!
//! `ComparableVersion` accepts any string. It lower-cases it and splits it into items at `.`,
//! at `-` and at every change between digits and non-digits; `-` and such changes open a
//! sub-list, nested in the list before it. Numbers compare by value (except that a number
//! written with more digits, even leading zeros, falls in a wider Java type and so sorts
//! after every number in a narrower one: `1.0000000000.1` is after `1.0.1`). Qualifiers
//! compare `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < `""` = `ga` =
//! `final` = `release` < `sp` < any other, the others alphabetically; `a1`, `b1`, `m1` are
//! `alpha-1`, `beta-1`, `milestone-1`. Item types compare qualifier < list < number. After
//! parsing, each list drops its trailing "null" items (0, the release qualifiers, empty
//! lists), so `1.0.0` equals `1` and `1-ga` equals `1`.
//!
//! Because every new list is the last element of the one before it, the nested lists form a
//! chain; it is stored flat ([`Version::lists`]) so that neither parsing, comparing nor
//! dropping a version recurses, whatever its length.
//!
//! Maven's order is not transitive (see [`Version::compare`]), so [`Version`] offers Maven's
//! pairwise comparison and no [`Ord`].
//!
//! Text outside ASCII is rejected: Java's `Character.isDigit` and `toLowerCase` are
//! Unicode-aware in ways this implementation does not reproduce, and real Maven versions are
//! ASCII.

use std::cmp::Ordering;
use std::fmt;

use super::Invalid;
use super::num::Number;

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub struct Version {
    /// The chain of lists: `lists[k]` holds list k's own items, and list k + 1 (when there is
    /// one) is list k's last element. `lists[0]` is the top level and always exists.
    lists: Vec<Vec<Item>>,
}

/// A non-list item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Number { width: Width, value: Number },
    Qualifier(Qualifier),
}

/// The Java type a number is held in, chosen by its digit count after leading zeros are
/// stripped (all of them kept when it is all zeros). Numbers of different widths compare by
/// width alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Width {
    /// `IntItem`: up to 9 digits.
    Int,
    /// `LongItem`: 10 to 18 digits.
    Long,
    /// `BigIntegerItem`: more.
    Big,
}

/// A string item, after the `a1`/`b1`/`m1` shorthands and the aliases. Variant order is
/// precedence (`comparableQualifier` gives known ones their index and others `"7-" + value`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Qualifier {
    /// An index into [`QUALIFIERS`].
    Known(u8),
    Other(Box<str>),
}

/// The known qualifiers, in order; `""` is the release.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// The release's index in [`QUALIFIERS`].
const RELEASE: u8 = 5;

/// A list element: an item, or list k of the chain.
#[derive(Clone, Copy)]
enum Element<'v> {
    Item(&'v Item),
    List(usize),
}

impl Version {
    /// Parses `text` as `new ComparableVersion(text)` does.
    pub fn parse(text: &str) -> Result<Version, Invalid> {
        if let Some(c) = text.chars().find(|c| !c.is_ascii()) {
            return Err(Invalid::new(text, format!("non-ASCII character `{c}`")));
        }
        let mut version = Version::tokenize(&text.to_ascii_lowercase());
        version.normalize();
        Ok(version)
    }

    /// `ComparableVersion.parseVersion` up to (not including) normalisation.
    fn tokenize(text: &str) -> Version {
        let mut builder = Builder {
            lists: vec![Vec::new()],
        };
        let mut is_digit = false;
        let mut start = 0;
        for (i, c) in text.bytes().enumerate() {
            let token = text.get(start..i).unwrap_or("");
            match c {
                b'.' | b'-' => {
                    builder.push(if token.is_empty() {
                        zero()
                    } else {
                        item(is_digit, token)
                    });
                    start = i + 1;
                    if c == b'-' {
                        builder.open_list();
                    }
                }
                b'0'..=b'9' => {
                    if !is_digit && !token.is_empty() {
                        // A qualifier directly before a number gets a list of its own, so
                        // `1.0.0.x1` sorts like `1.0.0-x1`.
                        if !builder.current_is_empty() {
                            builder.open_list();
                        }
                        builder.push(Item::Qualifier(Qualifier::new(token, true)));
                        start = i;
                        builder.open_list();
                    }
                    is_digit = true;
                }
                _ => {
                    if is_digit && !token.is_empty() {
                        builder.push(item(true, token));
                        start = i;
                        builder.open_list();
                    }
                    is_digit = false;
                }
            }
        }
        let token = text.get(start..).unwrap_or("");
        if !token.is_empty() {
            if !is_digit && !builder.current_is_empty() {
                builder.open_list();
            }
            builder.push(item(is_digit, token));
        }
        Version {
            lists: builder.lists,
        }
    }

    /// `ListItem.normalize` on every list, deepest first: an empty child list is dropped, then
    /// trailing null items (a non-null child list stays and does not stop the removal).
    fn normalize(&mut self) {
        for k in (0..self.lists.len()).rev() {
            let child_is_empty =
                self.lists.len() == k + 2 && self.lists.get(k + 1).is_some_and(Vec::is_empty);
            if child_is_empty {
                self.lists.truncate(k + 1);
            }
            if let Some(items) = self.lists.get_mut(k) {
                while items.last().is_some_and(Item::is_null) {
                    items.pop();
                }
            }
        }
    }

    fn element(&self, list: usize, index: usize) -> Option<Element<'_>> {
        let items = self.lists.get(list)?;
        match items.get(index) {
            Some(item) => Some(Element::Item(item)),
            None if index == items.len() && list + 1 < self.lists.len() => {
                Some(Element::List(list + 1))
            }
            None => None,
        }
    }

    /// How Maven orders this version and `other` (`ComparableVersion.compareTo`).
    ///
    /// This is deliberately not [`Ord`]: Maven's order is not transitive. Comparing an item
    /// with a missing one is not consistent with comparing it with a present one (`sp` is
    /// after a missing item but before `0`, which equals a missing one), so Maven 3.8 answers
    /// `2-cr` < `2` < `2.a-b` < `2-cr` and `1-rc-0` < `1` < `1.xa-1` < `1-rc-0`. Pairwise
    /// answers are exact; a sort over such versions has no right answer (and Rust's sorts may
    /// panic on an order that is not total), so none is offered.
    pub fn compare(&self, other: &Version) -> Ordering {
        self.compare_lists(0, other, 0)
    }

    /// `ListItem.compareTo(ListItem)` of list `a_list` of `self` and `b_list` of `other`.
    fn compare_lists(&self, mut a_list: usize, other: &Version, mut b_list: usize) -> Ordering {
        let mut index = 0;
        loop {
            let result = match (self.element(a_list, index), other.element(b_list, index)) {
                (None, None) => return Ordering::Equal,
                (Some(Element::List(a)), None) => return self.compare_list_to_null(a),
                (None, Some(Element::List(b))) => return other.compare_list_to_null(b).reverse(),
                (Some(Element::Item(a)), None) => a.compare_to_null(),
                (None, Some(Element::Item(b))) => b.compare_to_null().reverse(),
                (Some(Element::Item(a)), Some(Element::Item(b))) => a.cmp(b),
                // A list is its parent's last element, so comparing the two children is all
                // that is left: continue with them instead of recursing.
                (Some(Element::List(a)), Some(Element::List(b))) => {
                    (a_list, b_list, index) = (a, b, 0);
                    continue;
                }
                (Some(Element::Item(a)), Some(Element::List(_))) => a.compare_to_list(),
                (Some(Element::List(_)), Some(Element::Item(b))) => b.compare_to_list().reverse(),
            };
            if result != Ordering::Equal {
                return result;
            }
            index += 1;
        }
    }

    /// `ListItem.compareTo(null)`: the first element that differs from null decides.
    fn compare_list_to_null(&self, list: usize) -> Ordering {
        for items in self.lists.iter().skip(list) {
            if let Some(result) = items
                .iter()
                .map(Item::compare_to_null)
                .find(|r| *r != Ordering::Equal)
            {
                return result;
            }
        }
        Ordering::Equal
    }
}

/// Orders two versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, Invalid> {
    Ok(Version::parse(a)?.compare(&Version::parse(b)?))
}

/// The canonical form, as `ComparableVersion.getCanonical()` writes it.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // ListItem.toString joins items with `.` and its child list with `-`, skipping the
        // separator while its own text is empty.
        for (k, items) in self.lists.iter().enumerate() {
            let mut own = String::new();
            for item in items {
                if !own.is_empty() {
                    own.push('.');
                }
                own.push_str(&item.to_string());
            }
            f.write_str(&own)?;
            if k + 1 < self.lists.len() && !own.is_empty() {
                f.write_str("-")?;
            }
        }
        Ok(())
    }
}

impl Item {
    /// `Item.isNull()`.
    fn is_null(&self) -> bool {
        match self {
            Item::Number { value, .. } => value.is_zero(),
            Item::Qualifier(qualifier) => *qualifier == Qualifier::Known(RELEASE),
        }
    }

    /// `Item.compareTo(null)`: how the item compares with a missing one.
    fn compare_to_null(&self) -> Ordering {
        match self {
            Item::Number { value, .. } if value.is_zero() => Ordering::Equal,
            Item::Number { .. } => Ordering::Greater,
            Item::Qualifier(qualifier) => qualifier.cmp(&Qualifier::Known(RELEASE)),
        }
    }

    /// `Item.compareTo(ListItem)`: numbers after lists, qualifiers before.
    fn compare_to_list(&self) -> Ordering {
        match self {
            Item::Number { .. } => Ordering::Greater,
            Item::Qualifier(_) => Ordering::Less,
        }
    }
}

impl Ord for Item {
    fn cmp(&self, other: &Item) -> Ordering {
        match (self, other) {
            (
                Item::Number {
                    width: wa,
                    value: a,
                },
                Item::Number {
                    width: wb,
                    value: b,
                },
            ) => wa.cmp(wb).then_with(|| a.cmp(b)),
            (Item::Number { .. }, Item::Qualifier(_)) => Ordering::Greater,
            (Item::Qualifier(_), Item::Number { .. }) => Ordering::Less,
            (Item::Qualifier(a), Item::Qualifier(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Item) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Number { value, .. } => write!(f, "{value}"),
            Item::Qualifier(Qualifier::Known(index)) => {
                f.write_str(QUALIFIERS.get(usize::from(*index)).copied().unwrap_or(""))
            }
            Item::Qualifier(Qualifier::Other(text)) => f.write_str(text),
        }
    }
}

impl Qualifier {
    /// `new StringItem(value, followedByDigit)` on lower-cased text.
    fn new(value: &str, followed_by_digit: bool) -> Qualifier {
        let value = match (followed_by_digit, value) {
            (true, "a") => "alpha",
            (true, "b") => "beta",
            (true, "m") => "milestone",
            (_, "ga" | "final" | "release") => "",
            (_, "cr") => "rc",
            (_, other) => other,
        };
        match QUALIFIERS.iter().position(|known| *known == value) {
            Some(index) => Qualifier::Known(u8::try_from(index).unwrap_or(RELEASE)),
            None => Qualifier::Other(value.into()),
        }
    }
}

/// `parseItem`: a number (in the width its digit count selects) or a qualifier.
fn item(is_digit: bool, token: &str) -> Item {
    if !is_digit {
        return Item::Qualifier(Qualifier::new(token, false));
    }
    let stripped = token.trim_start_matches('0');
    let digits = if stripped.is_empty() {
        token.len()
    } else {
        stripped.len()
    };
    let width = match digits {
        0..=9 => Width::Int,
        10..=18 => Width::Long,
        _ => Width::Big,
    };
    Item::Number {
        width,
        value: Number::from_digits(token),
    }
}

/// `IntItem.ZERO`, what an empty token between separators becomes.
fn zero() -> Item {
    Item::Number {
        width: Width::Int,
        value: Number::ZERO,
    }
}

/// The chain of lists under construction; items go into the deepest.
struct Builder {
    lists: Vec<Vec<Item>>,
}

impl Builder {
    fn push(&mut self, item: Item) {
        if let Some(current) = self.lists.last_mut() {
            current.push(item);
        }
    }

    fn open_list(&mut self) {
        self.lists.push(Vec::new());
    }

    fn current_is_empty(&self) -> bool {
        self.lists.last().is_none_or(Vec::is_empty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> String {
        match Version::parse(text) {
            Ok(version) => version.to_string(),
            Err(invalid) => panic!("{text:?}: {}", invalid.reason),
        }
    }

    fn assert_ascending(ordered: &[&str]) {
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(compare(a, b), Ok(i.cmp(&j)), "{a} vs {b}");
            }
        }
    }

    /// Maven's `ComparableVersionTest` (`VERSIONS_QUALIFIER`, `VERSIONS_NUMBER`,
    /// `testVersionsEqual`, `testVersionComparing`), as Maven 3.8 answers them: older copies
    /// of the test put `2.0.a` after `2-1`, but since Maven 3.0 `.a` sorts as `-a` (and
    /// `2.0.a` equals `2.0.0.a`).
    #[test]
    fn maven_comparable_version_test() {
        assert_ascending(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
        assert_ascending(&[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
        let equal = [
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1", "1-0"),
            ("1.0", "1.0-0"),
            ("1a", "1-a"),
            ("2.0.a", "2.0.0.a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1.0.a"),
            ("1x", "1.0-x"),
            ("1ga", "1"),
            ("1final", "1"),
            ("1cr", "1rc"),
            ("1a1", "1alpha1"),
            ("1b2", "1beta2"),
            ("1m3", "1milestone3"),
            ("1X", "1x"),
            ("1Ga", "1"),
            ("1FINAL", "1"),
            ("1Cr", "1Rc"),
            ("1m3", "1MileStone3"),
            (
                "1-abcdefghijklmnopqrstuvwxyz",
                "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            ),
        ];
        for (a, b) in equal {
            assert_eq!(compare(a, b), Ok(Ordering::Equal), "{a} == {b}");
        }
        let less = [
            ("1", "2"),
            ("1.5", "2"),
            ("1.0.1", "1.1"),
            ("1.0-alpha-1", "1.0"),
            ("1.0-alpha-1", "1.0-beta-1"),
            ("1.0-beta-1", "1.0-SNAPSHOT"),
            ("1.0-SNAPSHOT", "1.0"),
            ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
            ("1.0", "1.0-1"),
            ("1.0.0", "1.0-1"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1", "2.0.1-123"),
            ("2.0.1-xyz", "2.0.1-123"),
        ];
        for (a, b) in less {
            assert_eq!(compare(a, b), Ok(Ordering::Less), "{a} < {b}");
        }
    }

    #[test]
    fn canonical_forms_match_maven_3_8() {
        let table = [
            ("1.0", "1"),
            ("1-ga", "1"),
            ("1 x", "1- x"),
            ("1.0000000000.1", "1.0.1"),
            ("", ""),
            ("1.ga.1", "1..1"),
            ("ga.1", "1"),
            ("-1", "1"),
            ("1--1", "1-1"),
            ("1.0.0.RELEASE", "1"),
            ("3.2.5.RELEASE", "3.2.5"),
            ("5.0.0.RC2", "5-rc-2"),
            ("1-alpha2snapshot", "1-alpha-2-snapshot"),
        ];
        for (input, expected) in table {
            assert_eq!(canonical(input), expected, "{input:?}");
        }
    }

    #[test]
    fn wider_number_types_sort_after_narrower_ones() {
        assert_eq!(compare("1.0000000000.1", "1.0.1"), Ok(Ordering::Greater));
        assert_eq!(compare("1.999999999", "1.1000000000"), Ok(Ordering::Less));
        assert_eq!(
            compare("1.999999999999999999", "1.1000000000000000000"),
            Ok(Ordering::Less)
        );
        assert_eq!(compare("1.0000000000", "1"), Ok(Ordering::Equal));
    }

    /// Maven 3.8.7's `ComparableVersion` answers each of these pairs so (checked with its
    /// jar): the order has cycles, which is why [`Version`] has no `Ord`.
    #[test]
    fn maven_order_has_cycles() {
        for cycle in [["2cr", "2", "2.a-b"], ["1-rc-0", "1", "1.xa-1"]] {
            assert_eq!(compare(cycle[0], cycle[1]), Ok(Ordering::Less));
            assert_eq!(compare(cycle[1], cycle[2]), Ok(Ordering::Less));
            assert_eq!(compare(cycle[2], cycle[0]), Ok(Ordering::Less));
        }
    }

    #[test]
    fn non_ascii_is_rejected_and_deep_chains_do_not_recurse() {
        assert!(Version::parse("1.0-é").is_err());
        let deep = "1-".repeat(200_000);
        let a = Version::parse(&deep).map_err(|e| e.reason);
        let b = Version::parse(&format!("{deep}2")).map_err(|e| e.reason);
        assert!(matches!((&a, &b), (Ok(a), Ok(b)) if a.compare(b) == Ordering::Less));
    }
}
