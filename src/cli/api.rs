use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji api                      print the reference (Markdown)
  kaiji api > POLICY-API.md")]
pub struct ApiArgs {}

/// Print the policy API reference, generated from the registered functions.
pub fn run(_args: ApiArgs) -> miette::Result<u8> {
    super::output::print(&kaiji::policy::reference::markdown())?;
    Ok(0)
}
