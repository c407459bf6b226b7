//! The dependency rules of ARCHITECTURE.md, checked on the workspace's own manifests, so that
//! a crate cannot quietly reach for the actors, the network or the disk where the
//! architecture says it must not.
//!
//! The rules, each a function below: libraries other than the hosts (`tdev-actors`, the
//! `tdev-app` façade, the interfaces over it, the HTTP server `tdev-server` and the MCP server
//! `tdev-mcp`, and the binary) never depend on `tdev-actors` or ractor; the MCP server
//! depends on no crate of ours but the façade; the crates that decide (`tdev-gates`, `tdev-learners`,
//! `tdev-planner`, `tdev-schedule`) depend on no crate that does IO; `tdev-core` depends on
//! nothing of ours; the crates ARCHITECTURE.md names know nothing of ractor, clap or HTTP;
//! nothing depends on the binary package `tdev`. A crate of ours counts
//! with everything it depends on in turn, so a rule cannot be broken through another crate.
//! Rules hold for what a crate's code uses (`[dependencies]`, `[build-dependencies]`, also
//! per target); a crate's tests may use more (`[dev-dependencies]`), but never the binary,
//! and `tdev-core`'s tests nothing of ours either.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// The crates that host the supervisor tree: they may depend on the actors.
const HOSTS: [&str; 5] = ["tdev", "tdev-actors", "tdev-app", "tdev-server", "tdev-mcp"];

/// The interfaces that call the façade and nothing else of ours.
const FACADE_ONLY: [&str; 1] = ["tdev-mcp"];

/// The crates that decide from what they are given: policy, plans and models, with no IO.
const PURE: [&str; 6] = [
    "tdev-blueprints",
    "tdev-gates",
    "tdev-learners",
    "tdev-planner",
    "tdev-schedule",
    "tdev-spec",
];

/// Crates that do IO. Ours: the ones that read and write the disk (knowledge graph, tool
/// environments, worktrees, scans), start processes (runner, tools, coder, worktree's git)
/// or talk to the network (coder, publish), and the hosts. Others: storage (oxigraph,
/// tantivy, rocksdb), the network (reqwest, hyper, axum, ureq), async runtimes and actors
/// (tokio, mio, ractor), files and processes (tempfile, rustix, ignore, walkdir, notify),
/// and log output (tracing-subscriber).
const IO: [&str; 29] = [
    "tdev",
    "tdev-actors",
    "tdev-app",
    "tdev-server",
    "tdev-mcp",
    "tdev-coder",
    "tdev-knowledge",
    "tdev-publish",
    "tdev-research",
    "tdev-runner",
    "tdev-tools",
    "tdev-worktree",
    "oxigraph",
    "tantivy",
    "rocksdb",
    "reqwest",
    "hyper",
    "axum",
    "ureq",
    "tokio",
    "mio",
    "ractor",
    "tempfile",
    "rustix",
    "ignore",
    "walkdir",
    "notify",
    "tracing-subscriber",
    "async-std",
];

/// The crates ARCHITECTURE.md says know nothing of ractor, clap or HTTP.
const UNAWARE: [&str; 9] = [
    "tdev-core",
    "tdev-knowledge",
    "tdev-learners",
    "tdev-gates",
    "tdev-targets",
    "tdev-research",
    "tdev-planner",
    "tdev-tools",
    "tdev-worktree",
];

/// What [`UNAWARE`] crates must not depend on: the actors' framework, argument parsing and
/// HTTP.
const FRAMEWORKS: [&str; 6] = ["ractor", "clap", "reqwest", "hyper", "axum", "ureq"];

/// One package of the workspace and the packages it depends on, by package name.
#[derive(Debug, Default)]
struct Package {
    /// What its code uses: normal and build dependencies, for any target.
    uses: BTreeSet<String>,
    /// What only its tests, examples and benchmarks use.
    dev: BTreeSet<String>,
}

/// The workspace's packages, by name.
#[derive(Debug)]
struct Workspace {
    packages: BTreeMap<String, Package>,
}

