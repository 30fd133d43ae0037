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

/// Flags that would buy what was not paid for: another speed mode than the one charged, or
/// several jobs for the price of one (`--repeat`, `--r`).
pub const PAID_FLAGS: [&str; 5] = ["--fast", "--relax", "--turbo", "--repeat", "--r"];

/// The first of [`PAID_FLAGS`] in the prompt, as written, if any. MidJourney reads a long dash
/// (`—fast`, as phones type `--`) and any case the same, and so does this.
pub fn paid_flag(prompt: &str) -> Option<&str> {
    prompt.split_whitespace().find(|word| {
        let w = word.to_lowercase();
        let w = w
            .strip_prefix('\u{2014}')
            .or_else(|| w.strip_prefix('\u{2013}'))
            .map(|rest| format!("--{rest}"))
            .unwrap_or(w);
        PAID_FLAGS.contains(&w.as_str())
    })
}

/// Prompt `index` of a describe's four or a shorten's five, as MidJourney numbers them
/// ("1️⃣ a fox", "2. a den"), each on its own line or paragraph; text before the first number (a
/// shorten's analysis) is not a prompt. Without numbers, the `index`-th paragraph.
pub fn numbered_prompt(text: &str, index: u32) -> Option<String> {
    let numbered = |line: &str| -> Option<(u32, String)> {
        let line = line.trim().trim_start_matches('*');
        let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n: u32 = line[..digits].parse().ok()?;
        let rest = &line[digits..];
        let unnumbered = rest.trim_start_matches(['\u{fe0f}', '\u{20e3}', '.', ')']);
        (unnumbered.len() < rest.len()).then(|| (n, unnumbered.trim().to_owned()))
    };
    let mut found = text.lines().filter_map(numbered).peekable();
    if found.peek().is_some() {
        return found
            .find(|(n, _)| *n == index)
            .map(|(_, p)| p)
            .filter(|p| !p.is_empty());
    }
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .nth(index.checked_sub(1)? as usize)
        .map(str::to_owned)
}

/// Every numbered prompt of a describe's or a shorten's text, in order.
pub fn numbered_prompts(text: &str) -> Vec<String> {
    (1..=9).map_while(|i| numbered_prompt(text, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paid_flags_are_found_however_written() {
        assert_eq!(paid_flag("a fox --fast"), Some("--fast"));
        assert_eq!(paid_flag("a fox --TURBO --ar 1:1"), Some("--TURBO"));
        assert_eq!(paid_flag("a fox \u{2014}relax"), Some("\u{2014}relax"));
        assert_eq!(paid_flag("a fox --r 4"), Some("--r"));
        assert_eq!(paid_flag("a fox --repeat 3"), Some("--repeat"));
        assert_eq!(paid_flag("a fox --raw --ar 3:2 fast relax"), None);
    }

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
