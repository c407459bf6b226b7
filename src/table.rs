//! Renders query solutions as an aligned table for people; scripts use `--format json|csv|tsv`.

use oxigraph::model::Term;
use std::io::Write;
use tdev_core::{display_width, pad_end, truncate_to_width};
use tdev_knowledge::vocab;

/// Cells wider than this many columns are cut with an ellipsis; use a machine format for the
/// full value.
const MAX_CELL: usize = 80;

const PREFIXES: [(&str, &str); 7] = [
    ("tdev:", vocab::NS),
    ("id:", vocab::ID),
    ("prov:", vocab::PROV),
    ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd:", "http://www.w3.org/2001/XMLSchema#"),
    ("owl:", "http://www.w3.org/2002/07/owl#"),
];

fn abbreviate(iri: &str) -> String {
    PREFIXES
        .iter()
        .find_map(|(prefix, ns)| iri.strip_prefix(ns).map(|local| format!("{prefix}{local}")))
        .unwrap_or_else(|| format!("<{iri}>"))
}

/// A term as a person reads it: prefixed IRIs, bare strings and numbers.
pub fn cell(term: &Term) -> String {
    let text = match term {
        Term::NamedNode(n) => abbreviate(n.as_str()),
        Term::BlankNode(b) => b.to_string(),
        Term::Literal(l) => {
            let datatype = l.datatype().as_str();
            let plain = [
                "http://www.w3.org/2001/XMLSchema#string",
                "http://www.w3.org/2001/XMLSchema#integer",
                "http://www.w3.org/2001/XMLSchema#decimal",
                "http://www.w3.org/2001/XMLSchema#double",
                "http://www.w3.org/2001/XMLSchema#boolean",
                "http://www.w3.org/2001/XMLSchema#dateTime",
                "http://www.w3.org/2001/XMLSchema#date",
            ];
            match l.language() {
                Some(lang) => format!("{}@{lang}", l.value()),
                None if plain.contains(&datatype) => l.value().to_owned(),
                None => format!("\"{}\"^^{}", l.value(), abbreviate(datatype)),
            }
        }
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    };
    truncate_to_width(&text.replace(['\n', '\t'], " "), MAX_CELL)
}

/// Writes a header, a rule, the rows and a count line, the columns aligned by the terminal
/// columns their cells take.
pub fn write(out: &mut impl Write, header: &[String], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(c));
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| pad_end(c, *w))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(header))?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("  "))?;
    for row in rows {
        writeln!(out, "{}", line(row))?;
    }
    let n = rows.len();
    writeln!(out, "({n} row{})", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};

    fn check(term: Term, expected: &str) {
        assert_eq!(cell(&term), expected);
    }

    #[test]
    fn terms_read_naturally() {
        check(
            NamedNode::new_unchecked("https://tdev.dev/ns#Cycle").into(),
            "tdev:Cycle",
        );
        check(
            NamedNode::new_unchecked("http://example.com/x").into(),
            "<http://example.com/x>",
        );
        check(Literal::from("plain").into(), "plain");
        check(Literal::from(42).into(), "42");
        check(
            Literal::new_language_tagged_literal_unchecked("Cycle", "en").into(),
            "Cycle@en",
        );
        check(Literal::from("a\nb").into(), "a b");
        let long = "x".repeat(200);
        assert_eq!(
            cell(&Literal::from(long.as_str()).into()).chars().count(),
            MAX_CELL
        );
    }

    #[test]
    fn columns_align() {
        let mut out = Vec::new();
        let header = vec!["n".to_owned(), "name".to_owned()];
        write(&mut out, &header, &[vec!["400".into(), "x".into()]]).unwrap();
        expect_test::expect![[r#"
            n    name
            ---  ----
            400  x
            (1 row)
        "#]]
        .assert_eq(&String::from_utf8(out).unwrap());
    }

    #[test]
    fn wide_characters_keep_the_columns_aligned() {
        let mut out = Vec::new();
        let header = vec!["name".to_owned(), "n".to_owned()];
        let rows = [
            vec!["日本".to_owned(), "1".to_owned()],
            vec!["x".to_owned(), "2".to_owned()],
        ];
        write(&mut out, &header, &rows).unwrap();
        expect_test::expect![[r#"
            name  n
            ----  -
            日本  1
            x     2
            (2 rows)
        "#]]
        .assert_eq(&String::from_utf8(out).unwrap());
    }
}