impl Workspace {
    /// Reads the root manifest `root` and, through `member`, the manifest of each member
    /// directory it lists (`members` as literal paths).
    fn parse(root: &str, member: impl Fn(&str) -> String) -> Workspace {
        let root: toml::Table = toml::from_str(root).expect("the root manifest parses");
        let workspace = root["workspace"].as_table().expect("a [workspace] table");
        let shared = workspace
            .get("dependencies")
            .and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default();
        let mut manifests = vec![root.clone()];
        for dir in workspace["members"].as_array().expect("workspace.members") {
            let dir = dir.as_str().expect("a member path");
            assert!(!dir.contains('*'), "member globs are not read: {dir}");
            manifests.push(toml::from_str(&member(dir)).expect("a member manifest parses"));
        }
        let packages = manifests
            .iter()
            .filter_map(|manifest| {
                let name = manifest.get("package")?.get("name")?.as_str()?.to_owned();
                Some((name, package(manifest, &shared)))
            })
            .collect();
        Workspace { packages }
    }

    /// Everything `name`'s code uses, directly or through crates of ours: each dependency
    /// with the crates of ours it is reached through (empty when direct).
    fn reach(&self, name: &str) -> BTreeMap<String, Vec<String>> {
        let mut reached: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut queue = VecDeque::from([(name.to_owned(), Vec::new())]);
        while let Some((current, through)) = queue.pop_front() {
            let Some(package) = self.packages.get(&current) else {
                continue;
            };
            for dependency in &package.uses {
                if dependency == name || reached.contains_key(dependency) {
                    continue;
                }
                reached.insert(dependency.clone(), through.clone());
                let mut next = through.clone();
                next.push(dependency.clone());
                queue.push_back((dependency.clone(), next));
            }
        }
        reached
    }

    /// Every broken rule, one sentence each, in a stable order.
    fn violations(&self) -> Vec<String> {
        let mut out = Vec::new();
        for name in self.packages.keys() {
            let reach = self.reach(name);
            let mut broken = |forbidden: &dyn Fn(&str) -> bool, why: &str| {
                for (dependency, through) in &reach {
                    if forbidden(dependency) {
                        let via = if through.is_empty() {
                            String::new()
                        } else {
                            format!(" (through {})", through.join(", "))
                        };
                        out.push(format!("{name} depends on {dependency}{via}: {why}"));
                    }
                }
            };
            if !HOSTS.contains(&name.as_str()) {
                broken(
                    &|d| d == "tdev-actors" || d == "ractor",
                    "only the hosts (tdev-actors, tdev-app, tdev-server, tdev-mcp, the binary) \
                     run actors",
                );
            }
            if PURE.contains(&name.as_str()) {
                broken(
                    &|d| IO.contains(&d),
                    "it decides from what it is given, with no IO",
                );
            }
            if UNAWARE.contains(&name.as_str()) {
                broken(
                    &|d| FRAMEWORKS.contains(&d),
                    "it knows nothing of ractor, clap or HTTP",
                );
            }
            if FACADE_ONLY.contains(&name.as_str()) {
                for dependency in &self.packages[name].uses {
                    if self.packages.contains_key(dependency) && dependency != "tdev-app" {
                        out.push(format!(
                            "{name} depends on {dependency}: an interface calls only the \
                             façade, tdev-app"
                        ));
                    }
                }
            }
            if name == "tdev-core" {
                // Its tests too: the shared vocabulary sits below every crate of ours.
                let dev = &self.packages[name].dev;
                for dependency in reach.keys().chain(dev) {
                    if self.packages.contains_key(dependency) {
                        out.push(format!(
                            "tdev-core depends on {dependency}: the shared vocabulary \
                             depends on nothing of ours"
                        ));
                    }
                }
            }
            let package = &self.packages[name];
            if package.uses.contains("tdev") || package.dev.contains("tdev") {
                out.push(format!(
                    "{name} depends on tdev: nothing depends on the binary"
                ));
            }
        }
        out
    }
}

/// The dependencies of one manifest, by package name: a renamed dependency counts as the
/// package it names, and `workspace = true` as the workspace's entry.
fn package(manifest: &toml::Table, shared: &toml::Table) -> Package {
    let names = |table: Option<&toml::Value>| -> BTreeSet<String> {
        let Some(table) = table.and_then(toml::Value::as_table) else {
            return BTreeSet::new();
        };
        table
            .iter()
            .map(|(key, value)| {
                let value = if value.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                    shared.get(key).unwrap_or(value)
                } else {
                    value
                };
                let name = value.get("package").and_then(toml::Value::as_str);
                // crates.io treats `-` and `_` as the same name.
                name.unwrap_or(key).replace('_', "-")
            })
            .collect()
    };
    // The manifest itself and each `[target.'cfg(...)']` table hold the same sections.
    let mut tables = vec![manifest];
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        tables.extend(targets.values().filter_map(toml::Value::as_table));
    }
    let mut package = Package::default();
    for table in tables {
        for section in ["dependencies", "build-dependencies", "build_dependencies"] {
            package.uses.extend(names(table.get(section)));
        }
        for section in ["dev-dependencies", "dev_dependencies"] {
            package.dev.extend(names(table.get(section)));
        }
    }
    package
}

