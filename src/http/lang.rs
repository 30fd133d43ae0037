//! POST /lang: remembers the chosen UI language in a cookie and goes back. A plain form, so the
//! switcher works with or without JavaScript.

use crate::i18n::{LANG_COOKIE, Lang};
use axum::{
    Form,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SetLang {
    lang: String,
    #[serde(default)]
    next: String,
}

pub async fn set_lang(Form(form): Form<SetLang>) -> Response {
    let Some(lang) = Lang::from_tag(&form.lang) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "Unknown language").into_response();
    };
    let tag = match lang {
        Lang::En => "en",
        Lang::Zh => "zh",
    };
    let cookie = format!("{LANG_COOKIE}={tag}; Path=/; SameSite=Lax; Max-Age=31536000");
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, safe_next(&form.next).to_owned()),
        ],
    )
        .into_response()
}

/// Only same-site paths: never an open redirect. A path of visible ASCII only (what a page's own
/// `location` gives): browsers drop tabs and line breaks from a URL before they read it, so
/// `/\t/evil.example` would be `//evil.example`, another site.
fn safe_next(next: &str) -> &str {
    let visible = next.bytes().all(|b| b.is_ascii_graphic());
    if visible && next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_site() {
        assert_eq!(super::safe_next("/history?x=1"), "/history?x=1");
        assert_eq!(super::safe_next("//evil.example"), "/");
        assert_eq!(super::safe_next("https://evil.example"), "/");
        assert_eq!(super::safe_next("/\\evil.example"), "/");
        for sneaky in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil",
            "/ /evil",
            "/\u{a0}/x",
        ] {
            assert_eq!(super::safe_next(sneaky), "/", "{sneaky:?}");
        }
    }
}
