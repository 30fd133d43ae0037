//! Reusable views.

pub mod header;
pub mod require;
