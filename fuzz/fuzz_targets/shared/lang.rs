//! Runs one language cataloger over fuzz input as a file at `path`: packages or an error,
//! never a panic, and whatever comes back names the file it came from.

use harrier_image::Cataloger;
use harrier_image::catalog::FileMeta;

pub fn run(cataloger: &dyn Cataloger, path: &str, data: &[u8]) {
    let file = FileMeta {
        path,
        size: data.len() as u64,
        mode: 0o644,
    };
    match cataloger.catalog(&file, data) {
        Ok(found) => {
            for package in &found.packages {
                assert_eq!(package.location.path, path);
                assert!(!package.name.is_empty());
            }
            for error in &found.errors {
                assert_eq!(error.path, path);
            }
        }
        Err(error) => assert_eq!(error.path, path),
    }
}
