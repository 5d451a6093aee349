//! A progress bar on stderr for long runs: shown only when stderr is a
//! terminal, the run has more than [`THRESHOLD`] sheets, and the report does
//! not itself stream to that terminal (it would be interleaved with the
//! bar's redraws). It never writes to stdout, and in CI logs it is absent.

use std::io::{self, IsTerminal};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use kaiji::report::{Renderer, Summary};
use kaiji::runner::{Input, Runner};

/// Runs with more sheets than this get a bar.
pub const THRESHOLD: usize = 20;

/// Whether a run of `sheets` sheets shows a bar.
pub fn wanted(sheets: usize, stderr_is_terminal: bool, report_on_terminal: bool) -> bool {
    sheets > THRESHOLD && stderr_is_terminal && !report_on_terminal
}

fn bar(total: usize) -> ProgressBar {
    let style = ProgressStyle::with_template("{spinner} {pos}/{len} sheets [{bar:40}] {elapsed_precise} (eta {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let pb = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr()).with_style(style);
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// Run `runner` over `inputs`, with a bar when [`wanted`].
pub fn run(
    runner: &Runner,
    inputs: &[Input],
    renderer: &mut dyn Renderer,
    report_on_terminal: bool,
) -> io::Result<Summary> {
    if !wanted(inputs.len(), io::stderr().is_terminal(), report_on_terminal) {
        return runner.run(inputs, renderer);
    }
    let pb = bar(inputs.len());
    let result = runner.run_with_progress(inputs, renderer, &|| pb.inc(1));
    pb.finish_and_clear();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_long_runs_on_a_free_terminal() {
        assert!(wanted(21, true, false));
        assert!(!wanted(20, true, false), "short runs need no bar");
        assert!(!wanted(500, false, false), "not when stderr is a pipe or a CI log");
        assert!(!wanted(500, true, true), "not over a report streaming to the same terminal");
    }

    #[test]
    fn the_hook_sees_every_sheet() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let forms = kaiji::form::FormRegistry::builtin();
        let runner = kaiji::runner::Run::new(kaiji::outcome::RunCommand::Lint, &forms).lint(true).jobs(2).build();
        let inputs = kaiji::runner::expand(&["examples/sheets".to_string()]);
        let mut out = Vec::new();
        let seen = AtomicUsize::new(0);
        let mut r =
            kaiji::report::renderer(kaiji::report::Format::Csv, Box::new(&mut out), kaiji::report::Style::plain(80));
        let summary = runner
            .run_with_progress(&inputs, r.as_mut(), &|| {
                seen.fetch_add(1, Ordering::Relaxed);
            })
            .unwrap();
        assert_eq!(seen.load(Ordering::Relaxed), inputs.len());
        assert_eq!(summary.sheets, inputs.len());
    }
}
