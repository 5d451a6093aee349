//! kaiji (開示): policy-as-code checks for JAHIS/JIRA medical-information
//! security disclosure sheets (MDS/SDS).
//!
//! The library is usable without the CLI: load a [`form::FormRegistry`],
//! read sheets with [`sheet::load_file`], run [`lint`] rules over them.

pub mod form;
pub mod sheet;
pub mod text;
