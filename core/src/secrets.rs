//! Secrets in text, found and redacted before anything leaves tdev's hands: what it sends to
//! a model or an agent (the prompt), and what it writes to its graph, its pattern index and
//! its logs (findings' messages and evidence, lessons' situations and example changes).
//!
//! Found: private key blocks; the key and token formats of common providers (AWS, GitHub,
//! GitLab, Slack, Stripe, Google, OpenAI, Anthropic, npm, PyPI); JSON web tokens; credentials
//! in URLs (`scheme://user:password@host`); and values assigned to names that say they are
//! secret (`password = "..."`, `API_KEY: ...`, `"client_secret": "..."`). Each is replaced by
//! `<redacted:KIND>`, so a reader (a person or a model) still sees that a secret was there.
//! Values that are plainly not secrets are left alone: empty strings, placeholders such as
//! `<token>`, `${TOKEN}`, `os.environ[...]`, and values of fewer than 6 characters.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// A kind of secret, as it appears in the placeholder (`<redacted:aws-access-key>`).
pub type Kind = &'static str;

/// One rule: what it finds, and which capture group is the secret (0 for the whole match).
struct Rule {
    kind: Kind,
    pattern: Regex,
    group: usize,
    /// The value is unquoted: a plain name there is code, not a secret.
    unquoted: bool,
}

fn rule(kind: Kind, pattern: &str, group: usize) -> Rule {
    Rule {
        kind,
        pattern: Regex::new(pattern).expect("the secret patterns are valid"),
        group,
        unquoted: false,
    }
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule(
            "private-key",
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
            0,
        ),
        rule(
            "aws-access-key",
            r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b",
            0,
        ),
        rule(
            "github-token",
            r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
            0,
        ),
        rule("gitlab-token", r"\bglpat-[A-Za-z0-9_-]{20,}", 0),
        rule("slack-token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", 0),
        rule(
            "stripe-key",
            r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
            0,
        ),
        rule("google-api-key", r"\bAIza[0-9A-Za-z_-]{35}", 0),
        rule("anthropic-key", r"\bsk-ant-[A-Za-z0-9_-]{20,}", 0),
        rule("openai-key", r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}", 0),
        rule("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b", 0),
        rule("pypi-token", r"\bpypi-[A-Za-z0-9_-]{40,}", 0),
        rule(
            "jwt",
            r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
            0,
        ),
        // scheme://user:password@host: the password.
        rule(
            "url-password",
            r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:([^\s@/]{3,})@",
            1,
        ),
        // A quoted value assigned to a name that says it is secret: `password = "..."`,
        // `"api_key": '...'`, `SECRET_TOKEN: "..."`.
        rule(
            "assigned-secret",
            r#"(?i)[\w.-]*(?:passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key|credential)[\w.-]*["']?\s*(?::=|=|:)\s*[brfu]{0,2}["']([^"'\n]{6,})["']"#,
            1,
        ),
        // The same, unquoted, in configuration files (`.env`, INI): `DB_PASSWORD=hunter22`.
        // A call or a plain name on the right (`secret = get_secret()`, `token = user_token`)
        // is code, not a value: no brackets, and a digit or a symbol (see `is_placeholder`).
        Rule {
            unquoted: true,
            ..rule(
                "assigned-secret",
                r"(?im)^[ \t]*(?:export[ \t]+)?[\w.-]*(?:passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)[\w.-]*[ \t]*[=:][ \t]*([^\s'\x22#()\[\]{},][^\s#()\[\]{},]{5,})[ \t]*$",
                1,
            )
        },
    ]
});

/// Whether a value found by a name-based rule is a placeholder or a reference, not a secret:
/// a template, an environment lookup, a mask.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    v.starts_with('<') && v.ends_with('>')
        || v.starts_with("${")
        || v.starts_with("{{")
        || v.starts_with('$')
        || v.contains("os.environ")
        || v.contains("getenv")
        || v.chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
        || v.starts_with("<redacted:")
}

/// Whether an unquoted value is a plain name (`token = user_token`): code, not a value.
fn is_identifier(value: &str) -> bool {
    value.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
}

