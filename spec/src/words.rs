//! The English the parser needs: singular and plural nouns, names in `snake_case`, and the
//! small words a noun phrase is stripped of.

/// Words that begin a noun phrase and are not part of the name.
const ARTICLES: [&str; 12] = [
    "a", "an", "the", "each", "every", "its", "their", "his", "her", "our", "some", "any",
];

/// Plurals that do not end in a plain `s`, and words that end in `s` in the singular.
const IRREGULAR: [(&str, &str); 12] = [
    ("person", "people"),
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("mouse", "mice"),
    ("status", "statuses"),
    ("address", "addresses"),
    ("class", "classes"),
    ("bus", "buses"),
    ("news", "news"),
    ("series", "series"),
    ("analysis", "analyses"),
];

/// `word`'s singular (`books` → `book`, `categories` → `category`, `boxes` → `box`).
pub fn singular(word: &str) -> String {
    if let Some((one, _)) = IRREGULAR
        .iter()
        .find(|(one, many)| *many == word || *one == word)
    {
        return (*one).to_owned();
    }
    if let Some(stem) = word.strip_suffix("ies").filter(|s| s.len() > 1) {
        return format!("{stem}y");
    }
    for ending in ["ches", "shes", "xes", "sses", "zes"] {
        if let Some(stem) = word.strip_suffix(ending) {
            return format!("{stem}{}", &ending[..ending.len() - 2]);
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && !stem.ends_with('u') && stem.len() > 1 => {
            stem.to_owned()
        }
        _ => word.to_owned(),
    }
}

/// `word`'s plural (`book` → `books`, `category` → `categories`, `box` → `boxes`).
pub fn plural(word: &str) -> String {
    if let Some((_, many)) = IRREGULAR.iter().find(|(one, _)| *one == word) {
        return (*many).to_owned();
    }
    let vowel_before = |stem: &str| stem.ends_with(['a', 'e', 'i', 'o', 'u']);
    if let Some(stem) = word.strip_suffix('y')
        && !vowel_before(stem)
    {
        return format!("{stem}ies");
    }
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        return format!("{word}es");
    }
    format!("{word}s")
}

/// The words of `phrase` joined in `snake_case`, without a leading article or
/// anything but letters, digits and spaces.
pub fn snake(phrase: &str) -> String {
    words(phrase).join("_")
}

/// The lower-case words of `phrase`, without leading articles.
pub fn words(phrase: &str) -> Vec<String> {
    let cleaned: String = phrase
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    let mut words: Vec<String> = cleaned.split_whitespace().map(str::to_owned).collect();
    while words
        .first()
        .is_some_and(|w| ARTICLES.contains(&w.as_str()))
    {
        words.remove(0);
    }
    words
}

/// The noun phrase `phrase` names, as a singular `snake_case` entity name: the last word
/// made singular (`the library books` → `library_book`).
pub fn entity_name(phrase: &str) -> String {
    let mut words = words(phrase);
    if let Some(last) = words.last_mut() {
        *last = singular(last);
    }
    words.join("_")
}

/// `name` in `kebab-case`.
pub fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

/// Splits a list at its commas and at "and", outside parentheses: `a title, an author and a
/// year (1900 or later)` → three items.
pub fn list_items(list: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in list.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' | ';' if depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    items.push(current);
    items
        .iter()
        .flat_map(|item| split_and(item))
        .map(|item| item.trim().to_owned())
        .filter(|item| !words(item).is_empty())
        .collect()
}

/// Splits at the word "and" outside parentheses.
fn split_and(item: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = item.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if depth == 0 && word_start && item[i..].starts_with("and") {
            let end = i + 3;
            if end == bytes.len() || !bytes[end].is_ascii_alphanumeric() {
                parts.push(item[start..i].to_owned());
                start = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    parts.push(item[start..].to_owned());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_and_plural_go_both_ways() {
        for (one, many) in [
            ("book", "books"),
            ("category", "categories"),
            ("box", "boxes"),
            ("match", "matches"),
            ("status", "statuses"),
            ("person", "people"),
            ("day", "days"),
            ("loan", "loans"),
            ("address", "addresses"),
        ] {
            assert_eq!(plural(one), many, "plural of {one}");
            assert_eq!(singular(many), one, "singular of {many}");
            assert_eq!(singular(one), one, "{one} is already singular");
        }
    }

    #[test]
    fn names_drop_articles_and_punctuation() {
        assert_eq!(snake("a Due Date"), "due_date");
        assert_eq!(snake("the e-mail"), "e_mail");
        assert_eq!(entity_name("the library books"), "library_book");
        assert_eq!(entity_name("Rooms"), "room");
        assert_eq!(kebab("room_booking"), "room-booking");
    }

    #[test]
    fn lists_split_at_commas_and_and_but_not_inside_parentheses() {
        assert_eq!(
            list_items("a title, an author and a priority (low, medium and high)"),
            ["a title", "an author", "a priority (low, medium and high)"]
        );
        assert_eq!(list_items("a brand and a band"), ["a brand", "a band"]);
        assert_eq!(list_items("a title, and a body"), ["a title", "a body"]);
    }
}
