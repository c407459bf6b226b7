//! Reading a requirement: sentence by sentence, each matched against the few forms of
//! English a requirement for a data service is written in (docs/new.md lists them). What
//! no form matches is not guessed at: it becomes a question.

use crate::model::{
    Check, Criterion, Entity, Field, FieldKind, NonFunctional, Operation, OperationKind,
    Persistence, Question, RateLimit, Relation, Spec,
};
use crate::words::{entity_name, kebab, list_items, plural, snake, words};
use regex::Regex;
use std::sync::LazyLock;

/// Past this ambiguity a requirement gets questions, not a service.
pub const UNCLEAR: f64 = 0.5;

/// A requirement read: the spec it gives, the questions it leaves open and how ambiguous it
/// is (0: nothing open; 1: nothing understood).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Draft {
    /// The spec, as far as the requirement says.
    pub spec: Spec,
    /// What it leaves open, heaviest first.
    pub questions: Vec<Question>,
    /// The questions' weights added up, at most 1.
    pub ambiguity: f64,
    /// The operations the requirement says cannot happen twice: (entity, verb).
    #[serde(skip)]
    pub(crate) not_twice: Vec<(String, String)>,
}

impl Draft {
    /// Whether the spec is clear enough to build: its ambiguity is under [`UNCLEAR`].
    pub fn is_clear(&self) -> bool {
        self.ambiguity < UNCLEAR
    }

    /// After answers: drops the questions they answer, asks again for the fields of an
    /// entity still without any, and weighs what is left.
    pub(crate) fn reconsider(&mut self, answers: &crate::Answers) {
        self.spec.relations = relations_of(&self.spec);
        self.questions
            .retain(|q| !answers.answers(&q.key) && !q.key.starts_with("fields."));
        self.questions.extend(bare_questions(&self.spec.entities));
        self.questions.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        self.ambiguity = ambiguity(&self.questions);
    }
}

fn ambiguity(questions: &[Question]) -> f64 {
    // Folded from +0.0: an empty `sum` of floats is -0.0.
    questions
        .iter()
        .fold(0.0, |total, q| total + q.weight)
        .min(1.0)
}

/// The relations the reference fields make.
fn relations_of(spec: &Spec) -> Vec<Relation> {
    spec.entities
        .iter()
        .flat_map(|e| {
            e.fields.iter().filter_map(|f| match &f.kind {
                FieldKind::Reference(to) => Some(Relation {
                    from: e.name.clone(),
                    to: to.clone(),
                    field: f.name.clone(),
                }),
                _ => None,
            })
        })
        .collect()
}

/// A question for each entity with nothing but the flags its operations set: it is not
/// described yet.
fn bare_questions(entities: &[Entity]) -> Vec<Question> {
    entities
        .iter()
        .filter(|e| {
            e.fields
                .iter()
                .all(|f| f.kind == FieldKind::Boolean && !f.required)
        })
        .map(|e| {
            let key = format!("fields.{}", e.name);
            Question {
                text: format!(
                    "What does a {} have? (--answer {key}=title,due_date:date,done:boolean)",
                    e.name.replace('_', " ")
                ),
                key,
                weight: 0.3,
            }
        })
        .collect()
}

/// Words that name what a vague requirement keeps without saying what it is.
const VAGUE: [&str; 9] = [
    "stuff",
    "things",
    "thing",
    "items",
    "data",
    "information",
    "objects",
    "everything",
    "whatever",
];

/// Nouns that name the service itself or point back at something, never one of its
/// entities.
const NOT_ENTITIES: [&str; 19] = [
    "that",
    "these",
    "those",
    "them",
    "everything",
    "anything",
    "something",
    "system",
    "service",
    "app",
    "application",
    "api",
    "it",
    "this",
    "there",
    "user",
    "users",
    "tool",
    "backend",
];

