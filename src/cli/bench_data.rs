//! `kaiji bench-data`: write synthetic sheets for benchmarks and trials.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::{IntoDiagnostic, WrapErr};
use rayon::prelude::*;

use kaiji::form::{DEFAULT_FORM, FormRegistry};
use kaiji::synth::{Generator, Options, SynthSheet, policy_pack};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    Toml,
    Json,
    /// TOML files under DIR/toml, the same sheets as JSON under DIR/json.
    Both,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Every sheet is fictional, answers all questions coherently (gates, sub-questions) and cites
Japanese 備考; --problem-rate of them carry one to three lint problems. The same --seed gives
the same sheets on every machine; sheet N does not depend on --count.

Examples:
  kaiji bench-data --count 10000 --out /tmp/sheets
  kaiji bench-data --count 50 --out demo --seed 7 --problem-rate 0.5 --format both
  kaiji bench-data --count 1000 --out /tmp/b --policies 50
  kaiji check /tmp/b -p /tmp/b/policies -f json -o /dev/null")]
pub struct BenchDataArgs {
    /// Number of sheets to write.
    #[arg(long, value_name = "N")]
    pub count: u64,

    /// Directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Share of sheets (0 to 1) with lint problems.
    #[arg(long, default_value_t = 0.1, value_parser = parse_rate)]
    pub problem_rate: f64,

    /// File syntax.
    #[arg(short, long, value_enum, default_value = "toml")]
    pub format: DataFormat,

    /// Form of the sheets (built-in or loaded with --form-file).
    #[arg(long, default_value = DEFAULT_FORM)]
    pub form: String,

    /// Also write a pack of N policies to DIR/policies: the built-in baseline, then
    /// variants of it under new ids (same checks) until there are N.
    #[arg(long, value_name = "N")]
    pub policies: Option<usize>,

    /// Write into a directory that already holds sheet files (replacing them).
    #[arg(long)]
    pub force: bool,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let r: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&r) { Ok(r) } else { Err(format!("{r} is not between 0 and 1")) }
}

pub fn run(args: BenchDataArgs, forms: &FormRegistry) -> miette::Result<u8> {
    let form = forms.get(&args.form)?;
    let generator = Generator::new(form, Options { seed: args.seed, problem_rate: args.problem_rate });
    let dirs: Vec<(PathBuf, bool)> = match args.format {
        DataFormat::Toml => vec![(args.out.clone(), false)],
        DataFormat::Json => vec![(args.out.clone(), true)],
        DataFormat::Both => vec![(args.out.join("toml"), false), (args.out.join("json"), true)],
    };
    for (dir, _) in &dirs {
        prepare(dir, args.force)?;
    }
    let count = args.count;
    let problems = (0..count)
        .into_par_iter()
        .map(|i| -> miette::Result<usize> {
            let sheet = generator.sheet(i);
            let stem = SynthSheet::file_stem(i, count);
            for (dir, json) in &dirs {
                let (path, text) = if *json {
                    (dir.join(format!("{stem}.json")), sheet.to_json())
                } else {
                    (dir.join(format!("{stem}.toml")), sheet.to_toml())
                };
                std::fs::write(&path, text)
                    .into_diagnostic()
                    .wrap_err_with(|| format!("cannot write {}", path.display()))?;
            }
            Ok(usize::from(!sheet.problems.is_empty()))
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let mut places: Vec<String> = dirs.iter().map(|(d, _)| d.display().to_string()).collect();
    if let Some(n) = args.policies {
        let dir = args.out.join("policies");
        std::fs::create_dir_all(&dir).into_diagnostic().wrap_err_with(|| format!("cannot create {}", dir.display()))?;
        for (name, text) in policy_pack(n.max(1)) {
            let path = dir.join(name);
            std::fs::write(&path, text)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot write {}", path.display()))?;
        }
        places.push(format!("{} policies to {}", n.max(1), dir.display()));
    }
    let places = kaiji::text::printable_line(&places.join(" and ")).into_owned();
    eprintln!("wrote {count} sheet(s) ({problems} with lint problems, seed {}) to {places}", args.seed);
    Ok(0)
}

/// Create `dir`, refusing to mix into an existing set of sheets unless forced.
fn prepare(dir: &Path, force: bool) -> miette::Result<()> {
    std::fs::create_dir_all(dir).into_diagnostic().wrap_err_with(|| format!("cannot create {}", dir.display()))?;
    if force {
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).into_diagnostic().wrap_err_with(|| format!("cannot read {}", dir.display()))?;
    let has_sheets = entries.flatten().any(|e| {
        let p = e.path();
        matches!(p.extension().and_then(|x| x.to_str()), Some("toml" | "json"))
    });
    if has_sheets {
        miette::bail!(
            help = "choose an empty directory, or pass --force to replace the sheets there",
            "{} already holds sheet files",
            dir.display()
        );
    }
    Ok(())
}
