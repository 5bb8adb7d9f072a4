//! What the CLI's own diagnostics mean, in words for the person reading the chat. The raw text
//! stays available (the view keeps it one click away); these only decide the sentence shown.

/// How a turn that did not finish normally is described: a sentence, and whether it is an error
/// (an interrupt the user asked for is not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnOutcome {
    pub title: &'static str,
    pub sentence: Option<String>,
    pub is_error: bool,
}

/// `terminal_reason` and the CLI's message (its `result` text or `errors`) of a turn's end.
pub fn turn_outcome(
    is_error: bool,
    terminal_reason: Option<&str>,
    message: Option<&str>,
) -> TurnOutcome {
    let interrupted = matches!(terminal_reason, Some("aborted_streaming" | "aborted_tools"));
    if interrupted {
        return TurnOutcome {
            title: "Turn interrupted",
            sentence: Some("Stopped at your request; send a message to continue.".into()),
            is_error: false,
        };
    }
    if !is_error {
        return TurnOutcome {
            title: "Turn finished",
            sentence: None,
            is_error: false,
        };
    }
    let sentence = match message.map(str::trim).filter(|m| !m.is_empty()) {
        // Bracketed tags ("[ede_diagnostic] key=value ...") are the CLI's internal notes.
        Some(m) if is_internal(m) => {
            "Claude Code stopped this turn with an internal error (details below).".to_string()
        }
        Some(m) => m.to_string(),
        None => "Claude Code ended this turn with an error.".to_string(),
    };
    TurnOutcome {
        title: "Turn failed",
        sentence: Some(sentence),
        is_error: true,
    }
}

/// A line the CLI wrote to stderr, in words, when it is one of its tagged diagnostics
/// (`[claude-code:<code>] <json or text>`); None for other lines (shown as they are).
pub fn stderr_sentence(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("[claude-code:")?;
    let (code, detail) = rest.split_once(']')?;
    let detail = detail.trim();
    let json: Option<serde_json::Value> = serde_json::from_str(detail).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    Some(match code {
        "unrecognized_model" => match field("model") {
            Some(model) => format!(
                "Claude Code does not know the model {model:?}. Pick one from the model list."
            ),
            None => "Claude Code does not know this model. Pick one from the model list.".into(),
        },
        other => match field("message") {
            Some(message) => format!(
                "Claude Code reported {}: {message}",
                other.replace('_', " ")
            ),
            None => format!("Claude Code reported {}.", other.replace('_', " ")),
        },
    })
}

fn is_internal(message: &str) -> bool {
    message.split("; ").all(|part| {
        part.starts_with('[')
            && part
                .find(']')
                .is_some_and(|end| !part[1..end].contains(' '))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupt_is_not_an_error_and_hides_the_diagnostic() {
        let o = turn_outcome(
            true,
            Some("aborted_streaming"),
            Some("[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null"),
        );
        assert_eq!(o.title, "Turn interrupted");
        assert!(!o.is_error);
        assert!(!o.sentence.unwrap().contains("ede_diagnostic"));
    }

    #[test]
    fn internal_notes_become_words_and_real_messages_stay() {
        let o = turn_outcome(true, None, Some("[ede_diagnostic] result_type=user"));
        assert!(o.is_error);
        assert!(!o.sentence.unwrap().contains('['));
        let o = turn_outcome(true, None, Some("Credit balance is too low"));
        assert_eq!(o.sentence.as_deref(), Some("Credit balance is too low"));
        assert_eq!(turn_outcome(false, Some("completed"), None).sentence, None);
    }

    #[test]
    fn tagged_stderr_lines_are_worded() {
        let s = stderr_sentence(
            r#"[claude-code:unrecognized_model] {"model":"claude-nope-1","message":"x"}"#,
        )
        .unwrap();
        assert!(s.contains("\"claude-nope-1\""), "{s}");
        assert!(!s.contains("unrecognized_model"));
        assert_eq!(
            stderr_sentence("[claude-code:rate_limited] {}").as_deref(),
            Some("Claude Code reported rate limited.")
        );
        assert_eq!(stderr_sentence("warning: something"), None);
    }
}
