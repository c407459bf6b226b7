//! The rules a spec must keep before anything is generated from it: no operation, relation
//! or reference names an entity that does not exist; no entity or field is named twice; a
//! choice offers at least two values.

use crate::model::{FieldKind, OperationKind, Spec};
use std::collections::BTreeSet;

/// Everything wrong with `spec`, each in one sentence that names the thing; empty when
/// nothing is.
pub fn problems(spec: &Spec) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for entity in &spec.entities {
        if !seen.insert(entity.name.as_str()) {
            problems.push(format!("the entity {} is named twice", entity.name));
        }
        let mut fields = BTreeSet::new();
        for field in &entity.fields {
            if field.name == "id" {
                problems.push(format!(
                    "{}.id is a field of its own; every entity has an id already",
                    entity.name
                ));
            }
            if !fields.insert(field.name.as_str()) {
                problems.push(format!("{}.{} is named twice", entity.name, field.name));
            }
            match &field.kind {
                FieldKind::Reference(to) if spec.entity(to).is_none() => problems.push(format!(
                    "{}.{} refers to {to}, which is not an entity",
                    entity.name, field.name
                )),
                FieldKind::Choice(values) if values.len() < 2 => problems.push(format!(
                    "{}.{} is a choice of fewer than two values",
                    entity.name, field.name
                )),
                _ => {}
            }
        }
    }
    for relation in &spec.relations {
        for end in [&relation.from, &relation.to] {
            if spec.entity(end).is_none() {
                problems.push(format!(
                    "the relation {} → {} names {end}, which is not an entity",
                    relation.from, relation.to
                ));
            }
        }
    }
    for op in &spec.operations {
        let Some(entity) = spec.entity(&op.entity) else {
            problems.push(format!(
                "an operation acts on {}, which is not an entity",
                op.entity
            ));
            continue;
        };
        if let OperationKind::Custom {
            name,
            sets: Some((field, _)),
        } = &op.kind
            && !entity.fields.iter().any(|f| &f.name == field)
        {
            problems.push(format!(
                "{name} sets {}.{field}, which is not a field",
                entity.name
            ));
        }
    }
    problems
}
