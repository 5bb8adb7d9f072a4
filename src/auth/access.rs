//! Where a request may come from: the `Host` names the server answers to (which stops DNS
//! rebinding) and the origins whose pages may change state or open a stream (which stops
//! cross-site requests). Pure functions over header values, so every rule is unit-tested.

use std::net::IpAddr;

/// The names and origins this server accepts, after defaults are applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessPolicy {
    /// Host names (lowercase, no port) besides loopback names and IP literals.
    pub hosts: Vec<String>,
    /// Origins besides the server's own (`scheme://host[:port]`, normalised).
    pub origins: Vec<String>,
}

/// Why a request was refused before it reached a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The `Host` header names a host this server is not configured for.
    Host(String),
    /// The request comes from another origin's page.
    Origin(String),
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::Host(host) => format!(
                "this server does not answer to the host name {host:?}; add it with \
                 --public-host (FLOTILLA_PUBLIC_HOSTS) or in Settings if it is yours"
            ),
            Refusal::Origin(origin) => format!(
                "cross-origin request refused (from {origin}); a page of another site cannot \
                 drive Flotilla. Add the origin with --allowed-origin (FLOTILLA_ALLOWED_ORIGINS) \
                 or in Settings if it is yours"
            ),
        }
    }
}

/// What the guard needs to know about one request's headers.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestFacts<'a> {
    pub host: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub sec_fetch_site: Option<&'a str>,
}

impl AccessPolicy {
    /// Builds the policy from configured host names and origins (both may be empty).
    pub fn new(hosts: &[String], origins: &[String]) -> Self {
        let mut policy = AccessPolicy::default();
        for host in hosts {
            let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
            if !host.is_empty() && !policy.hosts.contains(&host) {
                policy.hosts.push(host);
            }
        }
        for origin in origins {
            if let Some(o) = normalize_origin(origin) {
                if !policy.origins.contains(&o) {
                    policy.origins.push(o);
                }
            }
        }
        policy
    }

    /// Whether the server answers to this `Host` header: loopback names, IP literals (a
    /// rebinding page cannot make the browser send one of those for its own origin) and the
    /// configured names.
    pub fn host_allowed(&self, host_header: &str) -> bool {
        let Some((host, _)) = split_authority(host_header) else {
            return false;
        };
        if host.parse::<IpAddr>().is_ok() || host == "localhost" || host.ends_with(".localhost") {
            return true;
        }
        self.hosts.contains(&host)
    }

    /// Checks a request that changes state or opens a stream. `Ok` when its origin is the
    /// server's own (the `Host` it was sent to, already checked) or an allowed one; when no
    /// `Origin` is sent, `Sec-Fetch-Site` must say same-origin or none; a client that sends
    /// neither is not a browser page, and must authenticate like any other.
    pub fn check_origin(&self, facts: &RequestFacts) -> Result<(), Refusal> {
        if let Some(origin) = facts.origin {
            if self.origin_allowed(origin, facts.host) {
                return Ok(());
            }
            return Err(Refusal::Origin(origin.chars().take(200).collect()));
        }
        self.check_fetch_site(facts)
    }

    /// `Sec-Fetch-Site`, when sent, must be same-origin or none (typed in the address bar).
    pub fn check_fetch_site(&self, facts: &RequestFacts) -> Result<(), Refusal> {
        match facts.sec_fetch_site {
            None | Some("same-origin") | Some("none") => Ok(()),
            Some(other) => Err(Refusal::Origin(format!("a {other} page"))),
        }
    }

    fn origin_allowed(&self, origin: &str, host: Option<&str>) -> bool {
        let Some(normalized) = normalize_origin(origin) else {
            return false; // "null" (sandboxed frames, file: pages) and garbage
        };
        if self.origins.contains(&normalized) {
            return true;
        }
        let (Some(own), Some(theirs)) = (
            host.and_then(split_authority),
            normalized
                .split_once("://")
                .and_then(|(_, authority)| split_authority(authority)),
        ) else {
            return false;
        };
        own == theirs
    }
}

