//! A person's words become a goal, or a sentence saying which goals there are.

use tdev_planner::Goal;

fn check(words: &str, expected: &str) {
    let actual = match Goal::parse(words) {
        Ok(goal) => goal.as_str().to_owned(),
        Err(e) => e.to_string(),
    };
    assert_eq!(actual, expected, "{words:?}");
}

const KNOWN: &str = "\"improve overall quality\", \"raise quality of the hotspots\", \
                     \"fix security findings\", \"lift coverage\", \"fix lint findings\", \
                     \"improve documentation\"";

#[test]
fn every_goal_parses_from_its_own_words() {
    for goal in Goal::ALL {
        check(goal.as_str(), goal.as_str());
    }
}

#[test]
fn words_naming_a_goal_parse_to_it() {
    check("Security", "fix security findings");
    check(
        "raise  QUALITY of the Hotspots!",
        "raise quality of the hotspots",
    );
    check("reduce complexity", "raise quality of the hotspots");
    check("more tests", "lift coverage");
    check("fix the clippy warnings", "fix lint findings");
    check("docstrings", "improve documentation");
    check("everything", "improve overall quality");
    check("improve code quality", "improve overall quality");
}

#[test]
fn unknown_and_ambiguous_words_list_the_known_goals() {
    check(
        "",
        &format!("unknown goal \"\"; the known goals are: {KNOWN}"),
    );
    check(
        "make it faster",
        &format!("unknown goal \"make it faster\"; the known goals are: {KNOWN}"),
    );
    check(
        "security and docs",
        &format!(
            "the goal \"security and docs\" names more than one goal (\"fix security findings\", \
             \"improve documentation\"); pick one of: {KNOWN}"
        ),
    );
}
