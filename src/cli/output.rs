//! Where a command writes: stdout, or `-o FILE` written atomically (a
//! temporary file in the same directory, renamed into place at the end) so
//! a failed run never leaves half a report.
//!
//! `-o` takes a regular file (new or existing), or one of three names that
//! are not files: `/dev/stdout` and `/dev/stderr` (the process's own
//! streams, written without opening the path) and `/dev/null`. Anything
//! else that exists and is not a regular file — a FIFO, a socket, another
//! device, a directory — is refused before anything runs: opening a FIFO
//! for writing blocks until a reader comes (every subcommand hung), and
//! renaming a file over a device would replace the device.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, WrapErr};

use kaiji::report::{Format, Style};

/// What `-o PATH` names, once checked ([`target`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A regular file, or a path where one will be made.
    File,
    Stdout,
    Stderr,
    Null,
}

/// Check what `-o` names: a regular file or a new path, `/dev/stdout`,
/// `/dev/stderr` or `/dev/null`; anything else is a usage error (exit 2)
/// and nothing is written.
fn target(path: &Path) -> miette::Result<Target> {
    let meta = std::fs::metadata(path);
    let char_device = || {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            meta.as_ref().is_ok_and(|m| m.file_type().is_char_device())
        }
        #[cfg(not(unix))]
        false
    };
    // By the name as given: `/dev/stdout` is a symlink to whatever stdout
    // is (a terminal, a pipe, a file), and writing to the stream is what it
    // means. /dev/null must also be what its name says.
    match path.to_str() {
        Some("/dev/stdout") => return Ok(Target::Stdout),
        Some("/dev/stderr") => return Ok(Target::Stderr),
        Some("/dev/null") if char_device() => return Ok(Target::Null),
        _ => {}
    }
    let Ok(meta) = meta else { return Ok(Target::File) };
    if meta.is_file() {
        return Ok(Target::File);
    }
    let what = kaiji::walk::describe(&meta);
    miette::bail!(
        code = "kaiji::usage::output_not_a_file",
        help = "-o takes a regular file (or /dev/stdout, /dev/stderr, /dev/null); to feed another program, \
                leave out -o and pipe stdout",
        "-o {} is {what}, not a regular file; nothing was written",
        path.display()
    )
}

pub enum Output {
    Stdout,
    /// `-o /dev/stderr`.
    Stderr,
    /// `-o /dev/null`.
    Null,
    File {
        path: PathBuf,
        tmp: tempfile::NamedTempFile,
    },
}

impl Output {
    pub fn open(path: Option<&Path>) -> miette::Result<Output> {
        let Some(path) = path else { return Ok(Output::Stdout) };
        Ok(match target(path)? {
            Target::Stdout => Output::Stdout,
            Target::Stderr => Output::Stderr,
            Target::Null => Output::Null,
            Target::File => Output::File { path: path.to_path_buf(), tmp: temp_beside(path)? },
        })
    }

    /// Human-output style: colour only for a terminal stdout.
    pub fn style(&self) -> Style {
        Style::detect(matches!(self, Output::Stdout) && io::stdout().is_terminal())
    }

    /// The report goes to a terminal (stdout or stderr, not redirected).
    pub fn is_terminal(&self) -> bool {
        match self {
            Output::Stdout => io::stdout().is_terminal(),
            Output::Stderr => io::stderr().is_terminal(),
            Output::Null | Output::File { .. } => false,
        }
    }

    pub fn writer(&self) -> miette::Result<Box<dyn Write + '_>> {
        Ok(match self {
            Output::Stdout => Box::new(io::BufWriter::new(io::stdout().lock())),
            Output::Stderr => Box::new(io::BufWriter::new(io::stderr().lock())),
            Output::Null => Box::new(io::sink()),
            Output::File { tmp, .. } => Box::new(io::BufWriter::new(tmp.as_file())),
        })
    }

    /// Move the finished file into place.
    pub fn commit(self) -> miette::Result<()> {
        if let Output::File { path, tmp } = self {
            tmp.persist(&path).into_diagnostic().wrap_err_with(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }
}

/// `path` names a stream rather than a file (`/dev/stdout`, `/dev/stderr`,
/// `/dev/null`): it has no extension to take a format from, and nothing in
/// it can be overwritten.
pub fn is_stream(path: &Path) -> bool {
    target(path).is_ok_and(|t| t != Target::File)
}

/// A temporary file in `path`'s directory (so the final rename is atomic).
/// It gets an ordinary file's permissions (tempfile's default is
/// owner-only); the umask still applies.
fn temp_beside(path: &Path) -> miette::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kaiji-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir).into_diagnostic().wrap_err_with(|| format!("cannot write to {}", path.display()))
}

