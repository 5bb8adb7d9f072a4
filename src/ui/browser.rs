//! The few places the UI talks to browser APIs directly, gathered here. On the server these are
//! no-ops: they are only ever called from event handlers and effects, which run in the browser.

/// Where the chosen theme is remembered.
const THEME_KEY: &str = "flotilla-theme";

/// Switches between the light and dark theme and remembers the choice.
pub fn set_dark_theme(dark: bool) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.class_list().toggle_with_force("dark", dark);
        }
        if let Ok(Some(storage)) = leptos::prelude::window().local_storage() {
            let _ = storage.set_item(THEME_KEY, if dark { "dark" } else { "light" });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (dark, THEME_KEY);
}

/// The width of the browser window in CSS pixels; None on the server.
pub fn viewport_width() -> Option<f64> {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// A preference remembered in this browser (`localStorage`); None when unset or unavailable.
pub fn remembered(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(key).ok().flatten())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

/// Remembers a preference in this browser.
pub fn remember(key: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(Some(storage)) = leptos::prelude::window().local_storage() {
        let _ = storage.set_item(key, value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}

/// Whether the dark theme is showing now.
pub fn is_dark_theme() -> bool {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::document()
            .document_element()
            .is_some_and(|root| root.class_list().contains("dark"))
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Marks the page as hydrated (`<body data-hydrated="true">`), so tests and styles can tell
/// when the page became interactive.
pub fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// Milliseconds since the Unix epoch, in the browser or on the server.
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// Highlights the code blocks inside `element` with highlight.js (served from /vendor), if it
/// has loaded. Plain code stays readable when it has not.
pub fn highlight_code_in(element: &web_sys::Element) {
    highlight_in(element, "pre code");
}

/// Highlights every element matching `selector` inside `element` (each names its language in a
/// `language-*` class), if highlight.js has loaded.
pub fn highlight_in(element: &web_sys::Element, selector: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(hljs) = js_sys::Reflect::get(&leptos::prelude::window(), &"hljs".into())
            .ok()
            .filter(|v| !v.is_undefined())
        else {
            return;
        };
        let Ok(highlight) = js_sys::Reflect::get(&hljs, &"highlightElement".into()) else {
            return;
        };
        let Ok(highlight) = highlight.dyn_into::<js_sys::Function>() else {
            return;
        };
        if let Ok(blocks) = element.query_selector_all(selector) {
            for i in 0..blocks.length() {
                if let Some(block) = blocks.item(i) {
                    let _ = highlight.call1(&hljs, &block);
                }
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (element, selector);
}

/// How far (in CSS pixels) the bottom of `element`'s content is below what it shows.
pub fn distance_from_bottom(element: &web_sys::Element) -> i32 {
    #[cfg(feature = "hydrate")]
    {
        element.scroll_height() - element.scroll_top() - element.client_height()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = element;
        0
    }
}

/// Scrolls `element` to the bottom of its content.
pub fn scroll_to_bottom(element: &web_sys::Element) {
    #[cfg(feature = "hydrate")]
    element.set_scroll_top(element.scroll_height());
    #[cfg(not(feature = "hydrate"))]
    let _ = element;
}

/// Guards the page with [`confirm_before_leaving`] while the calling component is mounted. The
/// guard is made in the browser only: on the server its browser-local state would be dropped with
/// the component on whichever thread ends the render, and touching it from another thread panics
/// (the connection then closes with no answer).
pub fn guard_leaving(unsaved: impl Fn() -> Option<String> + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::*;
        let remove = StoredValue::new_local(None::<Box<dyn FnOnce()>>);
        let mut unsaved = Some(unsaved);
        Effect::new(move |_| {
            if let Some(unsaved) = unsaved.take() {
                remove.set_value(Some(confirm_before_leaving(unsaved)));
            }
        });
        on_cleanup(move || {
            if let Some(Some(remove)) = remove.try_update_value(Option::take) {
                remove();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = unsaved;
}

/// While `unsaved()` answers a message (there is work that would be lost), asks before the page
/// is closed or reloaded (the browser's own prompt) and before a link in the app is followed (a
/// confirm with that message; "Cancel" stays). Returns what removes the guard.
pub fn confirm_before_leaving(unsaved: impl Fn() -> Option<String> + 'static) -> Box<dyn FnOnce()> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Some(window) = web_sys::window() else {
            return Box::new(|| ());
        };
        let unsaved = std::rc::Rc::new(unsaved);
        let ask = unsaved.clone();
        let unload = Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
            move |ev: web_sys::BeforeUnloadEvent| {
                if let Some(text) = ask() {
                    ev.prevent_default();
                    ev.set_return_value(&text);
                }
            },
        );
        let (ask, confirm_on) = (unsaved, window.clone());
        // Capture phase on the window: before the router's own click handler navigates.
        let click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
            let link = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("a[href]").ok().flatten());
            let Some(text) = link.and_then(|_| ask()) else {
                return;
            };
            if !confirm_on.confirm_with_message(&text).unwrap_or(true) {
                ev.prevent_default();
                ev.stop_immediate_propagation();
            }
        });
        let (unload_fn, click_fn) = (
            unload.as_ref().unchecked_ref::<js_sys::Function>().clone(),
            click.as_ref().unchecked_ref::<js_sys::Function>().clone(),
        );
        let _ = window.add_event_listener_with_callback("beforeunload", &unload_fn);
        let _ = window.add_event_listener_with_callback_and_bool("click", &click_fn, true);
        Box::new(move || {
            let _ = window.remove_event_listener_with_callback("beforeunload", &unload_fn);
            let _ = window.remove_event_listener_with_callback_and_bool("click", &click_fn, true);
            drop((unload, click));
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = unsaved;
        Box::new(|| ())
    }
}

/// Opens the Monaco editor (through `public/editor.js`) in `element` with `value`; `path` picks
/// the language. `on_change` gets the whole text after each edit, `on_save` runs on Ctrl/Cmd+S,
/// `on_failed` when Monaco cannot be loaded (the caller then offers a plain text area).
/// Returns what disposes the editor.
pub fn open_code_editor(
    element: &web_sys::Element,
    value: &str,
    path: &str,
    on_change: impl Fn(String) + 'static,
    on_save: impl Fn() + 'static,
    on_failed: impl Fn(String) + 'static,
) -> Box<dyn FnOnce()> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        let change = Closure::<dyn Fn(String)>::new(on_change);
        let save = Closure::<dyn Fn()>::new(on_save);
        let args = js_sys::Array::new();
        args.push(element);
        args.push(&value.into());
        args.push(&path.into());
        args.push(change.as_ref());
        args.push(save.as_ref());
        let close = call_bridge(
            ("flotillaEditor", "/editor.js"),
            "open",
            &args,
            "dispose",
            on_failed,
        );
        Box::new(move || {
            close();
            drop((change, save));
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (element, value, path, on_change, on_save, on_failed);
        Box::new(|| ())
    }
}

/// Draws a chart (through `public/charts.js`, Chart.js) on `canvas` from `spec`, a JSON chart
/// description (see `analytics::charts_ui::ChartSpec`). `on_failed` runs when the library cannot
/// be loaded. Returns what destroys the chart.
pub fn draw_chart(
    canvas: &web_sys::Element,
    spec: &str,
    on_failed: impl Fn(String) + 'static,
) -> Box<dyn FnOnce()> {
    #[cfg(feature = "hydrate")]
    {
        let Ok(spec) = js_sys::JSON::parse(spec) else {
            on_failed("the chart's data could not be read".into());
            return Box::new(|| ());
        };
        let args = js_sys::Array::new();
        args.push(canvas);
        args.push(&spec);
        call_bridge(
            ("flotillaCharts", "/charts.js"),
            "draw",
            &args,
            "destroy",
            on_failed,
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (canvas, spec, on_failed);
        Box::new(|| ())
    }
}

/// Calls `window[bridge].method(...args)`, a script of `public/` whose method resolves to a handle;
/// returns what calls `handle[close]()`, also when the promise settles after it ran.
#[cfg(feature = "hydrate")]
fn call_bridge(
    (bridge, script): (&str, &str),
    method: &str,
    args: &js_sys::Array,
    close: &'static str,
    on_failed: impl Fn(String) + 'static,
) -> Box<dyn FnOnce()> {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    let object = js_sys::Reflect::get(&leptos::prelude::window(), &bridge.into())
        .ok()
        .filter(|b| b.is_object());
    let function = object.as_ref().and_then(|b| {
        js_sys::Reflect::get(b, &method.into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    let (Some(object), Some(function)) = (object, function) else {
        on_failed(format!("the script {script} did not load"));
        return Box::new(|| ());
    };
    let Some(promise) = function
        .apply(&object, args)
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
    else {
        on_failed(format!("{script} could not start"));
        return Box::new(|| ());
    };
    fn shut(handle: &JsValue, close: &str) {
        if let Ok(f) = js_sys::Reflect::get(handle, &close.into()) {
            if let Ok(f) = f.dyn_into::<js_sys::Function>() {
                let _ = f.call0(handle);
            }
        }
    }
    let handle = Rc::new(RefCell::new(None::<JsValue>));
    let closed = Rc::new(Cell::new(false));
    let (h, c) = (handle.clone(), closed.clone());
    let ready = Closure::<dyn FnMut(JsValue)>::new(move |value: JsValue| {
        if c.get() {
            shut(&value, close);
        } else {
            *h.borrow_mut() = Some(value);
        }
    });
    let fallback = format!("{script} failed");
    let failed = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let message = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| fallback.clone());
        on_failed(message);
    });
    let _ = promise.then2(&ready, &failed);
    // The promise may settle after the handle is closed: these two must outlive it.
    ready.forget();
    failed.forget();
    Box::new(move || {
        closed.set(true);
        if let Some(value) = handle.borrow_mut().take() {
            shut(&value, close);
        }
    })
}

/// POSTs the file chosen in `input` to `url` (same origin, with the session cookie) as the
/// whole body with `content_type`: (status, response text). For uploads a server function's
/// encodings do not fit (a transcript as it is on disk).
pub async fn post_file(
    url: &str,
    input: &web_sys::HtmlInputElement,
    content_type: &str,
) -> Result<(u16, String), String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let file = input
            .files()
            .and_then(|f| f.get(0))
            .ok_or_else(|| "choose a file first".to_string())?;
        let headers = web_sys::Headers::new().map_err(|_| "the browser refused the request")?;
        headers
            .set("content-type", content_type)
            .map_err(|_| "the browser refused the request")?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&file);
        let response =
            JsFuture::from(leptos::prelude::window().fetch_with_str_and_init(url, &init))
                .await
                .map_err(|_| "the server could not be reached".to_string())?
                .dyn_into::<web_sys::Response>()
                .map_err(|_| "the server's answer could not be read".to_string())?;
        let text = match response.text() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
            Err(_) => None,
        };
        Ok((response.status(), text.unwrap_or_default()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (url, input, content_type);
        Err("uploads run in the browser".into())
    }
}

/// Loads `url` as a full page (after signing in, so the server renders with the new cookie).
pub fn go_to(url: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window().location().assign(url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// Copies `text` to the clipboard, if the browser allows it.
pub fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window()
            .navigator()
            .clipboard()
            .write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}
