//! Random bearer tokens; only their SHA-256 is stored.

use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// A new 256-bit random token, hex-encoded.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A new share-link token: 128 random bits, URL-safe (lowercase hex, 32 characters).
pub fn share_token() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A new invite code: 16 characters (79 random bits) in four groups, from an alphabet without
/// look-alikes (no 0/O, 1/I/L), to be read out or typed: `K7QM-3XWP-9DHT-RC4N`.
pub fn invite_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    // Bytes past the last whole multiple of the alphabet's length are drawn again (no bias).
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut chars = Vec::with_capacity(19);
    while chars.len() < 19 {
        let mut byte = [0u8; 1];
        OsRng.fill_bytes(&mut byte);
        if byte[0] >= limit {
            continue;
        }
        if chars.len() % 5 == 4 {
            chars.push('-');
        }
        chars.push(ALPHABET[usize::from(byte[0]) % ALPHABET.len()] as char);
    }
    chars.into_iter().collect()
}

/// An invite code as typed: case and spaces do not matter.
pub fn normal_invite_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// API keys start with this, so they are told apart from session tokens at a glance.
pub const API_KEY_PREFIX: &str = "atl_";

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    // Into a buffer, not digit by digit through `hex::encode`'s iterator: every request hashes.
    let mut digits = [0u8; 64];
    match hex::encode_to_slice(Sha256::digest(token.as_bytes()), &mut digits) {
        Ok(()) => String::from_utf8_lossy(&digits).into_owned(),
        // 32 bytes always make 64 digits.
        Err(_) => hex::encode(Sha256::digest(token.as_bytes())),
    }
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

    #[test]
    fn invite_codes_are_four_groups_without_look_alikes() {
        let code = super::invite_code();
        assert_eq!(code.len(), 19, "{code}");
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 4, "{code}");
        assert!(groups.iter().all(|g| g.len() == 4));
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        assert_ne!(code, super::invite_code());
        assert_eq!(super::normal_invite_code(" k7qm-3xwp "), "K7QM-3XWP");
    }
}
