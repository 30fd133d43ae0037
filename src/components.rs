//! Reusable views.

pub mod header;
pub mod progress_bar;
pub mod require;
pub mod task_card;
