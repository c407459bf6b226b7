//! Documentation coverage of a Rust file's public items, counted as rustc's `missing_docs`
//! lint counts them, as far as syntax alone can tell.
//!
//! The rules, restated: an item needs docs when it is public API — declared plainly `pub`
//! (`pub(crate)`, `pub(super)` and `pub(in ...)` are not) and reachable, that is not inside a
//! private module of the file, a function body or a `#[doc(hidden)]` item. Such items are
//! functions, structs, enums, unions, traits, type aliases, constants, statics, modules and
//! the items of `extern` blocks; the named `pub` fields of a public struct or union (tuple
//! fields never); every variant of a public enum, and the named fields of its struct-like
//! variants; every function, type and constant of a public trait; the `pub` functions and
//! constants of an inherent `impl` whose type is not private in this file; and every
//! `#[macro_export]` `macro_rules!`, wherever it is. Items of trait `impl`s are exempt: the
//! trait documents them. An item is covered by a `///` or `/** */` comment or a `#[doc = ...]`
//! attribute (also one behind `cfg_attr`), and a module also by `//!`, `/*! */` or `#![doc]`
//! inside it.
//!
//! What syntax cannot tell: the file's own module is taken to be reachable (whether it is
//! depends on the `mod` that declares it, in another file); a `pub` item of a private module
//! re-exported elsewhere with `pub use` is not counted, while rustc counts it; items behind a
//! `#[cfg]` that the build leaves out are counted; and a `pub mod name;` declared here without
//! outer docs may be documented by the `//!` of its own file ([`DocKind::ModuleFile`]).

use super::syntax::{field, has_inner_docs, is_pub, outer, text, type_name};
use std::collections::HashSet;
use tree_sitter::Node;

/// What a documented item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocKind {
    /// A module with its body here: `pub mod name { ... }`.
    Module,
    /// A module whose body is another file: `pub mod name;`. Its `covered` says whether
    /// it has outer docs; the inner docs of its file
    /// ([`RustAnalysis::inner_docs`](super::RustAnalysis::inner_docs)) cover it too.
    ModuleFile,
    /// A function, or a method of a trait or an inherent `impl`.
    Function,
    /// A struct.
    Struct,
    /// An enum.
    Enum,
    /// A union.
    Union,
    /// A trait.
    Trait,
    /// A type alias, or an associated type of a trait.
    TypeAlias,
    /// A constant, also of a trait or an `impl`.
    Const,
    /// A static.
    Static,
    /// A named field of a struct, union or enum variant.
    Field,
    /// A variant of an enum.
    Variant,
    /// A `#[macro_export]` `macro_rules!` macro.
    Macro,
}

/// One public item that should be documented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocItem {
    /// What it is.
    pub kind: DocKind,
    /// Its name behind the modules, types and traits it is in, within the file:
    /// `Parser::parse`, `Color::Red`, `Point::x`.
    pub qualified: String,
    /// 1-based line where it starts (its visibility or keyword, not an attribute), where
    /// rustc reports it.
    pub line: usize,
    /// Whether it is documented.
    pub covered: bool,
}

struct Walk<'s> {
    source: &'s str,
    /// Types declared in this file that are not public API: their inherent methods are not
    /// reachable either.
    private_types: HashSet<&'s str>,
    out: Vec<DocItem>,
}

/// The public items of a parsed file, in source order.
pub(super) fn doc_items(root: Node<'_>, source: &str) -> Vec<DocItem> {
    let mut walk = Walk {
        source,
        private_types: HashSet::new(),
        out: Vec::new(),
    };
    walk.private_types_in(root, true);
    walk.items(root, &mut Vec::new(), true);
    walk.out
}

impl<'s> Walk<'s> {
    fn private_types_in(&mut self, body: Node<'_>, reachable: bool) {
        let mut public = HashSet::new();
        self.collect_types(body, reachable, &mut public);
        // A name both public and private somewhere in the file: its impls may be public.
        self.private_types.retain(|name| !public.contains(name));
    }

    fn collect_types(&mut self, body: Node<'_>, reachable: bool, public: &mut HashSet<&'s str>) {
        let mut cursor = body.walk();
        for node in body.named_children(&mut cursor) {
            let visible =
                reachable && is_pub(node, self.source) && !outer(node, self.source).hidden;
            match node.kind() {
                "struct_item" | "enum_item" | "union_item" | "type_item" => {
                    let name = field(node, "name", self.source);
                    if visible {
                        public.insert(name);
                    } else {
                        self.private_types.insert(name);
                    }
                }
                "mod_item" => {
                    if let Some(inner) = node.child_by_field_name("body") {
                        self.collect_types(inner, visible, public);
                    }
                }
                _ => {}
            }
        }
    }

    fn push(&mut self, kind: DocKind, scope: &[String], name: &str, node: Node<'_>, covered: bool) {
        let qualified = scope
            .iter()
            .map(String::as_str)
            .chain([name])
            .collect::<Vec<_>>()
            .join("::");
        self.out.push(DocItem {
            kind,
            qualified,
            line: node.start_position().row + 1,
            covered,
        });
    }

