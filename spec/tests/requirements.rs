//! Requirements from different domains, read as `tdev new` reads them: what each gives, and
//! what a vague or inconsistent one gets instead of a service.

use tdev_spec::{
    Answers, Check, FieldKind, OperationKind, Persistence, RateLimit, problems, read, read_with,
};

/// The fields of `entity` as `name:kind` (`?` when optional, `!` when unique).
fn fields(draft: &tdev_spec::Draft, entity: &str) -> Vec<String> {
    let entity = draft
        .spec
        .entity(entity)
        .unwrap_or_else(|| panic!("no entity {entity} in {:#?}", draft.spec.entities));
    entity
        .fields
        .iter()
        .map(|f| {
            let kind = match &f.kind {
                FieldKind::Choice(values) => format!("choice({})", values.join("|")),
                FieldKind::Reference(to) => format!("ref({to})"),
                other => serde_json::to_value(other).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            };
            let marks = format!(
                "{}{}",
                if f.required { "" } else { "?" },
                if f.unique { "!" } else { "" }
            );
            format!("{}:{kind}{marks}", f.name)
        })
        .collect()
}

fn entities_of(draft: &tdev_spec::Draft) -> Vec<&str> {
    draft
        .spec
        .entities
        .iter()
        .map(|e| e.name.as_str())
        .collect()
}

fn custom(draft: &tdev_spec::Draft) -> Vec<String> {
    draft
        .spec
        .operations
        .iter()
        .filter_map(|op| match &op.kind {
            OperationKind::Custom { name, sets } => Some(match sets {
                Some((field, value)) => format!("{}.{name}:{field}={value}", op.entity),
                None => format!("{}.{name}", op.entity),
            }),
            _ => None,
        })
        .collect()
}

/// A requirement, the entities it gives with their fields, and its named operations.
type Case = (
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
    &'static [&'static str],
);

#[test]
fn requirements_from_different_domains_give_their_entities_fields_and_operations() {
    let table: [Case; 6] = [
        (
            "A todo list service. A todo has a title, an optional note, a due date and a \
             priority (low, medium, high). Users can add, edit and delete todos, and mark a \
             todo as done.",
            &[(
                "todo",
                &[
                    "title:text",
                    "note:text?",
                    "due_date:date",
                    "priority:choice(low|medium|high)",
                    "done:boolean?",
                ],
            )],
            &["todo.mark_done:done=true"],
        ),
        (
            "Library loans. A book has a title, an author, a unique isbn and a number of \
             copies. A member has a name and an email. A loan belongs to a member. A loan \
             belongs to a book. Members can borrow a book and return it.",
            &[
                (
                    "book",
                    &[
                        "title:text",
                        "author:text",
                        "isbn:text!",
                        "copies:integer",
                        "borrowed:boolean?",
                    ],
                ),
                ("member", &["name:text", "email:email"]),
                ("loan", &["member_id:ref(member)", "book_id:ref(book)"]),
            ],
            &["book.borrow:borrowed=true", "book.return:borrowed=false"],
        ),
        (
            "An inventory service. Each product has a name, a sku, a price and a quantity. \
             Staff can list products and restock a product.",
            &[(
                "product",
                &[
                    "name:text",
                    "sku:text",
                    "price:decimal",
                    "quantity:integer",
                    "restocked:boolean?",
                ],
            )],
            &["product.restock:restocked=true"],
        ),
        (
            "- A room has a name and a capacity\n- A booking has a room, a guest email, a start \
             time and an end time\n- Guests can create bookings and cancel a booking",
            &[
                ("room", &["name:text", "capacity:integer"]),
                (
                    "booking",
                    &[
                        "room_id:ref(room)",
                        "guest_email:email",
                        "start_time:datetime",
                        "end_time:datetime",
                        "cancelled:boolean?",
                    ],
                ),
            ],
            &["booking.cancel:cancelled=true"],
        ),
        (
            "A blog. A post has a title, a body and a published date. A comment has an author \
             name and a text. A post has many comments. Authors can publish a post.",
            &[
                (
                    "post",
                    &[
                        "title:text",
                        "body:text",
                        "published_date:date",
                        "published:boolean?",
                    ],
                ),
                (
                    "comment",
                    &["author_name:text", "text:text", "post_id:ref(post)"],
                ),
            ],
            &["post.publish:published=true"],
        ),
        (
            "A recipe has a name, a number of servings and a website. An ingredient has a \
             name and an amount (decimal). An ingredient belongs to a recipe.",
            &[
                ("recipe", &["name:text", "servings:integer", "website:url"]),
                (
                    "ingredient",
                    &["name:text", "amount:decimal", "recipe_id:ref(recipe)"],
                ),
            ],
            &[],
        ),
    ];
    for (requirement, entities, operations) in table {
        let draft = read(requirement);
        let names = entities_of(&draft);
        let expected: Vec<&str> = entities.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, expected, "{requirement}");
        for (entity, expected) in entities {
            assert_eq!(
                fields(&draft, entity),
                *expected,
                "{entity} in {requirement}"
            );
        }
        assert_eq!(custom(&draft), *operations, "{requirement}");
        assert!(
            draft.is_clear(),
            "{requirement}: ambiguity {} with {:#?}",
            draft.ambiguity,
            draft.questions
        );
        assert_eq!(problems(&draft.spec), Vec::<String>::new(), "{requirement}");
        // Every entity has the five CRUD operations.
        for entity in &draft.spec.entities {
            let crud = draft
                .spec
                .operations
                .iter()
                .filter(|op| op.entity == entity.name)
                .filter(|op| !matches!(op.kind, OperationKind::Custom { .. }))
                .count();
            assert_eq!(crud, 5, "{} in {requirement}", entity.name);
        }
    }
}

