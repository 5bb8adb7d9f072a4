//! Reads the few top-level fields a transcript line is indexed by without parsing the rest.
//!
//! Most of a transcript's bytes are long strings (tool output, file contents, attachments) that
//! the index never looks at. Walking the line's structure and jumping over strings 64 bytes at a
//! time is many times faster than building (or even skipping through) a full JSON value, and it
//! still notices a line that is not a JSON object: a truncated or garbled line is reported, not
//! guessed.

/// The line is not a well-formed JSON object (as far as its structure goes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// Calls `visit(key, value)` for each top-level member of the JSON object in `line`, in order,
/// until `visit` returns false. `value` is the member's raw JSON text (a string keeps its quotes).
/// Keys are compared as raw bytes: the keys the index asks for have no escapes.
pub fn members<'a>(
    line: &'a [u8],
    mut visit: impl FnMut(&'a [u8], &'a [u8]) -> bool,
) -> Result<(), Malformed> {
    let mut at = skip_ws(line, 0);
    if line.get(at) != Some(&b'{') {
        return Err(Malformed);
    }
    at = skip_ws(line, at + 1);
    if line.get(at) == Some(&b'}') {
        return Ok(());
    }
    loop {
        if line.get(at) != Some(&b'"') {
            return Err(Malformed);
        }
        let key_end = string_end(line, at + 1)?;
        let key = &line[at + 1..key_end - 1];
        at = skip_ws(line, key_end);
        if line.get(at) != Some(&b':') {
            return Err(Malformed);
        }
        let start = skip_ws(line, at + 1);
        let end = value_end(line, start)?;
        if !visit(key, &line[start..end]) {
            return Ok(());
        }
        at = skip_ws(line, end);
        match line.get(at) {
            Some(b',') => at = skip_ws(line, at + 1),
            Some(b'}') => return Ok(()),
            _ => return Err(Malformed),
        }
    }
}

/// A JSON string value's text when it has no escapes (ids, timestamps, model names), else None.
pub fn plain_str(value: &[u8]) -> Option<&str> {
    let inner = value.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if inner.contains(&b'\\') {
        return None;
    }
    std::str::from_utf8(inner).ok()
}

/// A JSON string value, unescaped (a path or a branch may hold escapes).
pub fn string(value: &[u8]) -> Option<String> {
    match plain_str(value) {
        Some(s) => Some(s.to_string()),
        None => serde_json::from_slice(value).ok(),
    }
}

pub fn number(value: &[u8]) -> Option<f64> {
    std::str::from_utf8(value).ok()?.trim().parse().ok()
}

fn skip_ws(line: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\r' | b'\n') = line.get(at) {
        at += 1;
    }
    at
}

/// Given the index just past an opening quote, the index just past the closing one.
///
/// Tool output is full of escaped quotes (`\"`), so stopping at every quote is slow. Instead,
/// 64 bytes at a time, the positions of quotes and backslashes become two bit masks; the quotes
/// that a run of backslashes escapes are removed with carry arithmetic (the method of simdjson,
/// Langdale and Lemire 2019); the first quote left closes the string. The last few bytes, and
/// machines without SSE2, take the byte-by-byte path.
fn string_end(line: &[u8], at: usize) -> Result<usize, Malformed> {
    let mut at = at;
    // Whether the byte at `at` is escaped by a backslash run that ended just before it.
    let mut escaped_in = 0u64;
    while let Some(block) = line.get(at..at + 64) {
        let (quotes, backslashes) = masks(block);
        let escaped = escaped_bits(backslashes, &mut escaped_in);
        let closing = quotes & !escaped;
        if closing != 0 {
            return Ok(at + closing.trailing_zeros() as usize + 1);
        }
        at += 64;
    }
    let mut escaped = escaped_in != 0;
    for (i, &c) in line.get(at..).ok_or(Malformed)?.iter().enumerate() {
        if escaped {
            escaped = false;
        } else if c == b'\\' {
            escaped = true;
        } else if c == b'"' {
            return Ok(at + i + 1);
        }
    }
    Err(Malformed)
}

/// The bits of the bytes a backslash escapes, given the bits of the backslashes in a 64-byte
/// block; `carry` says whether the first byte is escaped (from the block before) and is set for
/// the next block.
fn escaped_bits(backslashes: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    // A backslash that is itself escaped escapes nothing.
    let backslashes = backslashes & !*carry;
    let follows_escape = (backslashes << 1) | *carry;
    // Runs of backslashes that start on an odd bit.
    let odd_starts = backslashes & !EVEN & !follows_escape;
    let (even_starts, overflow) = odd_starts.overflowing_add(backslashes);
    *carry = u64::from(overflow);
    let invert = even_starts << 1;
    (EVEN ^ invert) & follows_escape
}

