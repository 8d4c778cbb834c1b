//! The text inputs users and integrators hand to liuhen, on arbitrary bytes: an audit time
//! (`audit::parse_time`), a period (`audit::Period`), an audit profile in TOML (as `liuhen audit
//! --profile` reads it, then `Profile::validate`) and a statement in JSON (as `liuhen append`
//! reads it, `docs/EVENTS.md`). Nothing may panic, and what is accepted must be consistent:
//! a parsed time formats and parses back to itself, an accepted JSON statement re-encodes to JSON
//! that decodes to the same statement, with the same canonical bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuhen::audit::{format_time, parse_time, Period, Profile};
use liuhen::SignedStatement;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(t) = parse_time(text) {
        let shown = format_time(t);
        if let Some(back) = parse_time(&shown) {
            // format_time shows seconds in UTC+8; what it shows must parse to the same second.
            assert_eq!(
                back.0.div_euclid(1000),
                t.0.div_euclid(1000),
                "{text:?} -> {shown:?}"
            );
        }
    }
    let _ = text.parse::<Period>();
    if let Ok(profile) = toml::from_str::<Profile>(text) {
        let _ = profile.validate();
    }
    if let Ok(st) = serde_json::from_str::<SignedStatement>(text) {
        let json = serde_json::to_string(&st).expect("an accepted statement serializes");
        let back: SignedStatement = serde_json::from_str(&json).expect("and parses back");
        assert_eq!(back, st);
        let _ = st.statement.signed_message();
    }
});
