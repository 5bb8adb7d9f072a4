//! Line diffs of two versions of a file, cut into hunks with context, for the diff viewer.

use super::types::{DiffLine, FileDiff, Hunk, LineKind};
use similar::{ChangeTag, TextDiff};

/// Lines of context around each change.
pub const CONTEXT: usize = 3;

/// Content with a NUL byte in its first 8000 bytes is binary (git's rule).
pub fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(8000)].contains(&0)
}

/// Diffs `old` against `new`, keeping hunks `first_hunk..first_hunk + max_hunks` (pagination
/// for large diffs). Binary content gives no hunks.
pub fn file_diff(
    path: &str,
    old_path: Option<&str>,
    old: &[u8],
    new: &[u8],
    first_hunk: usize,
    max_hunks: usize,
) -> FileDiff {
    let mut diff = FileDiff {
        path: path.to_string(),
        old_path: old_path.map(str::to_string),
        binary: false,
        added: 0,
        removed: 0,
        hunks: Vec::new(),
        total_hunks: 0,
        first_hunk: first_hunk as u32,
    };
    if is_binary(old) || is_binary(new) {
        diff.binary = true;
        return diff;
    }
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    let text = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(&*old, &*new);
    for change in text.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => diff.added += 1,
            ChangeTag::Delete => diff.removed += 1,
            ChangeTag::Equal => {}
        }
    }
    let groups = text.grouped_ops(CONTEXT);
    diff.total_hunks = groups.len() as u32;
    for group in groups.iter().skip(first_hunk).take(max_hunks) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let mut hunk = Hunk {
            old_start: old_range.start as u32 + 1,
            old_lines: old_range.len() as u32,
            new_start: new_range.start as u32 + 1,
            new_lines: new_range.len() as u32,
            lines: Vec::new(),
        };
        for op in group {
            for change in text.iter_changes(op) {
                hunk.lines.push(DiffLine {
                    kind: match change.tag() {
                        ChangeTag::Equal => LineKind::Context,
                        ChangeTag::Insert => LineKind::Added,
                        ChangeTag::Delete => LineKind::Removed,
                    },
                    old_no: change.old_index().map(|i| i as u32 + 1),
                    new_no: change.new_index().map(|i| i as u32 + 1),
                    text: change.value().trim_end_matches(['\n', '\r']).to_string(),
                });
            }
        }
        diff.hunks.push(hunk);
    }
    diff
}

/// A diff as unified text (`git diff` style), e.g. to show Claude when it drafts a commit message.
pub fn unified(diffs: &[FileDiff]) -> String {
    let mut out = String::new();
    for d in diffs {
        let old = d.old_path.as_deref().unwrap_or(&d.path);
        out.push_str(&format!("--- a/{old}\n+++ b/{}\n", d.path));
        if d.binary {
            out.push_str("Binary files differ\n");
            continue;
        }
        for hunk in &d.hunks {
            out.push_str(&hunk.header());
            out.push('\n');
            for line in &hunk.lines {
                let sign = match line.kind {
                    LineKind::Context => ' ',
                    LineKind::Added => '+',
                    LineKind::Removed => '-',
                };
                out.push(sign);
                out.push_str(&line.text);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_with_line_numbers() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\n";
        let d = file_diff("f.txt", None, old.as_bytes(), new.as_bytes(), 0, 100);
        assert_eq!((d.added, d.removed), (2, 1));
        assert_eq!(d.total_hunks, 2);
        let first = &d.hunks[0];
        assert_eq!(first.header(), "@@ -1,5 +1,5 @@");
        assert_eq!(first.lines[1].kind, LineKind::Removed);
        assert_eq!(first.lines[1].old_no, Some(2));
        assert_eq!(first.lines[2].kind, LineKind::Added);
        assert_eq!(first.lines[2].new_no, Some(2));
        assert_eq!(d.hunks[1].lines.last().unwrap().text, "k");
        let page = file_diff("f.txt", None, old.as_bytes(), new.as_bytes(), 1, 1);
        assert_eq!(page.hunks.len(), 1);
        assert_eq!(page.first_hunk, 1);
        let text = unified(&[d]);
        assert!(
            text.starts_with("--- a/f.txt\n+++ b/f.txt\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n"),
            "{text}"
        );
    }

    #[test]
    fn binary_is_not_diffed() {
        let d = file_diff("x.bin", None, b"\0\x01\x02", b"\0\x01\x03", 0, 10);
        assert!(d.binary);
        assert!(d.hunks.is_empty());
    }
}
