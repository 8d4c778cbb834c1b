//! The durable file store (work in progress; see the issue "Durable file store").
