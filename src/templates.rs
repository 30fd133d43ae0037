//! The `{placeholders}` of a prompt template: `{subject} in watercolour` asks for a subject when
//! the template is used. A placeholder is a name in braces (letters, digits, spaces, `_` or `-`,
//! at most 40 characters); braces with a comma are MidJourney permutations (`{red, blue}`) and a
//! backslash keeps a brace as it is, so neither is asked for.

/// Characters in a placeholder's name.
pub const NAME_MAX_CHARS: usize = 40;

/// The `{name}` at the start of `rest` (which begins after a `{`): the name and its length in
/// bytes with the closing brace.
fn name_at(rest: &str) -> Option<(&str, usize)> {
    let end = rest.find('}')?;
    let name = &rest[..end];
    let ok = !name.trim().is_empty()
        && name.chars().count() <= NAME_MAX_CHARS
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-'));
    ok.then_some((name, end + 1))
}

/// A piece of a prompt: text as written, or a placeholder's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

fn pieces(prompt: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = prompt;
    while let Some(at) = rest.find(['{', '\\']) {
        let (before, from) = rest.split_at(at);
        out.push(Piece::Text(before));
        if let Some(after) = from.strip_prefix('\\') {
            // An escaped character stays as written, backslash and all.
            let n = after.chars().next().map_or(0, char::len_utf8);
            out.push(Piece::Text(&from[..1 + n]));
            rest = &after[n..];
        } else if let Some((name, len)) = name_at(&from[1..]) {
            out.push(Piece::Slot(name.trim()));
            rest = &from[1 + len..];
        } else {
            out.push(Piece::Text("{"));
            rest = &from[1..];
        }
    }
    out.push(Piece::Text(rest));
    out
}

/// The placeholders of a prompt, each once, in the order they first appear.
pub fn placeholders(prompt: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for piece in pieces(prompt) {
        if let Piece::Slot(name) = piece
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_owned());
        }
    }
    names
}

/// The prompt with each placeholder replaced by its value (trimmed); one without a value, or
/// with an empty one, stays as written.
pub fn fill(prompt: &str, values: &[(String, String)]) -> String {
    let mut out = String::with_capacity(prompt.len());
    for piece in pieces(prompt) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Slot(name) => {
                let value = values
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.trim())
                    .filter(|v| !v.is_empty());
                match value {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn placeholders_are_named_braces_each_once_in_order() {
        assert_eq!(
            placeholders("{subject} on a {surface}, {subject} again"),
            ["subject", "surface"]
        );
        assert_eq!(
            placeholders("a {main colour} 狐狸 in {地点}"),
            ["main colour", "地点"]
        );
    }

    #[test]
    fn permutations_escapes_and_odd_braces_are_not_placeholders() {
        assert!(placeholders("a {red, blue} fox").is_empty());
        assert!(placeholders(r"a \{literal} fox").is_empty());
        assert!(placeholders("{} and { } and {a.b} and {unclosed").is_empty());
        assert_eq!(placeholders("{a, {inner}} fox"), ["inner"]);
        let long = format!("{{{}}}", "x".repeat(NAME_MAX_CHARS + 1));
        assert!(placeholders(&long).is_empty());
    }

    #[test]
    fn filling_replaces_every_use_and_keeps_the_rest_as_written() {
        let prompt = r"{subject} on {surface} \{keep} {red, blue} --ar 3:2, {subject}";
        assert_eq!(
            fill(
                prompt,
                &v(&[("subject", " a teapot "), ("surface", "marble")])
            ),
            r"a teapot on marble \{keep} {red, blue} --ar 3:2, a teapot"
        );
        // Not given, or given empty: the placeholder stays, to be seen and filled.
        assert_eq!(
            fill("{a} and {b}", &v(&[("a", "x"), ("b", " ")])),
            "x and {b}"
        );
        assert_eq!(fill("no slots", &[]), "no slots");
    }
}