static HAS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:a|an|each|every|the)\s+)?([a-z][a-z ]{0,40}?)\s+(?:has|have|with|contains|consists of|records|stores|includes)\s+(.+)$",
    )
    .expect("a valid pattern")
});
static CAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b[a-z]+\s+(?:can|may|should be able to|must be able to|are able to|is able to)\s+(.+)$",
    )
    .expect("a valid pattern")
});
static KEEPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:manages?|tracks?|keeps? track of|stores?|catalogues?|catalogs?|organi[sz]es?|lists?)\s+(.+)$",
    )
    .expect("a valid pattern")
});
static BELONGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:a|an|each|every|the)\s+)?([a-z]+)\s+belongs to\s+(?:a|an|one|the)\s+([a-z]+)",
    )
    .expect("a valid pattern")
});
static MANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:a|an|each|every|the)\s+)?([a-z]+)\s+(?:has|can have)\s+many\s+([a-z]+)")
        .expect("a valid pattern")
});
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:a|an|the)\s+([a-z][a-z -]{1,40}?)\s+(?:service|api|app|application|backend)\b",
    )
    .expect("a valid pattern")
});
static LATENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:respond|answer|latency|p95|within|under)[^.]*?(\d+)\s*(ms|milliseconds?|s|seconds?)\b",
    )
    .expect("a valid pattern")
});
static RATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d+)\s+requests?\s+(?:per|a|an|each|every)\s+(second|minute|hour)")
        .expect("a valid pattern")
});
static AUTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:log ?in|logged in|sign ?in|signed in|authenticat\w*|api keys?|tokens?|passwords?)\b",
    )
    .expect("a valid pattern")
});
static TWICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:a|an|the)\s+)?([a-z]+)\s+(?:cannot|can't|can not|may not|must not)\s+be\s+([a-z]+?)(?:ed|d)?\s+(?:twice|again|more than once)",
    )
    .expect("a valid pattern")
});
static MODAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:must|should|cannot|can't|never|only|at most|at least|unless|not allowed)\b")
        .expect("a valid pattern")
});

/// Reads `requirement`.
pub fn read(requirement: &str) -> Draft {
    let mut reader = Reader::default();
    for sentence in sentences(requirement) {
        reader.sentence(&sentence);
    }
    reader.finish(requirement)
}

/// The requirement's sentences, lower-case: split at full stops, question and exclamation
/// marks, semicolons, colons and line ends, Markdown list marks and headings removed.
fn sentences(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            line.trim()
                .trim_start_matches('#')
                .trim_start_matches(['-', '*', '+'])
                .trim()
        })
        .flat_map(|line| line.split(['.', '!', '?', ';', ':']))
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

#[derive(Default)]
struct Reader {
    entities: Vec<Entity>,
    custom: Vec<Operation>,
    non_functional: NonFunctional,
    not_twice: Vec<(String, String)>,
    questions: Vec<Question>,
}

