use std::io::Write;

use clap::Args;
use miette::IntoDiagnostic;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji api                      print the reference (Markdown)
  kaiji api > POLICY-API.md")]
pub struct ApiArgs {}

/// Print the policy API reference, generated from the registered functions.
pub fn run(_args: ApiArgs) -> miette::Result<u8> {
    let text = crate::policy::reference::markdown();
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // `kaiji api | head` closing the pipe early is not an error
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        r => r.into_diagnostic().map(|()| 0),
    }
}
