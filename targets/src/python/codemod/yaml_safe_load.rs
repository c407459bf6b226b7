//! `yaml.load(x)` becomes `yaml.safe_load(x)` and `yaml.load_all(x)` becomes
//! `yaml.safe_load_all(x)` (bandit B506, ruff S506): PyYAML's full loaders can build arbitrary
//! Python objects from a document, the safe loader only plain data.
//!
//! Rules:
//! - the call must be on PyYAML, as imported: `import yaml`, `import yaml as y`, or
//!   `from yaml import load [as l]`; a module or function name that is also bound otherwise
//!   in the file (`yaml = YAML()` of ruamel.yaml) is not followed;
//! - without a Loader the call becomes the safe one (PyYAML 5 loaded with `FullLoader` and a
//!   warning, PyYAML 6 refuses the call: either way `safe_load` is the fix);
//! - with `Loader=SafeLoader` (keyword or second argument, as `yaml.SafeLoader`,
//!   `yaml.loader.SafeLoader` or an imported `SafeLoader`) the Loader argument is dropped too:
//!   that is exactly what `safe_load` does;
//! - with `CSafeLoader`, or a name imported only as one of the two safe loaders (the
//!   `try: from yaml import CSafeLoader as SafeLoader` fallback), nothing is reported: the
//!   call is already safe, and `safe_load` would lose the C speed-up;
//! - with any other Loader (`FullLoader`, `UnsafeLoader`, `Loader`, a custom subclass) the
//!   site is declined: the code may rely on the tags that loader accepts;
//! - with `*args`/`**kwargs`, or arguments PyYAML does not take, the site is declined;
//! - after `from yaml import load`, the call becomes `safe_load(...)` and `safe_load` is added
//!   to that import unless it is already imported (under any alias, which is then used); when
//!   the name `safe_load` is bound to something else the site is declined. `load` stays
//!   imported: other code may use it, and removing unused imports is a linter's job.
//!   `from yaml import *` is not followed.

use super::imports::Imports;
use super::names::is_rebound;
use super::{Codemod, Replacement, Result, Rewrite, Site, nodes_of_kind, parsed};
use std::collections::BTreeMap;
use tree_sitter::Node;

/// `yaml.load` to `yaml.safe_load`.
#[derive(Clone, Copy, Debug, Default)]
pub struct YamlSafeLoad;

impl Codemod for YamlSafeLoad {
    fn id(&self) -> &'static str {
        "yaml-safe-load"
    }

    fn description(&self) -> &'static str {
        "Loads YAML with the safe loader: `yaml.load(x)` becomes `yaml.safe_load(x)`, `yaml.load_all(x)` becomes `yaml.safe_load_all(x)`."
    }

    fn summary(&self) -> &'static str {
        "replace yaml.load with yaml.safe_load"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["bandit:B506", "ruff:S506"]
    }

    fn rewrites(&self, source: &str) -> Result<Vec<Rewrite>> {
        let Some(tree) = parsed(source)? else {
            return Ok(Vec::new());
        };
        let module = Module::new(tree.root_node(), source);
        let mut out = Vec::new();
        for call in nodes_of_kind(tree.root_node(), &["call"]) {
            if let Some(rewrite) = module.rewrite(call) {
                out.push(rewrite);
            }
        }
        Ok(out)
    }
}

/// What the module imports from PyYAML.
struct Module<'t, 's> {
    root: Node<'t>,
    source: &'s str,
    imports: Imports<'t>,
    /// Local names bound to the `yaml` module and nothing else.
    aliases: Vec<String>,
    /// The PyYAML names imported by name (`from yaml import load as l`), to their local name,
    /// when that local name means nothing else.
    imported: BTreeMap<&'static str, String>,
}

/// The PyYAML names a call can use, and the modules they are imported from.
const NAMES: &[(&str, &[&str])] = &[
    ("load", &["yaml"]),
    ("load_all", &["yaml"]),
    ("safe_load", &["yaml"]),
    ("safe_load_all", &["yaml"]),
    ("SafeLoader", &["yaml", "yaml.loader"]),
    ("CSafeLoader", &["yaml", "yaml.cyaml"]),
];

/// Which function of PyYAML a call is.
#[derive(Clone, Copy)]
enum Function {
    Load,
    LoadAll,
}

impl Function {
    fn unsafe_name(self) -> &'static str {
        match self {
            Function::Load => "load",
            Function::LoadAll => "load_all",
        }
    }

    fn safe_name(self) -> &'static str {
        match self {
            Function::Load => "safe_load",
            Function::LoadAll => "safe_load_all",
        }
    }
}

