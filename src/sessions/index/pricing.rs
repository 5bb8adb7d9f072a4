//! What an API message costs when the transcript does not say: Anthropic's list prices per
//! million tokens, by model family. One table, dated; update both together.

use super::line::Tokens;

/// When the prices below were last checked against Anthropic's price list.
pub const PRICES_AS_OF: &str = "2026-12-01";

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    /// Writing the prompt cache (5-minute entries).
    pub cache_write: f64,
    pub cache_read: f64,
}

const OPUS_4: Price = Price {
    input: 15.0,
    output: 75.0,
    cache_write: 18.75,
    cache_read: 1.5,
};
const OPUS_45: Price = Price {
    input: 5.0,
    output: 25.0,
    cache_write: 6.25,
    cache_read: 0.5,
};
const SONNET: Price = Price {
    input: 3.0,
    output: 15.0,
    cache_write: 3.75,
    cache_read: 0.3,
};
const HAIKU_35: Price = Price {
    input: 0.8,
    output: 4.0,
    cache_write: 1.0,
    cache_read: 0.08,
};
const HAIKU_45: Price = Price {
    input: 1.0,
    output: 5.0,
    cache_write: 1.25,
    cache_read: 0.1,
};

/// Model id prefixes, most specific first.
const TABLE: &[(&str, Price)] = &[
    ("claude-opus-4-5", OPUS_45),
    ("claude-opus-4-6", OPUS_45),
    ("claude-opus-4", OPUS_4),
    ("claude-3-opus", OPUS_4),
    ("claude-sonnet-4", SONNET),
    ("claude-3-7-sonnet", SONNET),
    ("claude-3-5-sonnet", SONNET),
    ("claude-haiku-4-5", HAIKU_45),
    ("claude-3-5-haiku", HAIKU_35),
];

pub fn price_of(model: &str) -> Option<Price> {
    TABLE
        .iter()
        .find(|(prefix, _)| model.starts_with(prefix))
        .map(|(_, p)| *p)
}

/// The list price of one message's tokens; None for a model not in the table.
pub fn cost_of(model: &str, t: &Tokens) -> Option<f64> {
    let p = price_of(model)?;
    Some(
        (t.input as f64 * p.input
            + t.output as f64 * p.output
            + t.cache_creation as f64 * p.cache_write
            + t.cache_read as f64 * p.cache_read)
            / 1_000_000.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_by_family() {
        let t = Tokens {
            input: 1_000_000,
            output: 1_000_000,
            cache_creation: 0,
            cache_read: 0,
        };
        assert_eq!(cost_of("claude-sonnet-4-20250514", &t), Some(18.0));
        assert_eq!(cost_of("claude-opus-4-20250514", &t), Some(90.0));
        assert_eq!(cost_of("claude-opus-4-5-20251101", &t), Some(30.0));
        assert_eq!(cost_of("gpt-4", &t), None);
    }
}
