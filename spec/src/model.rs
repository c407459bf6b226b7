//! What a service is made of, as read from its requirement.

use serde::{Deserialize, Serialize};

/// A service: the things it keeps, how they relate, what can be done with them, how it must
/// behave, and how a test tells that it does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    /// The service's name, in `kebab-case` (a directory and package name).
    pub name: String,
    /// The requirement as given.
    pub requirement: String,
    /// The things the service keeps, in the order the requirement names them.
    pub entities: Vec<Entity>,
    /// Links between entities.
    pub relations: Vec<Relation>,
    /// What clients can do, per entity.
    pub operations: Vec<Operation>,
    /// How the service must behave beyond its operations.
    pub non_functional: NonFunctional,
    /// Statements a test checks.
    pub acceptance: Vec<Criterion>,
}

impl Spec {
    /// The entity named `name` (singular, `snake_case`).
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name == name)
    }
}

/// A kind of thing the service keeps: a table, a resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Singular, `snake_case`: `book`, `room_booking`.
    pub name: String,
    /// Plural, `snake_case`: the collection's path segment (`books`).
    pub plural: String,
    /// Its fields, without the `id` every entity has.
    pub fields: Vec<Field>,
}

impl Entity {
    /// An entity named `name` (singular, `snake_case`), with no fields yet; its plural is the
    /// last word's (`room_booking` → `room_bookings`, `sales_person` → `sales_people`).
    pub fn new(name: &str) -> Self {
        let last = name.rsplit('_').next().unwrap_or(name);
        Self {
            name: name.to_owned(),
            plural: format!(
                "{}{}",
                &name[..name.len() - last.len()],
                crate::words::plural(last)
            ),
            fields: Vec::new(),
        }
    }
}

/// One field of an entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// `snake_case`.
    pub name: String,
    /// What values it holds.
    pub kind: FieldKind,
    /// Whether a new record must give it.
    pub required: bool,
    /// Whether two records may not share a value.
    pub unique: bool,
}

/// The type of a field's values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type", content = "of")]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A whole number.
    Integer,
    /// A number with a fractional part (prices, amounts).
    Decimal,
    /// True or false.
    Boolean,
    /// A calendar date.
    Date,
    /// A date with a time of day.
    #[serde(rename = "datetime")]
    DateTime,
    /// An e-mail address.
    Email,
    /// A URL.
    Url,
    /// One of the values listed.
    Choice(Vec<String>),
    /// The id of a record of the entity named.
    Reference(String),
}

/// A many-to-one link: each record of `from` refers to one record of `to` through the field
/// `field`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// The entity whose records hold the reference.
    pub from: String,
    /// The entity referred to.
    pub to: String,
    /// The field of `from` that holds it.
    pub field: String,
}

/// Something clients can do with an entity's records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// The entity it acts on.
    pub entity: String,
    /// What it does.
    pub kind: OperationKind,
}

/// The operations: the five of CRUD, and named ones that change one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum OperationKind {
    /// Add a record.
    Create,
    /// Read one record by id.
    Read,
    /// List the records.
    List,
    /// Change a record's fields.
    Update,
    /// Remove a record.
    Delete,
    /// A named change of one record, such as `borrow` or `mark_done`.
    Custom {
        /// `snake_case`: the path segment after the record (`/books/{id}/borrow`).
        name: String,
        /// The field it sets and the value, when the requirement says (`done` = `true`).
        sets: Option<(String, String)>,
    },
}

impl OperationKind {
    /// The five of CRUD, which every entity has.
    pub const CRUD: [OperationKind; 5] = [
        OperationKind::Create,
        OperationKind::Read,
        OperationKind::List,
        OperationKind::Update,
        OperationKind::Delete,
    ];
}

/// How the service must behave beyond its operations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonFunctional {
    /// Whether clients must authenticate (a bearer token).
    pub authentication: bool,
    /// Where records are kept.
    pub persistence: Persistence,
    /// The 95th percentile of response time the requirement asks for, in milliseconds.
    pub latency_p95_ms: Option<u32>,
    /// At most this many requests per client.
    pub rate_limit: Option<RateLimit>,
}

impl Default for NonFunctional {
    fn default() -> Self {
        Self {
            authentication: false,
            persistence: Persistence::Database,
            latency_p95_ms: None,
            rate_limit: None,
        }
    }
}

/// Where records are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Persistence {
    /// A database file (SQLite), kept across restarts: the default.
    Database,
    /// Memory only, lost on restart: when the requirement says so.
    Memory,
}

/// A limit on requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// How many requests.
    pub requests: u32,
    /// In how many seconds.
    pub per_seconds: u32,
}

/// A statement a test checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Stable within a spec: `ac-1`, `ac-2`, ...
    pub id: String,
    /// The statement, in words.
    pub text: String,
    /// What the test does.
    pub check: Check,
}

/// The checks a generated test suite knows how to make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "check")]
pub enum Check {
    /// A record created with every required field is read back the same, with an id.
    RoundTrip {
        /// The entity.
        entity: String,
    },
    /// A record without this required field is refused (422).
    Required {
        /// The entity.
        entity: String,
        /// The field.
        field: String,
    },
    /// A second record with the same value of this field is refused (409).
    Unique {
        /// The entity.
        entity: String,
        /// The field.
        field: String,
    },
    /// A reference to a record that does not exist is refused (409: the body fits the
    /// schema, and conflicts with the records there are).
    ReferenceExists {
        /// The relation's entity.
        entity: String,
        /// Its reference field.
        field: String,
    },
    /// The named operation applies its change.
    Applies {
        /// The entity.
        entity: String,
        /// The operation's name.
        operation: String,
    },
    /// The named operation is refused when applied a second time in a row (409): the
    /// requirement says it cannot happen twice.
    NotTwice {
        /// The entity.
        entity: String,
        /// The operation's name.
        operation: String,
    },
    /// Requests without a token are refused (401).
    NeedsToken,
}

/// A question the requirement leaves open, with the key `--answer KEY=VALUE` answers it by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// What `--answer` names: `entities`, `fields.book`, `sets.borrow`.
    pub key: String,
    /// The question, with an example of an answer.
    pub text: String,
    /// How much it weighs in the requirement's ambiguity (0 to 1).
    pub weight: f64,
}
