//! Audit: the regulation's articles as rules over a verified ledger. Being built; see the issue
//! tracker.
