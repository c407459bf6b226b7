//! The OpenAPI 3.1 documents tdev writes for a service, checked by a validator people use
//! (`openapi-spec-validator` from PyPI, in the test environment), for requirements of
//! different domains; and a broken document, to show the validator does refuse.

#[path = "support/python.rs"]
mod python;

use python::python;
use std::process::Command;

const REQUIREMENTS: [&str; 6] = [
    "A todo list service. A todo has a title, an optional note, a due date and a priority \
     (low, medium, high). Users can add, edit and delete todos, and mark a todo as done.",
    "Library loans. A book has a title, an author, a unique isbn and a number of copies. A \
     member has a name and an email. A loan belongs to a member. A loan belongs to a book. \
     Members can borrow a book and return it. A book cannot be borrowed twice.",
    "An inventory service. Each product has a name, a sku, a price and a quantity. Staff can \
     list products and restock a product. Only logged in staff can change products.",
    "A room has a name and a capacity. A booking has a room, a guest email, a start time and \
     an end time. Guests can create bookings and cancel a booking.",
    "A blog. A post has a title, a body and a published date. A comment has an author name \
     and a text. A post has many comments. Authors can publish a post.",
    "A recipe has a name, a number of servings and a website. An ingredient has a name and an \
     amount (decimal). An ingredient belongs to a recipe.",
];

/// What `openapi-spec-validator` says of `document`: `Ok` when valid, its message when not.
fn validate(document: &serde_json::Value) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(document).unwrap()).unwrap();
    let output = Command::new(python("openapi-spec-validator"))
        .args([
            "-c",
            "import json, sys\n\
             from openapi_spec_validator import validate\n\
             from openapi_spec_validator.validation.exceptions import OpenAPIValidationError\n\
             try:\n    validate(json.load(open(sys.argv[1])))\n\
             except OpenAPIValidationError as e:\n    print(e); sys.exit(1)\n",
        ])
        .arg(&file)
        .output()
        .expect("the test environment's Python runs");
    match output.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(String::from_utf8_lossy(&output.stdout).into_owned()),
        _ => panic!(
            "the validator did not run: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

#[test]
fn the_openapi_document_of_each_requirement_is_valid_openapi_3_1() {
    for requirement in REQUIREMENTS {
        let draft = tdev_spec::read(requirement);
        assert!(draft.is_clear(), "{requirement}: {:#?}", draft.questions);
        let document = tdev_spec::openapi(&draft.spec);
        if let Err(message) = validate(&document) {
            panic!(
                "{requirement}\n{message}\n{}",
                serde_json::to_string_pretty(&document).unwrap()
            );
        }
    }
}

#[test]
fn the_validator_refuses_a_broken_document() {
    let draft = tdev_spec::read(REQUIREMENTS[0]);
    let mut document = tdev_spec::openapi(&draft.spec);
    // A response without its description.
    document["paths"]["/todos"]["get"]["responses"]["200"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    let message = validate(&document).expect_err("a response without a description");
    assert!(message.contains("description"), "{message}");
}
