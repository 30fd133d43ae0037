//! Account inputs: email, password, display name.

use crate::error::{AppError, Rule};

/// A lower-cased, plausible email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim().to_lowercase();
        let bad = || Err(AppError::invalid("email", Rule::Email));
        if s.is_empty() {
            return Err(AppError::invalid("email", Rule::Required));
        }
        if s.len() > 254 {
            return Err(AppError::invalid("email", Rule::TooLong { max: 254 }));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return bad();
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
            return bad();
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
    pub const MIN_CHARS: usize = crate::limits::PASSWORD_CHARS.0;
    pub const MAX_CHARS: usize = crate::limits::PASSWORD_CHARS.1;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(AppError::invalid(
                "password",
                Rule::PasswordTooShort {
                    min: Self::MIN_CHARS as u32,
                },
            ));
        }
        if n > Self::MAX_CHARS {
            return Err(AppError::invalid(
                "password",
                Rule::TooLong {
                    max: Self::MAX_CHARS as u32,
                },
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
            return Err(AppError::invalid("name", Rule::Required));
        }
        if s.chars().count() > crate::limits::NAME_MAX_CHARS {
            return Err(AppError::invalid(
                "name",
                Rule::TooLong {
                    max: crate::limits::NAME_MAX_CHARS as u32,
                },
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(AppError::invalid("name", Rule::ControlCharacters));
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