/// Write `bytes` to `path` atomically: a temporary file in the same
/// directory, renamed into place once complete, so a failure leaves no
/// partial file. Without `force` an existing file is never replaced, even one
/// that appeared while writing.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool) -> miette::Result<()> {
    let wrap = || format!("cannot write {}", path.display());
    match target(path)? {
        Target::Stdout => return print_bytes(bytes),
        Target::Stderr => return io::stderr().lock().write_all(bytes).into_diagnostic().wrap_err_with(wrap),
        Target::Null => return Ok(()),
        Target::File => {}
    }
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes).into_diagnostic().wrap_err_with(wrap)?;
    tmp.as_file().sync_all().into_diagnostic().wrap_err_with(wrap)?;
    if force {
        tmp.persist(path).into_diagnostic().wrap_err_with(wrap)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error).into_diagnostic().wrap_err_with(|| {
            format!("cannot write {} (it may have appeared meanwhile; pass --force to replace it)", path.display())
        })?;
    }
    Ok(())
}

/// The files a run reads, by what they are ("sheet", "policy" ...), so a
/// report is never written over one of them.
#[derive(Default)]
pub struct RunInputs<'a> {
    files: Vec<(&'static str, std::borrow::Cow<'a, Path>)>,
}

impl<'a> RunInputs<'a> {
    pub fn add(&mut self, what: &'static str, path: &'a Path) -> &mut Self {
        self.files.push((what, path.into()));
        self
    }

    /// The `--form-file` catalogs.
    pub fn add_form_catalogs(&mut self, files: &'a [PathBuf]) -> &mut Self {
        for f in files {
            self.add("form catalog", f);
        }
        self
    }

    /// Files found while running (a policy test's base sheet), by what they are.
    pub fn add_owned(&mut self, what: &'static str, files: impl IntoIterator<Item = PathBuf>) -> &mut Self {
        self.files.extend(files.into_iter().map(|f| (what, f.into())));
        self
    }

    /// The sheet files among `inputs`.
    pub fn add_sheets(&mut self, inputs: &'a [kaiji::runner::Input]) -> &mut Self {
        for f in kaiji::runner::files(inputs) {
            self.add("sheet", f);
        }
        self
    }

    /// A `-p` argument: the file, or every file under the directory
    /// (policies, the modules they import, their tests).
    pub fn add_policy_arg(&mut self, path: &'a Path) -> &mut Self {
        if path.is_dir() {
            for f in kaiji::walk::files_under(path, |_| true) {
                self.files.push(("policy", f.into()));
            }
        } else {
            self.add("policy", path);
        }
        self
    }

    /// Fail (a usage error: exit 2, nothing written) when `out` is one of
    /// the inputs, or not something `-o` writes to (a FIFO, a device: see
    /// [`target`]). Compared by real identity, so `./a.toml`, `a.toml` and
    /// a symlink to it are one file. The streams are not compared:
    /// writing to `/dev/stdout` replaces nothing.
    pub fn refuse_as_output(&self, out: Option<&Path>) -> miette::Result<()> {
        let Some(out) = out else { return Ok(()) };
        if target(out)? != Target::File || !std::fs::metadata(out).is_ok_and(|m| m.is_file()) {
            return Ok(());
        }
        let Some(target) = kaiji::walk::file_identity(out) else { return Ok(()) };
        if let Some((what, input)) =
            self.files.iter().find(|(_, p)| kaiji::walk::file_identity(p).is_some_and(|id| id == target))
        {
            let same = if input.as_ref() == out { String::new() } else { format!(" ({})", input.display()) };
            miette::bail!(
                code = "kaiji::usage::output_is_input",
                help = "choose another -o path; nothing was written",
                "-o {} is the {what} file{same} this run reads; kaiji does not write over its inputs",
                out.display()
            );
        }
        Ok(())
    }
}

/// Write text to stdout. A reader that stops early (`kaiji form list | head`)
/// closes the pipe; that is not an error.
pub fn print(text: &str) -> miette::Result<()> {
    print_bytes(text.as_bytes())
}