impl Reader {
    fn sentence(&mut self, sentence: &str) {
        let where_kept = self.non_functional_in(sentence);
        let said = words(sentence);
        // "Keep everything in memory" says where, not what: its "everything" is what the
        // other sentences name.
        for word in VAGUE.iter().filter(|_| !where_kept) {
            if said.iter().any(|w| w == word) {
                self.ask(
                    "entities",
                    format!(
                        "\"{word}\" does not say what the service keeps: which kinds of record \
                         are there, and what does each have? (--answer entities=book,member \
                         --answer fields.book=title,author,year:integer)"
                    ),
                    0.6,
                );
            }
        }
        if let Some(c) = BELONGS.captures(sentence) {
            self.relate(&c[1], &c[2]);
            return;
        }
        if let Some(c) = MANY.captures(sentence) {
            self.relate(&c[2], &c[1]);
            return;
        }
        if let Some(c) = TWICE.captures(sentence) {
            let entity = entity_name(&c[1]);
            let operation = snake(&c[2]);
            self.entity(&entity);
            self.not_twice.push((entity, operation));
            return;
        }
        if let Some(c) = CAN.captures(sentence) {
            self.operations(&c[1]);
            return;
        }
        if let Some(c) = HAS.captures(sentence) {
            // "Track expenses with an amount": the verb is not part of the name.
            let subject = c[1]
                .trim_start_matches("keep track of ")
                .split_once(' ')
                .filter(|(verb, _)| {
                    matches!(
                        *verb,
                        "track" | "manage" | "store" | "record" | "list" | "catalog" | "organize"
                    )
                })
                .map_or(&c[1], |(_, rest)| rest);
            let subject = entity_name(subject);
            let last = subject.rsplit('_').next().unwrap_or_default();
            if NOT_ENTITIES.contains(&last) {
                // "A library service with books and members": what the service keeps.
                self.keeps(&c[2]);
                return;
            }
            if !subject.is_empty() {
                let fields: Vec<Field> =
                    list_items(&c[2]).iter().filter_map(|i| field(i)).collect();
                self.entity(&subject);
                let entity = self.entity_mut(&subject);
                for f in fields {
                    if !entity.fields.iter().any(|g| g.name == f.name) {
                        entity.fields.push(f);
                    }
                }
                return;
            }
        }
        if let Some(c) = KEEPS.captures(sentence) {
            self.keeps(&c[1]);
            return;
        }
        if MODAL.is_match(sentence) && !AUTH.is_match(sentence) && !LATENCY.is_match(sentence) {
            let number = 1 + self
                .questions
                .iter()
                .filter(|q| q.key.starts_with("criterion."))
                .count();
            self.ask(
                &format!("criterion.{number}"),
                format!(
                    "tdev cannot yet turn \"{sentence}\" into a test: say it as \"a <thing> \
                     cannot be <done> twice\", or leave it to the generated service's \
                     maintainers"
                ),
                0.05,
            );
        }
    }

    /// A list of the kinds of record the service keeps.
    fn keeps(&mut self, list: &str) {
        for item in list_items(list) {
            let name = entity_name(noun_phrase(&item));
            if !name.is_empty() && !is_vague(&name) && !NOT_ENTITIES.contains(&name.as_str()) {
                self.entity(&name);
            }
        }
    }

    /// Reads what `sentence` says of authentication, persistence, latency and rate limits;
    /// returns whether it says where records are kept.
    fn non_functional_in(&mut self, sentence: &str) -> bool {
        if AUTH.is_match(sentence) {
            self.non_functional.authentication = true;
        }
        let in_memory = sentence.contains("in memory") || sentence.contains("in-memory");
        if in_memory {
            self.non_functional.persistence = Persistence::Memory;
        }
        if let Some(c) = LATENCY.captures(sentence)
            && let Ok(n) = c[1].parse::<u32>()
        {
            let ms = if c[2].starts_with('s') {
                n.saturating_mul(1000)
            } else {
                n
            };
            self.non_functional.latency_p95_ms = Some(ms);
        }
        if let Some(c) = RATE.captures(sentence)
            && let Ok(requests) = c[1].parse::<u32>()
        {
            let per_seconds = match &c[2] {
                "second" => 1,
                "minute" => 60,
                _ => 3600,
            };
            self.non_functional.rate_limit = Some(RateLimit {
                requests,
                per_seconds,
            });
        }
        in_memory
    }

