//! tdev's service specifications: a requirement in plain language read into a structured
//! [`Spec`] (entities, fields with types and constraints, relations, operations,
//! non-functional requirements and acceptance criteria a test can check), checked for
//! consistency, with the [`Question`]s its gaps raise and how ambiguous it is.
//!
//! The reading is rule-based and works offline: each sentence is matched against the forms a
//! requirement for a data service is written in ("a book has a title, an author and a year",
//! "members can borrow a book and return it", "a loan belongs to a member"; docs/new.md lists
//! them). What no form matches is not guessed at: a vague requirement ("a system for stuff")
//! gets questions and a high ambiguity instead of a service, and `--answer KEY=VALUE`
//! ([`Answers`]) fills the gaps. [`openapi`] gives the service's OpenAPI 3.1 document and
//! [`mermaid`] its data model as an ER diagram. The crate is pure: no IO, no model; `tdev new` reads the
//! requirement and writes what is generated.
//!
//! ```
//! let draft = tdev_spec::read("A todo has a title and a due date. Users can mark a todo as done.");
//! let todo = draft.spec.entity("todo").unwrap();
//! let fields: Vec<_> = todo.fields.iter().map(|f| f.name.as_str()).collect();
//! assert_eq!(fields, ["title", "due_date", "done"]);
//! assert!(draft.is_clear(), "{:?}", draft.questions);
//! assert!(tdev_spec::problems(&draft.spec).is_empty());
//!
//! let vague = tdev_spec::read("A system for stuff.");
//! assert!(!vague.is_clear());
//! assert_eq!(vague.questions[0].key, "entities");
//! # Ok::<(), tdev_spec::AnswerError>(())
//! ```

mod answer;
mod check;
mod model;
pub mod names;
mod openapi;
mod parse;
mod words;

pub use answer::{AnswerError, Answers};
pub use check::problems;
pub use model::{
    Check, Criterion, Entity, Field, FieldKind, NonFunctional, Operation, OperationKind,
    Persistence, Question, RateLimit, Relation, Spec,
};
pub use openapi::{MAX_INTEGER, mermaid, openapi};
pub use parse::{Draft, UNCLEAR, read};

/// Reads `requirement` with `answers` applied over it: the questions answered are dropped,
/// and so is the weight they added to the ambiguity.
pub fn read_with(requirement: &str, answers: &Answers) -> Result<Draft, AnswerError> {
    let mut draft = read(requirement);
    answers.apply(&mut draft.spec, &draft.not_twice)?;
    draft.reconsider(answers);
    Ok(draft)
}
