//! Pulls from a real registry: Debian's `docker-registry` (distribution 2.8), filled by
//! `skopeo copy` from OCI layouts built by hand, in OCI and Docker formats, single- and
//! multi-platform, anonymous, behind htpasswd basic auth and behind token auth.

use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

use harrier_image::source::registry::{
    Platform, Pulled, Reference, RegistryError, RegistryOptions, pull,
};

use crate::images::{self, Blob, Image};
use crate::services::{self, Registry, TokenPolicy, TokenServer};

/// Storage filled once for the whole test binary; each test starts its own registry on it.
struct Fixture {
    storage: PathBuf,
    single: Image,
    amd64: Image,
    arm64: Image,
    index: Blob,
    /// Whether skopeo 1.9 could convert the index into a Docker manifest list.
    has_docker_list: bool,
}

static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();

fn fixture() -> Option<&'static Fixture> {
    FIXTURE.get_or_init(build_fixture).as_ref()
}

/// Bytes that do not compress, so the layer streams in many reads.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn build_fixture() -> Option<Fixture> {
    services::need(&["docker-registry", "skopeo"], "docker-registry skopeo")?;
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("registry-fixture");
    let _ = std::fs::remove_dir_all(&root);
    let storage = root.join("storage");
    std::fs::create_dir_all(&storage).expect("storage dir");

    let big = noise(3 * 1024 * 1024 + 17, 0x9e37_79b9_7f4a_7c15);
    let single = images::image(
        "linux/amd64",
        &[
            (
                &[
                    ("etc/os-release", b"ID=harrier\nVERSION_ID=1\n"),
                    ("usr/bin/hello", b"#!/bin/sh\necho hello\n"),
                ],
                true,
            ),
            (&[("srv/noise.bin", &big)], true),
            (&[("srv/readme.txt", b"an uncompressed layer\n")], false),
        ],
    );
    let amd64 = images::image("linux/amd64", &[(&[("etc/arch", b"amd64\n")], true)]);
    let arm64 = images::image("linux/arm64/v8", &[(&[("etc/arch", b"arm64\n")], true)]);
    let index = images::index(&[&amd64, &arm64]);

    let single_layout = root.join("single");
    images::write_layout(&single_layout, "v1", &single.manifest, &single.blobs());
    let multi_layout = root.join("multi");
    let mut blobs = amd64.blobs();
    blobs.extend(arm64.blobs());
    images::write_layout(&multi_layout, "v1", &index, &blobs);

    let registry = Registry::start(&storage, None);
    let host = registry.host();
    let single_src = format!("oci:{}:v1", single_layout.display());
    let multi_src = format!("oci:{}:v1", multi_layout.display());
    // Byte for byte: skopeo would otherwise compress the uncompressed layer.
    services::skopeo_push(
        &single_src,
        &host,
        "test/single:v1",
        &["--preserve-digests"],
        None,
    );
    services::skopeo_push(
        &single_src,
        &host,
        "test/docker:v1",
        &["--format", "v2s2"],
        None,
    );
    services::skopeo_push(
        &multi_src,
        &host,
        "test/multi:v1",
        &["--all", "--preserve-digests"],
        None,
    );
    // Converting a whole index to a Docker manifest list needs a recent skopeo.
    let converted = std::process::Command::new("skopeo")
        .args([
            "--insecure-policy",
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
        ])
        .args(["--all", "--format", "v2s2"])
        .arg(&multi_src)
        .arg(format!("docker://{host}/test/multi-docker:v1"))
        .env("HOME", &root)
        .output()
        .is_ok_and(|o| o.status.success());
    let has_docker_list = converted
        && std::process::Command::new("skopeo")
            .args(["inspect", "--raw", "--tls-verify=false"])
            .arg(format!("docker://{host}/test/multi-docker:v1"))
            .env("HOME", &root)
            .output()
            .is_ok_and(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .contains("application/vnd.docker.distribution.manifest.list.v2+json")
            });
    drop(registry);
    Some(Fixture {
        storage,
        single,
        amd64,
        arm64,
        index,
        has_docker_list,
    })
}

fn reference(s: &str) -> Reference {
    Reference::parse(s).expect("reference")
}

fn quick() -> RegistryOptions {
    RegistryOptions {
        retries: 1,
        retry_backoff: std::time::Duration::from_millis(50),
        ..RegistryOptions::default()
    }
}

fn read_layer(pulled: &Pulled, index: usize) -> Vec<u8> {
    let mut out = Vec::new();
    pulled
        .open_layer(index)
        .expect("open layer")
        .read_to_end(&mut out)
        .expect("read layer");
    out
}

