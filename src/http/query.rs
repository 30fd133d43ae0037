//! Query-string parameters shared by the list endpoints.

use crate::error::AppError;
use std::collections::HashMap;

/// `limit`: 1-100, default 20.
pub fn limit(q: &HashMap<String, String>) -> Result<i64, AppError> {
    match q.get("limit").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(20),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| AppError::range("limit", 1, 100)),
    }
}