/// [`print`] for bytes.
pub fn print_bytes(bytes: &[u8]) -> miette::Result<()> {
    match io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r.map_err(WriteError)?),
    }
}

/// An I/O failure while writing a report.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write the report: {0}")]
pub struct WriteError(#[source] pub io::Error);

/// True when a run ended because stdout's reader went away.
pub fn is_broken_pipe(report: &miette::Report) -> bool {
    report.downcast_ref::<WriteError>().is_some_and(|e| e.0.kind() == io::ErrorKind::BrokenPipe)
}

/// The report options `check` and `lint` share.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Output format (default: from the -o extension, else human).
    #[arg(short, long, value_parser = super::values::parser::<Format>())]
    pub format: Option<Format>,

    /// Write the report to FILE instead of stdout. Without -f the extension picks the
    /// format: .json, .xml (junit), .sarif/.sarif.json, .md, .csv, .html, .xlsx, and
    /// .txt/.log for human text; another extension needs -f.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Lowest severity that fails a sheet (exit 1).
    #[arg(long, value_parser = super::values::parser::<kaiji::report::FailOn>(), default_value = "error")]
    pub fail_on: kaiji::report::FailOn,

    /// With -o: print no run summary on stderr (only the summary line; the report is unchanged).
    #[arg(short, long)]
    pub quiet: bool,

    /// Worker threads (default: one per core).
    #[arg(short, long, default_value_t = 0)]
    pub jobs: usize,

    /// Human view: list every finding (by default more than 5 warnings, or 20
    /// errors, of one rule on a sheet are shown as one line).
    #[arg(short, long)]
    pub verbose: bool,

    /// Human view: only findings at or above this severity. Other formats
    /// keep every finding.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value = "warning")]
    pub min_severity: MinSeverity,

    /// -f csv: no UTF-8 byte order mark (it is there by default so that
    /// Japanese Excel does not read the file as Shift_JIS).
    #[arg(long)]
    pub no_bom: bool,
}

/// `--min-severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MinSeverity {
    Warning,
    Error,
}

impl ReportArgs {
    /// The format to write: `-f`, else the one `-o`'s extension names, else
    /// human. A usage error (exit 2, nothing run) when they contradict.
    pub fn resolved_format(&self) -> miette::Result<Format> {
        resolve_format(self.format, self.output.as_deref())
    }
}

/// See [`ReportArgs::resolved_format`]. An extension that names no format
/// is refused rather than read as human: `-o report.sarif.txt` or a typo
/// such as `report.jsn` would otherwise get human text silently, the very
/// surprise this check exists to remove; `-f` states the intent. `.txt`
/// and `.log` say "text" rather than one format, so they take any text
/// format given with -f (e.g. `-f github -o annotations.txt`), only not
/// xlsx. A stream (`-o /dev/stderr`) has no extension to go by and gets
/// human text, as stdout would.
fn resolve_format(flag: Option<Format>, out: Option<&Path>) -> miette::Result<Format> {
    let Some(out) = out else { return Ok(flag.unwrap_or(Format::Human)) };
    match (flag, Format::from_file_name(out)) {
        (Some(given), Some(named)) if given != named && (named != Format::Human || given.is_binary()) => {
            Err(format_conflict(given.name(), out, named.name()))
        }
        (Some(given), _) => Ok(given),
        (None, Some(named)) => Ok(named),
        (None, None) if is_stream(out) => Ok(Format::Human),
        (None, None) => {
            let ext = out.extension().map(|e| format!("the extension `.{}`", e.to_string_lossy()));
            let table: Vec<String> =
                kaiji::report::EXTENSIONS.iter().map(|(e, f)| format!(".{e} {}", f.name())).collect();
            miette::bail!(
                code = "kaiji::usage::unknown_format",
                help = format!(
                    "add -f FORMAT, or name the file by its format: {}, .sarif.json sarif (github has no \
                     extension: use -f github)",
                    table.join(", ")
                ),
                "cannot tell the report format of -o {} from {}; nothing was written",
                out.display(),
                ext.unwrap_or_else(|| "its name (no extension)".to_string())
            )
        }
    }
}