    /// "users can add, edit and delete todos, and mark a todo as done".
    fn operations(&mut self, list: &str) {
        // "create tasks with a title and a due date": the items after a `with` that begin
        // with an article are the fields of its noun, not operations.
        let mut items: Vec<(String, Option<String>, Option<String>)> = Vec::new();
        let mut described: Vec<(usize, Vec<String>)> = Vec::new();
        let mut describing = false;
        for item in list_items(list) {
            let first = item.split_whitespace().next().unwrap_or_default();
            if describing && matches!(first, "a" | "an" | "the") {
                if let Some((_, fields)) = described.last_mut() {
                    fields.push(item);
                }
                continue;
            }
            describing = false;
            match item.split_once(" with ") {
                Some((head, tail)) => {
                    described.push((items.len(), vec![tail.to_owned()]));
                    describing = true;
                    items.push(verb_phrase(head));
                }
                None => items.push(verb_phrase(&item)),
            }
        }
        for (index, fields) in described {
            let Some(noun) = items[index].1.clone() else {
                continue;
            };
            let name = entity_name(&noun);
            if name.is_empty() || is_vague(&name) || NOT_ENTITIES.contains(&name.as_str()) {
                continue;
            }
            let fields: Vec<Field> = fields.iter().filter_map(|f| field(f)).collect();
            let entity = self.entity_mut(&name);
            for f in fields {
                if !entity.fields.iter().any(|g| g.name == f.name) {
                    entity.fields.push(f);
                }
            }
        }
        for (index, (verb, noun, state)) in items.iter().enumerate() {
            // Signing up, in and out is authentication, not an operation on a record.
            if matches!(
                verb.as_str(),
                "register" | "sign_up" | "sign_in" | "log_in" | "log_out" | "sign_out" | "login"
            ) && noun.is_none()
            {
                self.non_functional.authentication = true;
                continue;
            }
            // A verb without its noun shares the next one's ("add, edit and delete todos"),
            // a pronoun the last one's ("borrow a book and return it").
            let noun = match noun.as_deref() {
                Some("it" | "them" | "one") => {
                    items[..index].iter().rev().find_map(|i| i.1.clone())
                }
                Some(noun) => Some(noun.to_owned()),
                None => items[index + 1..].iter().find_map(|i| i.1.clone()),
            };
            let Some(noun) = noun.filter(|n| !matches!(n.as_str(), "it" | "them" | "one")) else {
                continue;
            };
            if NOT_ENTITIES.contains(&noun.as_str()) {
                continue;
            }
            let entity = entity_name(&noun);
            if entity.is_empty() || is_vague(&entity) || NOT_ENTITIES.contains(&entity.as_str()) {
                continue;
            }
            self.entity(&entity);
            if crud(verb) {
                continue;
            }
            let (name, sets) = match state {
                Some(state) => (
                    format!("{verb}_{}", snake(state)),
                    Some((snake(state), "true".to_owned())),
                ),
                None => (verb.clone(), None),
            };
            if let Some((field_name, _)) = &sets {
                let entity = self.entity_mut(&entity);
                if !entity.fields.iter().any(|f| &f.name == field_name) {
                    entity.fields.push(Field {
                        name: field_name.clone(),
                        kind: FieldKind::Boolean,
                        required: false,
                        unique: false,
                    });
                }
            }
            let operation = Operation {
                entity: entity.clone(),
                kind: OperationKind::Custom { name, sets },
            };
            if !self.custom.contains(&operation) {
                self.custom.push(operation);
            }
        }
    }

    fn relate(&mut self, from: &str, to: &str) {
        let (from, to) = (entity_name(from), entity_name(to));
        self.entity(&from);
        self.entity(&to);
        let field = format!("{to}_id");
        let holder = self.entity_mut(&from);
        holder.fields.retain(|f| f.name != to && f.name != field);
        holder.fields.push(Field {
            name: field.clone(),
            kind: FieldKind::Reference(to.clone()),
            required: true,
            unique: false,
        });
    }

    fn entity(&mut self, name: &str) {
        if !self.entities.iter().any(|e| e.name == name) {
            self.entities.push(Entity::new(name));
        }
    }

    fn entity_mut(&mut self, name: &str) -> &mut Entity {
        self.entity(name);
        self.entities
            .iter_mut()
            .find(|e| e.name == name)
            .expect("just added")
    }

    fn ask(&mut self, key: &str, text: String, weight: f64) {
        if !self.questions.iter().any(|q| q.key == key) {
            self.questions.push(Question {
                key: key.to_owned(),
                text,
                weight,
            });
        }
    }

