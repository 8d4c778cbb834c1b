//! Case evidence bundles: one file with a case's entries, proofs, keys and (optionally) media,
//! verifiable offline (Art. 19). Being built; see the issue tracker.
