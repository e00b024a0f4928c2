//! The reader's tests. Each case reads a small storage fragment and compares a compact, one-line
//! rendering of the IR (see `common`), or the error it gives.

mod blocks;
mod common;
mod corpus;
mod depth;
mod errors;
mod fixtures;
mod links;
mod macros;
mod media;
mod props;
mod tables;
mod text;
