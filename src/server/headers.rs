//! Security headers. Pages get a Content-Security-Policy with a fresh nonce per response: the
//! only scripts that run are the site's own files and the inline scripts the server wrote with
//! that nonce (hydration, theme); nothing from Claude's output or a repository can become one.
//! Everything else gets a policy that allows nothing at all.

use axum::http::{header, HeaderName, HeaderValue};

/// For responses that are not pages (JSON, files): no script, no frame, nothing.
pub const LOCKED_DOWN: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// The policy of a page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    // `cargo leptos watch` reloads the page through a WebSocket on its reload port.
    let reload = if std::env::var("LEPTOS_WATCH").is_ok() {
        let port = std::env::var("LEPTOS_RELOAD_PORT").unwrap_or_else(|_| "3001".into());
        format!(" ws://127.0.0.1:{port} ws://localhost:{port}")
    } else {
        String::new()
    };
    format!(
        "default-src 'self'; \
         script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self' data:; \
         connect-src 'self'{reload}; \
         worker-src 'self' blob:; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )
}

/// Sets the page policy on the response being rendered (from the HTML shell).
pub fn set_page_policy() {
    use leptos::prelude::use_context;
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    if let (Some(options), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&page_policy(&nonce)),
    ) {
        options.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The middleware: the headers every response gets unless it set its own (HSTS too when the
/// server speaks TLS itself).
pub async fn apply(
    axum::extract::State(tls): axum::extract::State<bool>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults: [(HeaderName, &'static str); 6] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CONTENT_SECURITY_POLICY, LOCKED_DOWN),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in defaults {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if tls {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_policy_allows_only_own_scripts_and_the_nonce() {
        let p = super::page_policy("abc123");
        let directive = |name: &str| {
            p.split(';')
                .map(str::trim)
                .find(|d| d.starts_with(name))
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(
            directive("script-src"),
            "script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"
        );
        assert_eq!(p.matches("'unsafe-inline'").count(), 1, "styles only: {p}");
        assert!(directive("style-src").contains("'unsafe-inline'"));
        assert!(!p.contains(" 'unsafe-eval'"));
        assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'");
        assert_eq!(directive("connect-src"), "connect-src 'self'");
    }
}
