use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use kaiji::form::FormRegistry;
use kaiji::policy::Limits;
use kaiji::serve::{Options, Preloaded, ServeError, Server, Setup};
use kaiji::text::printable_line;
use kaiji::waiver::WaiverSet;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji serve                         an empty page; drop the vendors' documents on it
  kaiji serve vendors/ --open         hold a folder's documents, open the browser
  kaiji serve -p hospital/ --waivers waivers.toml

The first line printed is the page's address with its token:
  kaiji serve: http://127.0.0.1:PORT/?token=TOKEN
Only this computer can open it (127.0.0.1), and only with the token. Documents
are held in a private temporary folder, removed when kaiji serve ends (Ctrl-C).")]
pub struct ServeArgs {
    /// A folder of vendor documents and sheets to hold from the start, found as
    /// `kaiji check DIR` finds them (the folder itself is only read).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Policy file or directory (recursive; repeatable). Default: the built-in baseline pack.
    #[arg(short, long = "policy", value_name = "POLICY_FILE_OR_DIR")]
    pub policies: Vec<PathBuf>,

    /// Accepted deviations (a TOML file of [[waiver]] entries, as for `kaiji check`),
    /// applied to every report and listed on the page.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,

    /// The port on 127.0.0.1 (0: a free one).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,

    /// Open the page in the system's browser.
    #[arg(long)]
    pub open: bool,
}

pub fn run(args: ServeArgs, forms: FormRegistry) -> miette::Result<u8> {
    if let Some(dir) = &args.dir
        && !dir.is_dir()
    {
        miette::bail!(
            code = "kaiji::usage::serve_dir",
            help = "give the folder that holds the vendors' documents, or none to start with an empty page",
            "{} is not a folder",
            printable_line(&dir.display().to_string())
        );
    }
    let policies = super::check::load_policies(&args.policies, Limits::default(), &forms)?;
    let waivers = match &args.waivers {
        Some(path) => {
            let set = WaiverSet::load(path)?;
            set.validate(&forms)?;
            Some(set)
        }
        None => None,
    };
    let setup = Setup {
        forms,
        policies,
        waivers,
        fail_on: kaiji::report::FailOn::default(),
        date: super::output::report_date(None),
        jobs: 0,
    };
    let server = Server::bind(Arc::new(setup), Options { port: args.port, signals: true, ..Options::default() })?;
    let url = server.url();
    // The first line of stdout, for people and for scripts that wait for it.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "kaiji serve: {url}").and_then(|()| stdout.flush()).map_err(super::output::WriteError)?;
    drop(stdout);
    eprintln!(
        "kaiji serve: open the address above in a browser on this computer; Ctrl-C ends kaiji serve and \
         removes the uploaded documents"
    );
    if args.open
        && let Err(e) = kaiji::serve::open_browser(&url)
    {
        eprintln!("warning: could not start a browser ({e}); open the address above yourself");
    }
    server.run(args.dir, note_preloaded)?;
    eprintln!("kaiji serve: ended; the uploaded documents were removed");
    Ok(0)
}

/// What a preloaded folder gave, on stderr.
fn note_preloaded(result: Result<Preloaded, ServeError>) {
    match result {
        Ok(p) => {
            eprintln!("kaiji serve: holding {} document(s) from the folder", p.held.len());
            super::output::note_not_sheets(&p.not_sheets);
            super::documents::note_superseded(&p.superseded);
            for r in &p.refused {
                eprintln!("note: not held: {r}");
            }
        }
        Err(e) => eprintln!("{:?}", kaiji::text::PrintableDiagnostic::report(&miette::Report::new(e))),
    }
}
