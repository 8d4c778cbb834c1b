//! A personal value as a person hands it over in a file or on standard input: bounded before
//! it is read whole, UTF-8, and one trailing line break removed (`echo NAME > FILE` must not
//! commit "NAME\n"). The rules for the value itself are [`crate::commitment::check_value`]'s.

use std::io::Read;

use crate::commitment::MAX_VALUE_BYTES;

/// Why a value cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValueInputError {
    /// The input cannot be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Longer than [`MAX_VALUE_BYTES`] and a line break.
    #[error("the value is longer than {MAX_VALUE_BYTES} bytes")]
    TooLong,
    /// Not UTF-8 text.
    #[error("the value is not UTF-8 text")]
    NotUtf8,
}

/// Reads a value from `input`: at most [`MAX_VALUE_BYTES`] and a line break (`\n` or
/// `\r\n`), which is removed. A longer input is refused as such, before a character cut by the
/// read limit could make it look like bad UTF-8.
///
/// # Errors
/// [`ValueInputError`].
pub fn read_value(input: impl Read) -> Result<String, ValueInputError> {
    let mut bytes = Vec::new();
    input
        .take(MAX_VALUE_BYTES as u64 + 3)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_VALUE_BYTES + 2 {
        return Err(ValueInputError::TooLong);
    }
    let mut text = String::from_utf8(bytes).map_err(|_| ValueInputError::NotUtf8)?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_line_break_is_removed() {
        assert_eq!(read_value(&b"NAME\n"[..]).unwrap(), "NAME");
        assert_eq!(read_value(&b"NAME\r\n"[..]).unwrap(), "NAME");
        assert_eq!(read_value(&b"NAME\n\n"[..]).unwrap(), "NAME\n");
        assert_eq!(read_value(&b"NAME"[..]).unwrap(), "NAME");
    }

    #[test]
    fn an_oversized_value_is_refused_before_its_encoding_is_judged() {
        let mut big = vec![b'a'; MAX_VALUE_BYTES];
        big.extend_from_slice(b"\r\n");
        assert_eq!(read_value(&big[..]).unwrap().len(), MAX_VALUE_BYTES);
        big.push(0xe5); // a character cut by the limit
        assert!(matches!(
            read_value(&big[..]),
            Err(ValueInputError::TooLong)
        ));
        assert!(matches!(
            read_value(&[0xff, 0xfe][..]),
            Err(ValueInputError::NotUtf8)
        ));
    }
}