/// The secrets in `text`: each one's kind and byte range, in order, not overlapping.
pub fn find(text: &str) -> Vec<(Kind, std::ops::Range<usize>)> {
    let mut found: Vec<(Kind, std::ops::Range<usize>)> = Vec::new();
    for rule in RULES.iter() {
        for captures in rule.pattern.captures_iter(text) {
            let Some(secret) = captures.get(rule.group) else {
                continue;
            };
            if rule.group > 0 && is_placeholder(secret.as_str())
                || rule.unquoted && is_identifier(secret.as_str())
            {
                continue;
            }
            let range = secret.range();
            if found
                .iter()
                .all(|(_, r)| range.end <= r.start || r.end <= range.start)
            {
                found.push((rule.kind, range));
            }
        }
    }
    found.sort_by_key(|(_, r)| r.start);
    found
}

/// `text` with every secret replaced by `<redacted:KIND>`; borrowed when there is none.
pub fn redact(text: &str) -> Cow<'_, str> {
    let found = find(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (kind, range) in found {
        out.push_str(&text[at..range.start]);
        out.push_str("<redacted:");
        out.push_str(kind);
        out.push('>');
        at = range.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Redacts a string in place; says whether anything was found.
pub fn redact_in_place(text: &mut String) -> bool {
    match redact(text) {
        Cow::Borrowed(_) => false,
        Cow::Owned(redacted) => {
            *text = redacted;
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind, planted in code as it would be written, is found and replaced; the code
    /// around it stays.
    #[test]
    fn secrets_of_every_kind_are_redacted_and_the_code_around_them_kept() {
        let cases = [
            ("key = 'AKIAIOSFODNN7EXAMPLE'", "aws-access-key"),
            (
                "GH = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789AB\"",
                "github-token",
            ),
            ("t = 'glpat-abcdefghij0123456789'", "gitlab-token"),
            ("SLACK = 'xoxb-1234567890-abcdefghij'", "slack-token"),
            ("stripe.api = 'sk_live_abcdefghijklmnop1234'", "stripe-key"),
            (
                "g = 'AIzaSyA1234567890abcdefghijklmnopqrstuv'",
                "google-api-key",
            ),
            (
                "client = Anthropic(api='sk-ant-api03-abcdefghijklmnopqrstuv')",
                "anthropic-key",
            ),
            (
                "openai.api = 'sk-proj-abcdefghijklmnopqrstuvwx'",
                "openai-key",
            ),
            (
                "jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'",
                "jwt",
            ),
            (
                "url = 'postgres://admin:s3cr3tpass@db.example.com/app'",
                "url-password",
            ),
            ("password = \"hunter2-correct-horse\"", "assigned-secret"),
            ("password = 'changemeplease'", "assigned-secret"),
            (
                "config = {\"client_secret\": \"abcdef123456\"}",
                "assigned-secret",
            ),
            ("DB_PASSWORD=s3cr3t-value", "assigned-secret"),
        ];
        for (text, kind) in cases {
            let redacted = redact(text);
            assert!(
                redacted.contains(&format!("<redacted:{kind}>")),
                "{text} -> {redacted}"
            );
            let found = find(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            let secret = &text[found[0].1.clone()];
            assert!(!redacted.contains(secret), "{text} -> {redacted}");
        }
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----\n";
        let text = format!("KEY = \"\"\"\n{key}\"\"\"\nother = 1\n");
        let redacted = redact(&text);
        assert!(!redacted.contains("MIIEowIBAAKCAQEA"), "{redacted}");
        assert!(redacted.contains("<redacted:private-key>") && redacted.ends_with("other = 1\n"));
    }

    /// Placeholders, references to the environment and ordinary code are not secrets.
    #[test]
    fn placeholders_and_ordinary_code_are_left_alone() {
        for text in [
            "password = os.environ[\"DB_PASSWORD\"]",
            "token = \"<your token here>\"",
            "API_KEY=${API_KEY}",
            "password = \"\"",
            "def check_password(password):\n    return hash(password) == stored\n",
            "secret = get_secret()",
            "token = user_token",
            "sk = compute_key(a, b)",
            "url = 'https://example.com/path'",
            "Possible hardcoded password: 'abc'",
        ] {
            assert_eq!(redact(text), text, "{text}");
        }
    }

    /// Redacting twice changes nothing more.
    #[test]
    fn redacting_is_idempotent() {
        let once = redact("password = 'hunter2-horse' and AKIAIOSFODNN7EXAMPLE").into_owned();
        assert_eq!(redact(&once), once);
    }
}
