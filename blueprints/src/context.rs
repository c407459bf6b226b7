//! What templates see: the spec laid out for the language a blueprint writes, so templates
//! only arrange it (the types, the column definitions, the sample values a test sends are
//! decided here, once, and tested).

use std::collections::BTreeMap;

use serde::Serialize;
use tdev_spec::names::{capitalised, pascal, words};
use tdev_spec::{Check, FieldKind, OperationKind, Persistence, Spec};

use crate::{File, Language};

/// The whole context of a rendering.
#[derive(Debug, Serialize)]
pub(crate) struct Context {
    service: Service,
    vars: BTreeMap<String, toml::Value>,
    entities: Vec<EntityView>,
    criteria: Vec<CriterionView>,
}

#[derive(Debug, Serialize)]
struct Service {
    /// `kebab-case`.
    name: String,
    /// `snake_case`, for a package or crate.
    package: String,
    /// In words, capitalised.
    title: String,
    requirement: String,
    authentication: bool,
    /// `database` or `memory`.
    persistence: &'static str,
    latency_p95_ms: Option<u32>,
    /// The kinds of field the spec uses (`date`, `email`, ...), so that a template imports
    /// and defines only what the code uses.
    kinds: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct EntityView {
    name: String,
    plural: String,
    /// `RoomBooking`.
    class: String,
    words: String,
    plural_words: String,
    fields: Vec<FieldView>,
    operations: Vec<OperationView>,
}

#[derive(Debug, Serialize)]
struct FieldView {
    name: String,
    words: String,
    /// `text`, `integer`, `decimal`, `boolean`, `date`, `datetime`, `email`, `url`,
    /// `choice`, `reference`.
    kind: &'static str,
    required: bool,
    unique: bool,
    /// The type a value is checked against, in the blueprint's language.
    #[serde(rename = "type")]
    type_: String,
    /// The SQL column definition, after its name.
    sql: String,
    /// A valid value, as a literal of the blueprint's language.
    sample: String,
    /// For a choice: its values.
    choices: Vec<String>,
    /// For a reference: the entity referred to.
    references: Option<Reference>,
}

#[derive(Debug, Serialize)]
struct Reference {
    name: String,
    plural: String,
    words: String,
}

#[derive(Debug, Serialize)]
struct OperationView {
    name: String,
    /// The path segment: `mark-done`.
    path: String,
    words: String,
    /// The field it sets, and the value as a literal of the language.
    field: Option<String>,
    value: Option<String>,
    /// The same value in words, for documentation.
    value_words: Option<String>,
    /// Refused when the record already has the value.
    not_twice: bool,
}

#[derive(Debug, Serialize)]
struct CriterionView {
    id: String,
    text: String,
    /// `round-trip`, `required`, `unique`, `reference-exists`, `applies`, `not-twice`,
    /// `needs-token`.
    check: &'static str,
    entity: Option<String>,
    field: Option<String>,
    operation: Option<String>,
}

impl Context {
    pub(crate) fn new(
        spec: &Spec,
        language: Language,
        vars: BTreeMap<String, toml::Value>,
    ) -> Context {
        let not_twice: Vec<(&str, &str)> = spec
            .acceptance
            .iter()
            .filter_map(|c| match &c.check {
                Check::NotTwice { entity, operation } => {
                    Some((entity.as_str(), operation.as_str()))
                }
                _ => None,
            })
            .collect();
        let entities = spec
            .entities
            .iter()
            .map(|entity| {
                let fields = entity
                    .fields
                    .iter()
                    .map(|field| {
                        let references = match &field.kind {
                            FieldKind::Reference(to) => spec.entity(to).map(|e| Reference {
                                name: e.name.clone(),
                                plural: e.plural.clone(),
                                words: words(&e.name),
                            }),
                            _ => None,
                        };
                        FieldView {
                            name: field.name.clone(),
                            words: words(&field.name),
                            kind: kind_name(&field.kind),
                            required: field.required,
                            unique: field.unique,
                            type_: type_of(language, &field.kind),
                            sql: sql(field, spec),
                            sample: sample(language, &field.kind, &field.name),
                            choices: match &field.kind {
                                FieldKind::Choice(values) => values.clone(),
                                _ => Vec::new(),
                            },
                            references,
                        }
                    })
                    .collect();
                let operations = spec
                    .operations
                    .iter()
                    .filter(|op| op.entity == entity.name)
                    .filter_map(|op| match &op.kind {
                        OperationKind::Custom { name, sets } => {
                            let kind = sets.as_ref().and_then(|(field, _)| {
                                entity
                                    .fields
                                    .iter()
                                    .find(|f| &f.name == field)
                                    .map(|f| &f.kind)
                            });
                            Some(OperationView {
                                name: name.clone(),
                                path: name.replace('_', "-"),
                                words: words(name),
                                field: sets.as_ref().map(|(field, _)| field.clone()),
                                value: sets.as_ref().map(|(_, value)| {
                                    literal(language, kind.unwrap_or(&FieldKind::Text), value)
                                }),
                                value_words: sets.as_ref().map(|(_, value)| value.clone()),
                                not_twice: not_twice.contains(&(&entity.name, name)),
                            })
                        }
                        _ => None,
                    })
                    .collect();
                EntityView {
                    name: entity.name.clone(),
                    plural: entity.plural.clone(),
                    class: pascal(&entity.name),
                    words: words(&entity.name),
                    plural_words: words(&entity.plural),
                    fields,
                    operations,
                }
            })
            .collect();
        let criteria = spec
            .acceptance
            .iter()
            .map(|criterion| {
                let (check, entity, field, operation) = match &criterion.check {
                    Check::RoundTrip { entity } => ("round-trip", Some(entity), None, None),
                    Check::Required { entity, field } => {
                        ("required", Some(entity), Some(field), None)
                    }
                    Check::Unique { entity, field } => ("unique", Some(entity), Some(field), None),
                    Check::ReferenceExists { entity, field } => {
                        ("reference-exists", Some(entity), Some(field), None)
                    }
                    Check::Applies { entity, operation } => {
                        ("applies", Some(entity), None, Some(operation))
                    }
                    Check::NotTwice { entity, operation } => {
                        ("not-twice", Some(entity), None, Some(operation))
                    }
                    Check::NeedsToken => ("needs-token", None, None, None),
                };
                CriterionView {
                    id: criterion.id.clone(),
                    text: criterion.text.clone(),
                    check,
                    entity: entity.cloned(),
                    field: field.cloned(),
                    operation: operation.cloned(),
                }
            })
            .collect();
        Context {
            service: Service {
                name: spec.name.clone(),
                package: spec.name.replace('-', "_"),
                title: capitalised(&spec.name.replace('-', " ")),
                requirement: spec.requirement.trim().to_owned(),
                authentication: spec.non_functional.authentication,
                persistence: match spec.non_functional.persistence {
                    Persistence::Database => "database",
                    Persistence::Memory => "memory",
                },
                latency_p95_ms: spec.non_functional.latency_p95_ms,
                kinds: {
                    let mut kinds: Vec<&'static str> = spec
                        .entities
                        .iter()
                        .flat_map(|e| e.fields.iter().map(|f| kind_name(&f.kind)))
                        .collect();
                    kinds.sort_unstable();
                    kinds.dedup();
                    kinds
                },
            },
            vars,
            entities,
            criteria,
        }
    }

