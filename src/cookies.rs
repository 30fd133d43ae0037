//! Reading one cookie out of a `Cookie` header, without a cookie crate.

/// The value of cookie `name` in a `Cookie` header value (`a=1; b=2`).
pub fn find<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v.trim_matches('"'))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_exact_names_only() {
        let h = "xlang=zh; lang=en; atelier_session=abc";
        assert_eq!(super::find(h, "lang"), Some("en"));
        assert_eq!(super::find(h, "atelier_session"), Some("abc"));
        assert_eq!(super::find(h, "session"), None);
    }
}
