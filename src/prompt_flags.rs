//! Writing MidJourney parameters (`--ar 3:2`, `--no text`, ...) into prompt text, for the
//! Generate page's controls. Shared by server and browser.

/// Removes every occurrence of the flags in `remove` (with their values: everything up to the next
/// `--flag`) and appends `add` (such as `--ar 3:2`) when given.
pub fn set_flag(prompt: &str, remove: &[&str], add: Option<&str>) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut skipping = false;
    for word in prompt.split_whitespace() {
        if word.starts_with("--") {
            skipping = remove.contains(&word);
        }
        if !skipping {
            out.push(word);
        }
    }
    if let Some(add) = add.map(str::trim).filter(|a| !a.is_empty()) {
        out.push(add);
    }
    out.join(" ")
}

/// The value of `flag` in the prompt (the words after it, up to the next flag).
pub fn flag_value(prompt: &str, flag: &str) -> Option<String> {
    let mut words = prompt.split_whitespace().skip_while(|w| *w != flag);
    words.next()?;
    let value: Vec<&str> = words.take_while(|w| !w.starts_with("--")).collect();
    Some(value.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_replaced_not_repeated() {
        let p = set_flag("a fox --ar 1:1 --chaos 5", &["--ar"], Some("--ar 3:2"));
        assert_eq!(p, "a fox --chaos 5 --ar 3:2");
        assert_eq!(set_flag(&p, &["--ar"], None), "a fox --chaos 5");
        let p = set_flag(
            "a fox --no text logos --s 50",
            &["--no"],
            Some("--no people"),
        );
        assert_eq!(p, "a fox --s 50 --no people");
        let p = set_flag("a fox --v 6.1", &["--v", "--niji"], Some("--niji 6"));
        assert_eq!(p, "a fox --niji 6");
        assert_eq!(
            flag_value("a fox --no text logos --s 50", "--no").as_deref(),
            Some("text logos")
        );
        assert_eq!(flag_value("a fox", "--no"), None);
    }
}