    /// The files every project has that are not templates: the OpenAPI document, the data
    /// model as an ER diagram, and the spec itself, which later runs of tdev read.
    pub(crate) fn documents(&self, spec: &Spec) -> Vec<File> {
        let pretty = |value: &serde_json::Value| {
            let mut text = serde_json::to_string_pretty(value).expect("JSON values serialise");
            text.push('\n');
            text
        };
        vec![
            File {
                path: "openapi.json".into(),
                text: pretty(&tdev_spec::openapi(spec)),
            },
            File {
                path: "docs/data-model.md".into(),
                text: format!(
                    "# Data model\n\nEach record has an `id`; `FK` marks a reference to another \
                     record, `UK` a value no two records share.\n\n```mermaid\n{}```\n",
                    tdev_spec::mermaid(spec)
                ),
            },
            File {
                path: "docs/spec.json".into(),
                text: pretty(&serde_json::to_value(spec).expect("a spec serialises")),
            },
        ]
    }
}

/// Filters templates use beyond minijinja's own.
pub(crate) fn add_filters(environment: &mut minijinja::Environment<'_>) {
    // A string as a literal of Python or Rust (JSON's escapes are valid in both).
    environment.add_filter("quoted", |text: String| {
        serde_json::to_string(&text).expect("strings serialise")
    });
}

fn kind_name(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "text",
        FieldKind::Integer => "integer",
        FieldKind::Decimal => "decimal",
        FieldKind::Boolean => "boolean",
        FieldKind::Date => "date",
        FieldKind::DateTime => "datetime",
        FieldKind::Email => "email",
        FieldKind::Url => "url",
        FieldKind::Choice(_) => "choice",
        FieldKind::Reference(_) => "reference",
    }
}

