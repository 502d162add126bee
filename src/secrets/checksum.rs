//! Checksums that providers build into their tokens. A value with a provider's prefix and
//! shape whose checksum does not hold was never issued by that provider: a hand-made example, a
//! test fixture, a truncated or mistyped copy. It is nobody's secret, so it is not reported.
//!
//! - GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`): 30 random base62 characters, then the CRC32
//!   of those 30, base62-encoded and left-padded with `0` to 6 characters
//!   (github.blog/2021-04-05-behind-githubs-new-authentication-token-formats).
//! - npm (`npm_`): the same construction (github.blog/2021-09-23-announcing-npms-new-access-token-format).
//!
//! Only the 36-character form is checked: that is the documented layout. A longer GitHub refresh
//! token (`ghr_` with up to 76 characters) has no documented layout and is left to its regex.

/// The prefixes whose 36-character body ends in a CRC32 of the first 30, in base62.
const CRC32_BASE62: &[&str] = &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"];

/// Whether `secret` passes its provider's checksum; true for a value no checksum applies to.
pub fn holds(secret: &str) -> bool {
    let bytes = secret.as_bytes();
    let Some(prefix) = CRC32_BASE62.iter().find(|p| bytes.starts_with(p.as_bytes())) else {
        return true;
    };
    let body = &bytes[prefix.len()..];
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return true;
    }
    let (random, check) = body.split_at(30);
    base62(check) == Some(u64::from(crc32(random)))
}

/// CRC-32 (IEEE 802.3, the one of zip and zlib), bit by bit: tokens are 30 bytes, so a table
/// (or a crate: crc32fast) buys nothing measurable here.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// The value of base62 digits `0-9A-Za-z` (most significant first); `None` past a digit outside.
fn base62(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |n, &d| {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'A'..=b'Z' => d - b'A' + 10,
            b'a'..=b'z' => d - b'a' + 36,
            _ => return None,
        };
        Some(n * 62 + u64::from(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The catalogue's check value for CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn base62_digits() {
        assert_eq!(base62(b"000010"), Some(62));
        assert_eq!(base62(b"00000z"), Some(61));
        assert_eq!(base62(b"0000-1"), None);
    }

    #[test]
    fn github_and_npm_suffixes() {
        // The fixture of secretlint's GitHub rule, which carries a valid checksum.
        assert!(holds("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"));
        // GitHub's documentation example: the right shape, a made-up checksum.
        assert!(!holds("ghp_16C7e42F292c6912E7710c838347Ae178B4a"));
        assert!(!holds("npm_wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUy"));
        assert!(holds("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"));
        // Other shapes and other providers: no checksum to hold.
        assert!(holds(
            "ghr_IlWd1YgGxMHhvNtweQV9BzWVdVW4V31KBFBb37ioEDVsN0FBsQtxYBGfIk2651Thkt6Ftwtb82CG"
        ));
        assert!(holds("xoxb-123-456-abc"));
    }
}
