//! Markdown to HTML for text written by Claude, which is untrusted.
//!
//! Safe by construction rather than by cleaning afterwards: raw HTML in the input is turned into
//! text (so it shows as typed), link targets are kept only for safe schemes, and images are
//! shown as links (an image would load a URL of the author's choosing). pulldown-cmark escapes
//! all text and attribute values it writes.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

/// Renders Markdown to HTML that is safe to insert with `inner_html`.
pub fn render_markdown(source: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let events = Parser::new_ext(source, options).map(|event| match event {
        // Raw HTML is shown as the text it is.
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        // An image becomes a link to it: shown, it would load a URL of the author's choosing.
        Event::Start(
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }
            | Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            },
        ) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::End(pulldown_cmark::TagEnd::Image) => Event::End(pulldown_cmark::TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events);
    // Links open in a new tab and tell the target nothing about Flotilla.
    out.replace(
        "<a href=",
        "<a rel=\"noopener noreferrer nofollow\" target=\"_blank\" href=",
    )
}

/// Keeps http(s), mailto and relative URLs; anything else (javascript:, data:, vbscript:, ...)
/// becomes `#`.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let trimmed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme = trimmed.split_once(':').map(|(s, _)| s);
    let allowed = match scheme {
        None => true,
        // "a/b:c" is a relative path with a colon, not a scheme.
        Some(s) if s.contains('/') || s.contains('?') || s.contains('#') => true,
        Some(s) => matches!(s, "http" | "https" | "mailto"),
    };
    if allowed {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::render_markdown;

    #[test]
    fn renders_ordinary_markdown() {
        let html =
            render_markdown("# Title\n\nSome **bold** and `code`.\n\n```rust\nfn main() {}\n```\n");
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("<code>code</code>"));
        assert!(html.contains(r#"<code class="language-rust">fn main() {}"#));
    }

    #[test]
    fn raw_html_is_inert_text() {
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "hello <b onclick=\"alert(1)\">x</b>",
            "<iframe src=\"https://evil\"></iframe>",
            "<svg onload=alert(1)>",
        ] {
            let html = render_markdown(attack);
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<iframe"), "{html}");
            assert!(!html.contains("<svg"), "{html}");
            assert!(!html.contains("<b "), "{html}");
            assert!(html.contains("&lt;"), "{html}");
        }
    }

    #[test]
    fn dangerous_link_targets_are_dropped() {
        for link in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](  javascript:alert(1))",
            "[x](java\tscript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "<javascript:alert(1)>",
        ] {
            // The target is replaced; the link's text may still say what was written.
            let html = render_markdown(link).to_lowercase();
            for bad in [
                "href=\"javascript",
                "href=\"java\tscript",
                "href=\"data:",
                "href=\"vbscript",
            ] {
                assert!(!html.contains(bad), "{link} -> {html}");
            }
            // Any link that is made points nowhere.
            assert_eq!(
                html.matches("href=").count(),
                html.matches("href=\"#\"").count(),
                "{link} -> {html}"
            );
        }
        let ok =
            render_markdown("[docs](https://example.com/a?b=1) [rel](./x.md) [mail](mailto:a@b.c)");
        assert!(ok.contains(r#"href="https://example.com/a?b=1""#), "{ok}");
        assert!(ok.contains(r#"href="./x.md""#));
        assert!(ok.contains(r#"href="mailto:a@b.c""#));
        assert!(ok.contains(r#"rel="noopener noreferrer nofollow""#));
    }

    #[test]
    fn images_become_links() {
        let html = render_markdown("![tracker](https://evil.example/pixel.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(r#"href="https://evil.example/pixel.png""#),
            "{html}"
        );
    }

    #[test]
    fn attribute_values_are_escaped() {
        let html = render_markdown("[x](https://a.example/\"onmouseover=\"alert(1))");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }
}