    fn finish(mut self, requirement: &str) -> Draft {
        // A field named after an entity refers to it.
        let names: Vec<String> = self.entities.iter().map(|e| e.name.clone()).collect();
        for entity in &mut self.entities {
            for f in &mut entity.fields {
                if f.kind == FieldKind::Text && names.contains(&f.name) && f.name != entity.name {
                    let to = f.name.clone();
                    f.name = format!("{to}_id");
                    f.kind = FieldKind::Reference(to);
                }
            }
        }
        if self.entities.is_empty() {
            self.ask(
                "entities",
                "The requirement names nothing the service keeps: which kinds of record are \
                 there, and what does each have? (--answer entities=book,member --answer \
                 fields.book=title,author,year:integer)"
                    .into(),
                1.0,
            );
        }
        // A named operation whose effect the requirement does not give sets a flag named
        // after it (borrow: borrowed = true), or clears its inverse's (return after borrow:
        // borrowed = false); the question lets the user say otherwise.
        let verbs: Vec<(String, String)> = self
            .custom
            .iter()
            .filter_map(|op| match &op.kind {
                OperationKind::Custom { name, .. } => Some((op.entity.clone(), name.clone())),
                _ => None,
            })
            .collect();
        let mut asked = Vec::new();
        for op in &mut self.custom {
            let OperationKind::Custom { name, sets } = &mut op.kind else {
                continue;
            };
            if sets.is_some() {
                continue;
            }
            let undone = INVERSES.iter().find_map(|(first, then)| {
                (then == name && verbs.contains(&(op.entity.clone(), (*first).to_owned())))
                    .then_some(*first)
            });
            let effect = match undone {
                Some(first) => (participle(first), "false".to_owned()),
                None => (participle(name), "true".to_owned()),
            };
            asked.push((
                format!("sets.{name}"),
                format!(
                    "{name} on a {} sets {} to {}; if it does something else, say what \
                     (--answer sets.{name}=FIELD=VALUE)",
                    op.entity.replace('_', " "),
                    effect.0,
                    effect.1
                ),
            ));
            *sets = Some(effect);
        }
        for op in &self.custom {
            if let OperationKind::Custom {
                sets: Some((field, _)),
                ..
            } = &op.kind
            {
                let entity = self
                    .entities
                    .iter_mut()
                    .find(|e| e.name == op.entity)
                    .expect("every operation's entity is known");
                if !entity.fields.iter().any(|f| &f.name == field) {
                    entity.fields.push(Field {
                        name: field.clone(),
                        kind: FieldKind::Boolean,
                        required: false,
                        unique: false,
                    });
                }
            }
        }
        for (key, text) in asked {
            self.ask(&key, text, 0.05);
        }
        for question in bare_questions(&self.entities) {
            self.ask(&question.key, question.text, question.weight);
        }
        let mut questions = self.questions;
        questions.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        let ambiguity = ambiguity(&questions);
        let name = NAMED
            .captures(&requirement.to_lowercase())
            .map(|c| kebab(&snake(&c[1])))
            .filter(|n| !n.is_empty() && !VAGUE.iter().any(|v| n.contains(v)))
            .or_else(|| {
                self.entities
                    .first()
                    .map(|e| format!("{}-service", kebab(&e.name)))
            })
            .unwrap_or_else(|| "service".to_owned());
        let mut operations = Vec::new();
        for entity in &self.entities {
            for kind in OperationKind::CRUD {
                operations.push(Operation {
                    entity: entity.name.clone(),
                    kind,
                });
            }
            operations.extend(
                self.custom
                    .iter()
                    .filter(|o| o.entity == entity.name)
                    .cloned(),
            );
        }
        let mut spec = Spec {
            name,
            requirement: requirement.trim().to_owned(),
            entities: self.entities,
            relations: Vec::new(),
            operations,
            non_functional: self.non_functional,
            acceptance: Vec::new(),
        };
        spec.relations = relations_of(&spec);
        spec.acceptance = criteria(&spec, &self.not_twice);
        Draft {
            spec,
            questions,
            ambiguity,
            not_twice: self.not_twice,
        }
    }
}

