//! The explorer of a checkout: a file tree loaded a folder at a time (what .gitignore ignores
//! left out) and an editor that saves back into the checkout.
//!
//! Unsaved edits are kept per file while the user opens other files (the tree marks them), and
//! leaving the page or closing the tab with unsaved edits asks first.

use super::api::{list_files, read_checkout_file, write_checkout_file};
use super::types::{CheckoutKind, DirEntry};
use crate::base::format::bytes;
use crate::ui::Icon;
use leptos::html::Div;
use leptos::prelude::*;
use std::collections::HashMap;

/// Unsaved text per file path.
// Passed down as a prop: a context does not reliably reach the entries rendered inside a
// `Suspend` that had to wait (leptos-rs/leptos#3024), and on the server that is a panic.
type Drafts = RwSignal<HashMap<String, String>>;

#[component]
pub fn ExplorerPanel(kind: CheckoutKind, id: String) -> impl IntoView {
    let open = RwSignal::new(None::<String>);
    let drafts: Drafts = RwSignal::new(HashMap::new());
    crate::ui::browser::guard_leaving(move || {
        let files = drafts.try_with_untracked(|d| d.len()).unwrap_or(0);
        (files > 0).then(|| {
            format!("You have unsaved changes in {files} file(s). Leave and discard them?")
        })
    });
    let tree_id = id.clone();
    view! {
        <div class="grid gap-4 lg:grid-cols-[18rem_1fr]" data-testid="explorer">
            <nav class="card max-h-[70vh] overflow-auto p-2 text-sm" aria-label="Files">
                <Folder kind id=tree_id dir=String::new() open drafts/>
            </nav>
            <div class="min-w-0">
                {move || match open.get() {
                    Some(path) => view! { <Editor kind id=id.clone() path drafts/> }.into_any(),
                    None => view! { <div class="card flex h-40 items-center justify-center text-sm text-muted">"Pick a file to view or edit it."</div> }.into_any(),
                }}
            </div>
        </div>
    }
    .into_any()
}

