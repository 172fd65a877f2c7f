//! Shared fixtures: the bundled corpus indexed once per test run.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use pledgewatch::index::{self, Store};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus_dir() -> PathBuf {
    repo_root().join("corpus")
}

/// A scratch folder for this test process, removed by the OS's temp cleaning.
pub fn scratch(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("pledgewatch-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).expect("create scratch folder");
    path
}

/// The bundled corpus's index folder, built once per test run.
pub fn demo_index_dir() -> PathBuf {
    static INDEX: OnceLock<PathBuf> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let index_dir = scratch("demo-index").join("index");
            index::build(&corpus_dir(), &index_dir, None, false).expect("index the bundled corpus");
            index_dir
        })
        .clone()
}

/// The bundled corpus, indexed once and shared by every test.
pub fn demo_store() -> Arc<Store> {
    static STORE: OnceLock<Arc<Store>> = OnceLock::new();
    STORE
        .get_or_init(|| Arc::new(Store::open(&demo_index_dir()).expect("open the index")))
        .clone()
}

#[allow(dead_code)]
pub fn exists(path: &Path) -> bool {
    path.exists()
}
