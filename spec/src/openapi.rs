//! The spec as an OpenAPI 3.1 document, and its data model as a Mermaid ER diagram.
//!
//! Each entity is a collection at `/{plural}` (`GET` lists with `limit` and `offset`, `POST`
//! creates) and its records at `/{plural}/{id}` (`GET`, `PATCH` with the fields to change,
//! `DELETE`); a named operation is `POST /{plural}/{id}/{operation}`. Three schemas per
//! entity: the record (with its `id`), what creating one takes (its required fields
//! required) and what updating takes (every field optional). Errors are `{"detail": ...}`:
//! 404 for no such record, 409 for a conflict with the records there are (a unique value
//! taken, a reference to a record that does not exist, an operation that cannot happen
//! twice, deleting a record others refer to), 422 for a body that does not fit the schema. With authentication, every operation
//! needs a bearer token (401 without); `GET /health`, which says the service is up, needs
//! none. Whole numbers and ids are 64-bit, as a database keeps them.

use crate::model::{Entity, FieldKind, OperationKind, Spec};
use crate::names::{capitalised, pascal, words};
use serde_json::{Map, Value, json};

/// The largest id and whole number: a database's signed 64-bit integer.
pub const MAX_INTEGER: i64 = i64::MAX;

/// The OpenAPI 3.1 document of `spec`.
pub fn openapi(spec: &Spec) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }),
    );
    for entity in &spec.entities {
        let kind = pascal(&entity.name);
        schemas.insert(kind.clone(), record(entity));
        schemas.insert(format!("{kind}Create"), body(entity, true));
        schemas.insert(format!("{kind}Update"), body(entity, false));
        let (one, many) = (&entity.name, &entity.plural);
        let refer = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
        let id = json!({
            "name": "id", "in": "path", "required": true,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
        });
        let answer = |status: &str, what: String, schema: Value| {
            (
                status.to_owned(),
                json!({"description": what, "content": {"application/json": {"schema": schema}}}),
            )
        };
        let not_found = answer(
            "404",
            format!("No {} has this id.", words(one)),
            refer("Error"),
        );
        let unfit = answer(
            "422",
            "The body does not fit the schema.".into(),
            refer("Error"),
        );
        let conflict = answer(
            "409",
            format!(
                "The {} conflicts with the records there are: a value another has, or a \
                 reference to a record that does not exist.",
                words(one)
            ),
            refer("Error"),
        );
        paths.insert(
            format!("/{many}"),
            json!({
                "get": {
                    "operationId": format!("list_{many}"),
                    "summary": format!("List the {}.", words(many)),
                    "parameters": [
                        {"name": "limit", "in": "query", "required": false,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
                        {"name": "offset", "in": "query", "required": false,
                         "schema": {"type": "integer", "minimum": 0, "default": 0}},
                    ],
                    "responses": responses([
                        answer("200", format!("The {}, oldest first.", words(many)),
                               json!({"type": "array", "items": refer(&kind)})),
                        unfit.clone(),
                    ]),
                },
                "post": {
                    "operationId": format!("create_{one}"),
                    "summary": format!("Create a {}.", words(one)),
                    "requestBody": {"required": true, "content": {"application/json": {"schema": refer(&format!("{kind}Create"))}}},
                    "responses": responses([
                        answer("201", format!("The {} created.", words(one)), refer(&kind)),
                        conflict.clone(),
                        unfit.clone(),
                    ]),
                },
            }),
        );
        paths.insert(
            format!("/{many}/{{id}}"),
            json!({
                "parameters": [id.clone()],
                "get": {
                    "operationId": format!("get_{one}"),
                    "summary": format!("Read a {}.", words(one)),
                    "responses": responses([
                        answer("200", format!("The {}.", words(one)), refer(&kind)),
                        not_found.clone(),
                        unfit.clone(),
                    ]),
                },
                "patch": {
                    "operationId": format!("update_{one}"),
                    "summary": format!("Change some of a {}'s fields.", words(one)),
                    "requestBody": {"required": true, "content": {"application/json": {"schema": refer(&format!("{kind}Update"))}}},
                    "responses": responses([
                        answer("200", format!("The {} changed.", words(one)), refer(&kind)),
                        not_found.clone(),
                        conflict.clone(),
                        unfit.clone(),
                    ]),
                },
                "delete": {
                    "operationId": format!("delete_{one}"),
                    "summary": format!("Delete a {}.", words(one)),
                    "responses": {
                        "204": {"description": format!("The {} is deleted.", words(one))},
                        "404": not_found.1.clone(),
                        "409": {
                            "description": format!(
                                "Other records refer to this {}: delete them first.",
                                words(one)
                            ),
                            "content": {"application/json": {"schema": refer("Error")}},
                        },
                        "422": unfit.1.clone(),
                    },
                },
            }),
        );
        for op in spec.operations.iter().filter(|op| &op.entity == one) {
            let OperationKind::Custom { name, sets } = &op.kind else {
                continue;
            };
            let effect = sets.as_ref().map_or(String::new(), |(field, value)| {
                format!(" Sets {field} to {value}.")
            });
            paths.insert(
                format!("/{many}/{{id}}/{}", name.replace('_', "-")),
                json!({
                    "parameters": [id.clone()],
                    "post": {
                        "operationId": format!("{name}_{one}"),
                        "summary": format!("{} a {}.{effect}", capitalised(&words(name)), words(one)),
                        "responses": responses([
                            answer("200", format!("The {} after the change.", words(one)), refer(&kind)),
                            not_found.clone(),
                            conflict.clone(),
                            unfit.clone(),
                        ]),
                    },
                }),
            );
        }
    }
    paths.insert(
        "/health".into(),
        json!({
            "get": {
                "operationId": "health",
                "summary": "Say whether the service is up.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The service is up.",
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {"status": {"const": "ok"}},
                            "required": ["status"],
                        }}},
                    },
                },
            },
        }),
    );
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": spec.name,
            "version": "0.1.0",
            "description": spec.requirement,
        },
        "paths": paths,
        "components": {"schemas": schemas},
    });
    if spec.non_functional.authentication {
        document["components"]["securitySchemes"] =
            json!({"bearer": {"type": "http", "scheme": "bearer"}});
        document["security"] = json!([{"bearer": []}]);
        for item in document["paths"]
            .as_object_mut()
            .into_iter()
            .flat_map(|p| p.values_mut())
        {
            for (method, operation) in item.as_object_mut().into_iter().flatten() {
                // An operation with its own empty `security` is open to all (`/health`).
                let open = operation.get("security") == Some(&json!([]));
                if method != "parameters" && !open {
                    operation["responses"]["401"] = json!({
                        "description": "No valid bearer token.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    });
                }
            }
        }
    }
    document
}

fn responses<const N: usize>(answers: [(String, Value); N]) -> Value {
    Value::Object(answers.into_iter().collect())
}

/// The record as stored: its id and every field.
fn record(entity: &Entity) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "id".into(),
        json!({"type": "integer", "minimum": 1, "maximum": MAX_INTEGER, "readOnly": true}),
    );
    let mut required = vec![json!("id")];
    for field in &entity.fields {
        let mut schema = schema(&field.kind);
        if !field.required {
            // An optional field is null until given.
            schema = json!({"anyOf": [schema, {"type": "null"}]});
        }
        properties.insert(field.name.clone(), schema);
        required.push(json!(field.name));
    }
    json!({"type": "object", "properties": properties, "required": required})
}