/// The checks the spec implies, and the stated ones it understood.
pub(crate) fn criteria(spec: &Spec, not_twice: &[(String, String)]) -> Vec<Criterion> {
    let mut checks: Vec<(String, Check)> = Vec::new();
    for entity in &spec.entities {
        let e = entity.name.replace('_', " ");
        checks.push((
            format!("A {e} created with its required fields is read back the same, with an id."),
            Check::RoundTrip {
                entity: entity.name.clone(),
            },
        ));
        for field in entity.fields.iter().filter(|f| f.required) {
            checks.push((
                format!(
                    "A {e} without its {} is refused.",
                    field.name.replace('_', " ")
                ),
                Check::Required {
                    entity: entity.name.clone(),
                    field: field.name.clone(),
                },
            ));
        }
        for field in entity.fields.iter().filter(|f| f.unique) {
            checks.push((
                format!(
                    "Two {}s cannot share a {}.",
                    e,
                    field.name.replace('_', " ")
                ),
                Check::Unique {
                    entity: entity.name.clone(),
                    field: field.name.clone(),
                },
            ));
        }
    }
    for relation in &spec.relations {
        checks.push((
            format!(
                "A {} that refers to a {} that does not exist is refused.",
                relation.from.replace('_', " "),
                relation.to.replace('_', " ")
            ),
            Check::ReferenceExists {
                entity: relation.from.clone(),
                field: relation.field.clone(),
            },
        ));
    }
    for op in &spec.operations {
        if let OperationKind::Custom {
            name,
            sets: Some(_),
        } = &op.kind
        {
            checks.push((
                format!(
                    "{name} changes the {} it is applied to.",
                    op.entity.replace('_', " ")
                ),
                Check::Applies {
                    entity: op.entity.clone(),
                    operation: name.clone(),
                },
            ));
        }
    }
    for (entity, verb) in not_twice {
        let known = spec.operations.iter().find_map(|op| match &op.kind {
            OperationKind::Custom { name, .. }
                if op.entity == *entity
                    && (name.starts_with(verb.as_str()) || verb.starts_with(name.as_str())) =>
            {
                Some(name.clone())
            }
            _ => None,
        });
        if let Some(operation) = known {
            checks.push((
                format!(
                    "A {} cannot be {operation} twice in a row.",
                    entity.replace('_', " ")
                ),
                Check::NotTwice {
                    entity: entity.clone(),
                    operation,
                },
            ));
        }
    }
    if spec.non_functional.authentication {
        checks.push((
            "A request without a valid token is refused.".into(),
            Check::NeedsToken,
        ));
    }
    checks
        .into_iter()
        .enumerate()
        .map(|(i, (text, check))| Criterion {
            id: format!("ac-{}", i + 1),
            text,
            check,
        })
        .collect()
}

fn is_vague(name: &str) -> bool {
    VAGUE.contains(&name) || VAGUE.contains(&plural(name).as_str())
}

/// The noun phrase of a list item, without what follows it (`books by author` → `books`).
fn noun_phrase(item: &str) -> &str {
    let cut = [
        " by ", " for ", " with ", " that ", " which ", " in ", " on ", " of ",
    ]
    .iter()
    .filter_map(|w| item.find(w))
    .min()
    .unwrap_or(item.len());
    &item[..cut]
}

/// Verbs that are one of CRUD's five (every entity has those), or that say nothing of what
/// changes (`do`, `use`, `access`).
fn crud(verb: &str) -> bool {
    matches!(
        verb,
        "do" | "use"
            | "access"
            | "perform"
            | "handle"
            | "record"
            | "log"
            | "add"
            | "create"
            | "register"
            | "post"
            | "submit"
            | "write"
            | "new"
            | "view"
            | "see"
            | "get"
            | "read"
            | "show"
            | "look_up"
            | "list"
            | "browse"
            | "search"
            | "find"
            | "filter"
            | "edit"
            | "update"
            | "change"
            | "rename"
            | "modify"
            | "delete"
            | "remove"
            | "erase"
            | "manage"
            | "maintain"
            | "administer"
            | "track"
            | "keep"
    )
}

