//! The reader's tests: each case reads a small storage fragment and compares a compact rendering
//! of the IR (see `common`) or the error it gives.

mod common;
mod depth;