/// What creating (`create`: the required fields required) or updating (nothing required)
/// takes; nothing else is accepted.
fn body(entity: &Entity, create: bool) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in &entity.fields {
        properties.insert(field.name.clone(), schema(&field.kind));
        if create && field.required {
            required.push(json!(field.name));
        }
    }
    let mut schema =
        json!({"type": "object", "properties": properties, "additionalProperties": false});
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    if !create {
        schema["minProperties"] = json!(1);
    }
    schema
}

fn schema(kind: &FieldKind) -> Value {
    match kind {
        FieldKind::Text => json!({"type": "string", "minLength": 1}),
        FieldKind::Integer => {
            json!({"type": "integer", "minimum": i64::MIN, "maximum": MAX_INTEGER})
        }
        FieldKind::Decimal => json!({"type": "number"}),
        FieldKind::Boolean => json!({"type": "boolean"}),
        FieldKind::Date => json!({"type": "string", "format": "date"}),
        FieldKind::DateTime => json!({"type": "string", "format": "date-time"}),
        FieldKind::Email => json!({"type": "string", "format": "email"}),
        FieldKind::Url => json!({"type": "string", "format": "uri"}),
        FieldKind::Choice(values) => json!({"type": "string", "enum": values}),
        FieldKind::Reference(to) => json!({
            "type": "integer", "minimum": 1, "maximum": MAX_INTEGER,
            "description": format!("The id of a {}.", words(to)),
        }),
    }
}

