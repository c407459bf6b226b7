//! Mutable default arguments (ruff B006, flake8-bugbear B006): `def f(x=[])` becomes
//! `def f(x=None)` with `if x is None:` / `x = []` at the start of the body, after the
//! docstring, in the body's own indentation and line endings. A default is evaluated once,
//! when the `def` runs, so every call that mutates it mutates the same object.
//!
//! Rewritten: `[...]`, `{...}` and `{..., ...}` literals holding only constants, and `list()`,
//! `dict()`, `set()` without arguments (when the file never rebinds those names). Declined,
//! with the reason on the site:
//! - literals holding names or calls, comprehensions, and calls with arguments: the default is
//!   computed when the `def` runs, and computing it on each call could see other values;
//! - other mutable containers (`collections.defaultdict(list)`, `deque()`, ...): left for a
//!   person to review;
//! - parameters named like the deliberate shared-default cache idiom (`_cache={}`, a leading
//!   underscore, `cache` or `memo` in the name);
//! - a body on the `def` line (`def f(x=[]): return x`);
//! - decorated functions, unless every decorator is one known to leave the signature alone
//!   (`staticmethod`, `classmethod`, `property` and its setters, `abstractmethod`,
//!   `contextmanager`, `wraps`, `override`, `final`): CLI and web frameworks (click, typer,
//!   mando, FastAPI) build their interface from the defaults, and `@overload` stubs have no body;
//! - a function that fills the default and consults it on later calls (`if key in memo:`,
//!   `try: return ver[0]`): the cache idiom, deliberate;
//! - a `# noinspection PyDefaultArgument` comment above the definition;
//! - annotated parameters (`x: list = []`), unless the annotation already admits `None`
//!   (`Optional[...]`, `... | None`, `Union[..., None]`, `Any`, `object`) or `Optional` is
//!   imported from `typing` (then `x: Optional[list] = None`): writing `list | None` would
//!   need Python 3.10 wherever annotations are evaluated;
//! - a docstring followed by code on its line, and bodies indented inconsistently with their
//!   `def`.
//!
//! Lambdas are never touched: there is no body to initialise in. One behaviour does change,
//! as with every fix of this finding: a caller passing `None` explicitly now gets a fresh
//! container (before, the function received `None`).

use super::imports::Imports;
use super::names::is_rebound;
use super::{Codemod, Replacement, Result, Rewrite, Site, nodes_of_kind, parsed};
use tree_sitter::Node;

/// Mutable default arguments to `None` plus initialisation.
#[derive(Clone, Copy, Debug, Default)]
pub struct MutableDefault;

impl Codemod for MutableDefault {
    fn id(&self) -> &'static str {
        "mutable-default"
    }

    fn description(&self) -> &'static str {
        "Replaces a mutable default argument with None and creates the value at the start of the body."
    }

    fn summary(&self) -> &'static str {
        "replace mutable default arguments with None"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["ruff:B006"]
    }

    fn rewrites(&self, source: &str) -> Result<Vec<Rewrite>> {
        let Some(tree) = parsed(source)? else {
            return Ok(Vec::new());
        };
        let root = tree.root_node();
        let module = Module {
            root,
            source,
            imports: Imports::of(root, source),
        };
        let mut out = Vec::new();
        for function in nodes_of_kind(root, &["function_definition"]) {
            let Some(parameters) = function.child_by_field_name("parameters") else {
                continue;
            };
            let mut cursor = parameters.walk();
            for parameter in parameters.named_children(&mut cursor) {
                if let Some(rewrite) = module.rewrite(function, parameter) {
                    out.push(rewrite);
                }
            }
        }
        Ok(out)
    }
}

struct Module<'t, 's> {
    root: Node<'t>,
    source: &'s str,
    imports: Imports<'t>,
}

