//! Any bytes through the whole manifest path: load, index (typed pod templates), every check,
//! RBAC resolution and its queries.
//! Nothing may panic, whatever the input.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let loaded = harrier_k8s::load_text(Arc::from("fuzz.yaml"), text);
    let (index, _) = harrier_k8s::ObjectIndex::build(loaded.objects);
    let _ = harrier_posture::scan(&index, &harrier_posture::ScanOptions::default());
    let rbac = harrier_posture::rbac::Rbac::from_index(&index, &Default::default());
    if let Ok(request) = harrier_posture::rbac::Request::parse("get", "secrets", None, None) {
        let _ = rbac.who_can(&request);
    }
    let _ = rbac.can(&harrier_posture::rbac::Identity::service_account("default", "default"));
});
