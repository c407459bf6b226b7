//! Where the Python test environments of the runner's tests live: where `scripts/test` keeps
//! them (`TDEV_TEST_ENVS`), else the default cache's, so the tests reuse what it installed.

/// The directory of test environments.
pub fn envs_root() -> std::path::PathBuf {
    std::env::var_os(tdev_runner::python::ENVS_VAR).map_or_else(
        || {
            let home = std::env::var_os("HOME").expect("HOME or TDEV_TEST_ENVS is set");
            std::path::Path::new(&home).join(".cache/tdev/test-envs")
        },
        std::path::PathBuf::from,
    )
}