#[test]
fn the_spec_names_the_service_from_the_requirement_or_its_first_entity() {
    assert_eq!(
        read("A todo list service. A todo has a title.").spec.name,
        "todo-list"
    );
    assert_eq!(read("A room has a name.").spec.name, "room-service");
    assert_eq!(
        read("An inventory service. Each product has a name.")
            .spec
            .name,
        "inventory"
    );
}

#[test]
fn what_the_service_keeps_is_named_apart_from_what_each_has() {
    let draft = read(
        "A library service with books and members. It tracks loans. A book has a title. A \
         member has a name. A loan has a book and a member.",
    );
    let names = entities_of(&draft);
    assert_eq!(names, ["book", "member", "loan"]);
    assert_eq!(
        fields(&draft, "loan"),
        ["book_id:ref(book)", "member_id:ref(member)"]
    );
    assert!(draft.is_clear(), "{:#?}", draft.questions);
}

#[test]
fn requirements_written_in_one_breath_are_read_too() {
    // What a person types in one go: the fields in a "with" clause, a pronoun and its
    // state, a colon and a semicolon between the parts, signing up and in.
    let draft = read(
        "A simple todo app where users can create tasks with a title and a due date, and mark \
         them complete.",
    );
    assert_eq!(entities_of(&draft), ["task"]);
    assert_eq!(
        fields(&draft, "task"),
        ["title:text", "due_date:date", "complete:boolean?"]
    );
    assert_eq!(custom(&draft), ["task.mark_complete:complete=true"]);
    assert!(draft.is_clear(), "{:#?}", draft.questions);

    let draft = read(
        "I need an API for a bookstore: books have a title, author and price; customers can \
         order books.",
    );
    assert_eq!(
        fields(&draft, "book"),
        [
            "title:text",
            "author:text",
            "price:decimal",
            "ordered:boolean?"
        ]
    );

    let draft = read(
        "An event calendar. Events have a name, a start date and an organiser phone. People \
         can sign up for an event. Vets can record a visit for an event.",
    );
    assert_eq!(
        fields(&draft, "event"),
        [
            "name:text",
            "start_date:date",
            "organiser_phone:text",
            "signed_up:boolean?"
        ]
    );
    assert_eq!(custom(&draft), ["event.sign_up:signed_up=true"]);
    assert_eq!(entities_of(&draft), ["event", "visit"]);

    let draft = read("Track expenses with an amount, a category (food, rent, travel) and a date.");
    assert_eq!(entities_of(&draft), ["expense"]);
    assert_eq!(
        fields(&draft, "expense"),
        [
            "amount:decimal",
            "category:choice(food|rent|travel)",
            "date:date"
        ]
    );
    assert_eq!(
        draft.ambiguity.to_string(),
        "0",
        "no question, no ambiguity"
    );

    let draft = read("Users can register, log in and post messages. A message has a text.");
    assert_eq!(entities_of(&draft), ["message"]);
    assert!(draft.spec.non_functional.authentication);
    assert_eq!(custom(&draft), Vec::<String>::new());
}

#[test]
fn a_vague_requirement_gets_questions_not_a_spec_to_build() {
    for vague in [
        "A system for stuff.",
        "Something to keep track of things.",
        "An app that manages data.",
        "Keep everything in memory.",
        "",
    ] {
        let draft = read(vague);
        assert!(
            !draft.is_clear(),
            "{vague:?} is clear enough to build: {:#?}",
            draft.spec
        );
        assert_eq!(draft.questions[0].key, "entities", "{vague:?}");
        assert!(
            draft.spec.entities.is_empty(),
            "{vague:?}: {:?}",
            draft.spec.entities
        );
    }
}

/// "Keep everything in memory" says where records are kept; what they are, the other
/// sentences say.
#[test]
fn everything_kept_in_memory_is_not_a_vague_requirement() {
    let draft = read("A note has a title and a text. Keep everything in memory.");
    assert!(draft.is_clear(), "{:?}", draft.questions);
    assert_eq!(draft.spec.non_functional.persistence, Persistence::Memory);
}

#[test]
fn an_entity_named_but_not_described_is_a_question() {
    let draft = read("Users can add notes and list notes.");
    assert_eq!(draft.spec.entities.len(), 1);
    let keys: Vec<&str> = draft.questions.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["fields.note"]);
    assert!(draft.questions[0].text.contains("--answer fields.note="));
}