fn assert_same_image(pulled: &Pulled, image: &Image) {
    assert_eq!(pulled.manifest_digest, image.manifest.digest);
    assert_eq!(pulled.config_bytes, image.config.bytes);
    assert_eq!(pulled.config_digest(), image.config.digest);
    assert_eq!(pulled.layers().len(), image.layers.len());
    for (i, layer) in image.layers.iter().enumerate() {
        assert_eq!(pulled.layers()[i].digest().to_string(), layer.digest);
        assert_eq!(read_layer(pulled, i), layer.bytes, "layer {i}");
    }
}

#[test]
fn pulls_an_oci_image_by_tag_and_by_digest() {
    let Some(fx) = fixture() else { return };
    let registry = Registry::start(&fx.storage, None);
    let by_tag = reference(&format!("{}/test/single:v1", registry.host()));
    let pulled = pull(&by_tag, &quick()).expect("pull");
    assert_same_image(&pulled, &fx.single);
    assert_eq!(pulled.index_digest, None);
    assert_eq!(pulled.platform, Some(Platform::default()));
    assert_eq!(
        pulled
            .manifest
            .media_type()
            .as_ref()
            .map(|m| m.to_string())
            .as_deref(),
        Some(images::OCI_MANIFEST)
    );

    let by_digest = reference(&format!(
        "{}/test/single@{}",
        registry.host(),
        fx.single.manifest.digest
    ));
    let pulled = pull(&by_digest, &quick()).expect("pull by digest");
    assert_same_image(&pulled, &fx.single);
    assert_eq!(pulled.reference.tag, None);
}

#[test]
fn pulls_a_docker_schema2_image() {
    let Some(fx) = fixture() else { return };
    let registry = Registry::start(&fx.storage, None);
    let pulled = pull(
        &reference(&format!("{}/test/docker:v1", registry.host())),
        &quick(),
    )
    .expect("pull");
    assert_eq!(
        pulled
            .manifest
            .media_type()
            .as_ref()
            .map(|m| m.to_string())
            .as_deref(),
        Some("application/vnd.docker.distribution.manifest.v2+json")
    );
    assert_eq!(
        pulled.manifest.config().media_type().to_string(),
        "application/vnd.docker.container.image.v1+json"
    );
    // skopeo rewrites the config and media types, not the layer contents.
    let config: serde_json::Value = serde_json::from_slice(&pulled.config_bytes).expect("config");
    let diff_ids: Vec<String> = fx.single.tars.iter().map(|t| images::sha256(t)).collect();
    assert_eq!(config["rootfs"]["diff_ids"], serde_json::json!(diff_ids));
    assert_eq!(pulled.layers().len(), fx.single.tars.len());
    for (i, tar) in fx.single.tars.iter().enumerate() {
        assert_eq!(
            &images::gunzip_if(&read_layer(&pulled, i)),
            tar,
            "layer {i}"
        );
    }
}

#[test]
fn selects_the_platform_from_an_index() {
    let Some(fx) = fixture() else { return };
    let registry = Registry::start(&fx.storage, None);
    let r = reference(&format!("{}/test/multi:v1", registry.host()));

    let pulled = pull(&r, &quick()).expect("default platform");
    assert_same_image(&pulled, &fx.amd64);
    assert_eq!(
        pulled.index_digest.as_deref(),
        Some(fx.index.digest.as_str())
    );
    assert_eq!(pulled.platform, Some(Platform::new("linux", "amd64", None)));

    for asked in ["linux/arm64", "linux/arm64/v8", "linux/aarch64"] {
        let options = RegistryOptions {
            platform: Some(asked.parse().expect("platform")),
            ..quick()
        };
        let pulled = pull(&r, &options).expect(asked);
        assert_same_image(&pulled, &fx.arm64);
        assert_eq!(
            pulled.platform,
            Some(Platform::new("linux", "arm64", Some("v8")))
        );
    }

    let options = RegistryOptions {
        platform: Some("linux/s390x".parse().expect("platform")),
        ..quick()
    };
    let err = pull(&r, &options).expect_err("no s390x image");
    let message = harrier_error_chain(&err);
    assert!(
        message.contains(
            "the index has no image for platform `linux/s390x`; it has: linux/amd64, linux/arm64/v8"
        ),
        "{message}"
    );
}

