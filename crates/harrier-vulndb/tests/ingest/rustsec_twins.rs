//! RustSec publishes every native advisory a second time as OSV (its `osv` branch), converted
//! by its own exporter. That export is the oracle for the native parser: every native advisory
//! must yield exactly its twin's affected ranges, ids, title, date, CVSS vector and
//! informational kind.

use std::collections::BTreeMap;

use harrier_vulndb::Informational;
use harrier_vulndb::ingest::{osv, rustsec};

use super::{corpus, tar_zst_members};

#[test]
fn every_native_advisory_matches_its_osv_twin() {
    let Some(path) = corpus("rustsec/rustsec.tar.zst") else {
        return;
    };
    let members = tar_zst_members(&path);
    let mut natives = BTreeMap::new();
    let mut twins = BTreeMap::new();
    for (name, bytes) in &members {
        let id = name
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .split('.')
            .next()
            .unwrap_or_default()
            .to_owned();
        if name.ends_with(".md") {
            let text = std::str::from_utf8(bytes).unwrap();
            let parsed = rustsec::parse(text).unwrap_or_else(|e| panic!("{name}:{e}"));
            natives.insert(id, parsed.record);
        } else if name.ends_with(".json") {
            let parsed = osv::parse_json(bytes).unwrap_or_else(|e| panic!("{name}:{e}"));
            let raw: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            twins.insert(id, (parsed.record, raw));
        }
    }
    // The OSV branch holds one record under a placeholder id that the native database later
    // renumbered; it has no native twin.
    let orphans: Vec<_> = twins
        .keys()
        .filter(|id| !natives.contains_key(*id))
        .collect();
    assert_eq!(orphans, ["RUSTSEC-2025-0000"]);

    let mut compared = 0;
    let mut withdrawn = 0;
    for (id, native) in &natives {
        let (twin, raw) = twins
            .get(id)
            .unwrap_or_else(|| panic!("{id} has no OSV twin"));
        match (native, twin) {
            (osv::Record::Withdrawn { .. }, osv::Record::Withdrawn { .. }) => withdrawn += 1,
            (osv::Record::Advisory(n), osv::Record::Advisory(t)) => {
                assert_eq!(n.affected.len(), 1, "{id}");
                let (na, ta) = (&n.affected[0], &t.affected[0]);
                assert_eq!(
                    (&na.ecosystem, &na.package),
                    (&ta.ecosystem, &ta.package),
                    "{id}"
                );
                assert_eq!(na.ranges, ta.ranges, "{id}: affected ranges differ");
                assert_eq!(n.aliases, t.aliases, "{id}");
                assert_eq!(n.summary, t.summary, "{id}");
                assert_eq!(n.published, t.published, "{id}");
                assert_eq!(n.severity, t.severity, "{id}");
                let twin_informational = raw["affected"][0]["database_specific"]["informational"]
                    .as_str()
                    .map(Informational::from_rustsec);
                assert_eq!(n.informational, twin_informational, "{id}");
                compared += 1;
            }
            (n, t) => panic!("{id}: native {n:?} but OSV {t:?}"),
        }
    }
    assert_eq!(compared + withdrawn, natives.len());
    assert_eq!(withdrawn, 13);
}