/// `scheme://host[:port]` in lowercase, without a default port or a trailing slash; `None` for
/// anything that is not an http(s) origin.
pub fn normalize_origin(origin: &str) -> Option<String> {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let (host, port) = split_authority(authority)?;
    Some(match port {
        Some(p) => format!("{scheme}://{}:{p}", bracket(&host)),
        None => format!("{scheme}://{}", bracket(&host)),
    })
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// Splits `host[:port]` (IPv6 in brackets) into a lowercase host and a port; ports 80 and 443
/// count as none (an origin leaves out its scheme's default port; a proxy may not).
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let authority = authority.trim();
    if authority.is_empty() || authority.contains(['/', '@', ' ', '?', '#']) {
        return None;
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, Some(p)),
            Some(_) => return None, // an IPv6 literal must be in brackets
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>().ok()? {
            80 | 443 => None,
            p => Some(p),
        },
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(
        host: &'a str,
        origin: Option<&'a str>,
        site: Option<&'a str>,
    ) -> RequestFacts<'a> {
        RequestFacts {
            host: Some(host),
            origin,
            sec_fetch_site: site,
        }
    }

    #[test]
    fn loopback_names_and_ip_literals_are_hosts_by_default() {
        let p = AccessPolicy::default();
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST",
            "app.localhost:8080",
            "[::1]:3000",
            "192.168.1.5:3000",
            "localhost.:3000",
        ] {
            assert!(p.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:3000",
            "evil.example",
            "localhost.evil.example",
            "",
            "a b",
            "::1:3000",
            "user@localhost",
        ] {
            assert!(!p.host_allowed(bad), "{bad}");
        }
        let p = AccessPolicy::new(&["Flotilla.Example".into()], &[]);
        assert!(p.host_allowed("flotilla.example:443"));
        assert!(!p.host_allowed("other.example"));
    }

    #[test]
    fn only_the_servers_own_origin_or_an_allowed_one_passes() {
        let p = AccessPolicy::new(&[], &["https://Ops.Example/".into()]);
        let own = facts(
            "127.0.0.1:3000",
            Some("http://127.0.0.1:3000"),
            Some("same-origin"),
        );
        assert_eq!(p.check_origin(&own), Ok(()));
        assert_eq!(
            p.check_origin(&facts(
                "localhost:3000",
                Some("http://localhost:3000"),
                None
            )),
            Ok(())
        );
        // Another loopback address or port is another origin.
        for evil in [
            "http://127.0.0.2:3000",
            "http://127.0.0.1:3001",
            "http://evil.example",
            "null",
            "file://",
            "http://127.0.0.1:3000.evil.example",
        ] {
            assert!(
                p.check_origin(&facts("127.0.0.1:3000", Some(evil), Some("same-origin")))
                    .is_err(),
                "{evil}"
            );
        }
        // The allow-list, default ports and case do not matter.
        assert_eq!(
            p.check_origin(&facts(
                "127.0.0.1:3000",
                Some("https://ops.example:443"),
                None
            )),
            Ok(())
        );
        // Behind a proxy: the page's https origin has the same host as the forwarded Host.
        assert_eq!(
            p.check_origin(&facts(
                "flotilla.example",
                Some("https://flotilla.example"),
                None
            )),
            Ok(())
        );
    }

    #[test]
    fn without_origin_the_fetch_site_decides() {
        let p = AccessPolicy::default();
        assert_eq!(
            p.check_origin(&facts("localhost", None, Some("none"))),
            Ok(())
        );
        assert_eq!(
            p.check_origin(&facts("localhost", None, Some("same-origin"))),
            Ok(())
        );
        assert!(p
            .check_origin(&facts("localhost", None, Some("same-site")))
            .is_err());
        assert!(p
            .check_origin(&facts("localhost", None, Some("cross-site")))
            .is_err());
        // A script or CLI sends neither; it must still authenticate.
        assert_eq!(p.check_origin(&facts("localhost", None, None)), Ok(()));
    }

    #[test]
    fn origins_normalise() {
        assert_eq!(
            normalize_origin("HTTP://LocalHost:80/").as_deref(),
            Some("http://localhost")
        );
        assert_eq!(
            normalize_origin("http://[::1]:3000").as_deref(),
            Some("http://[::1]:3000")
        );
        assert_eq!(normalize_origin("ftp://x"), None);
        assert_eq!(normalize_origin("null"), None);
        assert_eq!(normalize_origin("http://x:99999"), None);
    }
}
