//! The explorer of a checkout: a file tree loaded a folder at a time (what .gitignore ignores
//! left out) and an editor that saves back into the checkout.

use super::api::{list_files, read_checkout_file, write_checkout_file};
use super::types::{CheckoutKind, DirEntry};
use crate::base::format::bytes;
use crate::ui::Icon;
use leptos::html::Div;
use leptos::prelude::*;

#[component]
pub fn ExplorerPanel(kind: CheckoutKind, id: String) -> impl IntoView {
    let open = RwSignal::new(None::<String>);
    let tree_id = id.clone();
    view! {
        <div class="grid gap-4 lg:grid-cols-[18rem_1fr]" data-testid="explorer">
            <nav class="card max-h-[70vh] overflow-auto p-2 text-sm" aria-label="Files">
                <Folder kind id=tree_id dir=String::new() open/>
            </nav>
            <div class="min-w-0">
                {move || match open.get() {
                    Some(path) => view! { <Editor kind id=id.clone() path/> }.into_any(),
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
                            {list.into_iter().map(|e| view! { <Entry kind id=id.get_value() entry=e open/> }).collect_view()}
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
                    <div class="pl-4"><Folder kind id=id.clone() dir=sub.clone() open/></div>
                </Show>
            </li>
        }
        .into_any()
    } else {
        let selected = path.clone();
        view! {
            <li>
                <button type="button" class="flex w-full items-center gap-1 rounded px-1 py-0.5 pl-5 text-left hover:bg-surface-2"
                    class=("bg-surface-2", move || open.with(|o| o.as_deref() == Some(selected.as_str())))
                    data-testid="tree-file" title=format!("{} · {}", entry.path, bytes(entry.size))
                    on:click=move |_| open.set(Some(path.clone()))>
                    <Icon name="file-text" class="size-4 text-muted"/>
                    <span class="truncate">{entry.name.clone()}</span>
                </button>
            </li>
        }
        .into_any()
    }
}

#[component]
fn Editor(kind: CheckoutKind, id: String, path: String) -> impl IntoView {
    let rid = id.clone();
    let file = Resource::new(
        move || (rid.clone(), path.clone()),
        move |(id, path)| read_checkout_file(kind, id, path),
    );
    let content = RwSignal::new(String::new());
    let dirty = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(f)) = file.get() {
            content.set(f.content.unwrap_or_default());
            dirty.set(false);
        }
    });
    let save = Action::new(move |(path, text): &(String, String)| {
        let (id, path, text) = (id.clone(), path.clone(), text.clone());
        async move { write_checkout_file(kind, id, path, text).await }
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
                        let on_save = Callback::new(move |_| { save.dispatch((path.clone(), content.get_untracked())); });
                        view! {
                            <div class="card p-0" data-testid="editor">
                                <div class="flex items-center gap-2 border-b border-base px-3 py-2">
                                    <span class="min-w-0 flex-1 truncate font-mono text-sm">{f.path.clone()}</span>
                                    <Show when=move || dirty.get()><span class="badge badge-warn">"Unsaved"</span></Show>
                                    <button type="button" class="btn btn-primary" data-testid="save-file" disabled=move || !dirty.get() || save.pending().get()
                                        on:click=move |_| on_save.run(())>"Save"</button>
                                </div>
                                <CodeArea path=f.path.clone() initial=f.content.clone().unwrap_or_default() content dirty on_save/>
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
