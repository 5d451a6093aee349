use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use miette::{IntoDiagnostic, WrapErr};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji api                              print the reference (Markdown)
  kaiji api > POLICY-API.md
  kaiji api --definitions .rhai/definitions   Rhai definition files for an editor

The definition files are regenerated in place: kaiji replaces the *.d.rhai files it writes
(each written whole, then renamed) and leaves every other file in DIR alone.")]
pub struct ApiArgs {
    /// Write Rhai definition files (.d.rhai: every function a policy can call, with
    /// parameter names, types and doc comments, and the `sheet` variable) into DIR,
    /// for editors with the Rhai language server, instead of printing Markdown.
    #[arg(long, value_name = "DIR")]
    pub definitions: Option<PathBuf>,
}

/// Print the policy API reference, or write the definition files, both
/// generated from the registered functions.
pub fn run(args: ApiArgs) -> miette::Result<u8> {
    let Some(dir) = args.definitions else {
        super::output::print(&kaiji::policy::reference::markdown())?;
        return Ok(0);
    };
    let files = kaiji::policy::reference::definitions();
    write_definitions(&dir, &files)?;
    let shown = kaiji::text::printable_line(&dir.display().to_string()).into_owned();
    eprintln!("kaiji api: wrote {} definition files in {shown}", files.len());
    for (name, _) in &files {
        eprintln!("  {name}");
    }
    Ok(0)
}

/// Each file written whole to a temporary file beside it and renamed over
/// the old one: a rename replaces a link rather than writing through it,
/// and an editor never reads half a file.
fn write_definitions(dir: &Path, files: &[(String, String)]) -> miette::Result<()> {
    let shown = |p: &Path| kaiji::text::printable_line(&p.display().to_string()).into_owned();
    if let Ok(m) = std::fs::metadata(dir)
        && !m.is_dir()
    {
        miette::bail!(
            code = "kaiji::usage::definitions_dir",
            help = "--definitions takes a directory (created if missing), e.g. .rhai/definitions",
            "{} is not a directory; nothing was written",
            shown(dir)
        );
    }
    std::fs::create_dir_all(dir).into_diagnostic().wrap_err_with(|| format!("cannot create {}", shown(dir)))?;
    for (name, text) in files {
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            miette::bail!("{} is a directory; nothing more was written", shown(&path));
        }
        let wrap = || format!("cannot write {}", shown(&path));
        let mut builder = tempfile::Builder::new();
        builder.prefix(".kaiji-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder.tempfile_in(dir).into_diagnostic().wrap_err_with(wrap)?;
        tmp.write_all(text.as_bytes()).into_diagnostic().wrap_err_with(wrap)?;
        tmp.persist(&path).into_diagnostic().wrap_err_with(wrap)?;
    }
    Ok(())
}