    /// The items of a file, module, `extern` block or `impl` body.
    fn items(&mut self, body: Node<'_>, scope: &mut Vec<String>, reachable: bool) {
        let mut cursor = body.walk();
        for node in body.named_children(&mut cursor) {
            let attrs = outer(node, self.source);
            if attrs.hidden {
                continue;
            }
            let name = field(node, "name", self.source).to_owned();
            let public = reachable && is_pub(node, self.source);
            let kind = match node.kind() {
                "function_item" | "function_signature_item" => DocKind::Function,
                "struct_item" => DocKind::Struct,
                "enum_item" => DocKind::Enum,
                "union_item" => DocKind::Union,
                "trait_item" => DocKind::Trait,
                "type_item" => DocKind::TypeAlias,
                "const_item" => DocKind::Const,
                "static_item" => DocKind::Static,
                "mod_item" if node.child_by_field_name("body").is_some() => DocKind::Module,
                "mod_item" => DocKind::ModuleFile,
                "macro_definition" => {
                    if attrs.macro_export {
                        self.push(DocKind::Macro, &[], &name, node, attrs.documented);
                    }
                    continue;
                }
                "foreign_mod_item" => {
                    if let Some(inner) = node.child_by_field_name("body") {
                        self.items(inner, scope, reachable);
                    }
                    continue;
                }
                "impl_item" => {
                    self.inherent_impl(node, scope);
                    continue;
                }
                _ => continue,
            };
            if public && name != "_" {
                let covered = attrs.documented
                    || (kind == DocKind::Module
                        && node
                            .child_by_field_name("body")
                            .is_some_and(|b| has_inner_docs(b, self.source)));
                self.push(kind, scope, &name, node, covered);
            }
            scope.push(name);
            match kind {
                DocKind::Module => {
                    if let Some(inner) = node.child_by_field_name("body") {
                        self.items(inner, scope, public);
                    }
                }
                DocKind::Struct | DocKind::Union if public => {
                    if let Some(fields) = node.child_by_field_name("body") {
                        self.fields(fields, scope, false);
                    }
                }
                DocKind::Enum if public => self.variants(node, scope),
                DocKind::Trait if public => self.trait_items(node, scope),
                _ => {}
            }
            scope.pop();
        }
    }

    /// Named fields; those of enum variants are public without saying so.
    fn fields(&mut self, list: Node<'_>, scope: &[String], all_public: bool) {
        if list.kind() != "field_declaration_list" {
            return; // tuple fields are never asked for docs
        }
        let mut cursor = list.walk();
        for node in list.named_children(&mut cursor) {
            let attrs = outer(node, self.source);
            let public = all_public || is_pub(node, self.source);
            if node.kind() == "field_declaration" && public && !attrs.hidden {
                let name = field(node, "name", self.source);
                self.push(DocKind::Field, scope, name, node, attrs.documented);
            }
        }
    }

    fn variants(&mut self, enum_item: Node<'_>, scope: &mut Vec<String>) {
        let Some(list) = enum_item.child_by_field_name("body") else {
            return;
        };
        let mut cursor = list.walk();
        for node in list.named_children(&mut cursor) {
            let attrs = outer(node, self.source);
            if node.kind() != "enum_variant" || attrs.hidden {
                continue;
            }
            let name = field(node, "name", self.source).to_owned();
            self.push(DocKind::Variant, scope, &name, node, attrs.documented);
            if let Some(fields) = node.child_by_field_name("body") {
                scope.push(name);
                self.fields(fields, scope, true);
                scope.pop();
            }
        }
    }

    /// Every item of a public trait is public.
    fn trait_items(&mut self, trait_item: Node<'_>, scope: &[String]) {
        let Some(body) = trait_item.child_by_field_name("body") else {
            return;
        };
        let mut cursor = body.walk();
        for node in body.named_children(&mut cursor) {
            let attrs = outer(node, self.source);
            let kind = match node.kind() {
                "function_item" | "function_signature_item" => DocKind::Function,
                "associated_type" => DocKind::TypeAlias,
                "const_item" => DocKind::Const,
                _ => continue,
            };
            if !attrs.hidden {
                let name = field(node, "name", self.source);
                self.push(kind, scope, name, node, attrs.documented);
            }
        }
    }

