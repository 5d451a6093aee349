use std::path::PathBuf;

use clap::{Args, ValueEnum};

use kaiji::form::FormRegistry;
use kaiji::init::{self, Kind, Origin, VendorInfo};
use kaiji::text::printable_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitKind {
    /// A hospital's policy repository: policies with tests, waivers, CI, pre-commit, a README.
    Hospital,
    /// A vendor's repository: the fill-in sheet of every question, and CI.
    Vendor,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji init hospital kaiji-policies      policies/, tests, waivers.toml, CI, README (Japanese)
  kaiji init vendor .                     sheet.toml (every question, unanswered) and CI here
  kaiji init vendor --vendor 株式会社サンプル --service サンプルクラウド
  kaiji --form-file mds.toml init vendor --form mds-6.0 mds-sheet

Nothing is overwritten: files that already exist are named and nothing is written (exit 2)
unless --force; other files in DIR are left alone. Nothing is written through a symbolic link.")]
pub struct InitArgs {
    /// What to start: a hospital's policy repository or a vendor's sheet repository.
    #[arg(value_enum)]
    pub kind: InitKind,

    /// The directory to write into (created if missing).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Form of the vendor's sheet (a built-in id, or one loaded with --form-file).
    #[arg(long, value_name = "ID", default_value = "sds-6.0")]
    pub form: String,

    /// Replace files of the template that already exist.
    #[arg(long)]
    pub force: bool,

    /// vendor: サービス事業者 / 製造業者, for [sheet] vendor.
    #[arg(long, value_name = "NAME")]
    pub vendor: Option<String>,

    /// vendor: サービス名称 / 製品名称, for [sheet] service.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
}

pub fn run(args: InitArgs, forms: &FormRegistry) -> miette::Result<u8> {
    let kind = match args.kind {
        InitKind::Hospital => Kind::Hospital,
        InitKind::Vendor => Kind::Vendor,
    };
    if kind == Kind::Hospital && (args.vendor.is_some() || args.service.is_some()) {
        miette::bail!(
            code = "kaiji::usage::init",
            help = "drop --vendor/--service, or run `kaiji init vendor`",
            "--vendor and --service name the vendor of `kaiji init vendor`'s sheet; a hospital's repository has none"
        );
    }
    let form = forms.get(&args.form)?;
    let info = VendorInfo { vendor: args.vendor, service: args.service, created: Some(jiff::Zoned::now().date()) };
    let origin = Origin::of_this_build();
    let files = init::plan(kind, &form, &info, &origin)?;
    let written = init::write(&args.dir, &files, args.force)?;
    let dir = printable_line(&args.dir.display().to_string()).into_owned();
    println!("kaiji init {}: wrote {} files in {dir}", kind.as_str(), written.len());
    for f in &files {
        println!("  {}", f.path);
    }
    let quoted = shell_quoted(&dir);
    match kind {
        Kind::Hospital => println!(
            "\nNext (README.md says more, in Japanese):\n  \
             kaiji test {quoted}/policies --require-coverage     the example policies' tests\n  \
             kaiji check {quoted}/vendors -p {quoted}/policies --waivers {quoted}/waivers.toml"
        ),
        Kind::Vendor => println!(
            "\nNext: answer every question in sheet.toml, then\n  \
             kaiji lint {quoted}/sheet.toml       unanswered questions and contradictions\n  \
             kaiji check {quoted}/sheet.toml      the built-in baseline policies"
        ),
    }
    if origin.placeholder {
        println!(
            "\nnote: this kaiji was built without a GitHub `repository` in its Cargo.toml: replace OWNER/kaiji in \
             .github/workflows/kaiji.yml{} with where you get kaiji",
            if kind == Kind::Hospital { ", .pre-commit-config.yaml and README.md" } else { "" }
        );
    }
    Ok(0)
}

/// `dir` as a shell word for the hints printed (a directory with spaces).
fn shell_quoted(dir: &str) -> String {
    if dir.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-')) {
        dir.to_string()
    } else {
        format!("'{}'", dir.replace('\'', r"'\''"))
    }
}
