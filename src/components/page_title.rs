//! The page's `<title>`, safe whatever its text. leptos_meta (0.8) writes a `Title`'s text into
//! `<head>` on the server as it is, so a prompt or a name holding `</title>` could end the title
//! and add tags of its own (a `<meta http-equiv="refresh">` that sends visitors elsewhere). Every
//! page titles itself through [`PageTitle`]: on the server the text is escaped before it reaches
//! leptos_meta; in the browser it is set as the document's title, which is text already.

use leptos::prelude::*;

/// The title of the page: `text` as the visitor should read it.
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    use leptos_meta::Title;
    view! { <Title text=for_head(&text) /> }
}

/// `text` as it may stand between `<title>` and `</title>` in the HTML the server writes.
#[cfg(feature = "ssr")]
pub fn for_head(text: &str) -> String {
    escape_text(text)
}

/// In the browser the title is set through the DOM, where text is never markup.
#[cfg(not(feature = "ssr"))]
pub fn for_head(text: &str) -> String {
    text.to_owned()
}

/// Text as HTML text: `&`, `<` and `>` written as entities (the title is RCDATA, where only these
/// can matter).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_title_stays_text() {
        assert_eq!(
            escape_text(r#"a heron </title><meta http-equiv="refresh"> & co"#),
            r#"a heron &lt;/title&gt;&lt;meta http-equiv="refresh"&gt; &amp; co"#
        );
        assert_eq!(escape_text("一只鹭"), "一只鹭");
    }

    /// No page writes a `Title` of its own: each goes through [`PageTitle`].
    #[test]
    fn every_page_titles_itself_through_page_title() {
        fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    visit(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("components/page_title.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if text.contains("<Title") || text.contains("leptos_meta::Title") {
                        found.push(path.display().to_string());
                    }
                }
            }
        }
        let mut found = Vec::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.is_empty(), "raw Title in {found:?}");
    }
}
