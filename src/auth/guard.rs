//! The guard every request passes before it reaches a route: the `Host` it was sent to, the
//! origin of the page that sent it, the body's content type, and who is asking.
//!
//! Order matters: a request from a foreign origin is refused before anyone looks at its
//! credentials, so a hostile page learns nothing, not even whether a cookie was valid.

use super::access::{Refusal, RequestFacts};
use super::ratelimit::RateKey;
use super::service::{Auth, Identity, Principal};
use super::sessions::cookie_name;
use super::types::TokenScope;
use crate::error::AppError;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::IpAddr;

/// What kind of thing a path is, for the guard's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// `/healthz`, `/readyz`: for load balancers; no checks.
    Health,
    /// The site's static files (bundle, styles, icons): public, no secrets in them.
    Asset,
    /// `/api/...`: REST routes and server functions.
    Api,
    /// `/ws/...`: WebSocket streams.
    Socket,
    /// Everything else: pages.
    Page,
}

impl PathKind {
    pub fn of(path: &str) -> Self {
        match path {
            "/healthz" | "/readyz" => PathKind::Health,
            "/favicon.ico" | "/favicon.svg" | "/editor.js" | "/charts.js" => PathKind::Asset,
            p if p.starts_with("/pkg/") || p.starts_with("/vendor/") => PathKind::Asset,
            p if p.starts_with("/api/") || p == "/api" => PathKind::Api,
            p if p.starts_with("/ws/") => PathKind::Socket,
            _ => PathKind::Page,
        }
    }
}

/// Whether the method can change state.
pub fn is_mutating(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_websocket_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether a request declares a body (a length above zero, or a chunked one).
fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || header_str(headers, "content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .is_some_and(|n| n > 0)
}

/// JSON, or JSON lines (a session imported as Claude Code's own transcript). Neither is a type
/// a page may send across sites without a preflight, which is never granted.
fn is_json(headers: &HeaderMap) -> bool {
    header_str(headers, "content-type").is_some_and(|v| {
        v.split(';').next().is_some_and(|t| {
            let t = t.trim();
            t.eq_ignore_ascii_case("application/json")
                || t.eq_ignore_ascii_case("application/x-ndjson")
        })
    })
}

/// The client's address: the peer's, or — when the peer is a trusted proxy — the last address
/// in `X-Forwarded-For` that is not one of the trusted proxies.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(forwarded) = header_str(headers, "x-forwarded-for") else {
        return peer;
    };
    forwarded
        .rsplit(',')
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// The `Host` the request was sent to; a trusted proxy's `X-Forwarded-Host` wins.
fn request_host(headers: &HeaderMap, from_proxy: bool) -> Option<&str> {
    if from_proxy {
        if let Some(h) = header_str(headers, "x-forwarded-host") {
            return h.split(',').next().map(str::trim);
        }
    }
    header_str(headers, "host")
}

/// Paths anyone may reach without signing in: the sign-in and first-run pages and the server
/// functions they call. (Health checks and static files are not checked at all.)
const OPEN_PATHS: &[&str] = &[
    "/login",
    "/setup",
    "/api/fn/login",
    "/api/fn/setup_owner",
    "/api/fn/auth_status",
];

/// The value of cookie `name`, from every `Cookie` header.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The session cookie, under either of its names.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, cookie_name(true)).or_else(|| cookie(headers, cookie_name(false)))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    header_str(headers, "authorization").and_then(|v| {
        let (scheme, token) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    })
}