#[test]
fn selects_the_platform_from_a_docker_manifest_list() {
    let Some(fx) = fixture() else { return };
    if !fx.has_docker_list {
        harrier_core::testing::skip::<()>(
            "this skopeo cannot convert an OCI index to a Docker manifest list",
        );
        return;
    }
    let registry = Registry::start(&fx.storage, None);
    let r = reference(&format!("{}/test/multi-docker:v1", registry.host()));
    let options = RegistryOptions {
        platform: Some("linux/arm64".parse().expect("platform")),
        ..quick()
    };
    let pulled = pull(&r, &options).expect("pull");
    assert_eq!(pulled.layers().len(), 1);
    assert_eq!(images::gunzip_if(&read_layer(&pulled, 0)), fx.arm64.tars[0]);
    assert!(pulled.index_digest.is_some());
}

#[test]
fn reports_what_is_missing() {
    let Some(fx) = fixture() else { return };
    let registry = Registry::start(&fx.storage, None);
    for missing in ["test/absent:v1", "test/single:v2"] {
        let err = pull(
            &reference(&format!("{}/{missing}", registry.host())),
            &quick(),
        )
        .expect_err(missing);
        assert!(err.is_not_found(), "{missing}: {err}");
        assert!(err.to_string().contains("UNKNOWN"), "{err}");
    }
    let pulled = pull(
        &reference(&format!("{}/test/single:v1", registry.host())),
        &quick(),
    )
    .expect("pull");
    assert!(matches!(
        pulled.open_layer(3),
        Err(RegistryError::NoSuchLayer { index: 3, count: 3 })
    ));
}

