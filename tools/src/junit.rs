//! Per-test outcomes from the JUnit XML pytest writes (`--junitxml` with
//! `-o junit_family=xunit1`, whose `file` attribute names each test's file), with each test's
//! id rebuilt as pytest's node id. The one reader of this format: tdev's pytest adapter and the
//! sandboxed test runs of `tdev-runner` both call it.

use crate::error::{Error, Result};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::path::Path;
use tdev_core::{TestOutcome, TestStatus};

/// Every test of a JUnit XML document, in the order they first appear.
///
/// `root` is pytest's root directory (the project or worktree it ran in), where test modules
/// are looked up to tell a module from a class in a `classname`. A test reported twice (it
/// passed, then its teardown failed) is one outcome with the worse status.
pub fn parse_junit(xml: &str, root: &Path) -> Result<Vec<TestOutcome>> {
    let bad = |detail: String| Error::Output {
        tool: "pytest (JUnit XML)".to_owned(),
        detail,
    };
    let mut reader = Reader::from_str(xml);
    let mut outcomes = Outcomes::default();
    let mut current: Option<TestOutcome> = None;
    let mut in_result = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| bad(format!("at byte {}: {e}", reader.error_position())))?;
        let (tag, empty) = match event {
            Event::Start(tag) => (tag, false),
            Event::Empty(tag) => (tag, true),
            Event::Text(text) if in_result => {
                if let Some(outcome) = current.as_mut().filter(|o| o.message.is_none()) {
                    let text = text.unescape().map_err(|e| bad(e.to_string()))?;
                    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                    outcome.message = Some(first.trim().to_owned());
                }
                continue;
            }
            Event::End(tag) => {
                match tag.name().as_ref() {
                    b"testcase" => outcomes.add(current.take()),
                    b"failure" | b"error" | b"skipped" => in_result = false,
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let status = match tag.name().as_ref() {
            b"testcase" => {
                let outcome = testcase(&tag, root).map_err(|e| bad(e.to_string()))?;
                // A self-closing <testcase/> has no end tag: it is complete now.
                if empty {
                    outcomes.add(Some(outcome));
                } else {
                    current = Some(outcome);
                }
                continue;
            }
            b"failure" => TestStatus::Failed,
            b"error" => TestStatus::Error,
            b"skipped" => TestStatus::Skipped,
            _ => continue,
        };
        if let Some(outcome) = &mut current {
            // A test that failed and then errored in teardown counts as its worst.
            if status > outcome.status {
                outcome.status = status;
                outcome.message = attribute(&tag, b"message").map_err(|e| bad(e.to_string()))?;
            }
            in_result = !empty;
        }
    }
    Ok(outcomes.list)
}

/// The outcomes read so far, one per test id.
#[derive(Default)]
struct Outcomes {
    list: Vec<TestOutcome>,
    index: HashMap<String, usize>,
}

impl Outcomes {
    fn add(&mut self, outcome: Option<TestOutcome>) {
        let Some(outcome) = outcome else { return };
        match self.index.get(&outcome.id) {
            Some(&i) if outcome.status > self.list[i].status => {
                self.list[i].status = outcome.status;
                self.list[i].message = outcome.message;
            }
            Some(_) => {}
            None => {
                self.index.insert(outcome.id.clone(), self.list.len());
                self.list.push(outcome);
            }
        }
    }
}

fn attribute(e: &BytesStart<'_>, name: &[u8]) -> quick_xml::Result<Option<String>> {
    match e.try_get_attribute(name)? {
        Some(a) => Ok(Some(a.unescape_value()?.into_owned())),
        None => Ok(None),
    }
}

/// A passed outcome for a `<testcase>` start tag, its id rebuilt as pytest's node id.
fn testcase(e: &BytesStart<'_>, root: &Path) -> quick_xml::Result<TestOutcome> {
    let name = attribute(e, b"name")?.unwrap_or_default();
    let name = without_root(&name, root);
    let classname = attribute(e, b"classname")?.unwrap_or_default();
    let file = attribute(e, b"file")?;
    let seconds = attribute(e, b"time")?.and_then(|t| t.parse().ok());
    Ok(TestOutcome {
        id: node_id(root, file.as_deref(), &classname, &name),
        status: TestStatus::Passed,
        seconds,
        message: None,
    })
}

/// A test name with the directory it ran in replaced by `<root>`: a parametrised test whose
/// parameter is a path under it (`test_x[/tmp/run-1/tests/a.py]`) is the same test in the
/// baseline's directory and in a change's worktree, and must have the same id in both.
fn without_root(name: &str, root: &Path) -> String {
    let root = root.to_string_lossy();
    let root = root.trim_end_matches('/');
    if root.is_empty() || !name.contains(root) {
        return name.to_owned();
    }
    name.replace(root, "<root>")
}

/// pytest's node id from xunit1 attributes: `classname="tests.test_a.TestX"`,
/// `name="test_y[1]"` → `tests/test_a.py::TestX::test_y[1]`.
///
/// The classname is the module's dotted path followed by the classes. The module is its
/// longest prefix that is a file under `root`; `file` is only the fallback, since it names
/// where the function is defined, which for a test inherited from a base class in another
/// module is not the module pytest collected it from.
fn node_id(root: &Path, file: Option<&str>, classname: &str, name: &str) -> String {
    let parts: Vec<&str> = classname.split('.').filter(|p| !p.is_empty()).collect();
    let on_disk = (1..=parts.len())
        .rev()
        .map(|n| (format!("{}.py", parts[..n].join("/")), n))
        .find(|(module, _)| root.join(module).is_file());
    let (module, classes) = match (on_disk, file.filter(|f| !f.is_empty())) {
        (Some((module, n)), _) => (module, &parts[n..]),
        (None, Some(file)) => {
            // What follows the file's module in the classname are the classes.
            let module: Vec<&str> = file.trim_end_matches(".py").split(['/', '\\']).collect();
            let classes = parts.strip_prefix(module.as_slice()).unwrap_or_default();
            (file.to_owned(), classes)
        }
        // A collection error names the module in `name` and has no class.
        (None, None) if classname.is_empty() => return name.to_owned(),
        (None, None) => return format!("{classname}::{name}"),
    };
    let mut id = module;
    for class in classes {
        id.push_str("::");
        id.push_str(class);
    }
    id.push_str("::");
    id.push_str(name);
    id
}

#[cfg(test)]
mod tests {
    use super::{node_id, parse_junit};
    use std::path::Path;
    use tdev_core::TestStatus;

    fn check(file: Option<&str>, classname: &str, name: &str, expected: &str) {
        let nowhere = Path::new("/nonexistent-tdev-root");
        assert_eq!(node_id(nowhere, file, classname, name), expected);
    }

    /// A parameter holding a path under the run's directory does not make the same test two
    /// tests in two directories.
    #[test]
    fn a_path_under_the_run_directory_in_a_test_name_is_made_relative() {
        let xml = |root: &str| {
            format!(
                r#"<testsuites><testsuite><testcase classname="tests.test_u" name="test_p[{root}/tests/test_u.py]" file="tests/test_u.py"/></testsuite></testsuites>"#
            )
        };
        let ids = |root: &str| -> Vec<String> {
            parse_junit(&xml(root), Path::new(root))
                .unwrap()
                .into_iter()
                .map(|o| o.id)
                .collect()
        };
        assert_eq!(ids("/tmp/baseline-1"), ids("/work/trees/attempt-2"));
        assert_eq!(
            ids("/tmp/baseline-1"),
            ["tests/test_u.py::test_p[<root>/tests/test_u.py]"]
        );
    }

    #[test]
    fn node_ids_are_rebuilt_as_pytest_prints_them() {
        check(Some("test_a.py"), "test_a", "test_x", "test_a.py::test_x");
        check(
            Some("tests/test_a.py"),
            "tests.test_a.TestX",
            "test_y[1-2]",
            "tests/test_a.py::TestX::test_y[1-2]",
        );
        check(
            Some("tests/test_a.py"),
            "tests.test_a.TestX.TestInner",
            "test_z",
            "tests/test_a.py::TestX::TestInner::test_z",
        );
        check(None, "", "tests.test_broken", "tests.test_broken");
    }

    #[test]
    fn reads_outcomes_and_node_ids() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("tests")).unwrap();
        for module in ["tests/test_a.py", "tests/test_b.py"] {
            std::fs::write(root.path().join(module), "").unwrap();
        }
        let xml = r#"<testsuites><testsuite>
<testcase classname="tests.test_a.TestX" name="test_ok[1-2]" file="tests/test_a.py" line="3"/>
<testcase classname="tests.test_a" name="test_fail" file="tests/test_a.py"><failure message="x">boom</failure></testcase>
<testcase classname="tests.test_a" name="test_skip" file="tests/test_a.py"><skipped message="no"/></testcase>
<testcase classname="tests.test_a" name="test_teardown" file="tests/test_a.py"/>
<testcase classname="tests.test_a" name="test_teardown" file="tests/test_a.py"><error message="teardown"/></testcase>
<testcase classname="tests.test_b.TestSub" name="test_inherited" file="tests/test_a.py"/>
<testcase classname="" name="tests.test_broken"><error message="collection failure"/></testcase>
</testsuite></testsuites>"#;
        let mut outcomes: Vec<(String, TestStatus)> = parse_junit(xml, root.path())
            .unwrap()
            .into_iter()
            .map(|o| (o.id, o.status))
            .collect();
        outcomes.sort();
        let expected = [
            ("tests.test_broken", TestStatus::Error),
            ("tests/test_a.py::TestX::test_ok[1-2]", TestStatus::Passed),
            ("tests/test_a.py::test_fail", TestStatus::Failed),
            ("tests/test_a.py::test_skip", TestStatus::Skipped),
            ("tests/test_a.py::test_teardown", TestStatus::Error),
            (
                "tests/test_b.py::TestSub::test_inherited",
                TestStatus::Passed,
            ),
        ]
        .map(|(id, status)| (id.to_owned(), status));
        assert_eq!(outcomes, expected);
    }
}