#[test]
fn answers_fill_the_gaps_and_drop_their_questions() {
    let answers = Answers::parse([
        "# what the service keeps",
        "entities=books, members",
        "fields.book=title,year:integer,isbn!,status:choice(shelved|lent),note?",
        "fields.member=name,email,book:ref(book)",
        "auth=yes",
    ])
    .unwrap();
    let draft = read_with("A system for stuff.", &answers).unwrap();
    assert!(draft.is_clear(), "{:#?}", draft.questions);
    assert_eq!(
        fields(&draft, "book"),
        [
            "title:text",
            "year:integer",
            "isbn:text!",
            "status:choice(shelved|lent)",
            "note:text?"
        ]
    );
    assert_eq!(
        fields(&draft, "member"),
        ["name:text", "email:email", "book:ref(book)"]
    );
    assert_eq!(draft.spec.relations.len(), 1);
    assert!(draft.spec.non_functional.authentication);
    assert!(
        draft
            .spec
            .acceptance
            .iter()
            .any(|c| c.check == Check::NeedsToken)
    );
}

#[test]
fn an_answer_that_cannot_apply_says_which_and_what_to_write() {
    let cases = [
        ("fields.book", "--answer fields.book: unknown type number"),
        ("colour=blue", "--answer colour: unknown key"),
        (
            "sets.fly=up=true",
            "--answer sets.fly: the requirement names no operation fly",
        ),
        ("auth=maybe", "--answer auth: answer yes or no"),
    ];
    for (answer, expected) in cases {
        let line = if answer == "fields.book" {
            "fields.book=pages:number"
        } else {
            answer
        };
        let error = Answers::parse([line])
            .and_then(|answers| read_with("A book has a title.", &answers))
            .unwrap_err();
        assert!(error.to_string().starts_with(expected), "{answer}: {error}");
    }
    let error = Answers::parse(["no equals sign"]).unwrap_err();
    assert!(error.to_string().contains("KEY=VALUE"), "{error}");
}

#[test]
fn an_inconsistent_spec_is_caught_before_anything_is_generated() {
    let answers = Answers::parse([
        "fields.loan=member:ref(member),member:ref(member),status:choice(open)",
        "sets.borrow=missing=true",
    ])
    .unwrap();
    let draft = read_with("A loan has a date. Members can borrow a loan.", &answers).unwrap();
    let found = problems(&draft.spec);
    for expected in [
        "loan.member refers to member, which is not an entity",
        "loan.member is named twice",
        "loan.status is a choice of fewer than two values",
        "borrow sets loan.missing, which is not a field",
        "the relation loan → member names member, which is not an entity",
    ] {
        assert!(
            found.iter().any(|p| p == expected),
            "{expected:?} not in {found:#?}"
        );
    }
}

#[test]
fn non_functional_requirements_are_read_from_any_sentence() {
    let draft = read(
        "A note has a title. Only logged in users can see notes. Requests must be answered \
         within 200 ms. At most 100 requests per minute. Notes are kept in memory.",
    );
    let nf = &draft.spec.non_functional;
    assert!(nf.authentication);
    assert_eq!(nf.latency_p95_ms, Some(200));
    assert_eq!(
        nf.rate_limit,
        Some(RateLimit {
            requests: 100,
            per_seconds: 60
        })
    );
    assert_eq!(nf.persistence, Persistence::Memory);
    let plain = read("A note has a title.");
    assert!(!plain.spec.non_functional.authentication);
    assert_eq!(plain.spec.non_functional.persistence, Persistence::Database);
}

#[test]
fn acceptance_criteria_follow_from_the_spec_and_from_stated_rules() {
    let draft = read(
        "A book has a title and a unique isbn. A loan belongs to a book. Members can borrow \
         a book and return it. A book cannot be borrowed twice. Loans should be friendly.",
    );
    let checks: Vec<&Check> = draft.spec.acceptance.iter().map(|c| &c.check).collect();
    for expected in [
        Check::RoundTrip {
            entity: "book".into(),
        },
        Check::Required {
            entity: "book".into(),
            field: "title".into(),
        },
        Check::Unique {
            entity: "book".into(),
            field: "isbn".into(),
        },
        Check::ReferenceExists {
            entity: "loan".into(),
            field: "book_id".into(),
        },
        Check::Applies {
            entity: "book".into(),
            operation: "borrow".into(),
        },
        Check::NotTwice {
            entity: "book".into(),
            operation: "borrow".into(),
        },
    ] {
        assert!(
            checks.contains(&&expected),
            "{expected:?} not in {checks:#?}"
        );
    }
    let ids: Vec<&str> = draft
        .spec
        .acceptance
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids[0], "ac-1");
    // A rule tdev cannot test becomes a question, not a criterion.
    let rule = draft
        .questions
        .iter()
        .find(|q| q.text.contains("loans should be friendly"))
        .unwrap_or_else(|| panic!("{:#?}", draft.questions));
    assert_eq!(rule.key, "criterion.1");
}
