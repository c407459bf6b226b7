//! Answers to a draft's questions (`--answer KEY=VALUE`, or an answers file of such lines),
//! applied over what the requirement said.

use crate::model::{Field, FieldKind, OperationKind, Persistence, Spec};
use crate::parse::criteria;
use crate::words::{entity_name, snake};

/// An answer that cannot be applied: which, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--answer {key}: {message}")]
pub struct AnswerError {
    /// The answer's key, or the whole answer when it has no `=`.
    pub key: String,
    /// What is wrong, and what to write instead.
    pub message: String,
}

/// Answers, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers(Vec<(String, String)>);

impl Answers {
    /// Reads `KEY=VALUE` lines; blank lines and lines starting with `#` are skipped (an
    /// answers file).
    pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>) -> Result<Self, AnswerError> {
        let mut answers = Vec::new();
        for line in lines {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once('=').ok_or_else(|| AnswerError {
                key: line.to_owned(),
                message: "an answer is KEY=VALUE, for example fields.book=title,year:integer"
                    .into(),
            })?;
            answers.push((key.trim().to_owned(), value.trim().to_owned()));
        }
        Ok(Self(answers))
    }

    /// Whether `key` is answered.
    pub fn answers(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Applies the answers to `spec`, then derives its acceptance criteria again.
    pub(crate) fn apply(
        &self,
        spec: &mut Spec,
        not_twice: &[(String, String)],
    ) -> Result<(), AnswerError> {
        for (key, value) in &self.0 {
            let fail = |message: String| AnswerError {
                key: key.clone(),
                message,
            };
            match key.split_once('.') {
                None if key == "entities" => {
                    for name in value.split(',').map(entity_name).filter(|n| !n.is_empty()) {
                        ensure(spec, &name);
                    }
                }
                None if key == "name" => {
                    let name = snake(value).replace('_', "-");
                    if name.is_empty() {
                        return Err(fail("give the service a name of letters and digits".into()));
                    }
                    spec.name = name;
                }
                None if key == "auth" => {
                    spec.non_functional.authentication =
                        yes(value).ok_or_else(|| fail("answer yes or no".into()))?;
                }
                None if key == "persistence" => {
                    spec.non_functional.persistence = match value.as_str() {
                        "database" | "sqlite" => Persistence::Database,
                        "memory" => Persistence::Memory,
                        _ => return Err(fail("answer database or memory".into())),
                    };
                }
                None if key == "latency_ms" => {
                    let ms = value.parse().map_err(|_| {
                        fail("give the p95 in whole milliseconds, such as 100".into())
                    })?;
                    spec.non_functional.latency_p95_ms = Some(ms);
                }
                Some(("fields", entity)) => {
                    let entity = entity_name(entity);
                    let fields = value
                        .split(',')
                        .map(|item| typed_field(item).map_err(&fail))
                        .collect::<Result<Vec<_>, _>>()?;
                    ensure(spec, &entity);
                    let target = spec
                        .entities
                        .iter_mut()
                        .find(|e| e.name == entity)
                        .expect("just ensured");
                    // The flags its operations set stay.
                    target.fields.retain(|f| {
                        f.kind == FieldKind::Boolean
                            && !f.required
                            && !fields.iter().any(|g| g.name == f.name)
                    });
                    let flags = std::mem::take(&mut target.fields);
                    target.fields = fields;
                    target.fields.extend(flags);
                }
                Some(("sets", operation)) => {
                    let (field, set) = value.split_once('=').ok_or_else(|| {
                        fail("say FIELD=VALUE, for example sets.borrow=available=false".into())
                    })?;
                    let found = spec
                        .operations
                        .iter_mut()
                        .find_map(|op| match &mut op.kind {
                            OperationKind::Custom { name, sets } if name == operation => Some(sets),
                            _ => None,
                        });
                    let Some(sets) = found else {
                        return Err(fail(format!(
                            "the requirement names no operation {operation}"
                        )));
                    };
                    *sets = Some((snake(field), set.trim().to_owned()));
                }
                _ => {
                    return Err(fail(
                        "unknown key; the keys are entities, fields.ENTITY, sets.OPERATION, name, \
                         auth, persistence and latency_ms"
                            .into(),
                    ));
                }
            }
        }
        spec.acceptance = criteria(spec, not_twice);
        Ok(())
    }
}

fn ensure(spec: &mut Spec, name: &str) {
    if spec.entity(name).is_none() {
        spec.entities.push(crate::model::Entity::new(name));
        for kind in OperationKind::CRUD {
            spec.operations.push(crate::model::Operation {
                entity: name.to_owned(),
                kind,
            });
        }
    }
}

fn yes(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" => Some(true),
        "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// `title`, `year:integer`, `note?` (optional), `email!` (unique), `status:choice(open|closed)`,
/// `member:ref(member)`.
fn typed_field(item: &str) -> Result<Field, String> {
    let (name, kind) = match item.split_once(':') {
        Some((name, kind)) => (name.trim(), Some(kind.trim())),
        None => (item.trim(), None),
    };
    let required = !name.ends_with('?');
    let unique = name.ends_with('!');
    let name = snake(name.trim_end_matches(['?', '!']));
    if name.is_empty() {
        return Err(format!("\"{item}\" names no field"));
    }
    let kind = match kind {
        None => {
            return crate::parse::field(&name.replace('_', " "))
                .map(|f| Field {
                    required,
                    unique,
                    ..f
                })
                .ok_or_else(|| format!("\"{item}\" names no field"));
        }
        Some("text") => FieldKind::Text,
        Some("integer") => FieldKind::Integer,
        Some("decimal") => FieldKind::Decimal,
        Some("boolean") => FieldKind::Boolean,
        Some("date") => FieldKind::Date,
        Some("datetime") => FieldKind::DateTime,
        Some("email") => FieldKind::Email,
        Some("url") => FieldKind::Url,
        Some(other) => {
            if let Some(choices) = other
                .strip_prefix("choice(")
                .and_then(|c| c.strip_suffix(')'))
            {
                FieldKind::Choice(
                    choices
                        .split('|')
                        .map(snake)
                        .filter(|c| !c.is_empty())
                        .collect(),
                )
            } else if let Some(to) = other.strip_prefix("ref(").and_then(|c| c.strip_suffix(')')) {
                FieldKind::Reference(entity_name(to))
            } else {
                return Err(format!(
                    "unknown type {other}; the types are text, integer, decimal, boolean, date, \
                     datetime, email, url, choice(a|b|c) and ref(ENTITY)"
                ));
            }
        }
    };
    Ok(Field {
        name,
        kind,
        required,
        unique,
    })
}
