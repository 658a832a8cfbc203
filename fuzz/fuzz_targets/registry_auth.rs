//! What registries and their users hand the authentication code, by the first byte:
//! `WWW-Authenticate` headers, token endpoint answers, Docker config files, error bodies.
//! Errors or values, never a panic.
#![no_main]

use harrier_image::source::registry::challenge::parse_challenges;
use harrier_image::source::registry::credentials::DockerConfig;
use harrier_image::source::registry::{describe_error_body, parse_token_response_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = data.split_first() else {
        return;
    };
    match selector % 4 {
        0 => {
            let header = String::from_utf8_lossy(bytes);
            for challenge in parse_challenges(&header) {
                assert!(!challenge.scheme.is_empty());
                let _ = (challenge.param("realm"), challenge.param("scope"));
            }
        }
        1 => {
            if let Ok((token, lifetime)) = parse_token_response_value(bytes) {
                assert!(!token.is_empty());
                assert!(lifetime.as_secs() >= 60);
            }
        }
        2 => {
            if let Ok(config) = DockerConfig::parse(bytes) {
                for registry in ["docker.io", "ghcr.io", "127.0.0.1:5000", "[::1]:5000"] {
                    let _ = config.stored(registry);
                    let _ = config.helper_for(registry);
                }
            }
        }
        _ => {
            let _ = describe_error_body(bytes);
        }
    }
});
