//! kaiji (開示): policy-as-code checks for JAHIS/JIRA medical-information
//! security disclosure sheets (MDS/SDS).
//!
//! The library is usable without the CLI (the binary's own, argument
//! parsing included): load a [`form::FormRegistry`], read sheets with
//! [`sheet::load_file`], run [`lint`] rules over them, or describe a whole
//! run with [`runner::Run`] and render it with [`report::renderer`].

// Errors carry their file's text so they render with context; they are the
// cold path, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod coverage;
pub mod diff;
pub mod export;
pub mod form;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod init;
pub mod lint;
pub mod memory;
pub mod outcome;
pub mod policy;
pub mod policytest;
pub mod report;
pub mod runner;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sheet;
#[cfg(any(test, feature = "synth"))]
pub mod synth;
pub mod text;
pub mod waiver;
pub mod walk;

// Unit tests run with the counting allocator, as the binary does, so the
// per-evaluation memory bound is exercised by them too.
#[cfg(test)]
#[global_allocator]
static ALLOC: memory::CountingAlloc = memory::CountingAlloc;
