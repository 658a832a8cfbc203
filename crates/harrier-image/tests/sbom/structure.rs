//! The shape of the documents: snapshots of the Debian image's, and the parts consumers rely
//! on asserted one by one.

use std::collections::HashSet;

use harrier_image::sbom::{TOOL_VERSION, cyclonedx, spdx};
use serde_json::{Value, json};

use crate::support;

/// The document with the tool version and SPDX license list version replaced, so snapshots
/// survive releases.
fn stable(mut value: Value) -> String {
    if let Some(v) = value.pointer_mut("/metadata/tools/components/0/version") {
        *v = json!("[version]");
    }
    if let Some(v) = value.pointer_mut("/creationInfo/licenseListVersion") {
        *v = json!("[list]");
    }
    serde_json::to_string_pretty(&value)
        .unwrap()
        .replace(&format!("harrier-{TOOL_VERSION}"), "harrier-[version]")
}

#[test]
fn cyclonedx_snapshot() {
    let fixture = support::debian();
    insta::assert_snapshot!(
        "debian.cdx.json",
        stable(cyclonedx::to_value(&fixture.document()))
    );
}

#[test]
fn spdx_snapshot() {
    let fixture = support::debian();
    insta::assert_snapshot!(
        "debian.spdx.json",
        stable(spdx::to_value(&fixture.document()))
    );
}

fn component<'a>(bom: &'a Value, name: &str) -> &'a Value {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

fn property<'a>(component: &'a Value, name: &str) -> Option<&'a str> {
    component["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)?
        .get("value")?
        .as_str()
}

#[test]
fn cyclonedx_structure() {
    let fixture = support::debian();
    let bom = cyclonedx::to_value(&fixture.document());
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(
        bom["serialNumber"],
        "urn:uuid:68617272-6965-422d-b362-6f6d2d747374"
    );
    assert_eq!(bom["version"], 1);
    assert_eq!(bom["metadata"]["timestamp"], "2024-05-01T12:34:56Z");
    assert_eq!(bom["metadata"]["tools"]["components"][0]["name"], "harrier");

    let image = &bom["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], "registry.example.com/team/app:1.0");
    assert_eq!(image["version"], format!("sha256:{}", "e".repeat(64)));
    assert_eq!(
        image["hashes"],
        json!([{"alg": "SHA-256", "content": "e".repeat(64)}])
    );
    assert_eq!(
        property(image, "harrier:image:layer:3:createdBy"),
        Some("RUN /bin/sh -c <<EOF\nset -e\nnpm ci\napt-get purge -y curl\nEOF # buildkit")
    );

    let components = bom["components"].as_array().unwrap();
    assert_eq!(components.len(), 1 + fixture.packages.len());
    let os = &components[0];
    assert_eq!(
        (&os["type"], &os["name"], &os["version"], &os["description"]),
        (
            &json!("operating-system"),
            &json!("debian"),
            &json!("12"),
            &json!("Debian GNU/Linux 12 (bookworm)")
        )
    );

    let openssl = component(&bom, "openssl");
    assert_eq!(openssl["type"], "library");
    assert_eq!(
        openssl["purl"],
        "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"
    );
    assert_eq!(openssl["bom-ref"], openssl["purl"]);
    assert_eq!(
        openssl["licenses"],
        json!([{"license": {"id": "Apache-2.0"}}])
    );
    for (name, value) in [
        ("harrier:package:kind", "deb"),
        ("harrier:layer:index", "1"),
        (
            "harrier:layer:digest",
            &format!("sha256:{}", "b".repeat(64)),
        ),
        (
            "harrier:layer:diffID",
            &format!("sha256:{}", "1".repeat(64)),
        ),
        (
            "harrier:layer:createdBy",
            "RUN /bin/sh -c apt-get update && apt-get install -y openssl curl # buildkit",
        ),
        ("harrier:location:path", "var/lib/dpkg/status"),
        ("harrier:location:layerIndex", "1"),
        ("harrier:package:sourceName", "openssl"),
    ] {
        assert_eq!(property(openssl, name), Some(value), "{name}");
    }

    let libc = component(&bom, "libc6");
    assert_eq!(
        libc["licenses"],
        json!([{"license": {"name": "GPL-2+"}}, {"license": {"id": "LGPL-2.1-or-later"}}])
    );
    assert_eq!(property(libc, "harrier:layer:index"), Some("0"));
    assert_eq!(property(libc, "harrier:location:layerIndex"), Some("1"));
    // An expression and free text cannot share a list: all become names.
    assert_eq!(
        component(&bom, "bash")["licenses"],
        json!([
            {"license": {"name": "GPL-3.0-or-later"}},
            {"license": {"name": "BSD-4-Clause-UC OR MIT"}},
            {"license": {"name": "public domain"}}
        ])
    );
    assert_eq!(
        component(&bom, "serde")["licenses"],
        json!([{"expression": "MIT OR Apache-2.0"}])
    );
    assert_eq!(
        component(&bom, "requests")["licenses"],
        json!([{"license": {"name": "Apache 2.0"}}])
    );
    assert_eq!(
        property(component(&bom, "curl"), "harrier:layer:removedIndex"),
        Some("3")
    );

    let lang3 = component(&bom, "commons-lang3");
    assert_eq!(lang3["group"], "org.apache.commons");
    assert_eq!(
        lang3["purl"],
        "pkg:maven/org.apache.commons/commons-lang3@3.14.0"
    );
    assert_eq!(
        property(lang3, "harrier:metadata:java.main-class"),
        Some("org.example.Main")
    );
    assert_eq!(
        component(&bom, "@babel/core")["purl"],
        "pkg:npm/%40babel/core@7.24.0"
    );
    assert_eq!(
        component(&bom, "typing_extensions")["purl"],
        "pkg:pypi/typing-extensions@4.8.0"
    );
    assert_eq!(
        component(&bom, "github.com/BurntSushi/toml")["purl"],
        "pkg:golang/github.com/BurntSushi/toml@v1.3.2"
    );

    let refs: Vec<&str> = components
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs.iter().collect::<HashSet<_>>().len(),
        refs.len(),
        "bom-refs are unique"
    );
    assert_eq!(
        bom["dependencies"],
        json!([{"ref": image["bom-ref"], "dependsOn": refs}])
    );

    let dir = support::alpine_dir();
    let bom = cyclonedx::to_value(&dir.document());
    assert_eq!(bom["metadata"]["component"]["type"], "file");
    assert_eq!(
        bom["components"][0]["purl"],
        "pkg:apk/musl@1.2.4_git20230717-r4?arch=x86_64&upstream=musl"
    );
}

