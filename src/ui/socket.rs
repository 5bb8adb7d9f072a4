//! A WebSocket that reconnects by itself, for live views.
//!
//! In the browser it opens `path` on the page's host (ws: or wss: to match the page), hands every
//! text message to `on_message`, reports its state, and after a drop reconnects with a growing
//! delay (1 s doubling to 10 s), asking `path` again each time so the caller can resume from what
//! it has (e.g. `?since=<last seq>`). On the server it does nothing.

use leptos::prelude::*;

/// What the socket is doing, for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketState {
    Connecting,
    Open,
    /// Lost; reconnecting after a delay.
    Reconnecting,
    Closed,
}

/// A handle that can send and close. Cheap to copy into closures.
#[derive(Clone, Copy)]
pub struct LiveSocket {
    #[cfg(feature = "hydrate")]
    inner: StoredValue<std::rc::Rc<std::cell::RefCell<imp::Inner>>, LocalStorage>,
}

impl LiveSocket {
    /// Opens the socket (in the browser) and closes it when the current reactive owner is
    /// cleaned up (the component unmounts).
    pub fn open(
        path: impl Fn() -> String + 'static,
        on_message: impl Fn(String) + 'static,
        state: WriteSignal<SocketState>,
    ) -> Self {
        #[cfg(feature = "hydrate")]
        {
            let inner = imp::Inner::start(Box::new(path), Box::new(on_message), state);
            let stored = StoredValue::new_local(inner);
            on_cleanup(move || {
                if let Some(inner) = stored.try_get_value() {
                    imp::Inner::dispose(&inner);
                }
            });
            LiveSocket { inner: stored }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (path, on_message, state);
            LiveSocket {}
        }
    }

    /// Sends a text message; false when the socket is not open.
    pub fn send(&self, text: &str) -> bool {
        #[cfg(feature = "hydrate")]
        {
            self.inner
                .try_get_value()
                .is_some_and(|inner| imp::Inner::send(&inner, text))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = text;
            false
        }
    }
}

#[cfg(feature = "hydrate")]
mod imp {
    use super::SocketState;
    use leptos::prelude::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    pub struct Inner {
        path: Box<dyn Fn() -> String>,
        on_message: Box<dyn Fn(String)>,
        state: WriteSignal<SocketState>,
        socket: Option<WebSocket>,
        // The callbacks must live as long as the socket that calls them.
        handlers: Vec<Closure<dyn FnMut(JsValue)>>,
        attempt: u32,
        disposed: bool,
    }

    impl Inner {
        pub fn start(
            path: Box<dyn Fn() -> String>,
            on_message: Box<dyn Fn(String)>,
            state: WriteSignal<SocketState>,
        ) -> Rc<RefCell<Inner>> {
            let inner = Rc::new(RefCell::new(Inner {
                path,
                on_message,
                state,
                socket: None,
                handlers: Vec::new(),
                attempt: 0,
                disposed: false,
            }));
            Self::connect(&inner);
            inner
        }

        fn url(path: &str) -> String {
            let location = window().location();
            let scheme = match location.protocol().as_deref() {
                Ok("https:") => "wss",
                _ => "ws",
            };
            let host = location.host().unwrap_or_default();
            format!("{scheme}://{host}{path}")
        }

        fn connect(this: &Rc<RefCell<Inner>>) {
            let url = {
                let inner = this.borrow();
                if inner.disposed {
                    return;
                }
                inner.state.set(if inner.attempt == 0 {
                    SocketState::Connecting
                } else {
                    SocketState::Reconnecting
                });
                Self::url(&(inner.path)())
            };
            let Ok(socket) = WebSocket::new(&url) else {
                Self::schedule_reconnect(this);
                return;
            };
            let weak = Rc::downgrade(this);
            let on_open = Closure::<dyn FnMut(JsValue)>::new({
                let weak = weak.clone();
                move |_| {
                    if let Some(this) = weak.upgrade() {
                        let mut inner = this.borrow_mut();
                        inner.attempt = 0;
                        inner.state.set(SocketState::Open);
                    }
                }
            });
            let on_message = Closure::<dyn FnMut(JsValue)>::new({
                let weak = weak.clone();
                move |event: JsValue| {
                    let Some(this) = weak.upgrade() else { return };
                    let Ok(event) = event.dyn_into::<MessageEvent>() else {
                        return;
                    };
                    if let Some(text) = event.data().as_string() {
                        (this.borrow().on_message)(text);
                    }
                }
            });
            let on_close = Closure::<dyn FnMut(JsValue)>::new({
                let weak = weak.clone();
                move |event: JsValue| {
                    let Some(this) = weak.upgrade() else { return };
                    let _ = event.dyn_into::<CloseEvent>();
                    this.borrow_mut().socket = None;
                    Self::schedule_reconnect(&this);
                }
            });
            socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
            let mut inner = this.borrow_mut();
            inner.handlers = vec![on_open, on_message, on_close];
            inner.socket = Some(socket);
        }

        fn schedule_reconnect(this: &Rc<RefCell<Inner>>) {
            let delay = {
                let mut inner = this.borrow_mut();
                if inner.disposed {
                    inner.state.set(SocketState::Closed);
                    return;
                }
                inner.attempt += 1;
                inner.state.set(SocketState::Reconnecting);
                1000u64
                    .saturating_mul(1 << (inner.attempt - 1).min(4))
                    .min(10_000)
            };
            let weak = Rc::downgrade(this);
            // Leptos' set_timeout needs a Send closure; the browser is single-threaded.
            let callback = send_wrapper(move || {
                if let Some(this) = weak.upgrade() {
                    Self::connect(&this);
                }
            });
            set_timeout(callback, std::time::Duration::from_millis(delay));
        }

        pub fn send(this: &Rc<RefCell<Inner>>, text: &str) -> bool {
            let inner = this.borrow();
            match &inner.socket {
                Some(socket) if socket.ready_state() == WebSocket::OPEN => {
                    socket.send_with_str(text).is_ok()
                }
                _ => false,
            }
        }

        pub fn dispose(this: &Rc<RefCell<Inner>>) {
            let mut inner = this.borrow_mut();
            inner.disposed = true;
            if let Some(socket) = inner.socket.take() {
                socket.set_onclose(None);
                socket.set_onmessage(None);
                let _ = socket.close();
            }
            inner.handlers.clear();
        }
    }

    /// Wraps a closure that is not Send for APIs that ask for Send; sound here because the
    /// browser runs everything on one thread.
    fn send_wrapper(f: impl Fn() + 'static) -> impl Fn() + Send + 'static {
        struct AssertSend<F>(F);
        // SAFETY: wasm32 in the browser has one thread; the closure never crosses threads.
        unsafe impl<F> Send for AssertSend<F> {}
        let wrapped = AssertSend(f);
        move || {
            // Use the wrapper as a whole: a closure naming `wrapped.0` would capture only the
            // inner (non-Send) field.
            let AssertSend(f) = &wrapped;
            f()
        }
    }
}
