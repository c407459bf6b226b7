//! Choosing a blueprint for a spec, and what a user is told when none fits or a value is
//! wrong. The generated projects' own tests run in the root crate's `tests/services.rs`.

use tdev_blueprints::{Error, Language, Library, Settings, Want};

fn spec(requirement: &str) -> tdev_spec::Spec {
    let draft = tdev_spec::read(requirement);
    assert!(draft.is_clear(), "{requirement:?}: {:?}", draft.questions);
    draft.spec
}

const TODO: &str = "A todo has a title and a due date. Users can mark a todo as done.";

#[test]
fn every_builtin_blueprint_is_read_and_named_after_its_directory() {
    let library = Library::builtin();
    let names: Vec<&str> = library
        .blueprints()
        .iter()
        .map(|b| b.manifest.name.as_str())
        .collect();
    assert!(names.contains(&"python-fastapi"), "{names:?}");
    for blueprint in library.blueprints() {
        assert!(!blueprint.manifest.summary.is_empty());
        assert!(
            !blueprint.manifest.checks.is_empty(),
            "{}",
            blueprint.manifest.name
        );
    }
}

#[test]
fn a_rate_limit_no_blueprint_composes_is_refused_with_the_reason() {
    let spec = spec(&format!("{TODO} At most 100 requests per minute."));
    let error = Library::builtin()
        .choose(&spec, &Want::default())
        .unwrap_err();
    assert!(error.is_user_error());
    let message = error.to_string();
    assert!(
        message.starts_with("no blueprint can build this service"),
        "{message}"
    );
    assert!(
        message.contains(
            "python-fastapi: does not compose rate limits, which the requirement asks for \
             (at most 100 requests in 60 s)"
        ),
        "{message}"
    );
}

#[test]
fn a_language_no_blueprint_is_written_in_for_this_service_is_refused() {
    let want = Want {
        language: Some(Language::Rust),
        ..Want::default()
    };
    match Library::builtin().choose(&spec(TODO), &want) {
        // Until a Rust REST blueprint exists, each Python one says why it does not fit.
        Err(Error::NoBlueprint { reasons }) => {
            assert!(
                reasons
                    .iter()
                    .any(|r| r == "python-fastapi: written in python, not rust"),
                "{reasons:?}"
            );
        }
        Ok(blueprint) => assert_eq!(blueprint.manifest.language, Language::Rust),
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn an_unknown_blueprint_names_the_ones_there_are() {
    let want = Want {
        blueprint: Some("cobol-cics".into()),
        ..Want::default()
    };
    let message = Library::builtin()
        .choose(&spec(TODO), &want)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("there is no blueprint `cobol-cics`; the blueprints are ")
            && message.contains("python-fastapi"),
        "{message}"
    );
}

#[test]
fn variables_are_checked_against_their_types() {
    let library = Library::builtin();
    let blueprint = library.get("python-fastapi").unwrap();
    let spec = spec(TODO);
    let cases = [
        (
            Settings::default().with("port", "eighty"),
            "`--set port`: `eighty` is not a whole number",
        ),
        (
            Settings::default().with("python_version", "2.7"),
            "`--set python_version`: `2.7` is not one of 3.11, 3.12, 3.13",
        ),
        (
            Settings::default().with("colour", "blue"),
            "`--set colour`: python-fastapi has no such variable; its variables are port, python_version",
        ),
    ];
    for (settings, message) in cases {
        let error = blueprint.render(&spec, &settings).unwrap_err();
        assert!(error.is_user_error());
        assert_eq!(error.to_string(), message);
    }
    let files = blueprint
        .render(&spec, &Settings::default().with("port", "9000"))
        .unwrap();
    let dockerfile = files.iter().find(|f| f.path == "Dockerfile").unwrap();
    assert!(
        dockerfile.text.contains("EXPOSE 9000"),
        "{}",
        dockerfile.text
    );
}

#[test]
fn an_inconsistent_spec_is_not_rendered() {
    let mut spec = spec(TODO);
    let title = spec.entities[0].fields[0].clone();
    spec.entities[0].fields.push(title);
    let error = Library::builtin()
        .get("python-fastapi")
        .unwrap()
        .render(&spec, &Settings::default())
        .unwrap_err();
    assert!(
        error.to_string().contains("todo.title is named twice"),
        "{error}"
    );
}

#[test]
fn the_parts_a_spec_needs_decide_what_is_generated() {
    let library = Library::builtin();
    let blueprint = library.get("python-fastapi").unwrap();
    let plain = blueprint.render(&spec(TODO), &Settings::default()).unwrap();
    let guarded = blueprint
        .render(
            &spec(&format!(
                "{TODO} Only logged in users can use it. Keep it in memory."
            )),
            &Settings::default(),
        )
        .unwrap();
    let text = |files: &[tdev_blueprints::File], path: &str| {
        files.iter().find(|f| f.path == path).unwrap().text.clone()
    };
    assert!(!text(&plain, "app/main.py").contains("require_token"));
    assert!(text(&guarded, "app/main.py").contains("require_token"));
    assert!(text(&plain, ".env.example").contains("DATABASE_PATH"));
    assert!(!text(&guarded, ".env.example").contains("DATABASE_PATH"));
    assert!(text(&guarded, ".env.example").contains("API_TOKEN="));
    // No secret is written into the tree: the token's line is left empty.
    assert!(
        text(&guarded, ".env.example")
            .lines()
            .any(|l| l == "API_TOKEN=")
    );
    // Rendering is deterministic.
    assert_eq!(
        plain,
        blueprint.render(&spec(TODO), &Settings::default()).unwrap()
    );
}