/// What a default value is.
enum DefaultValue {
    /// Immutable, or not recognisably mutable.
    Fine,
    /// Mutable, and safe to create on each call.
    Fixable,
    /// Mutable, but left alone: why.
    Declined(&'static str),
}

/// Where the initialisation goes and how it is indented.
struct Insertion {
    at: usize,
    indent: String,
    unit: String,
    newline: &'static str,
    /// The file ends right there without a line break, so one goes first.
    at_end_without_newline: bool,
}

impl<'t, 's> Module<'t, 's> {
    fn text(&self, node: Node<'_>) -> &'s str {
        &self.source[node.byte_range()]
    }

    fn rewrite(&self, function: Node<'t>, parameter: Node<'t>) -> Option<Rewrite> {
        if !matches!(
            parameter.kind(),
            "default_parameter" | "typed_default_parameter"
        ) {
            return None;
        }
        let name = parameter
            .child_by_field_name("name")
            .filter(|n| n.kind() == "identifier")?;
        let value = parameter.child_by_field_name("value")?;
        let kind = self.default(value);
        if matches!(kind, DefaultValue::Fine) {
            return None;
        }
        let name = self.text(name);
        let message = format!(
            "mutable default `{name}={}` is shared by every call",
            self.text(value)
        );
        let site = Site::at(parameter, self.source, message);
        let declined = |reason: &str| {
            Some(Rewrite {
                site: site.clone().declined(reason),
                replacements: Vec::new(),
            })
        };
        if let DefaultValue::Declined(reason) = kind {
            return declined(reason);
        }
        if name.starts_with('_') || ["cache", "memo"].iter().any(|w| name.contains(w)) {
            return declined("the name suggests a deliberately shared cache");
        }
        if self.marked_intended(function) {
            return declined(
                "a `noinspection PyDefaultArgument` comment marks the default as intended",
            );
        }
        if self.reads_back(function, name) {
            return declined(
                "the function fills the default and checks it on later calls: a deliberate cache",
            );
        }
        if let Some(decorator) = self.unknown_decorator(function) {
            return declined(&format!(
                "the decorator `@{decorator}` may read the signature's defaults (CLI and web frameworks do)"
            ));
        }
        let insertion = match self.insertion(function) {
            Ok(insertion) => insertion,
            Err(reason) => return declined(reason),
        };
        let mut replacements = vec![Replacement::new(value.byte_range(), "None")];
        if let Some(annotation) = parameter
            .child_by_field_name("type")
            .filter(|a| !admits_none(*a, self.source))
        {
            let Some(optional) = self.optional() else {
                return declined(
                    "the parameter is annotated and `Optional` is not imported (`X | None` needs Python 3.10)",
                );
            };
            let wrapped = format!("{optional}[{}]", self.text(annotation));
            replacements.push(Replacement::new(annotation.byte_range(), wrapped));
        }
        let Insertion {
            at,
            indent,
            unit,
            newline,
            at_end_without_newline,
        } = insertion;
        let initial = self.text(value);
        let text = if at_end_without_newline {
            format!("{newline}{indent}if {name} is None:{newline}{indent}{unit}{name} = {initial}")
        } else {
            format!("{indent}if {name} is None:{newline}{indent}{unit}{name} = {initial}{newline}")
        };
        replacements.push(Replacement::new(at..at, text));
        Some(Rewrite { site, replacements })
    }

    fn default(&self, value: Node<'_>) -> DefaultValue {
        const COMPUTED: &str = "the default is computed when the `def` runs; computing it on each call could see other values";
        match value.kind() {
            "list" | "dictionary" | "set" if is_constant(value) => DefaultValue::Fixable,
            "list"
            | "dictionary"
            | "set"
            | "list_comprehension"
            | "dictionary_comprehension"
            | "set_comprehension" => DefaultValue::Declined(COMPUTED),
            "call" => {
                let Some(function) = value.child_by_field_name("function") else {
                    return DefaultValue::Fine;
                };
                let name = self.text(function);
                let last = name.rsplit('.').next().unwrap_or_default();
                let no_arguments = value
                    .child_by_field_name("arguments")
                    .is_some_and(|a| a.kind() == "argument_list" && a.named_child_count() == 0);
                if matches!(name, "list" | "dict" | "set") {
                    if !no_arguments {
                        DefaultValue::Declined(COMPUTED)
                    } else if is_rebound(self.root, self.source, name)
                        || self.imports.bindings_of(name).next().is_some()
                    {
                        DefaultValue::Declined("the builtin's name is rebound in this file")
                    } else {
                        DefaultValue::Fixable
                    }
                } else if matches!(
                    last,
                    "defaultdict" | "deque" | "OrderedDict" | "Counter" | "bytearray"
                ) {
                    DefaultValue::Declined(
                        "a container other than list, dict or set; left for review",
                    )
                } else {
                    DefaultValue::Fine
                }
            }
            _ => DefaultValue::Fine,
        }
    }

    /// Whether the comment lines just above the definition (or its decorators) say the
    /// default is intended, as PyCharm's `# noinspection PyDefaultArgument` does.
    fn marked_intended(&self, function: Node<'_>) -> bool {
        let top = function
            .parent()
            .filter(|p| p.kind() == "decorated_definition")
            .unwrap_or(function);
        let line_start = top.start_byte() - top.start_position().column;
        self.source[..line_start]
            .lines()
            .rev()
            .take_while(|line| line.trim_start().starts_with('#'))
            .any(|line| line.contains("PyDefaultArgument"))
    }

    /// The cache idiom: the body both fills the parameter (`append`, `update`, `x[k] = v`...)
    /// and consults it in a condition or in a `return` under `try` (`if cache: return cache`,
    /// `try: return ver[0]`), so what one call stored serves the next.
    fn reads_back(&self, function: Node<'_>, name: &str) -> bool {
        let Some(body) = function.child_by_field_name("body") else {
            return false;
        };
        let is_name = |n: Node<'_>| n.kind() == "identifier" && self.text(n) == name;
        let mentions = |n: Node<'_>| nodes_of_kind(n, &["identifier"]).into_iter().any(is_name);
        let fills = nodes_of_kind(body, &["call", "assignment", "augmented_assignment"])
            .into_iter()
            .any(|n| match n.kind() {
                "call" => n.child_by_field_name("function").is_some_and(|f| {
                    f.kind() == "attribute"
                        && f.child_by_field_name("object").is_some_and(is_name)
                        && f.child_by_field_name("attribute").is_some_and(|a| {
                            matches!(
                                self.text(a),
                                "append" | "extend" | "insert" | "add" | "update" | "setdefault"
                            )
                        })
                }),
                _ => n.child_by_field_name("left").is_some_and(|l| {
                    l.kind() == "subscript" && l.child_by_field_name("value").is_some_and(is_name)
                }),
            });
        let consults = || {
            nodes_of_kind(body, &["if_statement", "elif_clause", "while_statement"])
                .into_iter()
                .filter_map(|n| n.child_by_field_name("condition"))
                .any(mentions)
                || nodes_of_kind(body, &["try_statement"])
                    .into_iter()
                    .any(|t| {
                        t.child_by_field_name("body").is_some_and(|b| {
                            nodes_of_kind(b, &["return_statement"])
                                .into_iter()
                                .any(mentions)
                        })
                    })
        };
        fills && consults()
    }

    /// The first decorator not known to leave defaults alone: frameworks such as click,
    /// typer, mando or FastAPI build their interface from the signature, so a default of
    /// `None` instead of `[]` changes what they do. `@overload` stubs are not known either.
    fn unknown_decorator(&self, function: Node<'_>) -> Option<&'s str> {
        const HARMLESS: &[&str] = &[
            "staticmethod",
            "classmethod",
            "property",
            "setter",
            "getter",
            "deleter",
            "abstractmethod",
            "contextmanager",
            "asynccontextmanager",
            "wraps",
            "override",
            "final",
        ];
        let parent = function
            .parent()
            .filter(|p| p.kind() == "decorated_definition")?;
        let mut cursor = parent.walk();
        parent
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "decorator")
            .map(|d| self.text(d).trim_start_matches('@').trim())
            .find(|name| {
                let callee = name.split('(').next().unwrap_or_default().trim();
                let last = callee.rsplit('.').next().unwrap_or_default();
                !HARMLESS.contains(&last)
            })
    }

    /// How `Optional` is spelled in this file, if it is imported.
    fn optional(&self) -> Option<String> {
        let usable = |local: &str| !is_rebound(self.root, self.source, local);
        if let Some(local) = ["typing", "typing_extensions"]
            .iter()
            .find_map(|m| self.imports.local_name(m, "Optional"))
            .filter(|l| usable(l))
        {
            return Some(local.to_owned());
        }
        self.imports
            .module_aliases("typing")
            .into_iter()
            .find(|a| usable(a))
            .map(|alias| format!("{alias}.Optional"))
    }

    /// Where the initialisation of a parameter of `function` goes: after the docstring, else
    /// on the line after the `def`'s colon; or why there is no good place.
    fn insertion(&self, function: Node<'_>) -> Result<Insertion, &'static str> {
        let source = self.source;
        let body = function.child_by_field_name("body").ok_or("no body")?;
        let mut cursor = function.walk();
        let colon = function
            .children(&mut cursor)
            .filter(|c| c.kind() == ":")
            .last()
            .ok_or("no colon")?;
        let mut cursor = body.walk();
        let first = body
            .named_children(&mut cursor)
            .find(|c| c.kind() != "comment")
            .ok_or("an empty body")?;
        if first.start_position().row == colon.start_position().row {
            return Err("the body is on the `def` line");
        }
        let indent = leading(source, first).ok_or("the body does not start its line")?;
        let def_indent = leading(source, function).ok_or("the `def` does not start its line")?;
        let unit = indent
            .strip_prefix(def_indent)
            .filter(|u| !u.is_empty())
            .ok_or("the body is indented inconsistently with its `def`")?;
        let after = if is_docstring(first) {
            let rest = &source[first.end_byte()..line_end(source, first.end_byte())];
            let rest = rest.trim();
            if !(rest.is_empty() || rest.starts_with('#')) {
                return Err("code follows the docstring on its line");
            }
            first.end_byte()
        } else {
            colon.end_byte()
        };
        let end = line_end(source, after);
        let newline = if source[..end].ends_with('\r') || source[end..].starts_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let at_end_without_newline = end == source.len();
        let at = if at_end_without_newline {
            end
        } else {
            source[end..]
                .find('\n')
                .map_or(source.len(), |i| end + i + 1)
        };
        Ok(Insertion {
            at,
            indent: indent.to_owned(),
            unit: unit.to_owned(),
            newline,
            at_end_without_newline,
        })
    }
}

/// Whether a literal holds only constants (strings without interpolation, numbers, `True`,
/// `False`, `None`, `...`, and literals of them).
fn is_constant(node: Node<'_>) -> bool {
    let children = || {
        let mut cursor = node.walk();
        node.named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect::<Vec<_>>()
    };
    match node.kind() {
        "integer" | "float" | "true" | "false" | "none" | "ellipsis" => true,
        "string" => children().iter().all(|c| c.kind() != "interpolation"),
        "concatenated_string"
        | "list"
        | "set"
        | "tuple"
        | "dictionary"
        | "pair"
        | "parenthesized_expression" => children().iter().all(|c| is_constant(*c)),
        "unary_operator" => node
            .child_by_field_name("argument")
            .is_some_and(|a| is_constant(a)),
        _ => false,
    }
}

/// Whether a statement is a docstring: a lone string expression.
fn is_docstring(statement: Node<'_>) -> bool {
    statement.kind() == "expression_statement"
        && statement.named_child_count() == 1
        && statement
            .named_child(0)
            .is_some_and(|e| matches!(e.kind(), "string" | "concatenated_string"))
}

/// The whitespace before `node` on its line, when only whitespace precedes it.
fn leading<'s>(source: &'s str, node: Node<'_>) -> Option<&'s str> {
    let start = node.start_byte();
    let before = &source[start - node.start_position().column..start];
    before
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(before)
}

/// The byte where the line holding `at` ends (its `\r\n` or `\n`, or the end of the file).
fn line_end(source: &str, at: usize) -> usize {
    source[at..].find('\n').map_or(source.len(), |i| {
        let end = at + i;
        if source[..end].ends_with('\r') {
            end - 1
        } else {
            end
        }
    })
}

/// Whether an annotation already admits `None`.
fn admits_none(node: Node<'_>, source: &str) -> bool {
    let text = &source[node.byte_range()];
    let named = || {
        let mut cursor = node.walk();
        node.named_children(&mut cursor).collect::<Vec<_>>()
    };
    match node.kind() {
        "none" => true,
        "type" => named().first().is_some_and(|c| admits_none(*c, source)),
        "binary_operator" => ["left", "right"].iter().any(|side| {
            node.child_by_field_name(side)
                .is_some_and(|c| admits_none(c, source))
        }),
        "generic_type" | "subscript" => {
            let head = text.split('[').next().unwrap_or_default().trim();
            if head == "Optional" || head.ends_with(".Optional") {
                return true;
            }
            if !(head == "Union" || head.ends_with(".Union")) {
                return false;
            }
            let members: Vec<Node<'_>> = if node.kind() == "subscript" {
                let mut cursor = node.walk();
                node.children_by_field_name("subscript", &mut cursor)
                    .collect()
            } else {
                named()
                    .into_iter()
                    .filter(|c| c.kind() == "type_parameter")
                    .flat_map(|p| {
                        let mut cursor = p.walk();
                        p.named_children(&mut cursor).collect::<Vec<_>>()
                    })
                    .collect()
            };
            members.iter().any(|m| admits_none(*m, source))
        }
        "identifier" | "attribute" => text == "Any" || text.ends_with(".Any") || text == "object",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check, check_declined};
    use super::*;

    #[test]
    fn mutable_defaults_become_none_and_an_initialisation() {
        let m = &MutableDefault;
        check(
            m,
            "def f(x=[]):\n    return x\n",
            "def f(x=None):\n    if x is None:\n        x = []\n    return x\n",
        );
        check(
            m,
            "def f(x={}):\n    return x\n",
            "def f(x=None):\n    if x is None:\n        x = {}\n    return x\n",
        );
        check(
            m,
            "def f(x=set()):\n    return x\n",
            "def f(x=None):\n    if x is None:\n        x = set()\n    return x\n",
        );
        check(
            m,
            "def f(x=list(), *, y=dict()):\n    return x\n",
            "def f(x=None, *, y=None):\n    if x is None:\n        x = list()\n    if y is None:\n        y = dict()\n    return x\n",
        );
        check(
            m,
            "def f(x=[1, 'a', -2.0, (None,)]):\n    return x\n",
            "def f(x=None):\n    if x is None:\n        x = [1, 'a', -2.0, (None,)]\n    return x\n",
        );
        check(
            m,
            "def f(x={'a': {1, 2}}):\n    return x\n",
            "def f(x=None):\n    if x is None:\n        x = {'a': {1, 2}}\n    return x\n",
        );
    }

    #[test]
    fn the_initialisation_follows_the_docstring_and_the_layout() {
        let m = &MutableDefault;
        check(
            m,
            "def f(x=[]):\n    \"\"\"Doc.\n\n    More.\"\"\"  # c\n    return x\n",
            "def f(x=None):\n    \"\"\"Doc.\n\n    More.\"\"\"  # c\n    if x is None:\n        x = []\n    return x\n",
        );
        check(
            m,
            "class C:\n\tdef m(self, x=[]):  # c\n\t\t# why\n\t\treturn x\n",
            "class C:\n\tdef m(self, x=None):  # c\n\t\tif x is None:\n\t\t\tx = []\n\t\t# why\n\t\treturn x\n",
        );
        check(
            m,
            "def f(x=[]):\r\n  return x\r\n",
            "def f(x=None):\r\n  if x is None:\r\n    x = []\r\n  return x\r\n",
        );
        check(
            m,
            "def f(x=[]):\n    \"\"\"Doc.\"\"\"",
            "def f(x=None):\n    \"\"\"Doc.\"\"\"\n    if x is None:\n        x = []",
        );
        check(
            m,
            "@staticmethod\nasync def f(\n    a,\n    x=[],\n):\n    yield x\n",
            "@staticmethod\nasync def f(\n    a,\n    x=None,\n):\n    if x is None:\n        x = []\n    yield x\n",
        );
        check(
            m,
            "def f(x=[]):\n    def g(y={}):\n        return y\n",
            "def f(x=None):\n    if x is None:\n        x = []\n    def g(y=None):\n        if y is None:\n            y = {}\n        return y\n",
        );
    }

    #[test]
    fn annotations_admit_none_or_are_wrapped_in_optional() {
        let m = &MutableDefault;
        check(
            m,
            "def f(x: Optional[list] = []):\n    pass\n",
            "def f(x: Optional[list] = None):\n    if x is None:\n        x = []\n    pass\n",
        );
        check(
            m,
            "def f(x: list | None = []):\n    pass\n",
            "def f(x: list | None = None):\n    if x is None:\n        x = []\n    pass\n",
        );
        check(
            m,
            "from typing import Optional\ndef f(x: list = []):\n    pass\n",
            "from typing import Optional\ndef f(x: Optional[list] = None):\n    if x is None:\n        x = []\n    pass\n",
        );
        check(
            m,
            "import typing as t\ndef f(x: t.List[int] = []):\n    pass\n",
            "import typing as t\ndef f(x: t.Optional[t.List[int]] = None):\n    if x is None:\n        x = []\n    pass\n",
        );
        check_declined(m, "def f(x: list = []):\n    pass\n");
        check_declined(m, "def f(x: List[Optional[int]] = []):\n    pass\n");
    }

    #[test]
    fn risky_defaults_and_places_are_left_alone() {
        let m = &MutableDefault;
        check_declined(m, "def f(x=[]): return x\n");
        check_declined(m, "def f(x=[a, b]):\n    return x\n");
        check_declined(m, "def f(x=[i for i in y]):\n    return x\n");
        check_declined(m, "def f(x=list(y)):\n    return x\n");
        check_declined(m, "def f(x=defaultdict(list)):\n    return x\n");
        check_declined(m, "def f(x, _cache={}):\n    return x\n");
        check_declined(m, "def f(x, memo={}):\n    return x\n");
        check_declined(
            m,
            "def f(k, seen={}):\n    if k in seen:\n        return seen[k]\n    seen[k] = g(k)\n    return seen[k]\n",
        );
        check_declined(
            m,
            "def v(ver=[]):\n    try:\n        return ver[0]\n    except IndexError:\n        ver.append(1)\n        return 1\n",
        );
        check_declined(
            m,
            "# noinspection PyDefaultArgument\ndef f(x=[]):\n    return x\n",
        );
        check(
            m,
            "def f(x, acc=[]):\n    acc.append(x)\n    return acc\n",
            "def f(x, acc=None):\n    if acc is None:\n        acc = []\n    acc.append(x)\n    return acc\n",
        );
        check_declined(m, "@overload\ndef f(x=[]):\n    ...\n");
        check_declined(m, "@app.command()\ndef f(x=[]):\n    return x\n");
        check_declined(m, "list = MyList\ndef f(x=list()):\n    return x\n");
        check_declined(m, "def f(x=[]):\n    \"\"\"Doc.\"\"\"; return x\n");
        check(m, "f = lambda x=[]: x\n", "f = lambda x=[]: x\n");
        check(
            m,
            "def f(x=(), y=1, z=None, w=frozenset()):\n    pass\n",
            "def f(x=(), y=1, z=None, w=frozenset()):\n    pass\n",
        );
    }
}
