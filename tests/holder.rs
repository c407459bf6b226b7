//! While `tdev evolve` holds a data directory, the read commands answer through it (the store
//! has one writer, and opening it from a second process is unsafe), with the output a direct
//! open gives; a second `tdev evolve` on the same directory is refused with the holder named.

#[path = "support/process.rs"]
mod process;

use process::{repository, tdev, wait_for};
use std::path::Path;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(home: &Path, args: &[&str]) -> Run {
    let output = tdev(home).args(args).output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The read commands whose output is compared, with or without a holder.
fn reads(cycle: &str) -> Vec<Vec<String>> {
    let owned = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    vec![
        owned(&["cycles"]),
        owned(&["cycles", "--json"]),
        owned(&["show", cycle]),
        owned(&["show", cycle, "--json"]),
        owned(&[
            "sparql",
            "PREFIX tdev: <https://tdev.dev/ns#> SELECT ?c ?o WHERE { ?c tdev:outcome ?o } ORDER BY ?c",
        ]),
        owned(&[
            "sparql",
            "--format",
            "json",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        ]),
        owned(&["sparql", "ASK { ?s a <https://tdev.dev/ns#Cycle> }"]),
        owned(&[
            "sparql",
            "CONSTRUCT { ?c <https://tdev.dev/ns#outcome> ?o } WHERE { ?c <https://tdev.dev/ns#outcome> ?o }",
        ]),
    ]
}

#[test]
fn reads_go_through_the_holder_and_a_second_evolve_is_refused_naming_it() {
    let home = tempfile::tempdir().unwrap();
    let repo = repository(home.path());
    let repo_arg = repo.to_str().unwrap();
    let first = run(
        home.path(),
        &["evolve", "--dry-run", "--json", "--repo", repo_arg],
    );
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let records: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    let cycle = records[0]["id"].as_str().unwrap().to_owned();

    // What a direct open says.
    let direct: Vec<Run> = reads(&cycle)
        .iter()
        .map(|args| {
            run(
                home.path(),
                &args.iter().map(String::as_str).collect::<Vec<_>>(),
            )
        })
        .collect();
    let bad = run(home.path(), &["sparql", "SELECT ?x WHERE { ?x"]);
    assert_eq!(bad.code, Some(2), "{}", bad.stderr);

    // A second evolve that stays in its planning phase, holding the directory.
    let signal = home.path().join("holding");
    let mut holder = tdev(home.path())
        .args(["evolve", "--dry-run", "--repo", repo_arg])
        .env("TDEV_HALT_IN", "planner")
        .env("TDEV_HALT_SIGNAL", &signal)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_for(|| signal.exists()),
        "the holder never got to planning"
    );

    for (args, direct) in reads(&cycle).iter().zip(&direct) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let through = run(home.path(), &args);
        assert_eq!(through.code, Some(0), "tdev {args:?}: {}", through.stderr);
        assert_eq!(
            through.stdout, direct.stdout,
            "tdev {args:?} through the holder"
        );
    }
    let bad_through = run(home.path(), &["sparql", "SELECT ?x WHERE { ?x"]);
    assert_eq!(bad_through.code, Some(2));
    assert_eq!(
        bad_through.stderr, bad.stderr,
        "a syntax error reads the same"
    );

    let second = run(home.path(), &["evolve", "--dry-run", "--repo", repo_arg]);
    assert_eq!(second.code, Some(2), "{}", second.stderr);
    assert!(
        second
            .stderr
            .contains(&format!("in use by pid {}", holder.id())),
        "{}",
        second.stderr
    );
    // Writes are not served: an update names the holder too.
    let update = run(
        home.path(),
        &["sparql", "--update", "INSERT DATA { <a:b> <a:c> 1 }"],
    );
    assert_eq!(update.code, Some(2), "{}", update.stderr);
    assert!(update.stderr.contains("in use by pid"), "{}", update.stderr);

    holder.kill().unwrap();
    holder.wait().unwrap();
}
