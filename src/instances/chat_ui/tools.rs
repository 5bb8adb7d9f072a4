//! Tool calls as cards: Bash with its command and output, file edits as a diff, Write and Read
//! with their paths, sub-agents (Task) with their own messages nested, anything else as JSON.

use super::items::{permission_outcome, ItemView, PermissionOutcome};
use super::model::{PermissionState, ToolOutcome};
use super::ChatContext;
use crate::ui::Icon;
use leptos::prelude::*;
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

/// Longest tool output shown before it is cut (the whole is in the event store).
const MAX_OUTPUT: usize = 20_000;

#[component]
pub fn ToolCard(
    id: String,
    name: String,
    input: Value,
    result: Option<ToolOutcome>,
    permission: Option<PermissionState>,
) -> impl IntoView {
    let ctx = expect_context::<ChatContext>();
    let answered = permission.as_ref().and_then(permission_outcome);
    let (icon, summary) = headline(&name, &input);
    let status = match &result {
        None => {
            view! { <Icon name="loader-circle" class="size-4 animate-spin text-muted"/> }.into_any()
        }
        Some(r) if r.is_error => {
            view! { <Icon name="triangle-alert" class="size-4 text-red-600"/> }.into_any()
        }
        Some(_) => view! { <Icon name="circle-check" class="size-4 text-emerald-600"/> }.into_any(),
    };
    let children: Vec<u64> = if name == "Task" || name == "Agent" {
        ctx.chat
            .with_untracked(|m| m.children(&id).map(|c| c.key).collect())
    } else {
        Vec::new()
    };
    let (tool_attr, tool_label, preview_name) = (name.clone(), name.clone(), name.clone());
    let summary_title = summary.clone();
    view! {
        <div class="card p-3" data-testid="tool-card" data-tool=tool_attr>
            <div class="flex items-center gap-2 text-sm">
                <Icon name=icon class="size-4 text-muted"/>
                <span class="font-semibold">{tool_label}</span>
                <span class="min-w-0 flex-1 truncate font-mono text-xs text-muted" title=summary_title>{summary}</span>
                {status}
            </div>
            {answered.map(|outcome| view! { <div class="mt-1" data-testid="tool-permission"><PermissionOutcome outcome/></div> })}
            <div class="mt-2">
                <ToolPreview name=preview_name input/>
            </div>
            {(!children.is_empty()).then(|| view! {
                <div class="mt-3 space-y-3 border-l-2 border-base pl-3" data-testid="subagent">
                    {children.into_iter().map(|key| view! { <ItemView key/> }.into_any()).collect_view()}
                </div>
            })}
            {result.map(|r| view! { <ToolResult name outcome=r/> })}
        </div>
    }
}

/// The icon and the one-line summary of a call.
fn headline(name: &str, input: &Value) -> (&'static str, String) {
    let s = |k: &str| input[k].as_str().unwrap_or("").to_string();
    match name {
        "Bash" => ("terminal", s("command")),
        "Edit" | "MultiEdit" | "NotebookEdit" => ("file-pen", s("file_path")),
        "Write" => ("file-pen", s("file_path")),
        "Read" => ("file-text", s("file_path")),
        "Glob" | "Grep" => ("search", s("pattern")),
        "Task" | "Agent" => ("bot", s("description")),
        _ => ("wrench", String::new()),
    }
}

/// What a call will do: shared by tool cards and permission questions.
#[component]
pub fn ToolPreview(name: String, input: Value) -> impl IntoView {
    let s = |k: &str| input[k].as_str().unwrap_or("").to_string();
    match name.as_str() {
        "Bash" => view! {
            <pre class="code-block" data-testid="bash-command"><span class="select-none text-muted">"$ "</span>{s("command")}</pre>
        }
        .into_any(),
        "Edit" => view! { <Diff old=s("old_string") new=s("new_string")/> }.into_any(),
        "MultiEdit" => {
            let edits = input["edits"].as_array().cloned().unwrap_or_default();
            edits
                .into_iter()
                .map(|e| {
                    let old = e["old_string"].as_str().unwrap_or("").to_string();
                    let new = e["new_string"].as_str().unwrap_or("").to_string();
                    view! { <Diff old new/> }
                })
                .collect_view()
                .into_any()
        }
        "Write" => {
            let content = s("content");
            let lines = content.lines().count();
            let language = language_of(&s("file_path"));
            view! {
                <details data-testid="write-content">
                    <summary class="cursor-pointer text-xs text-muted">{if lines == 1 { "Content (1 line)".to_string() } else { format!("Content ({lines} lines)") }}</summary>
                    <Code text=content language/>
                </details>
            }
            .into_any()
        }
        "Read" | "Glob" | "Grep" => ().into_any(),
        "Task" | "Agent" => view! { <p class="whitespace-pre-wrap text-sm">{s("prompt")}</p> }.into_any(),
        _ => {
            let pretty = serde_json::to_string_pretty(&input).unwrap_or_default();
            view! {
                <details>
                    <summary class="cursor-pointer text-xs text-muted">"Input"</summary>
                    <pre class="code-block">{pretty}</pre>
                </details>
            }
            .into_any()
        }
    }
}