/// The bits of the quotes and of the backslashes in a 64-byte block.
#[cfg(target_arch = "x86_64")]
fn masks(block: &[u8]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    debug_assert_eq!(block.len(), 64);
    let (mut quotes, mut backslashes) = (0u64, 0u64);
    // SAFETY: SSE2 is part of x86_64; each load reads 16 bytes inside the 64-byte block.
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        for i in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(i * 16) as *const __m128i);
            let q = _mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) as u16 as u64;
            let b = _mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)) as u16 as u64;
            quotes |= q << (i * 16);
            backslashes |= b << (i * 16);
        }
    }
    (quotes, backslashes)
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(block: &[u8]) -> (u64, u64) {
    let (mut quotes, mut backslashes) = (0u64, 0u64);
    for (i, &c) in block.iter().enumerate() {
        quotes |= u64::from(c == b'"') << i;
        backslashes |= u64::from(c == b'\\') << i;
    }
    (quotes, backslashes)
}

/// The index just past the JSON value starting at `at`.
fn value_end(line: &[u8], at: usize) -> Result<usize, Malformed> {
    match line.get(at) {
        Some(b'"') => string_end(line, at + 1),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = at;
            while let Some(&c) = line.get(i) {
                match c {
                    b'"' => {
                        i = string_end(line, i + 1)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Err(Malformed)
        }
        // A number, true, false or null: up to the next delimiter.
        Some(_) => {
            let mut i = at;
            while let Some(&c) = line.get(i) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                    break;
                }
                i += 1;
            }
            if i == at || i == line.len() {
                Err(Malformed)
            } else {
                Ok(i)
            }
        }
        None => Err(Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(line: &str) -> Result<Vec<(String, String)>, Malformed> {
        let mut out = Vec::new();
        members(line.as_bytes(), |k, v| {
            out.push((
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            ));
            true
        })?;
        Ok(out)
    }

    #[test]
    fn reads_top_level_members_only() {
        let line = r#"{"type":"assistant","message":{"id":"m1","content":[{"type":"text","text":"a \"quoted\" } ] {"}]},"n":12.5,"ok":true,"x":null}"#;
        let got = collect(line).unwrap();
        let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["type", "message", "n", "ok", "x"]);
        assert_eq!(got[0].1, "\"assistant\"");
        assert!(got[1].1.starts_with("{\"id\"") && got[1].1.ends_with("]}"));
        assert_eq!(number(got[2].1.as_bytes()), Some(12.5));
        assert_eq!(plain_str(got[0].1.as_bytes()), Some("assistant"));
    }

    #[test]
    fn escapes_are_kept_and_decoded_on_request() {
        let got = collect(r#"{"cwd":"/a/\"b\"\\c","t":"x"}"#).unwrap();
        assert_eq!(plain_str(got[0].1.as_bytes()), None);
        assert_eq!(string(got[0].1.as_bytes()).as_deref(), Some("/a/\"b\"\\c"));
    }

    /// The closing quote found a byte at a time, the plain way.
    fn string_end_slowly(line: &[u8], at: usize) -> Result<usize, Malformed> {
        let mut escaped = false;
        for (i, &c) in line.iter().enumerate().skip(at) {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                return Ok(i + 1);
            }
        }
        Err(Malformed)
    }

    #[test]
    fn strings_end_where_the_plain_reading_says_across_blocks_and_escapes() {
        // Random runs of quotes, backslashes and letters (runs of backslashes across the 64-byte
        // block edges included), from every start.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = (next() % 300) as usize;
            let line: Vec<u8> = (0..len)
                .map(|_| match next() % 8 {
                    0 => b'"',
                    1..=3 => b'\\',
                    _ => b'a',
                })
                .collect();
            for at in 0..=len {
                assert_eq!(
                    string_end(&line, at),
                    string_end_slowly(&line, at),
                    "{:?} from {at}",
                    String::from_utf8_lossy(&line)
                );
            }
        }
        // Exactly at a block edge: 63 letters, then a backslash that escapes the next block's
        // first byte (a quote), then the real end.
        let mut line = vec![b'a'; 63];
        line.extend_from_slice(b"\\\"abc\"");
        assert_eq!(string_end(&line, 0), Ok(line.len()));
    }

    #[test]
    fn malformed_lines_are_reported() {
        for bad in [
            "",
            "not json",
            "[1,2]",
            r#"{"type":"assistant","message":{"id":"m1""#,
            r#"{"type":"assist"#,
            r#"{"a" 1}"#,
            r#"{"a":1"#,
            r#"{"a":1 "b":2}"#,
        ] {
            assert_eq!(collect(bad), Err(Malformed), "{bad:?}");
        }
        assert_eq!(collect("{}").unwrap(), vec![]);
        assert_eq!(collect(" { \"a\" : 1 } ").unwrap().len(), 1);
    }
}
