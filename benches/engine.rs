//! Engine benchmarks (filled in with the instance engine).
fn main() {}