/// This workspace, as its manifests say.
fn this_workspace() -> Workspace {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &Path| {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    Workspace::parse(&read(&root.join("Cargo.toml")), |dir| {
        read(&root.join(dir).join("Cargo.toml"))
    })
}

#[test]
fn the_workspace_keeps_the_dependency_rules_of_the_architecture() {
    let workspace = this_workspace();
    // The manifests were read: every crate, with what it uses.
    for name in [
        "tdev",
        "tdev-core",
        "tdev-gates",
        "tdev-actors",
        "tdev-learners",
    ] {
        assert!(workspace.packages.contains_key(name), "{name} not read");
    }
    assert!(workspace.reach("tdev-actors").contains_key("ractor"));
    assert!(workspace.reach("tdev").contains_key("tdev-core"));

    let violations = workspace.violations();
    assert!(
        violations.is_empty(),
        "ARCHITECTURE.md's dependency rules are broken:\n{}",
        violations.join("\n")
    );
}

#[test]
fn each_rule_reports_a_manifest_that_breaks_it() {
    let root = r#"
        [workspace]
        members = ["core", "gates", "learners", "knowledge", "runner", "app", "actors", "planner", "mcp"]

        [workspace.dependencies]
        tdev-core = { path = "core" }
        tdev-gates = { path = "gates" }
        tdev-actors = { path = "actors" }
        fast-runner = { package = "tdev-runner", path = "runner" }

        [package]
        name = "tdev"

        [dependencies]
        tdev-app = { path = "app" }
        clap = "4"
    "#;
    let members = BTreeMap::from([
        (
            "core",
            "[package]\nname = \"tdev-core\"\n[dev-dependencies]\ntdev-gates.workspace = true\n",
        ),
        // A renamed dependency of ours that does IO, itself using an async runtime.
        (
            "gates",
            "[package]\nname = \"tdev-gates\"\n[dependencies]\nfast-runner.workspace = true\n",
        ),
        (
            "runner",
            "[package]\nname = \"tdev-runner\"\n[dependencies]\ntokio = \"1\"\n",
        ),
        (
            "learners",
            "[package]\nname = \"tdev-learners\"\n\
             [target.'cfg(unix)'.dependencies]\noxigraph = \"0.5\"\n",
        ),
        (
            "knowledge",
            "[package]\nname = \"tdev-knowledge\"\n[build-dependencies]\nractor = \"0.15\"\n\
             [dev-dependencies]\ntdev = { path = \"..\" }\n",
        ),
        // Allowed: the planner's tests may write files; the hosts may run actors.
        (
            "planner",
            "[package]\nname = \"tdev-planner\"\n[dev-dependencies]\ntempfile = \"3\"\n",
        ),
        (
            "app",
            "[package]\nname = \"tdev-app\"\n[dependencies]\ntdev-actors.workspace = true\n",
        ),
        (
            "actors",
            "[package]\nname = \"tdev-actors\"\n[dependencies]\nractor = \"0.15\"\n",
        ),
        // An interface that reaches past the façade; reaching the actors through it is
        // allowed.
        (
            "mcp",
            "[package]\nname = \"tdev-mcp\"\n[dependencies]\ntdev-app = { path = \"../app\" }\n\
             tdev-gates.workspace = true\n",
        ),
    ]);
    let workspace = Workspace::parse(root, |dir| members[dir].to_owned());
    assert_eq!(
        workspace.violations(),
        [
            "tdev-core depends on tdev-gates: the shared vocabulary depends on nothing of ours",
            "tdev-gates depends on tdev-runner: it decides from what it is given, with no IO",
            "tdev-gates depends on tokio (through tdev-runner): it decides from what it is \
             given, with no IO",
            "tdev-knowledge depends on ractor: only the hosts (tdev-actors, tdev-app, \
             tdev-server, tdev-mcp, the binary) run actors",
            "tdev-knowledge depends on ractor: it knows nothing of ractor, clap or HTTP",
            "tdev-knowledge depends on tdev: nothing depends on the binary",
            "tdev-learners depends on oxigraph: it decides from what it is given, with no IO",
            "tdev-mcp depends on tdev-gates: an interface calls only the façade, tdev-app",
        ]
    );
}
