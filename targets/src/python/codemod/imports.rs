//! The names a module's import statements bind, so that a codemod follows aliases
//! (`import yaml as y`, `from typing import Optional as Opt`) and knows which libraries a file
//! works with.
//!
//! Imports are collected wherever they are (inside functions and `try` blocks too) and treated
//! as module-wide: a codemod only needs to know that a name *can* refer to a module. Imports
//! under `if TYPE_CHECKING:` are left out, because they bind nothing when the code runs.

use tree_sitter::Node;

/// One name bound by an import statement.
#[derive(Clone, Debug)]
pub(super) struct Binding<'t> {
    /// The local name (`y` for `import yaml as y`, `yaml` for `import yaml.constructor`).
    pub local: String,
    /// The module: `yaml` for `import yaml` and for `from yaml import load`, `a.b` for
    /// `import a.b as c`.
    pub module: String,
    /// The imported name of a `from` import (`load` for `from yaml import load as l`).
    pub name: Option<String>,
    /// The import statement.
    pub statement: Node<'t>,
}

/// Every import binding of a module, in source order.
#[derive(Debug)]
pub(super) struct Imports<'t> {
    bindings: Vec<Binding<'t>>,
    wildcards: Vec<String>,
}

impl<'t> Imports<'t> {
    /// The imports under `root`.
    pub fn of(root: Node<'t>, source: &str) -> Self {
        let mut imports = Imports {
            bindings: Vec::new(),
            wildcards: Vec::new(),
        };
        imports.collect(root, source);
        imports
    }

    fn collect(&mut self, node: Node<'t>, source: &str) {
        let text = |n: Node<'_>| source[n.byte_range()].to_owned();
        match node.kind() {
            "import_statement" => {
                let mut cursor = node.walk();
                for name in node.children_by_field_name("name", &mut cursor) {
                    let (module, local) = match name.kind() {
                        "aliased_import" => {
                            let (Some(module), Some(alias)) = (
                                name.child_by_field_name("name"),
                                name.child_by_field_name("alias"),
                            ) else {
                                continue;
                            };
                            (text(module), text(alias))
                        }
                        // `import a.b` binds `a`.
                        _ => {
                            let first = text(name).split('.').next().unwrap_or_default().to_owned();
                            (first.clone(), first)
                        }
                    };
                    self.bindings.push(Binding {
                        local,
                        module,
                        name: None,
                        statement: node,
                    });
                }
            }
            "import_from_statement" => {
                let Some(module) = node.child_by_field_name("module_name").map(text) else {
                    return;
                };
                let mut cursor = node.walk();
                if node
                    .named_children(&mut cursor)
                    .any(|c| c.kind() == "wildcard_import")
                {
                    self.wildcards.push(module.clone());
                }
                for name in node.children_by_field_name("name", &mut cursor) {
                    let (imported, local) = match name.kind() {
                        "aliased_import" => {
                            let (Some(imported), Some(alias)) = (
                                name.child_by_field_name("name"),
                                name.child_by_field_name("alias"),
                            ) else {
                                continue;
                            };
                            (text(imported), text(alias))
                        }
                        _ => (text(name), text(name)),
                    };
                    self.bindings.push(Binding {
                        local,
                        module: module.clone(),
                        name: Some(imported),
                        statement: node,
                    });
                }
            }
            "if_statement"
                if node
                    .child_by_field_name("condition")
                    .is_some_and(|c| source[c.byte_range()].contains("TYPE_CHECKING")) => {}
            _ => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    self.collect(child, source);
                }
            }
        }
    }

    /// The local names bound to `module` itself (`import yaml`, `import yaml as y`).
    pub fn module_aliases(&self, module: &str) -> Vec<&str> {
        self.bindings
            .iter()
            .filter(|b| b.name.is_none() && b.module == module)
            .map(|b| b.local.as_str())
            .collect()
    }

    /// The local name of `name` imported from `module` (`from typing import Optional as O`).
    pub fn local_name(&self, module: &str, name: &str) -> Option<&str> {
        self.bindings
            .iter()
            .find(|b| b.module == module && b.name.as_deref() == Some(name))
            .map(|b| b.local.as_str())
    }

    /// The import bindings of the local name `local`.
    pub fn bindings_of(&self, local: &str) -> impl Iterator<Item = &Binding<'t>> {
        self.bindings.iter().filter(move |b| b.local == local)
    }

    /// Whether anything is imported from one of `packages` or their submodules.
    pub fn uses_any(&self, packages: &[&str]) -> bool {
        let top = |module: &str| module.split('.').next().unwrap_or_default().to_owned();
        self.bindings
            .iter()
            .map(|b| top(&b.module))
            .chain(self.wildcards.iter().map(|w| top(w)))
            .any(|t| packages.contains(&t.as_str()))
    }
}
