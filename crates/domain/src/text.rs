//! Rules for untrusted text before it reaches PostgreSQL, which refuses a NUL outright
//! (`invalid byte sequence for encoding "UTF8": 0x00`) and would report it as a failure
//! of the whole statement, and so of every other value batched with it.

use crate::Invalid;

/// A key or identifier (an id's natural key, a slug, a code): no control character.
pub fn check_key(what: &str, value: &str) -> Result<(), Invalid> {
    match value.chars().find(|c| c.is_control()) {
        Some(c) => Err(Invalid::new(format!(
            "{what} contains the control character U+{:04X}",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_refuse_every_control_character() {
        assert!(check_key("id", "PER").is_ok());
        assert!(check_key("id", "obj22-document-01").is_ok());
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let error = check_key("id", &format!("PE{c}R")).expect_err("a control character");
            assert!(error.0.contains("U+"), "{error}");
        }
    }
}