/// One folder's entries; sub-folders load when expanded.
#[component]
fn Folder(
    kind: CheckoutKind,
    id: String,
    dir: String,
    open: RwSignal<Option<String>>,
    drafts: Drafts,
) -> impl IntoView {
    let eid = id.clone();
    let id = StoredValue::new(id);
    let entries = Resource::new(
        move || (eid.clone(), dir.clone()),
        move |(id, dir)| list_files(kind, id, dir),
    );
    view! {
        <Suspense fallback=|| view! { <p class="px-2 text-xs text-muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Err(e) => view! { <p class="px-2 text-xs text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="px-2 text-xs text-muted">"Empty"</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="grid">
                            {list.into_iter().map(|e| view! { <Entry kind id=id.get_value() entry=e open drafts/> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Entry(
    kind: CheckoutKind,
    id: String,
    entry: DirEntry,
    open: RwSignal<Option<String>>,
    drafts: Drafts,
) -> impl IntoView {
    let expanded = RwSignal::new(false);
    let path = entry.path.clone();
    if entry.dir {
        let sub = path.clone();
        view! {
            <li>
                <button type="button" class="flex w-full items-center gap-1 rounded px-1 py-0.5 text-left hover:bg-surface-2"
                    aria-expanded=move || expanded.get().to_string() data-testid="tree-folder"
                    on:click=move |_| expanded.update(|x| *x = !*x)>
                    <Show when=move || expanded.get() fallback=|| view! { <Icon name="chevron-right" class="size-3.5"/> }>
                        <Icon name="chevron-down" class="size-3.5"/>
                    </Show>
                    <Icon name="folder" class="size-4 text-muted"/>
                    {entry.name.clone()}
                </button>
                <Show when=move || expanded.get()>
                    <div class="pl-4"><Folder kind id=id.clone() dir=sub.clone() open drafts/></div>
                </Show>
            </li>
        }
        .into_any()
    } else {
        let selected = path.clone();
        let marked = path.clone();
        let unsaved = move || drafts.with(|d| d.contains_key(&marked));
        view! {
            <li>
                <button type="button" class="flex w-full items-center gap-1 rounded px-1 py-0.5 pl-5 text-left hover:bg-surface-2"
                    class=("bg-surface-2", move || open.with(|o| o.as_deref() == Some(selected.as_str())))
                    data-testid="tree-file" title=format!("{} · {}", entry.path, bytes(entry.size))
                    on:click=move |_| open.set(Some(path.clone()))>
                    <Icon name="file-text" class="size-4 text-muted"/>
                    <span class="truncate">{entry.name.clone()}</span>
                    <Show when=unsaved>
                        <span class="ml-auto size-2 shrink-0 rounded-full bg-amber-500" title="Unsaved changes"
                            aria-label="Unsaved changes" data-testid="tree-unsaved"></span>
                    </Show>
                </button>
            </li>
        }
        .into_any()
    }
}

#[component]
fn Editor(kind: CheckoutKind, id: String, path: String, drafts: Drafts) -> impl IntoView {
    let rid = id.clone();
    let draft_path = path.clone();
    let file = Resource::new(
        move || (rid.clone(), path.clone()),
        move |(id, path)| read_checkout_file(kind, id, path),
    );
    let content = RwSignal::new(String::new());
    let dirty = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(f)) = file.get() {
            match drafts.with_untracked(|d| d.get(&f.path).cloned()) {
                Some(draft) => {
                    content.set(draft);
                    dirty.set(true);
                }
                None => {
                    content.set(f.content.unwrap_or_default());
                    dirty.set(false);
                }
            }
        }
    });
    // Every edit is kept as this file's draft until it is saved.
    Effect::new(move |_| {
        let text = content.get();
        if dirty.get_untracked() {
            drafts.update(|d| {
                d.insert(draft_path.clone(), text);
            });
        }
    });
    let save = Action::new(move |(path, text): &(String, String)| {
        let (id, path, text) = (id.clone(), path.clone(), text.clone());
        async move {
            let saved = write_checkout_file(kind, id, path.clone(), text.clone()).await;
            // Forget the draft only if nothing was typed while saving.
            if saved.is_ok() && drafts.with_untracked(|d| d.get(&path) == Some(&text)) {
                drafts.update(|d| {
                    d.remove(&path);
                });
            }
            saved
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            dirty.set(false);
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="card text-sm text-muted">"Opening…"</p> }>
            {move || Suspend::new(async move {
                match file.await {
                    Err(e) => view! { <p class="card text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(f) if f.content.is_none() => view! {
                        <p class="card text-sm text-muted">{format!("{} is {} ({}): not shown.", f.path, if f.binary { "binary" } else { "too large" }, bytes(f.size))}</p>
                    }.into_any(),
                    Ok(f) => {
                        let path = f.path.clone();
                        // A draft kept from before wins over what is on disk.
                        let initial = drafts
                            .with_untracked(|d| d.get(&f.path).cloned())
                            .or_else(|| f.content.clone())
                            .unwrap_or_default();
                        let on_save = Callback::new(move |_| { save.dispatch((path.clone(), content.get_untracked())); });
                        view! {
                            <div class="card p-0" data-testid="editor">
                                <div class="flex items-center gap-2 border-b border-base px-3 py-2">
                                    <span class="min-w-0 flex-1 truncate font-mono text-sm">{f.path.clone()}</span>
                                    <Show when=move || dirty.get()><span class="badge badge-warn">"Unsaved"</span></Show>
                                    <button type="button" class="btn btn-primary" data-testid="save-file" disabled=move || !dirty.get() || save.pending().get()
                                        on:click=move |_| on_save.run(())>"Save"</button>
                                </div>
                                <CodeArea path=f.path.clone() initial content dirty on_save/>
                                {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="px-3 pb-2 text-sm text-red-600" role="alert">{e.to_string()}</p> })}
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// Monaco over the file; a plain text area when Monaco cannot be loaded.
#[component]
fn CodeArea(
    path: String,
    initial: String,
    content: RwSignal<String>,
    dirty: RwSignal<bool>,
    on_save: Callback<()>,
) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let failed = RwSignal::new(None::<String>);
    // Only ever opened in the browser (the explorer opens files on a click).
    let close = StoredValue::new_local(None::<Box<dyn FnOnce()>>);
    let (label, file) = (format!("Contents of {path}"), path.clone());
    Effect::new(move |_| {
        let Some(element) = host.get() else { return };
        if close.with_value(|c| c.is_some()) {
            return;
        }
        let opened = crate::ui::browser::open_code_editor(
            &element,
            &initial,
            &file,
            move |text| {
                content.set(text);
                dirty.set(true);
            },
            move || on_save.run(()),
            move |why| failed.set(Some(why)),
        );
        close.set_value(Some(opened));
    });
    on_cleanup(move || {
        if let Some(Some(dispose)) = close.try_update_value(Option::take) {
            dispose();
        }
    });
    view! {
        <Show
            when=move || failed.get().is_some()
            fallback=move || view! { <div node_ref=host class="h-[60vh] w-full" data-testid="code-editor"></div> }
        >
            <p class="px-3 pt-2 text-xs text-muted">{move || failed.get()} " — editing as plain text."</p>
            <textarea class="block min-h-[60vh] w-full resize-y bg-transparent p-3 font-mono text-xs leading-5 outline-none"
                spellcheck="false" aria-label=label.clone() data-testid="editor-text"
                prop:value=move || content.get()
                on:input=move |ev| { content.set(event_target_value(&ev)); dirty.set(true); }
                on:keydown=move |ev| {
                    if ev.key() == "s" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        on_save.run(());
                    }
                }></textarea>
        </Show>
    }
}
