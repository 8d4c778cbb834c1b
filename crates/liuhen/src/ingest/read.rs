//! Finding the JSON values of an input without parsing them, with bounded memory: one value
//! (pretty-printed or not), JSON Lines, or any sequence of values separated by white space.
//!
//! A value's boundaries are found by counting brackets outside strings; its bytes are then
//! handed to the parser. No line may be longer, and no value larger, than
//! [`MAX_STATEMENT_BYTES`]: the reader refuses as soon as it has read one byte more, never
//! reading a long line to its end.

use std::io::BufRead;

use super::{InputError, MAX_STATEMENT_BYTES};

/// One JSON value of the input, not yet parsed.
#[derive(Debug)]
pub struct RawValue<'a> {
    /// 1-based line of its first byte.
    pub line: usize,
    /// 1-based column (in bytes) of its first byte.
    pub column: usize,
    /// Its bytes.
    pub bytes: &'a [u8],
}

/// Reads the JSON values of `R` one at a time, keeping at most one value in memory.
#[derive(Debug)]
pub struct ValueReader<R> {
    reader: R,
    /// Line of the next byte.
    line: usize,
    /// Bytes of the current line read so far.
    line_len: usize,
    /// Whether the start of the input (a byte-order mark) has been looked at.
    started: bool,
    buf: Vec<u8>,
    /// Bytes taken from the reader so far.
    consumed: u64,
}

/// Where the scan of a value stands.
#[derive(Default)]
struct Scan {
    depth: usize,
    in_string: bool,
    escape: bool,
    scalar: bool,
    started: bool,
}

impl<R: BufRead> ValueReader<R> {
    /// A reader of the values of `reader`.
    pub fn new(reader: R) -> Self {
        ValueReader {
            reader,
            line: 1,
            line_len: 0,
            started: false,
            buf: Vec::new(),
            consumed: 0,
        }
    }

    /// Bytes taken from the underlying reader so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The next value, or `None` at the end of the input.
    ///
    /// # Errors
    /// [`InputError::Io`], [`InputError::LineTooLong`] or [`InputError::TooLarge`]; after an
    /// error the reader must not be used further.
    pub fn next_value(&mut self) -> Result<Option<RawValue<'_>>, InputError> {
        let ValueReader {
            reader,
            line,
            line_len,
            started,
            buf,
            consumed,
        } = self;
        let mut pos = Position { line, line_len };
        buf.clear();
        // White space before the value.
        loop {
            let avail = reader.fill_buf().map_err(InputError::Io)?;
            if avail.is_empty() {
                return Ok(None);
            }
            let mut i = 0;
            if !*started {
                *started = true;
                // Editors on Windows start UTF-8 files with a byte-order mark, which JSON does
                // not allow.
                if avail.starts_with(b"\xef\xbb\xbf") {
                    i = 3;
                }
            }
            let mut found = false;
            while let Some(&b) = avail.get(i) {
                if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    found = true;
                    break;
                }
                pos.advance(b)?;
                i += 1;
            }
            reader.consume(i);
            *consumed += i as u64;
            if found {
                break;
            }
        }
        let first_line = *pos.line;
        let column = *pos.line_len + 1;
        let mut scan = Scan::default();
        loop {
            let avail = reader.fill_buf().map_err(InputError::Io)?;
            if avail.is_empty() {
                break;
            }
            let mut end = None;
            let mut i = 0;
            while let Some(&b) = avail.get(i) {
                if !scan.started {
                    scan.started = true;
                    scan.scalar = !matches!(b, b'{' | b'[' | b'"');
                }
                if scan.scalar && matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    end = Some(i);
                    break;
                }
                pos.advance(b)?;
                i += 1;
                if scan.in_string {
                    if scan.escape {
                        scan.escape = false;
                    } else if b == b'\\' {
                        scan.escape = true;
                    } else if b == b'"' {
                        scan.in_string = false;
                        if scan.depth == 0 {
                            end = Some(i);
                            break;
                        }
                    }
                    continue;
                }
                match b {
                    b'"' => scan.in_string = true,
                    b'{' | b'[' => scan.depth += 1,
                    b'}' | b']' => {
                        scan.depth = scan.depth.saturating_sub(1);
                        if scan.depth == 0 {
                            end = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let take = end.unwrap_or(avail.len());
            if buf.len() + take > MAX_STATEMENT_BYTES {
                return Err(InputError::TooLarge { line: first_line });
            }
            buf.extend_from_slice(avail.get(..take).unwrap_or_default());
            reader.consume(take);
            *consumed += take as u64;
            if end.is_some() {
                break;
            }
        }
        Ok(Some(RawValue {
            line: first_line,
            column,
            bytes: buf,
        }))
    }
}

/// The line count of a reader, advanced byte by byte.
struct Position<'a> {
    line: &'a mut usize,
    line_len: &'a mut usize,
}

impl Position<'_> {
    fn advance(&mut self, b: u8) -> Result<(), InputError> {
        if b == b'\n' {
            *self.line += 1;
            *self.line_len = 0;
        } else {
            *self.line_len += 1;
            if *self.line_len > MAX_STATEMENT_BYTES {
                return Err(InputError::LineTooLong { line: *self.line });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn values(text: &[u8]) -> Result<Vec<(usize, usize, String)>, InputError> {
        let mut r = ValueReader::new(text);
        let mut out = Vec::new();
        while let Some(v) = r.next_value()? {
            out.push((
                v.line,
                v.column,
                String::from_utf8_lossy(v.bytes).into_owned(),
            ));
        }
        Ok(out)
    }

    #[test]
    fn values_are_located_by_line_and_column() {
        let text = b"\xef\xbb\xbf\n{\"a\": \"}\\\"{\"}\n\n  {\"b\":\n 2}\n[3] 4\n";
        let at: Vec<(usize, usize, String)> = values(text).unwrap();
        let want = [
            (2, 1, "{\"a\": \"}\\\"{\"}"),
            (4, 3, "{\"b\":\n 2}"),
            (6, 1, "[3]"),
            (6, 5, "4"),
        ];
        assert_eq!(
            at,
            want.iter()
                .map(|(l, c, t)| (*l, *c, (*t).to_owned()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_line_or_a_value_over_the_limit_is_refused_while_reading() {
        let mut input = b"{}\n".to_vec();
        input.extend(std::iter::repeat_n(b' ', MAX_STATEMENT_BYTES + 1));
        input.extend(b"\n{}\n");
        assert!(matches!(
            values(&input),
            Err(InputError::LineTooLong { line: 2 })
        ));
        // A line of exactly the limit (newline excluded) is read.
        let mut input = vec![b' '; MAX_STATEMENT_BYTES];
        input.extend(b"\n{}");
        assert_eq!(values(&input).unwrap().len(), 1);
        // Short lines, one value over the limit: refused by its size.
        let mut input = b"{}\n{\"a\": [\n".to_vec();
        while input.len() < MAX_STATEMENT_BYTES + 100 {
            input.extend(b"1,\n");
        }
        input.extend(b"1]}\n");
        assert!(matches!(
            values(&input),
            Err(InputError::TooLarge { line: 2 })
        ));
    }
}