#[component]
fn ToolResult(name: String, outcome: ToolOutcome) -> impl IntoView {
    let mut text = match (name.as_str(), &outcome.details) {
        // Bash: stdout and stderr as the command wrote them.
        ("Bash", Value::Object(d)) if d.contains_key("stdout") => {
            let out = d["stdout"].as_str().unwrap_or("");
            let err = d.get("stderr").and_then(Value::as_str).unwrap_or("");
            [out, err]
                .iter()
                .filter(|t| !t.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        }
        _ => outcome.text.clone(),
    };
    if text.len() > MAX_OUTPUT {
        let cut = (0..=MAX_OUTPUT)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        let more = text.len() - cut;
        text.truncate(cut);
        text.push_str(&format!("\n… ({more} more bytes)"));
    }
    let lines = text.lines().count();
    let label = match (outcome.is_error, lines) {
        (true, _) => "Error".to_string(),
        (false, 0) => "No output".to_string(),
        (false, 1) => "Output (1 line)".to_string(),
        (false, n) => format!("Output ({n} lines)"),
    };
    // Errors and short Bash output are open; long output starts folded.
    let open = outcome.is_error || (name == "Bash" && lines <= 12);
    view! {
        <details class="mt-2" open=open data-testid="tool-result" data-error=outcome.is_error.to_string()>
            <summary class=if outcome.is_error { "cursor-pointer text-xs text-red-600" } else { "cursor-pointer text-xs text-muted" }>
                {label}
            </summary>
            <pre class="code-block max-h-96">{text}</pre>
        </details>
    }
}

/// A line diff of an edit.
#[component]
fn Diff(old: String, new: String) -> impl IntoView {
    let diff = TextDiff::from_lines(&old, &new);
    let rows: Vec<(ChangeTag, String)> = diff
        .iter_all_changes()
        .map(|c| (c.tag(), c.value().trim_end_matches('\n').to_string()))
        .collect();
    view! {
        <pre class="code-block p-0" data-testid="diff">
            {rows
                .into_iter()
                .map(|(tag, line)| {
                    let (sign, class) = match tag {
                        ChangeTag::Delete => ("-", "diff-del"),
                        ChangeTag::Insert => ("+", "diff-add"),
                        ChangeTag::Equal => (" ", "diff-eq"),
                    };
                    view! { <div class=class><span class="select-none">{sign}" "</span>{line}</div> }
                })
                .collect_view()}
        </pre>
    }
}

/// Code, highlighted once on screen.
#[component]
fn Code(text: String, language: Option<&'static str>) -> impl IntoView {
    let node = NodeRef::<leptos::html::Pre>::new();
    node.on_load(move |el| {
        let el: web_sys::Element = el.into();
        crate::ui::browser::highlight_code_in(&el);
    });
    let class = language
        .map(|l| format!("language-{l}"))
        .unwrap_or_default();
    view! { <pre class="code-block" node_ref=node><code class=class>{text}</code></pre> }
}

fn language_of(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1;
    Some(match ext {
        "rs" => "rust",
        "py" => "python",
        "js" | "mjs" | "cjs" => "javascript",
        "ts" | "tsx" => "typescript",
        "json" => "json",
        "toml" => "ini",
        "md" => "markdown",
        "sh" | "bash" => "bash",
        "html" => "xml",
        "css" => "css",
        "go" => "go",
        "yml" | "yaml" => "yaml",
        _ => return None,
    })
}
