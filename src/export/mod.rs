//! `kaiji export`: a sheet written back out — as the familiar workbook in the
//! form's layout ([`xlsx`]), or as canonical TOML/JSON
//! ([`crate::sheet::write`]).

pub mod xlsx;

pub use xlsx::{ExportError, to_xlsx};
