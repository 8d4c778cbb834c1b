//! One conformance suite, many backends: `backend_suite!(file_backend: round_trip, …)` makes a
//! module `file_backend` with one `#[test]` per check, each calling `check(file_backend(name))`
//! (the backend constructor gets the check's name, e.g. for its scratch directory).
//! `tests/media_conformance.rs` and `tests/vault_conformance.rs` use it; a new backend adds one
//! line there.

/// See the module documentation.
#[macro_export]
macro_rules! backend_suite {
    ($backend:ident: $($check:ident),+ $(,)?) => {
        mod $backend {
            $(
                #[test]
                fn $check() {
                    super::$check(super::$backend(stringify!($check)));
                }
            )+
        }
    };
}