/// The type a field's values are checked against. For Python, the names are those the
/// blueprint's `models.py` defines (strict: `"3"` is not a number, `1` is not a flag).
fn type_of(language: Language, kind: &FieldKind) -> String {
    match language {
        Language::Python => match kind {
            FieldKind::Text => "Text".into(),
            FieldKind::Integer => "Whole".into(),
            FieldKind::Decimal => "Number".into(),
            FieldKind::Boolean => "Flag".into(),
            FieldKind::Date => "Day".into(),
            FieldKind::DateTime => "Moment".into(),
            FieldKind::Email => "Email".into(),
            FieldKind::Url => "Link".into(),
            FieldKind::Choice(values) => format!(
                "Literal[{}]",
                values
                    .iter()
                    .map(|v| serde_json::to_string(v).expect("strings serialise"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            FieldKind::Reference(_) => "Id".into(),
        },
        Language::Rust => match kind {
            FieldKind::Text
            | FieldKind::Date
            | FieldKind::DateTime
            | FieldKind::Email
            | FieldKind::Url
            | FieldKind::Choice(_) => "String".into(),
            FieldKind::Integer | FieldKind::Reference(_) => "i64".into(),
            FieldKind::Decimal => "f64".into(),
            FieldKind::Boolean => "bool".into(),
        },
    }
}

/// The SQLite column definition of a field (after its name).
fn sql(field: &tdev_spec::Field, spec: &Spec) -> String {
    let mut out = match &field.kind {
        FieldKind::Integer | FieldKind::Boolean | FieldKind::Reference(_) => "INTEGER",
        FieldKind::Decimal => "REAL",
        _ => "TEXT",
    }
    .to_owned();
    if field.required {
        out.push_str(" NOT NULL");
    }
    if field.unique {
        out.push_str(" UNIQUE");
    }
    if let FieldKind::Reference(to) = &field.kind
        && let Some(to) = spec.entity(to)
    {
        // A record others refer to is not deleted until they are: nothing goes unasked.
        out.push_str(&format!(" REFERENCES {}(id) ON DELETE RESTRICT", to.plural));
    }
    out
}

/// A valid value of a field, as a literal of `language`: what a generated test sends.
fn sample(language: Language, kind: &FieldKind, name: &str) -> String {
    let text = match kind {
        FieldKind::Text => format!("the {}", words(name)),
        FieldKind::Integer => "3".into(),
        FieldKind::Decimal => "9.5".into(),
        FieldKind::Boolean => "true".into(),
        FieldKind::Date => "2025-01-31".into(),
        FieldKind::DateTime => "2025-01-31T09:30:00Z".into(),
        FieldKind::Email => format!("{}@example.com", name.replace('_', ".")),
        FieldKind::Url => format!("https://example.com/{}", name.replace('_', "-")),
        FieldKind::Choice(values) => values.first().cloned().unwrap_or_default(),
        // A reference is to a record the test makes first.
        FieldKind::Reference(_) => "1".into(),
    };
    literal(language, kind, &text)
}

/// `value` (as the spec writes it: `true`, `3`, `high`) as a literal of `language` for a
/// field of `kind`.
fn literal(language: Language, kind: &FieldKind, value: &str) -> String {
    let quoted = || serde_json::to_string(value).expect("strings serialise");
    match kind {
        FieldKind::Boolean => match (language, value) {
            (Language::Python, "true") => "True".into(),
            (Language::Python, "false") => "False".into(),
            (Language::Rust, "true" | "false") => value.into(),
            _ => quoted(),
        },
        FieldKind::Integer | FieldKind::Reference(_) if value.parse::<i64>().is_ok() => {
            value.into()
        }
        FieldKind::Decimal if value.parse::<f64>().is_ok() => value.into(),
        _ => quoted(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_columns_and_samples_follow_the_field() {
        let draft = tdev_spec::read(
            "A book has a title, a unique isbn, a year (number), a price and a priority (low, \
             high). A loan belongs to a book.",
        );
        let context = Context::new(&draft.spec, Language::Python, BTreeMap::new());
        let book = &context.entities[0];
        let row: Vec<(&str, &str, &str, &str)> = book
            .fields
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.type_.as_str(),
                    f.sql.as_str(),
                    f.sample.as_str(),
                )
            })
            .collect();
        assert_eq!(
            row,
            [
                ("title", "Text", "TEXT NOT NULL", "\"the title\""),
                ("isbn", "Text", "TEXT NOT NULL UNIQUE", "\"the isbn\""),
                ("year", "Whole", "INTEGER NOT NULL", "3"),
                ("price", "Number", "REAL NOT NULL", "9.5"),
                (
                    "priority",
                    "Literal[\"low\", \"high\"]",
                    "TEXT NOT NULL",
                    "\"low\""
                ),
            ]
        );
        let loan = &context.entities[1];
        assert_eq!(
            loan.fields[0].sql,
            "INTEGER NOT NULL REFERENCES books(id) ON DELETE RESTRICT"
        );
        assert_eq!(loan.fields[0].references.as_ref().unwrap().plural, "books");
    }

    #[test]
    fn an_operation_sets_its_value_typed_and_knows_when_it_cannot_happen_twice() {
        let draft = tdev_spec::read(
            "A book has a title. Members can borrow a book and return it. A book cannot be \
             borrowed twice.",
        );
        let context = Context::new(&draft.spec, Language::Python, BTreeMap::new());
        let ops: Vec<(&str, Option<&str>, Option<&str>, bool)> = context.entities[0]
            .operations
            .iter()
            .map(|o| {
                (
                    o.path.as_str(),
                    o.field.as_deref(),
                    o.value.as_deref(),
                    o.not_twice,
                )
            })
            .collect();
        assert_eq!(
            ops,
            [
                ("borrow", Some("borrowed"), Some("True"), true),
                ("return", Some("borrowed"), Some("False"), false),
            ]
        );
    }
}
