//! `tdev new` as a user runs it: a clear requirement becomes a git repository whose checks
//! pass and which `tdev evolve` then works on without touching its checkout; a vague one,
//! one no blueprint can build, a bad answer and an occupied directory are refused with exit
//! code 2 and nothing written.

#[path = "support/process.rs"]
mod process;

use process::{git, tdev};

const LIBRARY: &str = "A library keeps books and members. A book has a title, an author and a \
    unique isbn. A member has a name and a unique email. A loan belongs to a book and a \
    member. Members can borrow a book and return it. A book cannot be borrowed twice.";

#[test]
fn a_requirement_becomes_a_repository_whose_checks_pass_and_evolve_leaves_it_as_it_was() {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("library");
    let made = tdev(home.path())
        .args(["new", LIBRARY, "--out"])
        .arg(&out)
        .arg("--json")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&made.stderr);
    assert!(made.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&made.stdout).unwrap();
    assert_eq!(report["blueprint"], "python-fastapi");
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2, "{report:#}");
    assert!(checks.iter().all(|c| c["passed"] == true), "{report:#}");
    assert!(
        report["endpoints"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("POST /books/{id}/borrow")),
        "{report:#}"
    );
    // Recorded in the knowledge graph, and listed by the services query with its requirement
    // and blueprint.
    let iri = report["recorded"].as_str().expect("recorded").to_owned();
    let listed = tdev(home.path())
        .args(["sparql", "--format", "json", "--file"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/knowledge/queries/services.rq"
        ))
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let results: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let rows = results["results"]["bindings"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{results:#}");
    assert_eq!(rows[0]["service"]["value"], iri.as_str());
    assert_eq!(rows[0]["blueprint"]["value"], "python-fastapi");
    assert_eq!(rows[0]["requirement"]["value"], LIBRARY);
    assert_eq!(rows[0]["checksPassed"]["value"], "true");
    assert_eq!(rows[0]["directory"]["value"], out.to_str().unwrap());
    // And the choice of blueprint is a pattern later choices find by the requirement's words.
    let found = tdev(home.path())
        .args(["patterns", "search", "books members loans", "--json"])
        .output()
        .unwrap();
    let found = String::from_utf8_lossy(&found.stdout);
    assert!(found.contains("\"blueprint:python-fastapi\""), "{found}");
    // Progress went to stderr, step by step.
    assert!(
        stderr.contains("running python -m tests.contract"),
        "{stderr}"
    );

    // One commit with every file, and nothing the checks left behind shows as a change.
    assert_eq!(git(&out, &["rev-list", "--count", "HEAD"]), "1");
    assert_eq!(git(&out, &["rev-parse", "HEAD"]), report["commit"]);
    assert_eq!(git(&out, &["status", "--porcelain"]), "");
    assert!(out.join("openapi.json").is_file() && out.join(".github/workflows/ci.yml").is_file());
    // No staging directory is left beside it.
    let beside: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tdev-new-"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");

    // tdev evolve completes a cycle on it at once and leaves its checkout as it was.
    let head = git(&out, &["rev-parse", "HEAD"]);
    let evolved = tdev(home.path())
        .args(["evolve", "--backend", "tools", "--cycles", "1", "--repo"])
        .arg(&out)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&evolved.stdout),
        String::from_utf8_lossy(&evolved.stderr)
    );
    assert!(evolved.status.success(), "{said}");
    // One cycle ran to its end and was recorded (the generated code leaves the tool fixers
    // nothing to do, so it is no change, or a branch if they find something).
    assert!(said.contains(": started on library"), "{said}");
    assert!(
        said.contains("(1 row)") && (said.contains("no-change") || said.contains("passed")),
        "{said}"
    );
    assert_eq!(git(&out, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(&out, &["status", "--porcelain"]), "");
    assert_eq!(git(&out, &["branch", "--show-current"]), "main");
}

/// `tdev new ARGS --out DIR` in a fresh home: exit code 2, stderr containing `said`, and no
/// `DIR`.
fn refused(args: &[&str], said: &str) {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("service");
    let run = tdev(home.path())
        .arg("new")
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(said), "{args:?}: {stderr}");
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
    assert!(
        run.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
}

#[test]
fn a_vague_requirement_gets_its_questions_not_a_guessed_service() {
    refused(
        &["A system for stuff."],
        "the requirement is too vague to build a service from",
    );
    refused(&["A system for stuff."], "--answer entities=");
}

#[test]
fn a_requirement_no_blueprint_can_build_is_refused_with_the_reason() {
    refused(
        &["A todo has a title. At most 10 requests per minute."],
        "python-fastapi: does not compose rate limits, which the requirement asks for",
    );
    refused(
        &["A todo has a title.", "--lang", "cobol"],
        "no blueprint is written in `cobol`",
    );
}

#[test]
fn bad_answers_values_and_empty_requirements_are_refused() {
    refused(
        &["A todo has a title.", "--answer", "nonsense"],
        "--answer nonsense",
    );
    refused(
        &["A todo has a title.", "--set", "port=x"],
        "`--set port`: `x` is not a whole number",
    );
    refused(&["   "], "the requirement is empty");
}

#[test]
fn a_directory_with_something_in_it_is_not_written_over() {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("taken");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let run = tdev(home.path())
        .args(["new", "A todo has a title.", "--no-check", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("exists and is not an empty directory"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
}
