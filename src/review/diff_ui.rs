//! One file's diff, unified or side by side, syntax highlighted, a page of hunks at a time.

use super::api::load_file_diff;
use super::types::CheckoutKind;
use crate::git::types::{DiffLine, DiffSource, FileDiff, LineKind};
use crate::ui::Icon;
use leptos::html::Div;
use leptos::prelude::*;

/// Which file's diff to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffTarget {
    pub path: String,
    pub old_path: Option<String>,
    pub source: DiffSource,
}

/// The highlight.js language for a file name ("" when unknown: shown plain).
pub fn language_of(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "rs" => "rust",
        "py" => "python",
        "js" | "mjs" | "cjs" | "jsx" => "javascript",
        "ts" | "tsx" => "typescript",
        "json" => "json",
        "toml" | "ini" | "cfg" => "ini",
        "md" | "markdown" => "markdown",
        "sh" | "bash" | "zsh" => "bash",
        "css" | "scss" => "css",
        "html" | "htm" | "xml" | "svg" => "xml",
        "go" => "go",
        "java" => "java",
        "c" | "h" => "c",
        "cc" | "cpp" | "hpp" | "cxx" => "cpp",
        "yml" | "yaml" => "yaml",
        "sql" => "sql",
        "rb" => "ruby",
        _ => "",
    }
}

/// Where the diff layout choice is remembered.
const SPLIT_KEY: &str = "flotilla-diff-layout";

