//! Services generated from requirements of ten domains by the `python-fastapi` blueprint, each
//! checked as its maintainer would: formatted and lint-clean by ruff (the pinned one tdev
//! installs), its own tests passing (the acceptance criteria and a smoke test of the real
//! server), and schemathesis's contract test of the running service against its OpenAPI
//! document passing. The service's packages come from PyPI into a virtual environment kept
//! outside the project, as `tdev evolve` keeps one for any Python repository.

#[path = "support/process.rs"]
mod process;

use std::path::Path;
use std::process::Command;

use process::shared;
use tdev_blueprints::{Library, Settings, Want};
use tdev_runner::Sandbox;
use tdev_runner::python::{PythonEnv, PythonProject};
use tdev_tools::{InstallOptions, ToolEnv};

/// tdev's pinned tools (ruff), installed on first use.
fn tools() -> ToolEnv {
    let env = ToolEnv::new(shared("TDEV_TOOLS_DIR", "tools"));
    env.install(&InstallOptions::default(), &mut |_| {})
        .expect("installing tdev's tools");
    env
}

/// What `program` printed, failing the test with it when it exits with an error.
fn run(dir: &Path, program: &Path, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "`{} {}` in {} failed:\n{printed}",
        program.display(),
        args.join(" "),
        dir.display()
    );
    printed
}

/// Generates the service of `requirement` and checks it; returns its directory.
fn generate_and_check(requirement: &str) -> tempfile::TempDir {
    let draft = tdev_spec::read(requirement);
    assert!(draft.is_clear(), "{requirement:?}: {:?}", draft.questions);
    let library = Library::builtin();
    let blueprint = library.choose(&draft.spec, &Want::default()).unwrap();
    assert_eq!(blueprint.manifest.name, "python-fastapi");
    let files = blueprint.render(&draft.spec, &Settings::default()).unwrap();
    let dir = tempfile::Builder::new()
        .prefix(&format!("{}-", draft.spec.name))
        .tempdir()
        .unwrap();
    for file in &files {
        let path = dir.path().join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.text).unwrap();
    }
    let project = dir.path();

    // Formatted as the project says (pyproject's [tool.ruff.format]), then lint-clean.
    let tools = tools();
    assert_eq!(
        tdev_tools::formatter::detect(project),
        [tdev_tools::formatter::Formatter::RuffFormat],
        "tdev evolve must find the formatter the service uses"
    );
    tdev_tools::formatter::format(
        tdev_tools::formatter::Formatter::RuffFormat,
        &tools,
        project,
        &[".".into()],
    )
    .unwrap();
    let ruff = tools.tool("ruff").unwrap();
    run(project, &ruff, &["check", "--no-cache", "."]);

    let sandbox = Sandbox::new().unwrap();
    let env = PythonEnv::prepare(
        &PythonProject::detect(project).unwrap(),
        &shared("TDEV_TEST_ENVS", "test-envs"),
        &sandbox,
        &mut |_| {},
    )
    .unwrap();
    let tests = run(
        project,
        &env.python,
        &["-m", "pytest", "-q", "-p", "no:cacheprovider"],
    );
    let criteria = draft.spec.acceptance.len();
    // One test per criterion, and the smoke test.
    assert!(
        tests.contains(&format!("{} passed", criteria + 1)),
        "{criteria} criteria:\n{tests}"
    );
    let contract = run(project, &env.python, &["-m", "tests.contract", "20"]);
    assert!(contract.contains("passed"), "{contract}");
    dir
}

macro_rules! services {
    ($($name:ident: $requirement:expr,)*) => {$(
        #[test]
        fn $name() {
            generate_and_check($requirement);
        }
    )*};
}

services! {
    a_todo_list: "A todo list. A todo has a title, a due date, a priority (low, medium, high) \
        and an optional note. Users can add, edit and delete todos and mark them complete. \
        Only logged in users can use it.",
    library_loans: "A library keeps books and members. A book has a title, an author, a \
        unique isbn and a number of copies. A member has a name and a unique email. A loan \
        belongs to a book and a member. Members can borrow a book and return it. A book \
        cannot be borrowed twice.",
    an_inventory: "Track products with a name, a unique sku, a price and a quantity. A \
        warehouse has a name and a city. A product belongs to a warehouse. Staff can archive \
        a product.",
    room_bookings: "A room booking service. A room has a name, a capacity and a floor \
        (number). A booking belongs to a room. A booking has a start (date and time), an end \
        (date and time) and an organiser email. Users can cancel a booking. A booking cannot \
        be cancelled twice.",
    a_blog_with_comments: "A blog. A post has a title, a body and an optional summary. A post \
        has many comments. A comment has an author and a text. Editors can publish a post. A \
        post cannot be published twice.",
    event_tickets: "Track events with a name, a date and a homepage. A ticket belongs to an \
        event. A ticket has a holder email and a price. Users can check in a ticket.",
    recipes_in_memory: "A recipe has a name, a number of servings and an optional \
        description. An ingredient belongs to a recipe. An ingredient has a name and an amount \
        (decimal). Cooks can mark a recipe as favourite. Keep everything in memory.",
    expenses_behind_a_key: "Track expenses with an amount, a date, a category (food, travel, \
        other) and an optional note. Users can approve an expense. Every request needs an API \
        key.",
    gym_classes: "A gym has classes and members. A class has a name, a start (date and time) \
        and a capacity. A member has a name and a unique email. An enrolment belongs to a \
        class and a member. Members can cancel an enrolment.",
    a_support_desk: "A support desk. A ticket has a subject, a description, a severity (low, \
        high, critical) and a reporter email. Agents can close a ticket and reopen it. A \
        ticket cannot be closed twice.",
}
