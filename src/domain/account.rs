//! Account inputs: email, password, display name.

use crate::error::AppError;

/// A lower-cased, plausible email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim().to_lowercase();
        let bad = |m: &str| Err(AppError::validation("email", m));
        if s.is_empty() {
            return bad("Enter your email address.");
        }
        if s.len() > 254 {
            return bad("An email address has at most 254 characters.");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return bad("An email address looks like name@example.com.");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || !domain_ok || local.contains(char::is_whitespace)
        {
            return bad("An email address looks like name@example.com.");
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password of acceptable length (never logged, never stored: only its hash is).
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(AppError::validation(
                "password",
                "Use at least 8 characters.",
            ));
        }
        if n > Self::MAX_CHARS {
            return Err(AppError::validation(
                "password",
                "Use at most 256 characters.",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A display name: 1-64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(AppError::validation("name", "Enter a name."));
        }
        if s.chars().count() > 64 {
            return Err(AppError::validation("name", "Use at most 64 characters."));
        }
        if s.chars().any(char::is_control) {
            return Err(AppError::validation(
                "name",
                "A name cannot contain control characters.",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@ex..com",
            "a b@x.io",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field(), Some("email"), "{bad:?}");
        }
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert_eq!(
            Password::parse("1234567").unwrap_err().field(),
            Some("password")
        );
        assert!(Password::parse("12345678").is_ok());
        // Characters, not bytes.
        assert!(Password::parse("密码密码密码密").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse(" Ann ").unwrap().as_str(), "Ann");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse("a\u{7}b").is_err());
        assert!(DisplayName::parse(&"x".repeat(65)).is_err());
    }
}