    /// The `pub` functions and constants of an inherent `impl`, unless its type is private
    /// here; a trait `impl` is documented by its trait.
    fn inherent_impl(&mut self, impl_item: Node<'_>, scope: &[String]) {
        let (Some(ty), Some(body)) = (
            impl_item.child_by_field_name("type"),
            impl_item.child_by_field_name("body"),
        ) else {
            return;
        };
        let ty = type_name(ty, self.source);
        let hidden = outer(impl_item, self.source).hidden;
        if impl_item.child_by_field_name("trait").is_some()
            || hidden
            || self.private_types.contains(ty.as_str())
        {
            return;
        }
        let scope: Vec<String> = scope.iter().cloned().chain([ty]).collect();
        let mut cursor = body.walk();
        for node in body.named_children(&mut cursor) {
            let attrs = outer(node, self.source);
            let kind = match node.kind() {
                "function_item" => DocKind::Function,
                "const_item" => DocKind::Const,
                _ => continue,
            };
            if is_pub(node, self.source) && !attrs.hidden {
                let name = text(
                    node.child_by_field_name("name").unwrap_or(node),
                    self.source,
                );
                self.push(kind, &scope, name, node, attrs.documented);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// Every item as `Kind qualified covered`.
    fn check(source: &str, expected: &[&str]) {
        let tree = parse(source).unwrap();
        let got: Vec<String> = doc_items(tree.root_node(), source)
            .iter()
            .map(|i| format!("{:?} {} {}", i.kind, i.qualified, i.covered))
            .collect();
        assert_eq!(got, expected, "{source}");
    }

    #[test]
    fn public_items_are_covered_by_outer_docs() {
        check("/// Doc.\npub fn f() {}", &["Function f true"]);
        check("pub fn f() {}", &["Function f false"]);
        check("/** Doc. */\npub fn f() {}", &["Function f true"]);
        check("#[doc = \"Doc.\"]\npub fn f() {}", &["Function f true"]);
        check(
            "/// Doc.\n#[inline]\n// note\npub fn f() {}",
            &["Function f true"],
        );
        check("// Not a doc.\npub fn f() {}", &["Function f false"]);
        check(
            "//// Not a doc either.\npub fn f() {}",
            &["Function f false"],
        );
        check(
            "#[cfg_attr(docsrs, doc = \"Doc.\")]\npub fn f() {}",
            &["Function f true"],
        );
        check(
            "pub struct S; pub enum E {} pub union U { a: u8 } pub trait T {} pub type A = u8; pub const C: u8 = 1; pub static X: u8 = 1;",
            &[
                "Struct S false",
                "Enum E false",
                "Union U false",
                "Trait T false",
                "TypeAlias A false",
                "Const C false",
                "Static X false",
            ],
        );
    }

    #[test]
    fn only_plain_pub_is_public_api() {
        check(
            "fn a() {} pub(crate) fn b() {} pub(super) struct C; pub(in crate::x) fn d() {}",
            &[],
        );
        check("pub const _: () = ();", &[]);
    }

    #[test]
    fn private_modules_function_bodies_and_hidden_items_are_not_reachable() {
        check("mod m { pub fn f() {} }", &[]);
        check("pub(crate) mod m { pub fn f() {} }", &[]);
        check(
            "pub mod m { pub fn f() {} fn g() {} }",
            &["Module m false", "Function m::f false"],
        );
        check("pub mod m { //! Inner.\n}", &["Module m true"]);
        check("pub mod m;", &["ModuleFile m false"]);
        check("/// Doc.\npub mod m;", &["ModuleFile m true"]);
        check("pub fn f() { pub struct Inner; }", &["Function f false"]);
        check("#[doc(hidden)]\npub mod m { pub fn f() {} }", &[]);
        check("#[doc(hidden)]\npub fn f() {}", &[]);
    }

    #[test]
    fn fields_variants_and_trait_items_of_public_types() {
        check(
            "pub struct S { pub a: u8, b: u8, /// Doc.\npub c: u8 }",
            &["Struct S false", "Field S::a false", "Field S::c true"],
        );
        check("pub struct S(pub u8);", &["Struct S false"]);
        check("struct S { pub a: u8 }", &[]);
        check(
            "pub enum E { /// Doc.\nA, B(u8), C { x: u8 } }",
            &[
                "Enum E false",
                "Variant E::A true",
                "Variant E::B false",
                "Variant E::C false",
                "Field E::C::x false",
            ],
        );
        check(
            "pub trait T { fn a(&self); /// Doc.\nfn b(&self) {} type X; const C: u8; }",
            &[
                "Trait T false",
                "Function T::a false",
                "Function T::b true",
                "TypeAlias T::X false",
                "Const T::C false",
            ],
        );
        check("trait T { fn a(&self); }", &[]);
    }

    #[test]
    fn inherent_impls_count_and_trait_impls_are_exempt() {
        check(
            "pub struct S; impl S { pub fn a() {} fn b() {} pub const C: u8 = 1; }",
            &["Struct S false", "Function S::a false", "Const S::C false"],
        );
        check("struct S; impl S { pub fn a() {} }", &[]);
        check(
            "impl Elsewhere { pub fn a() {} }",
            &["Function Elsewhere::a false"],
        );
        check(
            "pub struct S; impl Clone for S { fn clone(&self) -> S { S } }",
            &["Struct S false"],
        );
        check("extern \"C\" { pub fn ext(); }", &["Function ext false"]);
    }

    #[test]
    fn exported_macros_are_public_wherever_they_are() {
        check(
            "mod m { #[macro_export]\nmacro_rules! mac { () => {} } }",
            &["Macro mac false"],
        );
        check(
            "/// Doc.\n#[macro_export]\nmacro_rules! mac { () => {} }",
            &["Macro mac true"],
        );
        check("macro_rules! local { () => {} }", &[]);
    }
}
