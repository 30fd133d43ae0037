//! A prompt that may be sent upstream.

use crate::error::{AppError, Rule};

/// Non-blank, at most 4,000 characters, no control characters (newlines and tabs become spaces).
/// MidJourney parameters such as `--ar 3:2` or `--no text` are kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt(String);

impl Prompt {
    pub const MAX_CHARS: usize = crate::limits::PROMPT_MAX_CHARS;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let normalised: String = raw
            .trim()
            .chars()
            .map(|c| {
                if matches!(c, '\n' | '\r' | '\t') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        if normalised.is_empty() {
            return Err(AppError::invalid("prompt", Rule::Required));
        }
        if normalised.chars().count() > Self::MAX_CHARS {
            return Err(AppError::invalid(
                "prompt",
                Rule::TooLong {
                    max: Self::MAX_CHARS as u32,
                },
            ));
        }
        if normalised.chars().any(char::is_control) {
            return Err(AppError::invalid("prompt", Rule::ControlCharacters));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `--ar W:H` parameter, if any (defaults to 1:1).
    pub fn aspect_ratio(&self) -> (u32, u32) {
        aspect_ratio(&self.0)
    }
}

/// Reads `--ar W:H` (or `--aspect W:H`) from prompt text.
pub fn aspect_ratio(text: &str) -> (u32, u32) {
    let mut words = text.split_whitespace();
    while let Some(w) = words.next() {
        if w != "--ar" && w != "--aspect" {
            continue;
        }
        let parsed = words
            .next()
            .and_then(|v| v.split_once(':'))
            .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
        if let Some((a, b)) = parsed
            && (1..=1000).contains(&a)
            && (1..=1000).contains(&b)
        {
            return (a, b);
        }
    }
    (1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_keep_parameters_and_refuse_bad_input() {
        let p = Prompt::parse("  a red fox --ar 3:2 --no text\n").unwrap();
        assert_eq!(p.as_str(), "a red fox --ar 3:2 --no text");
        assert_eq!(p.aspect_ratio(), (3, 2));
        assert_eq!(Prompt::parse(" \n ").unwrap_err().field(), Some("prompt"));
        assert!(Prompt::parse(&"x".repeat(4001)).is_err());
        assert!(Prompt::parse(&"字".repeat(4000)).is_ok());
        assert!(Prompt::parse("a\u{0}b").is_err());
        assert!(Prompt::parse("a\u{1b}[31m").is_err());
    }

    #[test]
    fn aspect_ratio_defaults_to_square() {
        assert_eq!(aspect_ratio("fox"), (1, 1));
        assert_eq!(aspect_ratio("fox --ar 16:9"), (16, 9));
        assert_eq!(aspect_ratio("fox --ar 0:9"), (1, 1));
        assert_eq!(aspect_ratio("fox --ar"), (1, 1));
    }
}
