//! Per-test outcomes from the JUnit XML pytest writes (`--junitxml`, in the `xunit1` family,
//! whose `file` attribute lets the pytest node id be rebuilt).

use crate::error::{Error, Result};
use crate::outcome::{TestOutcome, TestStatus};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Every `<testcase>` of a JUnit XML document, in document order.
pub(crate) fn parse(xml: &str) -> Result<Vec<TestOutcome>> {
    let bad = |detail: String| Error::Output {
        tool: "pytest (JUnit XML)".to_owned(),
        detail,
    };
    let mut reader = Reader::from_str(xml);
    let mut outcomes: Vec<TestOutcome> = Vec::new();
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
                    b"testcase" => outcomes.extend(current.take()),
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
                let outcome = testcase(&tag).map_err(|e| bad(e.to_string()))?;
                // A self-closing <testcase/> has no end tag: it is complete now.
                if empty {
                    outcomes.push(outcome);
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
    Ok(outcomes)
}

fn attribute(e: &BytesStart<'_>, name: &[u8]) -> quick_xml::Result<Option<String>> {
    match e.try_get_attribute(name)? {
        Some(a) => Ok(Some(a.unescape_value()?.into_owned())),
        None => Ok(None),
    }
}

/// A passed outcome for a `<testcase>` start tag, its id rebuilt as pytest's node id.
fn testcase(e: &BytesStart<'_>) -> quick_xml::Result<TestOutcome> {
    let name = attribute(e, b"name")?.unwrap_or_default();
    let classname = attribute(e, b"classname")?.unwrap_or_default();
    let file = attribute(e, b"file")?;
    let seconds = attribute(e, b"time")?.and_then(|t| t.parse().ok());
    Ok(TestOutcome {
        id: node_id(file.as_deref(), &classname, &name),
        status: TestStatus::Passed,
        seconds,
        message: None,
    })
}

/// pytest's node id from xunit1 attributes: `file="tests/test_a.py"`,
/// `classname="tests.test_a.TestX"`, `name="test_y[1]"` → `tests/test_a.py::TestX::test_y[1]`.
fn node_id(file: Option<&str>, classname: &str, name: &str) -> String {
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        // A collection error names the module in `name` and has no class.
        return if classname.is_empty() {
            name.to_owned()
        } else {
            format!("{classname}::{name}")
        };
    };
    let module = file.trim_end_matches(".py").replace(['/', '\\'], ".");
    let classes = classname
        .strip_prefix(module.as_str())
        .unwrap_or("")
        .trim_start_matches('.');
    let mut id = file.to_owned();
    for part in classes.split('.').filter(|p| !p.is_empty()) {
        id.push_str("::");
        id.push_str(part);
    }
    id.push_str("::");
    id.push_str(name);
    id
}

#[cfg(test)]
mod tests {
    use super::node_id;

    fn check(file: Option<&str>, classname: &str, name: &str, expected: &str) {
        assert_eq!(node_id(file, classname, name), expected);
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
}
