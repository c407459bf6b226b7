//! The one stable hash of tdev: ids and cache keys are derived from it and stored, so it must
//! give the same value on every platform and in every release, which the standard library's
//! hasher does not promise.

use std::hash::Hasher;

/// FNV-1a (64 bits) of `bytes`.
///
/// Not for security: anyone can make two inputs collide. It is for names that must not change
/// between runs (finding ids, cache directories) and for fingerprints of short texts.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::stable_hash;

    #[test]
    fn values_match_the_published_fnv1a_vectors() {
        // From the FNV reference test suite: the empty string, "a" and "foobar".
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
