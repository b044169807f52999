//! Property tests of the input line's byte syntaxes (`/hex`, `/esc`): every
//! byte string survives a round trip, and no input, however bad, panics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use proptest::prelude::*;
use sockpit::payload::{parse_escapes, parse_hex, to_escaped, to_hex};

proptest! {
    #[test]
    fn bytes_to_hex_and_back(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assert_eq!(parse_hex(&to_hex(&bytes)).expect("to_hex output parses"), bytes);
    }

    #[test]
    fn packed_and_prefixed_hex_read_the_same(bytes in prop::collection::vec(any::<u8>(), 1..64)) {
        let packed = to_hex(&bytes).replace(' ', "");
        prop_assert_eq!(parse_hex(&packed).expect("packed"), bytes.clone());
        prop_assert_eq!(parse_hex(&format!("0x{}", packed.to_uppercase())).expect("0x"), bytes);
    }

    #[test]
    fn bytes_to_escapes_and_back(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = to_escaped(&bytes);
        prop_assert!(text.bytes().all(|b| (0x20..0x7f).contains(&b)), "not plain ASCII: {text:?}");
        prop_assert_eq!(parse_escapes(&text).expect("to_escaped output parses"), bytes);
    }

    #[test]
    fn text_without_backslashes_is_its_utf8(text in "[^\\\\]{0,64}") {
        prop_assert_eq!(parse_escapes(&text).expect("no escapes"), text.as_bytes());
    }

    #[test]
    fn any_input_gives_bytes_or_an_error_never_a_panic(text in any::<String>()) {
        for result in [parse_hex(&text), parse_escapes(&text)] {
            if let Err(err) = result {
                let chars = text.chars().count();
                prop_assert!(err.column >= 1 && err.column <= chars, "column {} of {chars}", err.column);
                prop_assert!(!err.to_string().is_empty());
            }
        }
    }

    #[test]
    fn escape_like_noise_never_panics(text in "([\\\\xX0-9a-gq ]|\\\\[0-9x]){0,24}") {
        for result in [parse_hex(&text), parse_escapes(&text)] {
            if let Err(err) = result {
                let at = format!("at column {}", err.column);
                prop_assert!(err.to_string().contains(&at), "{err}");
            }
        }
    }
}
