//! Models to and from bytes: what the curator writes to a model file (atomically, elsewhere)
//! and reads back on the next start.
//!
//! The layout is a header and a bincode 2 body:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | the magic `tdevmdl` and a 0 byte |
//! | 4 | the format version, little-endian ([`FORMAT_VERSION`]) |
//! | 8 | the FNV-1a hash of the body (`tdev_core::stable_hash`), little-endian |
//! | rest | the models, bincode's standard configuration through serde |
//!
//! A file that is not a model, of another version, or damaged is refused with an error the
//! caller can tell apart ([`Error::NotAModel`], [`Error::UnsupportedVersion`],
//! [`Error::Corrupt`]) and answer by falling back to the previous model or the heuristic.
//! The hash catches damage that would still decode (a flipped bit in a coefficient); the
//! check after decoding catches a body that decodes to models whose parts do not fit
//! together.

use crate::error::{Error, Result};
use crate::models::LearnedModels;
use tdev_core::stable_hash;

/// The format version this build writes and reads. Raise it whenever what is serialised
/// changes (a field, a column of the encoding, a family added to `Family::ALL`).
pub const FORMAT_VERSION: u32 = 1;

/// The first bytes of every model file.
const MAGIC: [u8; 8] = *b"tdevmdl\0";

/// Header length: magic, version, hash.
const HEADER: usize = 8 + 4 + 8;

/// The largest body decoding will allocate for: far above any model (a few kilobytes), far
/// below what a damaged length prefix could ask for.
const LIMIT: usize = 64 << 20;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

impl LearnedModels {
    /// The models as bytes: a versioned header and the body (see the module's table).
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = bincode::serde::encode_to_vec(self, config())
            .expect("models are plain numbers, strings and maps, which bincode always encodes");
        let mut bytes = Vec::with_capacity(HEADER + body.len());
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&stable_hash(&body).to_le_bytes());
        bytes.extend_from_slice(&body);
        bytes
    }

    /// Reads models written by [`LearnedModels::to_bytes`] of this format version.
    pub fn from_bytes(bytes: &[u8]) -> Result<LearnedModels> {
        if bytes.len() < HEADER || bytes[..8] != MAGIC {
            return Err(Error::NotAModel);
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let hash = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let body = &bytes[HEADER..];
        if stable_hash(body) != hash {
            return Err(Error::Corrupt {
                reason: "its content does not match the hash in its header".into(),
            });
        }
        let (models, read): (LearnedModels, usize) =
            bincode::serde::decode_from_slice(body, config()).map_err(|e| Error::Corrupt {
                reason: e.to_string(),
            })?;
        if read != body.len() {
            return Err(Error::Corrupt {
                reason: format!("{} bytes follow the models", body.len() - read),
            });
        }
        if !models.is_consistent() {
            return Err(Error::Corrupt {
                reason: "its parts do not fit together".into(),
            });
        }
        Ok(models)
    }
}