#[test]
fn spdx_structure() {
    let fixture = support::debian();
    let doc = spdx::to_value(&fixture.document());
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    assert_eq!(doc["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(doc["name"], "registry.example.com/team/app:1.0");
    assert_eq!(
        doc["documentNamespace"],
        "https://harrier.dev/spdx/registry.example.com-team-app-1.0-68617272-6965-422d-b362-6f6d2d747374"
    );
    assert_eq!(doc["creationInfo"]["created"], "2024-05-01T12:34:56Z");
    assert_eq!(
        doc["creationInfo"]["creators"],
        json!([format!("Tool: harrier-{TOOL_VERSION}")])
    );

    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 2 + fixture.packages.len());
    let ids: Vec<&str> = packages
        .iter()
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "SPDX ids are unique"
    );
    for id in &ids {
        let idstring = id.strip_prefix("SPDXRef-").unwrap();
        assert!(
            idstring
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'),
            "{id}"
        );
    }
    for p in packages {
        assert_eq!(p["downloadLocation"], "NOASSERTION");
        assert_eq!(p["filesAnalyzed"], false);
        assert_eq!(p["licenseConcluded"], "NOASSERTION");
    }
    assert_eq!(packages[0]["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(packages[1]["primaryPackagePurpose"], "OPERATING_SYSTEM");

    let find = |name: &str| packages.iter().find(|p| p["name"] == name).unwrap();
    let openssl = find("openssl");
    assert_eq!(
        openssl["externalRefs"],
        json!([{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"
        }])
    );
    assert_eq!(openssl["licenseDeclared"], "Apache-2.0");
    assert_eq!(
        openssl["sourceInfo"],
        format!(
            "read from /var/lib/dpkg/status; introduced by layer 1 (sha256:{}), created by \
             `RUN /bin/sh -c apt-get update && apt-get install -y openssl curl # buildkit`",
            "1".repeat(64)
        )
    );
    let annotation: Value =
        serde_json::from_str(openssl["annotations"][0]["comment"].as_str().unwrap()).unwrap();
    assert_eq!(annotation["harrier:layer:index"], "1");
    assert_eq!(annotation["harrier:location:path"], "var/lib/dpkg/status");
    assert_eq!(
        find("libc6")["licenseDeclared"],
        "LicenseRef-GPL-2 AND LGPL-2.1-or-later"
    );
    assert_eq!(
        find("bash")["licenseDeclared"],
        "GPL-3.0-or-later AND (BSD-4-Clause-UC OR MIT) AND LicenseRef-public-domain"
    );
    assert_eq!(find("tzdata")["licenseDeclared"], "NOASSERTION");
    assert_eq!(find("requests")["licenseDeclared"], "LicenseRef-Apache-2.0");
    assert_eq!(
        doc["hasExtractedLicensingInfos"],
        json!([
            {"licenseId": "LicenseRef-Apache-2.0", "extractedText": "Apache 2.0", "name": "Apache 2.0"},
            {"licenseId": "LicenseRef-GPL-2", "extractedText": "GPL-2+", "name": "GPL-2+"},
            {"licenseId": "LicenseRef-public-domain", "extractedText": "public domain", "name": "public domain"}
        ])
    );

    let relationships = doc["relationships"].as_array().unwrap();
    assert_eq!(
        relationships[0],
        json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Image"})
    );
    let contained: Vec<&str> = relationships[1..]
        .iter()
        .map(|r| {
            assert_eq!(r["spdxElementId"], "SPDXRef-Image");
            assert_eq!(r["relationshipType"], "CONTAINS");
            r["relatedSpdxElement"].as_str().unwrap()
        })
        .collect();
    assert_eq!(contained, ids[1..]);
}
