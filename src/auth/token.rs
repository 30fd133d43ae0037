//! Random bearer tokens; only their SHA-256 is stored.

use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// A new 256-bit random token, hex-encoded.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// API keys start with this, so they are told apart from session tokens at a glance.
pub const API_KEY_PREFIX: &str = "atl_";

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two tokens in time independent of where they differ (their hashes have one length).
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(hash(a).as_bytes().ct_eq(hash(b).as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let (a, b) = (super::generate(), super::generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(super::hash(&a), super::hash(&a));
        assert_ne!(super::hash(&a), a);
        assert!(super::same(&a, &a.clone()));
        assert!(!super::same(&a, &b));
    }
}