/// An item of an operation list: its verb (`check_out` for a verb with a particle), its noun
/// phrase if any, and the state after `as` (`mark a todo as done`).
fn verb_phrase(item: &str) -> (String, Option<String>, Option<String>) {
    let (head, state) = match item.split_once(" as ") {
        Some((head, state)) => (head, Some(state.trim().to_owned())),
        None => (item, None),
    };
    let mut w = words(head);
    if w.is_empty() {
        return (String::new(), None, state);
    }
    let mut verb = w.remove(0);
    if w.first()
        .is_some_and(|x| matches!(x.as_str(), "out" | "in" | "up" | "off" | "back" | "down"))
    {
        verb = format!("{verb}_{}", w.remove(0));
    }
    while w.first().is_some_and(|x| {
        [
            "a", "an", "the", "their", "its", "his", "her", "our", "all", "any", "some", "own",
        ]
        .contains(&x.as_str())
    }) {
        w.remove(0);
    }
    // "sign up for an event": the noun after a preposition.
    if w.first()
        .is_some_and(|x| matches!(x.as_str(), "for" | "to" | "on" | "at" | "from" | "into"))
    {
        w.remove(0);
        while w
            .first()
            .is_some_and(|x| matches!(x.as_str(), "a" | "an" | "the"))
        {
            w.remove(0);
        }
    }
    // "mark them complete": a pronoun and the state it is put in.
    let mut state = state;
    if state.is_none() && w.len() > 1 && matches!(w[0].as_str(), "it" | "them") {
        state = Some(w.split_off(1).join(" "));
    }
    let phrase = w.join(" ");
    let noun = noun_phrase(&phrase).trim();
    let noun = (!noun.is_empty()).then(|| noun.to_owned());
    (verb, noun, state)
}

/// A field from a list item: `a due date`, `an optional note`, `a unique email`, `a
/// priority (low, medium, high)`, `a number of pages`, `whether it is done`.
pub(crate) fn field(item: &str) -> Option<Field> {
    let (head, inside) = match item.split_once('(') {
        Some((head, rest)) => (head, Some(rest.trim_end_matches(')').to_owned())),
        None => (item, None),
    };
    let mut w = words(head);
    let mut required = true;
    let mut unique = false;
    w.retain(|x| match x.as_str() {
        "optional" => {
            required = false;
            false
        }
        "required" | "mandatory" => false,
        "unique" => {
            unique = true;
            false
        }
        _ => true,
    });
    // "whether it is done" → done.
    if w.first().is_some_and(|x| x == "whether" || x == "if") {
        w.retain(|x| {
            !matches!(
                x.as_str(),
                "whether" | "if" | "it" | "is" | "has" | "been" | "they" | "are"
            )
        });
        if w.is_empty() {
            return None;
        }
        return Some(Field {
            name: w.join("_"),
            kind: FieldKind::Boolean,
            required: false,
            unique,
        });
    }
    // "a number of pages" → pages, a whole number.
    let mut counted = false;
    if w.len() > 2 && w[0] == "number" && w[1] == "of" {
        w.drain(..2);
        counted = true;
    }
    if w.is_empty() {
        return None;
    }
    let name = w.join("_");
    let kind = match inside.as_deref().map(str::trim) {
        Some(inside) => hinted(inside).unwrap_or_else(|| {
            let choices: Vec<String> = list_items(&inside.replace(" or ", ", "))
                .iter()
                .map(|c| snake(c))
                .filter(|c| !c.is_empty())
                .collect();
            if choices.len() > 1 {
                FieldKind::Choice(choices)
            } else {
                kind_of(&w)
            }
        }),
        None if counted => FieldKind::Integer,
        None => kind_of(&w),
    };
    let required = required && kind != FieldKind::Boolean;
    Some(Field {
        name,
        kind,
        required,
        unique,
    })
}