/// The Loader a call is given.
enum Loader<'t> {
    /// None at all.
    Missing,
    /// `SafeLoader`: the argument (positional or keyword) to drop.
    Safe(Node<'t>),
    /// `CSafeLoader`: already safe.
    CSafe,
    /// Anything else, or arguments we cannot see through: why the site is declined.
    Declined(String),
}

impl<'t, 's> Module<'t, 's> {
    fn new(root: Node<'t>, source: &'s str) -> Self {
        let imports = Imports::of(root, source);
        let aliases = imports
            .module_aliases("yaml")
            .into_iter()
            .filter(|alias| {
                imports
                    .bindings_of(alias)
                    .all(|b| b.module == "yaml" && b.name.is_none())
                    && !is_rebound(root, source, alias)
            })
            .map(str::to_owned)
            .collect();
        let imported = NAMES
            .iter()
            .filter_map(|(name, modules)| {
                modules.iter().find_map(|module| {
                    let local = imports.local_name(module, name)?;
                    let only = imports
                        .bindings_of(local)
                        .all(|b| b.module == *module && b.name.as_deref() == Some(*name));
                    (only && !is_rebound(root, source, local)).then(|| (*name, local.to_owned()))
                })
            })
            .collect();
        Module {
            root,
            source,
            imports,
            aliases,
            imported,
        }
    }