/// Run `runner` over `inputs` and render the reports as `args` say: the one
/// path `check` and `lint` share.
pub fn render_run(
    runner: &kaiji::runner::Runner,
    inputs: &[kaiji::runner::Input],
    args: &ReportArgs,
) -> miette::Result<kaiji::report::Summary> {
    let format = args.resolved_format()?;
    let out = Output::open(args.output.as_deref())?;
    if format.is_binary() && out.is_terminal() {
        miette::bail!("-f {} writes a binary file, not for a terminal: add -o FILE", format.name());
    }
    let mut style = out.style();
    style.verbose = args.verbose;
    style.csv_bom = !args.no_bom;
    style.min_severity = match args.min_severity {
        MinSeverity::Warning => kaiji::report::Severity::Warning,
        MinSeverity::Error => kaiji::report::Severity::Error,
    };
    let on_terminal = out.is_terminal();
    let summary = {
        let mut renderer = kaiji::report::renderer(format, out.writer()?, style);
        super::progress::run(runner, inputs, renderer.as_mut(), on_terminal).map_err(WriteError)?
    };
    out.commit()?;
    // The report went to a file: without this line a run looks the same
    // whether it passed or failed (the exit code aside). Human output to
    // stdout already ends with it.
    if let (Some(path), false) = (&args.output, args.quiet) {
        let command = runner.info().command;
        eprintln!("kaiji {command}: {}; report in {}", summary.line(command), path.display());
    }
    Ok(summary)
}

/// The date a report states: `--date` when given, else the UTC day of
/// `SOURCE_DATE_EPOCH` when set (reproducible builds' convention), else
/// none: kaiji never writes the clock into a report by itself.
pub fn report_date(explicit: Option<jiff::civil::Date>) -> Option<String> {
    if let Some(d) = explicit {
        return Some(d.to_string());
    }
    let secs = std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse::<i64>().ok()?;
    let ts = jiff::Timestamp::from_second(secs).ok()?;
    Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
}

/// One note on stderr for the files a directory or glob found that are not
/// sheets, so a left-out file is never a mystery: how many, the first few.
/// The sheet arguments of `check`/`lint` expanded, with the note about
/// files a walk skipped as not sheets.
pub fn expand_sheets(args: &[String]) -> Vec<kaiji::runner::Input> {
    let expanded = kaiji::runner::expand_all(args);
    note_not_sheets(&expanded.not_sheets);
    expanded.inputs
}

/// `-f` contradicting the format `-o`'s extension names: a usage error,
/// worded the same for reports and exports.
pub fn format_conflict(given: &str, out: &Path, named: &str) -> miette::Report {
    miette::miette!(
        code = "kaiji::usage::format_conflict",
        help = format!("drop -f to write {named}, or give the file a name that fits -f {given}"),
        "-f {given} contradicts -o {}, whose extension means -f {named}; nothing was written",
        out.display()
    )
}

pub fn note_not_sheets(skipped: &[PathBuf]) {
    const SHOWN: usize = 3;
    if skipped.is_empty() {
        return;
    }
    // File names are the vendors' text: no live control characters (a line
    // break would start a line of its own, e.g. a CI workflow command).
    let mut names: Vec<String> = skipped
        .iter()
        .take(SHOWN)
        .map(|p| kaiji::text::printable_line(&p.display().to_string()).into_owned())
        .collect();
    if skipped.len() > SHOWN {
        names.push(format!("and {} more", skipped.len() - SHOWN));
    }
    eprintln!(
        "note: skipped {} file(s) that are not sheets (TOML/JSON without a top-level [sheet] or [answers], \
         text without the form's title): {}; name a file to read it anyway",
        skipped.len(),
        names.join(", ")
    );
}

/// Write `bytes` to `out` (atomically, see [`write_atomic`]) or, without
/// `-o`, to stdout: what `import`, `export` and `form new` write.
pub fn write_or_stdout(out: Option<&Path>, bytes: &[u8], force: bool) -> miette::Result<()> {
    match out {
        Some(out) => write_atomic(out, bytes, force),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes).into_diagnostic()?;
            stdout.flush().into_diagnostic()
        }
    }
}

/// Fail (exit 2) when `path` exists and `--force` was not given. A
/// stream (`/dev/stdout`) holds nothing to overwrite.
pub fn refuse_overwrite(path: &Path, force: bool) -> miette::Result<()> {
    if !force && path.exists() && !is_stream(path) {
        miette::bail!(
            help = "pass --force to replace it, or choose another -o path",
            "{} already exists; kaiji does not overwrite files without --force",
            path.display()
        );
    }
    Ok(())
}
