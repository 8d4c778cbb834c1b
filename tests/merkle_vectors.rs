//! Placeholder: replaced by the Merkle vector tests.
