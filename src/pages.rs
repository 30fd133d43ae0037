//! One module per page.

pub mod account;
pub mod admin;
pub mod auth;
pub mod collections;
pub mod errors;
pub mod gallery;
pub mod generate;
pub mod history;
pub mod landing;
pub mod task;