/// The data model as a Mermaid ER diagram: each entity with its fields, each relation as
/// many-to-one.
pub fn mermaid(spec: &Spec) -> String {
    let mut out = String::from("erDiagram\n");
    for entity in &spec.entities {
        out.push_str(&format!("    {} {{\n", shouting(&entity.name)));
        out.push_str("        integer id PK\n");
        for field in &entity.fields {
            let (kind, key) = match &field.kind {
                FieldKind::Reference(_) => ("integer", " FK"),
                FieldKind::Text | FieldKind::Email | FieldKind::Url | FieldKind::Choice(_) => {
                    ("string", "")
                }
                FieldKind::Integer => ("integer", ""),
                FieldKind::Decimal => ("decimal", ""),
                FieldKind::Boolean => ("boolean", ""),
                FieldKind::Date => ("date", ""),
                FieldKind::DateTime => ("datetime", ""),
            };
            let unique = if field.unique { " UK" } else { "" };
            let key = if !key.is_empty() && !unique.is_empty() {
                " FK, UK"
            } else if key.is_empty() {
                unique
            } else {
                key
            };
            out.push_str(&format!("        {kind} {}{key}\n", field.name));
        }
        out.push_str("    }\n");
    }
    for relation in &spec.relations {
        out.push_str(&format!(
            "    {} ||--o{{ {} : \"{}\"\n",
            shouting(&relation.to),
            shouting(&relation.from),
            relation.field
        ));
    }
    out
}

/// `room_booking` → `ROOM_BOOKING`.
fn shouting(name: &str) -> String {
    name.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_its_path_method_and_schema() {
        let draft = crate::read(
            "A book has a title, a unique isbn and an optional note. A loan belongs to a book. \
             Members can borrow a book. Only logged in members can do this.",
        );
        let doc = openapi(&draft.spec);
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        let mut listed: Vec<String> = paths
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|m| *m != "parameters")
                    .map(move |m| format!("{m} {path}"))
            })
            .collect();
        listed.sort();
        assert_eq!(
            listed,
            [
                "delete /books/{id}",
                "delete /loans/{id}",
                "get /books",
                "get /books/{id}",
                "get /health",
                "get /loans",
                "get /loans/{id}",
                "patch /books/{id}",
                "patch /loans/{id}",
                "post /books",
                "post /books/{id}/borrow",
                "post /loans",
            ]
        );
        let create = &doc["components"]["schemas"]["BookCreate"];
        assert_eq!(create["required"], json!(["title", "isbn"]));
        assert_eq!(create["additionalProperties"], false);
        let update = &doc["components"]["schemas"]["BookUpdate"];
        assert!(update.get("required").is_none());
        assert_eq!(
            doc["components"]["schemas"]["Book"]["properties"]["note"]["anyOf"][1]["type"],
            "null"
        );
        assert_eq!(
            doc["paths"]["/books/{id}/borrow"]["post"]["responses"]["401"]["description"],
            "No valid bearer token."
        );
        assert_eq!(doc["security"], json!([{"bearer": []}]));
        // Saying the service is up needs no token.
        assert_eq!(doc["paths"]["/health"]["get"]["security"], json!([]));
        assert!(
            doc["paths"]["/health"]["get"]["responses"]
                .get("401")
                .is_none()
        );
        let ids: Vec<&str> = paths
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "{ids:?}");
    }

    #[test]
    fn the_er_diagram_has_each_entity_and_relation() {
        let draft = crate::read("A book has a title and a unique isbn. A loan belongs to a book.");
        expect(
            &mermaid(&draft.spec),
            "erDiagram\n    BOOK {\n        integer id PK\n        string title\n        string isbn UK\n    }\n    LOAN {\n        integer id PK\n        integer book_id FK\n    }\n    BOOK ||--o{ LOAN : \"book_id\"\n",
        );
    }

    fn expect(got: &str, wanted: &str) {
        assert_eq!(got, wanted, "\n{got}");
    }
}