fn refuse_rate(wait: std::time::Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response =
        AppError::RateLimited(format!("too many requests; retry in {secs} s")).into_response();
    if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// Where an anonymous page request is sent: the first-run setup, or the sign-in page with the
/// page it wanted.
async fn sign_in_redirect(auth: &Auth, uri: &axum::http::Uri) -> Response {
    let owner_exists = auth
        .status(None)
        .await
        .map(|s| s.owner_exists)
        .unwrap_or(true);
    let target = if owner_exists {
        let wanted = uri
            .path_and_query()
            .map(|p| p.as_str())
            .filter(|p| *p != "/")
            .map(|p| format!("?next={}", encode_query_value(p)))
            .unwrap_or_default();
        format!("/login{wanted}")
    } else {
        "/setup".to_string()
    };
    Redirect::to(&target).into_response()
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The middleware: refuses what must not pass, then hands the request on with the caller's
/// [`Identity`] in its extensions.
pub async fn guard(
    State(auth): State<Auth>,
    ConnectInfo(peer): ConnectInfo<crate::server::listen::PeerAddr>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let kind = PathKind::of(request.uri().path());
    if kind == PathKind::Health {
        return next.run(request).await;
    }
    let headers = request.headers();
    let trusted = &auth.config().trusted_proxies;
    let from_proxy = trusted.contains(&peer.0.ip());
    let host = request_host(headers, from_proxy);
    let policy = auth.policy();

    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 still sends Host: evil.example.
    if !host.is_some_and(|h| policy.host_allowed(h)) {
        let refusal = Refusal::Host(host.unwrap_or("").chars().take(100).collect());
        return AppError::Forbidden(refusal.message()).into_response();
    }
    if kind == PathKind::Asset {
        return next.run(request).await;
    }

    let client_ip = client_ip(peer.0.ip(), headers, trusted);
    if let Some(limit) = auth.rate_limit() {
        if let Err(wait) = limit.check(&RateKey::Client(client_ip)) {
            return refuse_rate(wait);
        }
    }

    let facts = RequestFacts {
        host,
        origin: header_str(headers, "origin"),
        sec_fetch_site: header_str(headers, "sec-fetch-site"),
    };
    let method = request.method().clone();
    let mutating = is_mutating(&method);
    let origin_check = if mutating || is_websocket_upgrade(headers) {
        policy.check_origin(&facts)
    } else if matches!(kind, PathKind::Api | PathKind::Socket) {
        // Reads of the API from another site's page are refused too: nothing legitimate sends
        // them, and a browser bug should not be all that stands in the way.
        policy.check_fetch_site(&facts)
    } else {
        Ok(())
    };
    if let Err(refusal) = origin_check {
        tracing::warn!(
            method = %method,
            path = %request.uri().path(),
            client = %client_ip,
            "refused a cross-origin request"
        );
        return AppError::Forbidden(refusal.message()).into_response();
    }

    // No "simple" request (text/plain, a form) can change state: a cross-site page could send
    // those without a preflight. JSON needs one, which is never granted.
    if kind == PathKind::Api && mutating && has_body(headers) && !is_json(headers) {
        return AppError::BadRequest(
            "send the body as JSON with Content-Type: application/json (or JSON lines, application/x-ndjson, where a route takes them)".into(),
        )
        .into_response();
    }

    let principal = match auth
        .identify(bearer(headers), session_cookie(headers), client_ip)
        .await
    {
        Ok(p) => p,
        Err(e) => {
            let mut response = AppError::from(e).into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    };
    let path = request.uri().path();
    let open = OPEN_PATHS.contains(&path);
    match &principal {
        Principal::Anonymous if !open => {
            return match kind {
                PathKind::Page if method == Method::GET || method == Method::HEAD => {
                    sign_in_redirect(&auth, request.uri()).await
                }
                _ => {
                    let mut response = AppError::Unauthorized(
                        "sign in, or send an API token as Authorization: Bearer <token>".into(),
                    )
                    .into_response();
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                    response
                }
            };
        }
        Principal::Token { id, scope, .. } => {
            if let Some(limit) = auth.rate_limit() {
                if let Err(wait) = limit.check(&RateKey::Token(id.clone())) {
                    return refuse_rate(wait);
                }
            }
            let interactive = kind == PathKind::Socket && path.ends_with("/interact");
            if *scope == TokenScope::Read && (mutating || interactive) {
                return AppError::Forbidden("this API token may only read".into()).into_response();
            }
        }
        _ => {}
    }

    let secure = auth.config().tls
        || (from_proxy
            && header_str(headers, "x-forwarded-proto")
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https")));
    let untrusted_forwarding = !from_proxy
        && (headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded"));
    let identity = Identity {
        principal,
        client_ip,
        secure,
        untrusted_forwarding,
        user_agent: header_str(headers, "user-agent").map(str::to_string),
    };
    request.extensions_mut().insert(identity);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn paths_are_classified() {
        assert_eq!(PathKind::of("/healthz"), PathKind::Health);
        assert_eq!(PathKind::of("/pkg/flotilla.wasm"), PathKind::Asset);
        assert_eq!(PathKind::of("/vendor/monaco/vs/loader.js"), PathKind::Asset);
        assert_eq!(PathKind::of("/api/instances"), PathKind::Api);
        assert_eq!(PathKind::of("/api/fn/launch_instance"), PathKind::Api);
        assert_eq!(PathKind::of("/ws/instances"), PathKind::Socket);
        assert_eq!(PathKind::of("/"), PathKind::Page);
        assert_eq!(PathKind::of("/apix"), PathKind::Page);
        assert_eq!(PathKind::of("/pkgx"), PathKind::Page);
    }

    #[test]
    fn json_and_body_detection() {
        let mut h = HeaderMap::new();
        assert!(!has_body(&h));
        h.insert("content-length", HeaderValue::from_static("0"));
        assert!(!has_body(&h));
        h.insert("content-length", HeaderValue::from_static("12"));
        assert!(has_body(&h));
        h.insert("content-type", HeaderValue::from_static("text/plain"));
        assert!(!is_json(&h));
        h.insert(
            "content-type",
            HeaderValue::from_static("Application/JSON; charset=utf-8"),
        );
        assert!(is_json(&h));
        h.insert(
            "content-type",
            HeaderValue::from_static("application/json-patch+json"),
        );
        assert!(!is_json(&h));
        h.insert(
            "content-type",
            HeaderValue::from_static("application/x-ndjson"),
        );
        assert!(is_json(&h));
    }

    #[test]
    fn credentials_are_read_from_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert("authorization", HeaderValue::from_static("Bearer flt_abc "));
        assert_eq!(bearer(&h), Some("flt_abc"));
        h.insert("authorization", HeaderValue::from_static("Basic eDp5"));
        assert_eq!(bearer(&h), None);
        h.insert(
            "cookie",
            HeaderValue::from_static("theme=dark; flotilla_session=s3cr3t; x=1"),
        );
        assert_eq!(session_cookie(&h), Some("s3cr3t"));
        h.insert(
            "cookie",
            HeaderValue::from_static("__Host-flotilla_session=tls"),
        );
        assert_eq!(session_cookie(&h), Some("tls"));
        h.insert("cookie", HeaderValue::from_static("flotilla_session="));
        assert_eq!(session_cookie(&h), None);
    }

    #[test]
    fn next_is_encoded() {
        assert_eq!(
            encode_query_value("/projects/a b?x=1&y"),
            "/projects/a%20b%3Fx%3D1%26y"
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.9, 10.0.0.2"),
        );
        // Not trusted: the peer is the client.
        assert_eq!(client_ip(proxy, &h, &[]), proxy);
        // Trusted: the last address the proxy did not add itself; a spoofed first entry is
        // ignored.
        assert_eq!(
            client_ip(proxy, &h, &[proxy]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }
}