    fn text(&self, node: Node<'_>) -> &'s str {
        &self.source[node.byte_range()]
    }

    /// The local name that refers to `name` of PyYAML (one of [`NAMES`]) and to nothing else.
    fn imported(&self, name: &str) -> Option<&str> {
        self.imported.get(name).map(String::as_str)
    }

    /// Whether `node` names `name` of PyYAML: `yaml.name`, `yaml.<submodule>.name`, or an
    /// imported `name`.
    fn is_yaml_name(&self, node: Node<'_>, name: &str, submodule: &str) -> bool {
        match node.kind() {
            "identifier" => self.imported(name) == Some(self.text(node)),
            "attribute" => {
                let text: String = self.text(node).split_whitespace().collect();
                self.aliases.iter().any(|alias| {
                    text == format!("{alias}.{name}")
                        || text == format!("{alias}.{submodule}.{name}")
                })
            }
            _ => false,
        }
    }

    fn rewrite(&self, call: Node<'t>) -> Option<Rewrite> {
        let function = call.child_by_field_name("function")?;
        let (which, name, imported) = self.called(function)?;
        let loader = self.loader(call, which);
        let message = format!(
            "yaml.{} can construct arbitrary Python objects; yaml.{} only plain data",
            which.unsafe_name(),
            which.safe_name()
        );
        let site = Site::at(call, self.source, message);
        let mut replacements = Vec::new();
        match loader {
            Loader::CSafe => return None,
            Loader::Declined(reason) => {
                return Some(Rewrite {
                    site: site.declined(reason),
                    replacements,
                });
            }
            Loader::Missing => {}
            Loader::Safe(argument) => match self.removal(call, argument) {
                Some(removal) => replacements.push(removal),
                None => {
                    return Some(Rewrite {
                        site: site.declined("a comment sits next to the Loader argument"),
                        replacements,
                    });
                }
            },
        }
        let safe = which.safe_name();
        if !imported {
            replacements.push(Replacement::new(name.byte_range(), safe));
        } else if let Some(local) = self.imported(safe) {
            replacements.push(Replacement::new(name.byte_range(), local));
        } else if self.imports.bindings_of(safe).next().is_some()
            || is_rebound(self.root, self.source, safe)
        {
            return Some(Rewrite {
                site: site.declined(format!("the name `{safe}` is bound to something else")),
                replacements: Vec::new(),
            });
        } else {
            replacements.push(Replacement::new(name.byte_range(), safe));
            replacements.push(self.added_import(which)?);
        }
        Some(Rewrite { site, replacements })
    }

    /// Which PyYAML function `function` is, the identifier to rename, and whether it was
    /// imported by name (`from yaml import load`).
    fn called(&self, function: Node<'t>) -> Option<(Function, Node<'t>, bool)> {
        let which = |name: &str| match name {
            "load" => Some(Function::Load),
            "load_all" => Some(Function::LoadAll),
            _ => None,
        };
        match function.kind() {
            "attribute" => {
                let object = function.child_by_field_name("object")?;
                let attribute = function.child_by_field_name("attribute")?;
                let on_yaml = object.kind() == "identifier"
                    && self.aliases.iter().any(|a| a == self.text(object));
                if !on_yaml {
                    return None;
                }
                Some((which(self.text(attribute))?, attribute, false))
            }
            "identifier" => {
                let local = self.text(function);
                [Function::Load, Function::LoadAll]
                    .into_iter()
                    .find(|f| self.imported(f.unsafe_name()) == Some(local))
                    .map(|f| (f, function, true))
            }
            _ => None,
        }
    }

    fn loader(&self, call: Node<'t>, which: Function) -> Loader<'t> {
        let Some(arguments) = call
            .child_by_field_name("arguments")
            .filter(|a| a.kind() == "argument_list")
        else {
            return Loader::Declined("the argument is a generator expression".to_owned());
        };
        let mut cursor = arguments.walk();
        let arguments: Vec<Node<'t>> = arguments
            .named_children(&mut cursor)
            .filter(|a| a.kind() != "comment")
            .collect();
        let mut positional = Vec::new();
        let mut loader = None;
        let mut stream = false;
        for argument in &arguments {
            match argument.kind() {
                "list_splat" | "dictionary_splat" => {
                    return Loader::Declined(
                        "arguments unpacked with * or ** may carry a Loader".to_owned(),
                    );
                }
                "keyword_argument" => {
                    let name = argument
                        .child_by_field_name("name")
                        .map(|n| self.text(n))
                        .unwrap_or_default();
                    match name {
                        "Loader" => {
                            loader = Some((*argument, argument.child_by_field_name("value")))
                        }
                        "stream" => stream = true,
                        other => {
                            return Loader::Declined(format!(
                                "yaml.{} takes no argument `{other}`",
                                which.unsafe_name()
                            ));
                        }
                    }
                }
                _ => positional.push(*argument),
            }
        }
        match (positional.len(), stream, loader) {
            (1, false, None) | (0, true, None) => Loader::Missing,
            (1, false, Some((argument, Some(value))))
            | (0, true, Some((argument, Some(value)))) => self.classify(argument, value),
            (2, false, None) => self.classify(positional[1], positional[1]),
            _ => Loader::Declined(format!(
                "unexpected arguments to yaml.{}",
                which.unsafe_name()
            )),
        }
    }

    fn classify(&self, argument: Node<'t>, value: Node<'t>) -> Loader<'t> {
        if self.is_yaml_name(value, "SafeLoader", "loader") {
            Loader::Safe(argument)
        } else if self.is_yaml_name(value, "CSafeLoader", "cyaml") || self.is_either_safe(value) {
            Loader::CSafe
        } else {
            Loader::Declined(format!(
                "Loader={} may be relied on for the tags it accepts",
                self.text(value)
            ))
        }
    }

    /// Whether `value` is a name imported only as PyYAML's safe loaders, as in
    /// `try: from yaml import CSafeLoader as SafeLoader` / `except ImportError: from yaml
    /// import SafeLoader`: safe either way, but which one is not known, so left as it is.
    fn is_either_safe(&self, value: Node<'_>) -> bool {
        if value.kind() != "identifier" {
            return false;
        }
        let local = self.text(value);
        let mut bindings = self.imports.bindings_of(local).peekable();
        bindings.peek().is_some()
            && bindings.all(|b| {
                matches!(b.module.as_str(), "yaml" | "yaml.loader" | "yaml.cyaml")
                    && matches!(b.name.as_deref(), Some("SafeLoader" | "CSafeLoader"))
            })
            && !is_rebound(self.root, self.source, local)
    }

    /// Drops the Loader `argument` with the comma joining it to its neighbour; `None` when
    /// that would drop a comment.
    fn removal(&self, call: Node<'t>, argument: Node<'t>) -> Option<Replacement> {
        let arguments = call.child_by_field_name("arguments")?;
        let mut cursor = arguments.walk();
        let others: Vec<Node<'t>> = arguments
            .named_children(&mut cursor)
            .filter(|a| a.kind() != "comment")
            .collect();
        let at = others.iter().position(|a| *a == argument)?;
        let range = if at > 0 {
            others[at - 1].end_byte()..argument.end_byte()
        } else {
            argument.start_byte()..others.get(1)?.start_byte()
        };
        (!self.source[range.clone()].contains('#')).then(|| Replacement::new(range, ""))
    }

    /// `, safe_load` added after the last name of the import that brought in `load`.
    fn added_import(&self, which: Function) -> Option<Replacement> {
        let binding = self
            .imports
            .bindings_of(self.imported(which.unsafe_name())?)
            .next()?;
        let mut cursor = binding.statement.walk();
        let last = binding
            .statement
            .children_by_field_name("name", &mut cursor)
            .last()?;
        let end = last.end_byte();
        Some(Replacement::new(
            end..end,
            format!(", {}", which.safe_name()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check, check_declined};
    use super::*;

    #[test]
    fn unsafe_loads_become_safe() {
        let y = &YamlSafeLoad;
        check(
            y,
            "import yaml\nyaml.load(f)\n",
            "import yaml\nyaml.safe_load(f)\n",
        );
        check(
            y,
            "import yaml\nyaml.load_all(f)\n",
            "import yaml\nyaml.safe_load_all(f)\n",
        );
        check(
            y,
            "import yaml as y\nd = y.load(stream=f)\n",
            "import yaml as y\nd = y.safe_load(stream=f)\n",
        );
        check(
            y,
            "import yaml.constructor\nyaml.load(f)\n",
            "import yaml.constructor\nyaml.safe_load(f)\n",
        );
    }

    #[test]
    fn the_safe_loader_argument_goes_with_it() {
        let y = &YamlSafeLoad;
        check(
            y,
            "import yaml\nyaml.load(f, Loader=yaml.SafeLoader)\n",
            "import yaml\nyaml.safe_load(f)\n",
        );
        check(
            y,
            "import yaml\nyaml.load(f, yaml.SafeLoader)\n",
            "import yaml\nyaml.safe_load(f)\n",
        );
        check(
            y,
            "import yaml\nyaml.load(Loader=yaml.SafeLoader, stream=f)\n",
            "import yaml\nyaml.safe_load(stream=f)\n",
        );
        check(
            y,
            "import yaml\nyaml.load(f, Loader=yaml.loader.SafeLoader)\n",
            "import yaml\nyaml.safe_load(f)\n",
        );
        check(
            y,
            "import yaml\nfrom yaml import SafeLoader\nyaml.load(f, Loader=SafeLoader)\n",
            "import yaml\nfrom yaml import SafeLoader\nyaml.safe_load(f)\n",
        );
        check(
            y,
            "import yaml\nyaml.load(\n    f,\n    Loader=yaml.SafeLoader,\n)\n",
            "import yaml\nyaml.safe_load(\n    f,\n)\n",
        );
    }

    #[test]
    fn names_imported_from_yaml_are_followed() {
        let y = &YamlSafeLoad;
        check(
            y,
            "from yaml import load\nload(f)\n",
            "from yaml import load, safe_load\nsafe_load(f)\n",
        );
        check(
            y,
            "from yaml import (\n    dump,\n    load,\n)\nload(f)\nload(g)\n",
            "from yaml import (\n    dump,\n    load, safe_load,\n)\nsafe_load(f)\nsafe_load(g)\n",
        );
        check(
            y,
            "from yaml import load as l, safe_load as sl\nl(f)\n",
            "from yaml import load as l, safe_load as sl\nsl(f)\n",
        );
    }

    #[test]
    fn loaders_that_may_be_relied_on_are_left_alone() {
        let y = &YamlSafeLoad;
        check_declined(y, "import yaml\nyaml.load(f, Loader=yaml.FullLoader)\n");
        check_declined(y, "import yaml\nyaml.load(f, Loader=yaml.UnsafeLoader)\n");
        check_declined(y, "import yaml\nyaml.load(f, MyLoader)\n");
        check_declined(y, "import yaml\nyaml.load(f, **options)\n");
        check_declined(
            y,
            "import yaml\nyaml.load(f,  # why\n    Loader=yaml.SafeLoader)\n",
        );
        check_declined(y, "from yaml import load\nsafe_load = 1\nload(f)\n");
        check(
            y,
            "import yaml\nyaml.load(f, Loader=yaml.CSafeLoader)\n",
            "import yaml\nyaml.load(f, Loader=yaml.CSafeLoader)\n",
        );
    }

    #[test]
    fn already_safe_loaders_are_not_reported() {
        for source in [
            "import yaml\nyaml.load(f, Loader=yaml.CSafeLoader)\n",
            "from yaml.cyaml import CSafeLoader\nimport yaml\nyaml.load(f, CSafeLoader)\n",
            "import yaml\ntry:\n    from yaml import CSafeLoader as SafeLoader\nexcept ImportError:\n    from yaml import SafeLoader\nyaml.load(f, Loader=SafeLoader)\n",
        ] {
            check(&YamlSafeLoad, source, source);
            assert_eq!(YamlSafeLoad.find(source).unwrap(), Vec::new(), "{source}");
        }
    }

    #[test]
    fn other_yamls_are_not_pyyaml() {
        let y = &YamlSafeLoad;
        check(y, "yaml.load(f)\n", "yaml.load(f)\n");
        check(
            y,
            "import yaml\nyaml = YAML()\nyaml.load(f)\n",
            "import yaml\nyaml = YAML()\nyaml.load(f)\n",
        );
        check(
            y,
            "from ruamel import yaml\nyaml.load(f)\n",
            "from ruamel import yaml\nyaml.load(f)\n",
        );
        check(
            y,
            "import json\njson.load(f)\n",
            "import json\njson.load(f)\n",
        );
        check(
            y,
            "from yaml import *\nload(f)\n",
            "from yaml import *\nload(f)\n",
        );
        assert_eq!(
            YamlSafeLoad.find("from yaml import *\nload(f)\n").unwrap(),
            Vec::new()
        );
    }
}
