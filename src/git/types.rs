//! Git facts as the API and the UI show them.

use serde::{Deserialize, Serialize};

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
    Copied,
    TypeChange,
    Conflicted,
    Untracked,
}

impl ChangeKind {
    /// The one-letter code `git status --short` uses.
    pub fn letter(self) -> &'static str {
        match self {
            ChangeKind::Added => "A",
            ChangeKind::Modified => "M",
            ChangeKind::Deleted => "D",
            ChangeKind::Renamed => "R",
            ChangeKind::Copied => "C",
            ChangeKind::TypeChange => "T",
            ChangeKind::Conflicted => "U",
            ChangeKind::Untracked => "?",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    /// The path it had before a rename or copy.
    pub old_path: Option<String>,
    pub kind: ChangeKind,
}

/// The state of a checkout: what is staged, what is changed but not staged, what git does not
/// track (ignored files excluded).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingStatus {
    /// The checked-out branch; `None` when HEAD is detached.
    pub branch: Option<String>,
    /// The commit HEAD points at (`None` in a repository without commits).
    pub head: Option<String>,
    pub staged: Vec<FileChange>,
    pub unstaged: Vec<FileChange>,
    pub untracked: Vec<String>,
}

impl WorkingStatus {
    pub fn is_clean(&self) -> bool {
        self.staged.is_empty() && self.unstaged.is_empty() && self.untracked.is_empty()
    }

    /// Every path with a change of any kind, once.
    pub fn changed_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .staged
            .iter()
            .chain(&self.unstaged)
            .map(|c| c.path.clone())
            .chain(self.untracked.iter().cloned())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }
}

/// Which two versions of a file a diff compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffSource {
    /// HEAD against the index (what a commit would take).
    Staged,
    /// The index against the working tree (changes not staged); untracked files against nothing.
    Unstaged,
    /// Where the branch left its base (their merge base) against the working tree.
    Base,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Context,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: LineKind,
    pub old_no: Option<u32>,
    pub new_no: Option<u32>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    pub lines: Vec<DiffLine>,
}

impl Hunk {
    /// `@@ -1,3 +1,4 @@`
    pub fn header(&self) -> String {
        format!(
            "@@ -{},{} +{},{} @@",
            self.old_start, self.old_lines, self.new_start, self.new_lines
        )
    }
}

/// One file's diff, possibly cut to a page of hunks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    pub path: String,
    pub old_path: Option<String>,
    /// Binary content is not diffed line by line.
    pub binary: bool,
    pub added: u32,
    pub removed: u32,
    /// The hunks of this page.
    pub hunks: Vec<Hunk>,
    /// All hunks of the file; more than `hunks.len()` means more pages.
    pub total_hunks: u32,
    /// The index of the first hunk in `hunks`.
    pub first_hunk: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchInfo {
    pub name: String,
    /// The commit it points at (full id).
    pub head: String,
    /// Checked out in the checkout that was asked about.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub id: String,
    pub summary: String,
    pub author: String,
    /// Seconds since the Unix epoch.
    pub time: i64,
}

/// Checks a branch name the way `git check-ref-format --branch` would, in words a user
/// understands. (The git command itself checks again.)
pub fn validate_branch_name(name: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("{name:?} is not a valid branch name: {why}"));
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.starts_with('-') {
        return bad("it starts with '-'");
    }
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return bad("it has an empty path component");
    }
    if name.ends_with('.') || name.ends_with(".lock") || name.contains("..") || name.contains("@{")
    {
        return bad("it contains '..', '@{', or ends with '.' or '.lock'");
    }
    if name == "@" {
        return bad("'@' alone is not allowed");
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == ' ' || "~^:?*[\\".contains(c))
    {
        return bad("it contains a space, a control character, or one of ~ ^ : ? * [ \\");
    }
    if name.split('/').any(|part| part.starts_with('.')) {
        return bad("a path component starts with '.'");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names() {
        for ok in ["main", "feature/login", "fix-12", "a.b"] {
            assert!(validate_branch_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "-x", "a b", "a..b", "a/", "/a", "x.lock", "a~1", "a^", "a:b", "q?", "*", "[x",
            ".hidden", "a/.b", "@",
        ] {
            assert!(validate_branch_name(bad).is_err(), "{bad}");
        }
    }
}