#[test]
fn streams_layers_from_several_threads() {
    let Some(fx) = fixture() else { return };
    let registry = Registry::start(&fx.storage, None);
    let pulled = pull(
        &reference(&format!("{}/test/single:v1", registry.host())),
        &quick(),
    )
    .expect("pull");
    let read: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..pulled.layers().len())
            .map(|i| {
                let pulled = &pulled;
                s.spawn(move || read_layer(pulled, i))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    for (i, bytes) in read.iter().enumerate() {
        assert_eq!(bytes, &fx.single.layers[i].bytes);
    }
}

fn harrier_error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

fn docker_config(dir: &std::path::Path, json: &str) -> PathBuf {
    let path = dir.join("config.json");
    std::fs::write(&path, json).expect("config.json");
    path
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn authenticates_with_basic_auth() {
    let Some(fx) = fixture() else { return };
    if services::need(&["htpasswd"], "apache2-utils").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let htpasswd = dir.path().join("htpasswd");
    std::fs::write(&htpasswd, services::htpasswd("alice", "wonderland")).expect("htpasswd");
    let registry = Registry::start(
        &fx.storage,
        Some(&format!(
            "  htpasswd:\n    realm: harrier-test\n    path: {}\n",
            htpasswd.display()
        )),
    );
    let host = registry.host();
    let r = reference(&format!("{host}/test/single:v1"));
    let empty = docker_config(dir.path(), "{}");

    // Nobody.
    let anonymous = RegistryOptions {
        docker_config: Some(empty.clone()),
        ..quick()
    };
    let err = pull(&r, &anonymous).expect_err("anonymous");
    assert!(err.is_unauthorized(), "{err}");
    assert!(err.to_string().contains("no credentials for"), "{err}");

    // Given in the options.
    let given = RegistryOptions {
        username: Some("alice".to_owned()),
        password: Some("wonderland".to_owned()),
        docker_config: Some(empty.clone()),
        ..quick()
    };
    let pulled = pull(&r, &given).expect("with credentials");
    assert_same_image(&pulled, &fx.single);

    let wrong = RegistryOptions {
        password: Some("looking-glass".to_owned()),
        ..given.clone()
    };
    assert!(
        pull(&r, &wrong)
            .expect_err("wrong password")
            .is_unauthorized()
    );

    // From the Docker config, as `docker login` writes it.
    let config_dir = tempfile::tempdir().expect("tempdir");
    let from_auth = docker_config(
        config_dir.path(),
        &format!(
            r#"{{"auths":{{"http://{host}/v2/":{{"auth":"{}"}}}}}}"#,
            b64("alice:wonderland")
        ),
    );
    let options = RegistryOptions {
        docker_config: Some(from_auth),
        ..quick()
    };
    assert_same_image(&pull(&r, &options).expect("config auths"), &fx.single);

    // From a credential helper named by `credHelpers`.
    let bin = tempfile::tempdir().expect("tempdir");
    let helper = bin.path().join("docker-credential-harriertest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread -r server || true\n\
             if [ \"$1\" = get ] && [ \"$server\" = \"{host}\" ]; then\n\
               echo '{{\"ServerURL\":\"{host}\",\"Username\":\"alice\",\"Secret\":\"wonderland\"}}'\n\
             else\n  echo 'credentials not found in native keychain'\n  exit 1\nfi\n"
        ),
    )
    .expect("helper");
    make_executable(&helper);
    let helper_config_dir = tempfile::tempdir().expect("tempdir");
    let helper_config = docker_config(
        helper_config_dir.path(),
        &format!(r#"{{"credHelpers":{{"{host}":"harriertest"}}}}"#),
    );
    let options = RegistryOptions {
        docker_config: Some(helper_config),
        credential_helper_dirs: Some(vec![bin.path().to_owned()]),
        ..quick()
    };
    assert_same_image(&pull(&r, &options).expect("helper"), &fx.single);

    // A `credsStore` whose helper is not installed: said so in the error.
    let store_dir = tempfile::tempdir().expect("tempdir");
    let store_config = docker_config(store_dir.path(), r#"{"credsStore":"harrier-absent"}"#);
    let options = RegistryOptions {
        docker_config: Some(store_config),
        credential_helper_dirs: Some(vec![bin.path().to_owned()]),
        ..quick()
    };
    let err = pull(&r, &options).expect_err("missing helper");
    assert!(err.is_unauthorized(), "{err}");
    assert!(
        err.to_string()
            .contains("`docker-credential-harrier-absent` is not installed"),
        "{err}"
    );
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn gets_anonymous_bearer_tokens() {
    let Some(fx) = fixture() else { return };
    if services::need(&["openssl"], "openssl").is_none() {
        return;
    }
    let tokens = TokenServer::start(TokenPolicy::Anyone);
    let registry = Registry::start(&fx.storage, Some(&tokens.auth_config()));
    let dir = tempfile::tempdir().expect("tempdir");
    let options = RegistryOptions {
        docker_config: Some(docker_config(dir.path(), "{}")),
        platform: Some("linux/arm64".parse().expect("platform")),
        ..quick()
    };
    let pulled = pull(
        &reference(&format!("{}/test/multi:v1", registry.host())),
        &options,
    )
    .expect("pull with an anonymous token");
    assert_same_image(&pulled, &fx.arm64);
    let seen = tokens.seen();
    assert!(!seen.is_empty());
    for request in &seen {
        assert_eq!(request.authorization, None);
        assert!(
            request.query.contains("service=harrier-test-registry"),
            "{}",
            request.query
        );
        assert!(
            request
                .query
                .contains("scope=repository%3Atest%2Fmulti%3Apull"),
            "{}",
            request.query
        );
    }
    // One token serves the whole pull, layers included.
    assert_eq!(seen.len(), 1, "{seen:?}");
}

#[test]
fn gets_bearer_tokens_with_credentials() {
    let Some(fx) = fixture() else { return };
    if services::need(&["openssl"], "openssl").is_none() {
        return;
    }
    let tokens = TokenServer::start(TokenPolicy::Only("bob", "s3cret"));
    let registry = Registry::start(&fx.storage, Some(&tokens.auth_config()));
    let host = registry.host();
    let r = reference(&format!("{host}/test/single:v1"));
    let dir = tempfile::tempdir().expect("tempdir");

    let anonymous = RegistryOptions {
        docker_config: Some(docker_config(dir.path(), "{}")),
        ..quick()
    };
    let err = pull(&r, &anonymous).expect_err("anonymous");
    assert!(err.is_unauthorized(), "{err}");
    assert!(
        err.to_string().contains("refused an anonymous token"),
        "{err}"
    );

    let config_dir = tempfile::tempdir().expect("tempdir");
    let options = RegistryOptions {
        docker_config: Some(docker_config(
            config_dir.path(),
            &format!(r#"{{"auths":{{"{host}":{{"username":"bob","password":"s3cret"}}}}}}"#),
        )),
        ..quick()
    };
    let pulled = pull(&r, &options).expect("pull with credentials");
    assert_same_image(&pulled, &fx.single);
    let seen = tokens.seen();
    let last = seen.last().expect("a token request");
    assert_eq!(
        last.authorization.as_deref(),
        Some(format!("Basic {}", b64("bob:s3cret")).as_str())
    );

    let wrong = RegistryOptions {
        username: Some("bob".to_owned()),
        password: Some("guess".to_owned()),
        ..anonymous
    };
    let err = pull(&r, &wrong).expect_err("wrong password");
    assert!(err.is_unauthorized(), "{err}");
    assert!(err.to_string().contains("refused the credentials"), "{err}");
    assert!(
        err.to_string().contains("incorrect username or password"),
        "{err}"
    );
}
