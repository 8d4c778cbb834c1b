//! The one canonical byte encoding of everything liuhen hashes or signs.
//!
//! A canonical byte string is `label || postcard(value)`, where `label` is one of
//! [`crate::hash::labels`] (ASCII ending in `0x00`) and postcard 1.x is the serde wire format
//! specified at <https://postcard.jamesmunns.com/wire-format> (varint integers, zigzag for signed
//! integers, length-prefixed strings and sequences, enum variants by position, structs as their
//! fields in order, no field names). `docs/FORMAT.md` restates every byte for liuhen's types.
//!
//! Decoding is strict: the label must match, the input must not exceed its size limit, there must
//! be no trailing bytes, and the value must re-encode to exactly the input (so that one value has
//! exactly one byte string, and a hash or signature cannot be re-targeted at a variant encoding).
//!
//! Why postcard rather than bincode, CBOR or protobuf: see `docs/decisions/0001-postcard.md`.

use serde::{de::DeserializeOwned, Serialize};

/// Largest canonical entry, in bytes, label included: what a C2SP tlog-tiles entry bundle can
/// carry behind its `uint16` length prefix. Media are referenced by digest, never embedded, so
/// real entries are a few hundred bytes.
pub const MAX_ENTRY_BYTES: usize = 65_535;

/// Errors of canonical encoding and decoding.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodingError {
    /// The input does not start with the expected domain-separation label.
    #[error("input does not start with the label {expected:?}")]
    WrongLabel {
        /// The label that was expected (without its NUL byte).
        expected: String,
    },
    /// The input is longer than allowed.
    #[error("input is {len} bytes, more than the limit of {max}")]
    TooLong {
        /// Input length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// postcard could not decode the input (truncated, invalid UTF-8, unknown variant, …).
    #[error("malformed encoding: {source}")]
    Malformed {
        /// What postcard reported.
        #[source]
        source: postcard::Error,
    },
    /// A value was decoded but bytes remain after it.
    #[error("{count} trailing bytes after the encoded value")]
    TrailingBytes {
        /// How many bytes remain.
        count: usize,
    },
    /// The value decodes but re-encodes to different bytes (e.g. an over-long varint).
    #[error("non-canonical encoding: the value re-encodes to different bytes")]
    NonCanonical,
    /// A format-v1 entry was given a per-case back-link, which only format v2 can carry.
    #[error("a format-v1 entry cannot carry a case back-link (case_prev)")]
    CaseLinkInV1,
    /// The value could not be serialized (never happens for liuhen's own types).
    #[error("could not encode value: {source}")]
    Encode {
        /// What postcard reported.
        #[source]
        source: postcard::Error,
    },
}

fn label_name(label: &[u8]) -> String {
    String::from_utf8_lossy(label.strip_suffix(&[0u8]).unwrap_or(label)).into_owned()
}

/// `label || postcard(value)`.
///
/// # Errors
/// [`EncodingError::Encode`] if serde refuses the value (not possible for liuhen's types).
pub fn encode<T: Serialize + ?Sized>(label: &[u8], value: &T) -> Result<Vec<u8>, EncodingError> {
    let mut out = Vec::with_capacity(label.len() + 256);
    out.extend_from_slice(label);
    postcard::to_io(value, &mut out).map_err(|source| EncodingError::Encode { source })?;
    Ok(out)
}

/// Strictly decodes `label || postcard(value)` of at most `max_len` bytes.
///
/// # Errors
/// Every variant of [`EncodingError`] except `Encode` describes one way the input is refused.
pub fn decode<T: DeserializeOwned + Serialize>(
    label: &[u8],
    bytes: &[u8],
    max_len: usize,
) -> Result<T, EncodingError> {
    if bytes.len() > max_len {
        return Err(EncodingError::TooLong {
            len: bytes.len(),
            max: max_len,
        });
    }
    let body = bytes
        .strip_prefix(label)
        .ok_or_else(|| EncodingError::WrongLabel {
            expected: label_name(label),
        })?;
    let (value, rest): (T, &[u8]) =
        postcard::take_from_bytes(body).map_err(|source| EncodingError::Malformed { source })?;
    if !rest.is_empty() {
        return Err(EncodingError::TrailingBytes { count: rest.len() });
    }
    if encode(label, &value)? != bytes {
        return Err(EncodingError::NonCanonical);
    }
    Ok(value)
}

/// serde `with` module for a `HashMap` in a canonical encoding: a sequence of `(key, value)`
/// pairs ordered by the keys' own canonical (postcard) bytes, so that one map has exactly one
/// byte string. Decoding refuses a repeated key; an out-of-order sequence re-encodes
/// differently and is refused by [`decode`] as [`EncodingError::NonCanonical`].
pub(crate) mod sorted_map {
    use std::collections::HashMap;
    use std::hash::Hash;

    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<K, V, S>(map: &HashMap<K, V>, serializer: S) -> Result<S::Ok, S::Error>
    where
        K: Serialize,
        V: Serialize,
        S: Serializer,
    {
        let mut pairs = Vec::with_capacity(map.len());
        for (k, v) in map {
            let key = postcard::to_allocvec(k).map_err(S::Error::custom)?;
            pairs.push((key, k, v));
        }
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        serializer.collect_seq(pairs.iter().map(|(_, k, v)| (k, v)))
    }

    pub(crate) fn deserialize<'de, K, V, D>(deserializer: D) -> Result<HashMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        let pairs: Vec<(K, V)> = Vec::deserialize(deserializer)?;
        let len = pairs.len();
        let map: HashMap<K, V> = pairs.into_iter().collect();
        if map.len() != len {
            return Err(D::Error::custom("a map key is repeated"));
        }
        Ok(map)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct T {
        a: u64,
        b: String,
    }

    const L: &[u8] = b"liuhen/test\0";

    #[test]
    fn round_trip() {
        let v = T {
            a: 300,
            b: "留痕".into(),
        };
        let bytes = encode(L, &v).unwrap();
        // label, varint 300 = ac 02, string length 6, UTF-8 bytes.
        let mut want = L.to_vec();
        want.extend_from_slice(&[0xac, 0x02, 6]);
        want.extend_from_slice("留痕".as_bytes());
        assert_eq!(bytes, want);
        assert_eq!(decode::<T>(L, &bytes, 100).unwrap(), v);
    }

    #[test]
    fn rejects_label_trailing_long_and_overlong_varint() {
        let v = T {
            a: 1,
            b: String::new(),
        };
        let mut bytes = encode(L, &v).unwrap();
        assert!(matches!(
            decode::<T>(b"other\0", &bytes, 100),
            Err(EncodingError::WrongLabel { .. })
        ));
        assert!(matches!(
            decode::<T>(L, &bytes, 3),
            Err(EncodingError::TooLong { .. })
        ));
        bytes.push(0);
        assert_eq!(
            decode::<T>(L, &bytes, 100),
            Err(EncodingError::TrailingBytes { count: 1 })
        );
        // 1 encoded as the over-long varint 81 00.
        let mut overlong = L.to_vec();
        overlong.extend_from_slice(&[0x81, 0x00, 0x00]);
        assert!(decode::<T>(L, &overlong, 100).is_err());
    }
}