/// A type named in parentheses: `(a number)`, `(date)`, `(yes or no)`.
fn hinted(inside: &str) -> Option<FieldKind> {
    let w = words(inside);
    let joined = w.join(" ");
    Some(match joined.as_str() {
        "number" | "integer" | "whole number" | "count" => FieldKind::Integer,
        "decimal" | "amount" | "money" | "price" => FieldKind::Decimal,
        "date" => FieldKind::Date,
        "date and time" | "datetime" | "time" | "timestamp" => FieldKind::DateTime,
        "yes or no" | "true or false" | "boolean" | "flag" => FieldKind::Boolean,
        "email" | "e mail" | "email address" => FieldKind::Email,
        "url" | "link" | "web address" => FieldKind::Url,
        "text" | "string" => FieldKind::Text,
        _ => return None,
    })
}

/// The type a field's name suggests.
fn kind_of(w: &[String]) -> FieldKind {
    let last = w.last().map(String::as_str).unwrap_or_default();
    let has = |x: &str| w.iter().any(|y| y == x);
    if has("email") || (has("e") && has("mail")) {
        FieldKind::Email
    } else if has("phone") || has("telephone") || has("mobile") {
        // A phone number is written with spaces, dashes and a leading + or 0.
        FieldKind::Text
    } else if ["url", "link", "website", "homepage"].contains(&last) {
        FieldKind::Url
    } else if ["date", "day", "birthday", "deadline", "due"].contains(&last) || has("date") {
        FieldKind::Date
    } else if ["at", "time", "timestamp", "datetime", "starts", "ends"].contains(&last) {
        FieldKind::DateTime
    } else if [
        "price", "cost", "amount", "total", "balance", "salary", "fee",
    ]
    .contains(&last)
    {
        FieldKind::Decimal
    } else if [
        "quantity", "count", "age", "year", "pages", "capacity", "rating", "seats", "stock",
        "size", "score", "copies", "number",
    ]
    .contains(&last)
    {
        FieldKind::Integer
    } else if [
        "done",
        "completed",
        "complete",
        "active",
        "available",
        "published",
        "paid",
        "archived",
        "enabled",
        "returned",
        "approved",
    ]
    .contains(&last)
        || w.first().is_some_and(|x| x == "is")
    {
        FieldKind::Boolean
    } else {
        FieldKind::Text
    }
}

/// Named operations and the ones that undo them.
const INVERSES: [(&str, &str); 8] = [
    ("borrow", "return"),
    ("check_out", "check_in"),
    ("lend", "return"),
    ("publish", "unpublish"),
    ("archive", "unarchive"),
    ("archive", "restore"),
    ("lock", "unlock"),
    ("open", "close"),
];

/// The past participle of a verb (`borrow` → `borrowed`, `check_out` → `checked_out`), the
/// name of the flag it sets.
pub(crate) fn participle(verb: &str) -> String {
    let (head, rest) = match verb.split_once('_') {
        Some((head, rest)) => (head, format!("_{rest}")),
        None => (verb, String::new()),
    };
    const IRREGULAR: [(&str, &str); 12] = [
        ("pay", "paid"),
        ("buy", "bought"),
        ("send", "sent"),
        ("sell", "sold"),
        ("hold", "held"),
        ("keep", "kept"),
        ("lend", "lent"),
        ("make", "made"),
        ("read", "read"),
        ("write", "written"),
        ("cancel", "cancelled"),
        ("set", "set"),
    ];
    const DOUBLED: [&str; 10] = [
        "stop", "ship", "plan", "drop", "submit", "admit", "tag", "pin", "star", "flag",
    ];
    let done = if let Some((_, p)) = IRREGULAR.iter().find(|(v, _)| *v == head) {
        (*p).to_owned()
    } else if DOUBLED.contains(&head) {
        format!("{head}{}ed", &head[head.len() - 1..])
    } else if head.ends_with('e') {
        format!("{head}d")
    } else if let Some(stem) = head.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ied")
    } else {
        format!("{head}ed")
    };
    format!("{done}{rest}")
}