#[component]
pub fn DiffView(kind: CheckoutKind, id: String, target: DiffTarget) -> impl IntoView {
    let page = RwSignal::new(0usize);
    // Unified or side by side, as this browser last chose; always unified on a phone, where two
    // columns of code would each be a few characters wide.
    let split = RwSignal::new(false);
    Effect::new(move |_| {
        let wide = crate::ui::browser::viewport_width().is_some_and(|w| w >= 640.0);
        if wide && crate::ui::browser::remembered(SPLIT_KEY).as_deref() == Some("split") {
            split.set(true);
        }
    });
    let choose = move |side_by_side: bool| {
        split.set(side_by_side);
        crate::ui::browser::remember(SPLIT_KEY, if side_by_side { "split" } else { "unified" });
    };
    let key_target = target.clone();
    let diff = Resource::new(
        move || (key_target.clone(), page.get()),
        move |(t, page)| {
            let id = id.clone();
            async move { load_file_diff(kind, id, t.path, t.old_path, t.source, page).await }
        },
    );
    let language = language_of(&target.path);
    let body = NodeRef::<Div>::new();
    // Highlight once the lines are in the page (and again for each page or mode).
    Effect::new(move |_| {
        let _ = (diff.get(), split.get());
        if let Some(el) = body.get() {
            request_animation_frame(move || crate::ui::browser::highlight_in(&el, "code.hl"));
        }
    });
    view! {
        <div class="card p-0" data-testid="diff-view">
            <div class="flex flex-wrap items-center gap-2 border-b border-base px-3 py-2">
                <Icon name="file-text" class="size-4 text-muted"/>
                <span class="min-w-0 flex-1 truncate font-mono text-sm" data-testid="diff-path">
                    {target.old_path.clone().map(|o| format!("{o} → ")).unwrap_or_default()}{target.path.clone()}
                </span>
                <div class="hidden rounded-lg border border-base text-xs sm:flex" role="group" aria-label="Diff layout">
                    <button type="button" class="px-2 py-1" class=("font-semibold", move || !split.get()) on:click=move |_| choose(false)>"Unified"</button>
                    <button type="button" class="px-2 py-1" class=("font-semibold", move || split.get()) on:click=move |_| choose(true) data-testid="diff-split">"Side by side"</button>
                </div>
            </div>
            <div node_ref=body>
                <Transition fallback=|| view! { <p class="p-3 text-sm text-muted">"Loading the diff…"</p> }>
                    {move || Suspend::new(async move {
                        match diff.await {
                            Err(e) => view! { <p class="p-3 text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                            Ok(d) => view! { <DiffBody diff=d language split=split.into() page/> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn DiffBody(
    diff: FileDiff,
    language: &'static str,
    split: Signal<bool>,
    page: RwSignal<usize>,
) -> impl IntoView {
    let stats = view! {
        <span class="text-emerald-700 dark:text-emerald-400">{format!("+{}", diff.added)}</span>
        " "
        <span class="text-red-700 dark:text-red-400">{format!("−{}", diff.removed)}</span>
    };
    if diff.binary {
        return view! { <p class="p-3 text-sm text-muted" data-testid="diff-binary">"Binary file: no line diff. " {stats}</p> }.into_any();
    }
    if diff.hunks.is_empty() {
        return view! { <p class="p-3 text-sm text-muted">"No line changes (renamed or mode only)."</p> }.into_any();
    }
    let shown = diff.hunks.len() as u32;
    let (first, total) = (diff.first_hunk, diff.total_hunks);
    let paged = total > shown;
    let hunks = diff.hunks.clone();
    view! {
        <div class="flex flex-wrap items-center gap-2 px-3 py-1.5 text-xs text-muted">
            {stats}
            {paged.then(|| view! {
                <span class="flex-1"></span>
                <span data-testid="diff-page">{format!("Hunks {}–{} of {}", first + 1, first + shown, total)}</span>
                <button type="button" class="btn btn-secondary px-2 py-1" disabled=first == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Previous"</button>
                <button type="button" class="btn btn-secondary px-2 py-1" disabled=first + shown >= total on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
            })}
        </div>
        <div class="overflow-x-auto font-mono text-xs leading-5">
            {move || {
                let lang = if language.is_empty() { "plaintext" } else { language };
                hunks.iter().map(|h| {
                    let header = format!("@@ -{},{} +{},{} @@", h.old_start, h.old_lines, h.new_start, h.new_lines);
                    let rows = if split.get() { split_rows(&h.lines, lang) } else { unified_rows(&h.lines, lang) };
                    view! {
                        <div class="bg-surface-2 px-3 py-0.5 text-muted">{header}</div>
                        <table class="w-full border-collapse"><tbody>{rows}</tbody></table>
                    }
                }).collect_view()
            }}
        </div>
    }.into_any()
}

fn line_class(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Added => "diff-add",
        LineKind::Removed => "diff-del",
        _ => "diff-eq",
    }
}

fn num(n: Option<u32>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn code(text: &str, lang: &'static str) -> impl IntoView {
    // The text goes in as text (escaped); highlight.js re-renders it from textContent.
    view! { <code class=format!("hl language-{lang} whitespace-pre !bg-transparent !p-0")>{text.to_string()}</code> }
}

fn unified_rows(lines: &[DiffLine], lang: &'static str) -> AnyView {
    lines
        .iter()
        .map(|l| {
            let sign = match l.kind {
                LineKind::Added => "+",
                LineKind::Removed => "−",
                _ => " ",
            };
            view! {
                <tr class=line_class(l.kind) data-line-kind=format!("{:?}", l.kind)>
                    <td class="w-10 select-none pr-2 text-right text-muted">{num(l.old_no)}</td>
                    <td class="w-10 select-none pr-2 text-right text-muted">{num(l.new_no)}</td>
                    <td class="w-4 select-none">{sign}</td>
                    <td>{code(&l.text, lang)}</td>
                </tr>
            }
        })
        .collect_view()
        .into_any()
}

/// Pairs removed and added runs side by side; unchanged lines sit on both sides.
fn split_rows(lines: &[DiffLine], lang: &'static str) -> AnyView {
    let mut rows: Vec<(Option<&DiffLine>, Option<&DiffLine>)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind == LineKind::Removed || lines[i].kind == LineKind::Added {
            let removed: Vec<&DiffLine> = lines[i..]
                .iter()
                .take_while(|l| l.kind == LineKind::Removed)
                .collect();
            let after = i + removed.len();
            let added: Vec<&DiffLine> = lines[after..]
                .iter()
                .take_while(|l| l.kind == LineKind::Added)
                .collect();
            for k in 0..removed.len().max(added.len()) {
                rows.push((removed.get(k).copied(), added.get(k).copied()));
            }
            i = after + added.len();
        } else {
            rows.push((Some(&lines[i]), Some(&lines[i])));
            i += 1;
        }
    }
    let side = move |l: Option<&DiffLine>, old: bool| {
        match l {
        Some(l) => view! {
            <td class=format!("w-10 select-none pr-2 text-right text-muted {}", line_class(l.kind))>{num(if old { l.old_no } else { l.new_no })}</td>
            <td class=format!("w-1/2 {}", line_class(l.kind))>{code(&l.text, lang)}</td>
        }.into_any(),
        None => view! { <td class="w-10 bg-surface-2"></td><td class="w-1/2 bg-surface-2"></td> }.into_any(),
    }
    };
    rows.into_iter()
        .map(|(left, right)| view! { <tr>{side(left, true)}{side(right, false)}</tr> })
        .collect_view()
        .into_any()
}
