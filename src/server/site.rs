//! The static files of the site: the hydration bundle (`/pkg/*`), CSS, icons and vendored assets.
//!
//! A release binary carries the site inside it (compiled in from `target/site`, which
//! `cargo leptos build --release --precompress` finishes before it compiles the server), so the
//! binary runs from any directory. A debug binary reads the same folder from disk. When
//! `LEPTOS_SITE_ROOT` is set (as `cargo leptos watch` does) that folder wins.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

#[derive(rust_embed::RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/target/site"]
#[exclude = "*.gz"]
#[allow_missing = true]
struct EmbeddedSite;

/// Where the site's files come from.
#[derive(Debug, Clone)]
pub enum SiteFiles {
    /// Compiled into the binary (release) or read from the build folder (debug).
    Embedded,
    /// A folder on disk.
    Disk(PathBuf),
    /// Not found: the UI renders but does not hydrate.
    Missing,
}

impl SiteFiles {
    /// Finds the site: `LEPTOS_SITE_ROOT`, then the embedded copy, then a `site` folder next to
    /// or above the binary.
    pub fn locate(output_name: &str, pkg_dir: &str) -> Self {
        let marker = format!("{pkg_dir}/{output_name}.js");
        if let Some(root) = std::env::var_os("LEPTOS_SITE_ROOT") {
            let root = PathBuf::from(root);
            if root.join(&marker).is_file() {
                return SiteFiles::Disk(root);
            }
        }
        if EmbeddedSite::get(&marker).is_some() {
            return SiteFiles::Embedded;
        }
        if let Some(exe_dir) = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        {
            for candidate in [exe_dir.join("site"), exe_dir.join("../site")] {
                if candidate.join(&marker).is_file() {
                    return SiteFiles::Disk(candidate);
                }
            }
        }
        SiteFiles::Missing
    }

    pub fn describe(&self) -> String {
        match self {
            SiteFiles::Embedded => "embedded in the binary".into(),
            SiteFiles::Disk(p) => format!("folder {}", p.display()),
            SiteFiles::Missing => "not found".into(),
        }
    }

    /// Serves `path` if the site has it. Prefers a precompressed `.br` copy when the client
    /// accepts brotli. Returns `None` when there is no such file.
    pub async fn serve(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Option<Response> {
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        let rel = sanitize(path)?;
        let accepts_br = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("br")));
        let (file, encoding) = match accepts_br {
            true => match self.read(&format!("{rel}.br")).await {
                Some(f) => (f, Some("br")),
                None => (self.read(&rel).await?, None),
            },
            false => (self.read(&rel).await?, None),
        };
        let etag = format!("\"{}{}\"", file.tag, encoding.unwrap_or(""));
        let mut builder = Response::builder()
            .header(header::ETAG, &etag)
            .header(header::VARY, "accept-encoding")
            // File names are not content-hashed: revalidate every time (cheap with the ETag).
            .header(header::CACHE_CONTROL, "no-cache");
        if let Some(mime) = mime_guess::from_path(&rel).first() {
            builder = builder.header(header::CONTENT_TYPE, mime.essence_str());
        }
        if let Some(enc) = encoding {
            builder = builder.header(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
        }
        let not_modified = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == etag);
        let response = if not_modified {
            builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
        } else if method == Method::HEAD {
            builder
                .header(header::CONTENT_LENGTH, file.bytes.len())
                .body(Body::empty())
        } else {
            builder.body(Body::from(file.bytes.into_owned()))
        };
        response.ok()
    }

    async fn read(&self, rel: &str) -> Option<SiteFile> {
        match self {
            SiteFiles::Embedded => EmbeddedSite::get(rel).map(|f| SiteFile {
                tag: hex(&f.metadata.sha256_hash()[..8]),
                bytes: f.data,
            }),
            SiteFiles::Disk(root) => {
                let path = root.join(rel);
                let meta = tokio::fs::metadata(&path).await.ok()?;
                if !meta.is_file() {
                    return None;
                }
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_millis())
                    .unwrap_or(0);
                let bytes = tokio::fs::read(&path).await.ok()?;
                Some(SiteFile {
                    tag: format!("{:x}-{:x}", meta.len(), modified),
                    bytes: Cow::Owned(bytes),
                })
            }
            SiteFiles::Missing => None,
        }
    }
}

struct SiteFile {
    tag: String,
    bytes: Cow<'static, [u8]>,
}

/// Turns a URL path into a relative file path, refusing anything that could leave the site.
fn sanitize(path: &str) -> Option<String> {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.contains('\\') {
        return None;
    }
    let ok = Path::new(trimmed)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    ok.then(|| trimmed.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_refuses_escapes() {
        assert_eq!(
            sanitize("/pkg/flotilla.js").as_deref(),
            Some("pkg/flotilla.js")
        );
        assert_eq!(sanitize("/../etc/passwd"), None);
        assert_eq!(sanitize("/pkg/../../x"), None);
        assert_eq!(sanitize("/"), None);
        assert_eq!(sanitize("/a\\b"), None);
    }

    #[tokio::test]
    async fn disk_files_are_served_with_etag_and_brotli() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/a.js"), "plain").unwrap();
        std::fs::write(dir.path().join("pkg/a.js.br"), "compressed").unwrap();
        let site = SiteFiles::Disk(dir.path().to_path_buf());
        let mut headers = HeaderMap::new();
        let plain = site
            .serve(&Method::GET, "/pkg/a.js", &headers)
            .await
            .unwrap();
        assert_eq!(plain.status(), StatusCode::OK);
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br"),
        );
        let br = site
            .serve(&Method::GET, "/pkg/a.js", &headers)
            .await
            .unwrap();
        assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
        let etag = br.headers()[header::ETAG].clone();
        headers.insert(header::IF_NONE_MATCH, etag);
        let cached = site
            .serve(&Method::GET, "/pkg/a.js", &headers)
            .await
            .unwrap();
        assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
        assert!(site
            .serve(&Method::GET, "/pkg/none.js", &headers)
            .await
            .is_none());
        assert!(site
            .serve(&Method::POST, "/pkg/a.js", &headers)
            .await
            .is_none());
    }
}
