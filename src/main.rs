//! The `flotilla` server binary; all of it lives in `flotilla::server`.

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    flotilla::server::main()
}

// cargo-leptos builds the library for the browser without `ssr`; the binary then has nothing to do.
#[cfg(not(feature = "ssr"))]
fn main() {}
