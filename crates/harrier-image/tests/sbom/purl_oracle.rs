//! Our purls against packageurl-python, the purl-spec reference implementation: it must read
//! every purl we write as we do, and find it already canonical.

use harrier_image::sbom::purl::Purl;
use serde_json::Value;

use crate::python::{python, run};
use crate::support;

#[test]
fn reference_implementation_agrees() {
    let Some(python) = python("packageurl", "pip install packageurl-python") else {
        return;
    };
    let mut purls: Vec<Purl> = Vec::new();
    for (_, fixture) in support::all() {
        for p in &fixture.packages {
            purls.push(Purl::for_package(&p.package, fixture.distro.as_ref()).unwrap());
        }
    }
    // Awkward characters, in every part.
    purls.push(
        Purl::new("maven", Some("g.r-p"), "a b+c@d")
            .unwrap()
            .with_version("1.0 Final+x:y~z")
            .with_qualifier("k", "a/b:c d&e=f#g?h@i+j%k\u{e9}")
            .unwrap(),
    );
    purls.push(
        Purl::new("npm", Some("@scope"), "name")
            .unwrap()
            .with_version("1.0.0-rc.1+build.5"),
    );
    let texts: Vec<String> = purls.iter().map(ToString::to_string).collect();

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("purls.json");
    std::fs::write(&input, serde_json::to_vec(&texts).unwrap()).unwrap();
    let answers: Vec<Value> =
        serde_json::from_str(&run(python, "purl_oracle.py", &[&input])).unwrap();
    assert_eq!(answers.len(), purls.len());
    for ((purl, text), answer) in purls.iter().zip(&texts).zip(&answers) {
        assert_eq!(answer["canonical"], text.as_str(), "{answer}");
        let fields = &answer["fields"];
        assert_eq!(fields["type"], purl.ty(), "{text}");
        assert_eq!(fields["namespace"].as_str(), purl.namespace(), "{text}");
        assert_eq!(fields["name"], purl.name(), "{text}");
        assert_eq!(fields["version"].as_str(), purl.version(), "{text}");
        let qualifiers: std::collections::BTreeMap<String, String> = match &fields["qualifiers"] {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect(),
            _ => Default::default(),
        };
        assert_eq!(&qualifiers, purl.qualifiers(), "{text}");
    }
}
