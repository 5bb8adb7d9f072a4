//! The fake Anthropic Messages API of the test suite, as a program, for the end-to-end tests:
//! prints `listening on http://127.0.0.1:PORT` and serves until SIGTERM/SIGINT.
//! See tests/support/fake_anthropic.rs for how replies are scripted.

#[path = "../tests/support/fake_anthropic.rs"]
mod fake_anthropic;

#[tokio::main]
async fn main() {
    let fake = fake_anthropic::FakeAnthropic::start().await;
    println!("listening on {}", fake.url);
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("listen for SIGTERM");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
