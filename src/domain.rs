//! Validated newtypes: a value of these types has passed its rules, so services need not re-check.

pub mod account;
pub mod prompt;
