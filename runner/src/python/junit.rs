//! Reads pytest's JUnit XML report (`-o junit_family=xunit1`, which carries each test's
//! file) into pytest node ids and outcomes. Kept small on purpose: tdev's tool adapters
//! will own report formats.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::BTreeMap;
use std::path::Path;
use tdev_gates::TestOutcome;

/// Each test case's node id and outcome; a test reported twice (a failing teardown after
/// a pass) keeps its worse outcome.
/// `root` is pytest's root directory (the worktree), where test modules are looked up.
pub(crate) fn parse(
    xml: &str,
    root: &Path,
) -> Result<BTreeMap<String, TestOutcome>, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut outcomes = BTreeMap::new();
    let mut current: Option<(String, TestOutcome)> = None;
    loop {
        match reader.read_event()? {
            Event::Start(e) if e.name().as_ref() == b"testcase" => {
                current = Some((node_id(&e, root), TestOutcome::Passed));
            }
            Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                record(&mut outcomes, node_id(&e, root), TestOutcome::Passed);
            }
            Event::Start(e) | Event::Empty(e) => {
                if let Some((_, outcome)) = &mut current {
                    let seen = match e.name().as_ref() {
                        b"failure" => TestOutcome::Failed,
                        b"error" => TestOutcome::Error,
                        b"skipped" => TestOutcome::Skipped,
                        _ => *outcome,
                    };
                    *outcome = worse(*outcome, seen);
                }
            }
            Event::End(e) if e.name().as_ref() == b"testcase" => {
                if let Some((id, outcome)) = current.take() {
                    record(&mut outcomes, id, outcome);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(outcomes)
}

fn record(outcomes: &mut BTreeMap<String, TestOutcome>, id: String, outcome: TestOutcome) {
    let entry = outcomes.entry(id).or_insert(outcome);
    *entry = worse(*entry, outcome);
}

/// The outcome that says more about a problem.
fn worse(a: TestOutcome, b: TestOutcome) -> TestOutcome {
    let rank = |o: TestOutcome| match o {
        TestOutcome::Passed => 0,
        TestOutcome::Skipped => 1,
        TestOutcome::Failed => 2,
        _ => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// pytest's node id from a test case's `classname`, `name` and `file`. The classname is the
/// module's dotted path followed by the classes; the module is its longest prefix that is a
/// file under `root`. (`file` is where the function is defined, which for a test inherited
/// from a base class in another module is not the module pytest collected it from.)
fn node_id(e: &BytesStart<'_>, root: &Path) -> String {
    let attr = |key: &[u8]| {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
            .unwrap_or_default()
    };
    let (file, classname, name) = (attr(b"file"), attr(b"classname"), attr(b"name"));
    if file.is_empty() && classname.is_empty() {
        // A collection error: pytest names the module in `name`.
        return name;
    }
    let parts: Vec<&str> = classname.split('.').collect();
    let module_len = (1..=parts.len())
        .rev()
        .find(|&n| root.join(format!("{}.py", parts[..n].join("/"))).is_file());
    let (module, classes) = match module_len {
        Some(n) => (format!("{}.py", parts[..n].join("/")), &parts[n..]),
        None => {
            // Not found on disk: trust `file` and take what follows its module as classes.
            let dotted = file.trim_end_matches(".py").replace('/', ".");
            let n = if classname.starts_with(&dotted) {
                dotted.split('.').count()
            } else {
                parts.len()
            };
            (file.clone(), &parts[n.min(parts.len())..])
        }
    };
    let mut id = module;
    for class in classes {
        id.push_str("::");
        id.push_str(class);
    }
    id.push_str("::");
    id.push_str(&name);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xml: &str, expected: &[(&str, TestOutcome)]) {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("tests")).unwrap();
        for module in ["tests/test_a.py", "tests/test_b.py"] {
            std::fs::write(root.path().join(module), "").unwrap();
        }
        let outcomes = parse(xml, root.path()).unwrap();
        let outcomes: Vec<(&str, TestOutcome)> =
            outcomes.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(outcomes, expected);
    }

    #[test]
    fn reads_outcomes_and_node_ids() {
        check(
            r#"<testsuites><testsuite>
<testcase classname="tests.test_a.TestX" name="test_ok[1-2]" file="tests/test_a.py" line="3"/>
<testcase classname="tests.test_a" name="test_fail" file="tests/test_a.py"><failure message="x">boom</failure></testcase>
<testcase classname="tests.test_a" name="test_skip" file="tests/test_a.py"><skipped message="no"/></testcase>
<testcase classname="tests.test_a" name="test_teardown" file="tests/test_a.py"/>
<testcase classname="tests.test_a" name="test_teardown" file="tests/test_a.py"><error message="teardown"/></testcase>
<testcase classname="tests.test_b.TestSub" name="test_inherited" file="tests/test_a.py"/>
<testcase classname="" name="tests.test_broken"><error message="collection failure"/></testcase>
</testsuite></testsuites>"#,
            &[
                ("tests.test_broken", TestOutcome::Error),
                ("tests/test_a.py::TestX::test_ok[1-2]", TestOutcome::Passed),
                ("tests/test_a.py::test_fail", TestOutcome::Failed),
                ("tests/test_a.py::test_skip", TestOutcome::Skipped),
                ("tests/test_a.py::test_teardown", TestOutcome::Error),
                (
                    "tests/test_b.py::TestSub::test_inherited",
                    TestOutcome::Passed,
                ),
            ],
        );
    }
}
