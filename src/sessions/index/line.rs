//! What one transcript line tells the index (the line shapes are in
//! `shared/reference/claude-code/PROTOCOL.md`, "Sessions on disk").

use super::skim::{self, members, number, plain_str, Malformed};

/// Token counts of one API message (`message.usage`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
    pub cache_creation: u64,
    pub cache_read: u64,
}

impl Tokens {
    pub fn add(&mut self, other: &Tokens) {
        self.input += other.input;
        self.output += other.output;
        self.cache_creation += other.cache_creation;
        self.cache_read += other.cache_read;
    }

    pub fn total(&self) -> u64 {
        self.input + self.output + self.cache_creation + self.cache_read
    }
}

/// The facts of one line the index keeps. Borrowed from the line: nothing is copied unless kept.
#[derive(Debug, Default)]
pub struct LineFacts<'a> {
    pub kind: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub uuid: Option<&'a str>,
    pub cwd: Option<&'a [u8]>,
    pub git_branch: Option<&'a [u8]>,
    pub request_id: Option<&'a str>,
    pub sidechain: bool,
    pub meta: bool,
    /// The line carries a tool's result (`toolUseResult`): not a prompt typed by someone.
    pub tool_result: bool,
    pub message_id: Option<&'a str>,
    pub model: Option<&'a str>,
    pub usage: Option<Tokens>,
    /// `message.content`, raw: read only when the prompt is wanted as a title.
    pub content: Option<&'a [u8]>,
    /// Older transcripts put a cost on each assistant line.
    pub cost_usd: Option<f64>,
    /// `cost-state` lines: the CLI's running total for one process, and when that process started.
    pub total_cost_usd: Option<f64>,
    pub start_time: Option<i64>,
}

/// Reads a line's facts. A line that is not a JSON object is `Malformed`.
pub fn facts(line: &[u8]) -> Result<LineFacts<'_>, Malformed> {
    let mut f = LineFacts::default();
    let mut inner = Ok(());
    members(line, |key, value| {
        match key {
            b"type" => f.kind = plain_str(value),
            b"sessionId" => f.session_id = plain_str(value),
            b"timestamp" => f.timestamp = plain_str(value),
            b"uuid" => f.uuid = plain_str(value),
            b"cwd" => f.cwd = Some(value),
            b"gitBranch" => f.git_branch = Some(value),
            b"requestId" => f.request_id = plain_str(value),
            b"isSidechain" => f.sidechain = value == b"true",
            b"isMeta" => f.meta = value == b"true",
            b"toolUseResult" => f.tool_result = true,
            b"costUSD" => f.cost_usd = number(value),
            b"totalCostUSD" => f.total_cost_usd = number(value),
            b"startTime" => f.start_time = number(value).map(|n| n as i64),
            b"message" if value.first() == Some(&b'{') => {
                inner = members(value, |key, value| {
                    match key {
                        b"id" => f.message_id = plain_str(value),
                        b"model" => f.model = plain_str(value),
                        b"usage" => f.usage = usage(value),
                        b"content" => f.content = Some(value),
                        _ => {}
                    }
                    true
                });
            }
            _ => {}
        }
        true
    })?;
    inner?;
    Ok(f)
}

fn usage(value: &[u8]) -> Option<Tokens> {
    let mut t = Tokens::default();
    members(value, |key, value| {
        let n = || number(value).map(|n| n.max(0.0) as u64).unwrap_or(0);
        match key {
            b"input_tokens" => t.input = n(),
            b"output_tokens" => t.output = n(),
            b"cache_creation_input_tokens" => t.cache_creation = n(),
            b"cache_read_input_tokens" => t.cache_read = n(),
            _ => {}
        }
        true
    })
    .ok()?;
    Some(t)
}

/// The text of a prompt (`message.content`: a string, or a list with text blocks), if it is one
/// a person typed: not a tool result, not a command wrapper the CLI adds.
pub fn prompt_text(content: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(content).ok()?;
    let text = match &value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(blocks) => blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => return None,
    };
    let text = text.trim();
    if text.is_empty() || text.starts_with('<') {
        return None;
    }
    Some(text.to_string())
}

pub fn decoded(value: Option<&[u8]>) -> Option<String> {
    value.and_then(skim::string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shapes_of_the_reference_transcript() {
        let text = include_str!("fixtures/excerpt.jsonl");
        let mut assistants = 0;
        for line in text.lines() {
            let f = facts(line.as_bytes()).expect("every reference line is well formed");
            if f.kind == Some("assistant") {
                assistants += 1;
                assert!(f.message_id.is_some() && f.request_id.is_some() && f.model.is_some());
                assert!(f.usage.is_some_and(|u| u.input > 0));
            }
            if f.kind == Some("cost-state") {
                assert_eq!(f.total_cost_usd, Some(0.0356));
                assert_eq!(f.start_time, Some(1795518835203));
            }
        }
        assert!(assistants >= 2);
    }

    #[test]
    fn prompts_are_told_from_tool_results_and_wrappers() {
        assert_eq!(
            prompt_text(br#""fix the bug""#).as_deref(),
            Some("fix the bug")
        );
        assert_eq!(
            prompt_text(br#"[{"type":"text","text":"a"},{"type":"image"}]"#).as_deref(),
            Some("a")
        );
        assert_eq!(
            prompt_text(br#"[{"type":"tool_result","content":"x"}]"#),
            None
        );
        assert_eq!(
            prompt_text(br#""<command-name>/clear</command-name>""#),
            None
        );
    }
}
