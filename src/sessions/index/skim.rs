//! Reads the few top-level fields a transcript line is indexed by without parsing the rest.
//!
//! Most of a transcript's bytes are long strings (tool output, file contents, attachments) that
//! the index never looks at. Walking the line's structure and jumping over strings with `memchr`
//! is many times faster than building (or even skipping through) a full JSON value, and it still
//! notices a line that is not a JSON object: a truncated or garbled line is reported, not guessed.

use memchr::memchr;

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

/// Given the index just past an opening quote, the index just past the closing one. Jumps from
/// quote to quote (escaped newlines are far more common in tool output than escaped quotes) and
/// counts the backslashes before each to tell an escaped quote from the closing one.
fn string_end(line: &[u8], mut at: usize) -> Result<usize, Malformed> {
    loop {
        let rest = line.get(at..).ok_or(Malformed)?;
        let i = memchr(b'"', rest).ok_or(Malformed)?;
        let quote = at + i;
        let backslashes = line[..quote]
            .iter()
            .rev()
            .take_while(|&&c| c == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Ok(quote + 1);
        }
        at = quote + 1;
    }
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
