//! How long the Learn phase's retraining takes on a long history:
//! `cargo run --release -p tdev-learners --example retrain [-- ROWS [RUNS]]`.
//!
//! Generates ROWS synthetic attempts (100,000 by default; the world of the learners' tests:
//! five repositories, nine strategies over five kinds of task, durations and pass rates that
//! depend on the features, with noise) and retrains on all but the last 1,000 as the curator
//! does after a cycle: `retrain` fits every model, scores the candidate and the model in use
//! on the 1,000 held out, and decides whether to keep it. It does that RUNS times (5 by
//! default) and prints each model's method, the held-out scores and the time of each step:
//! encoding and fitting (`LearnedModels::train`), and the whole `retrain`. Beside the wall
//! time it prints the CPU time the process spent (from `/proc/self/stat`, in 10 ms ticks),
//! which other work on a shared machine inflates less.

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::time::{Duration, Instant};
use tdev_learners::{LearnedModels, Options, retrain};

fn main() -> Result<(), tdev_learners::Error> {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let held_out_rows = 1_000.min(rows / 10);

    let generated = Instant::now();
    let all = synthetic::World::new(42).rows(rows);
    println!(
        "generated {rows} rows in {:.2} s",
        generated.elapsed().as_secs_f64()
    );
    let (training, held_out) = all.split_at(rows - held_out_rows);
    let options = Options::default();
    // The model in use: trained on the first tenth of the history.
    let previous = LearnedModels::train(&training[..training.len() / 10])?;

    let mut train_times = Vec::new();
    let mut retrain_times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let (start, cpu) = (Instant::now(), cpu_time());
        let models = LearnedModels::train_with(training, &options)?;
        train_times.push((start.elapsed(), cpu_time().saturating_sub(cpu)));
        std::hint::black_box(models);

        let (start, cpu) = (Instant::now(), cpu_time());
        let outcome = retrain(Some(&previous), training, held_out, &options)?;
        retrain_times.push((start.elapsed(), cpu_time().saturating_sub(cpu)));
        last = Some(outcome);
    }
    let outcome = last.expect("at least one run");
    let summary = outcome.candidate.summary();
    println!(
        "trained on {} rows, {} columns: effort {:?}, tokens {:?}, success {:?}, {} arms",
        summary.rows,
        summary.columns,
        summary.effort,
        summary.tokens,
        summary.success,
        summary.arms
    );
    let scores = &outcome.evaluation;
    println!(
        "held out {} rows: effort MAE {:.1} s, within 30% {:.2}, Brier {:.3}, AUC {:.3}; kept: {}",
        scores.rows,
        scores.effort_mae_secs.unwrap_or(f64::NAN),
        scores.effort_within.unwrap_or(f64::NAN),
        scores.brier.unwrap_or(f64::NAN),
        scores.auc.unwrap_or(f64::NAN),
        outcome.keep_candidate()
    );
    println!("model file: {} bytes", outcome.candidate.to_bytes().len());
    println!("| step | wall min | wall median | wall max | CPU median |");
    println!("|---|---|---|---|---|");
    for (step, times) in [("train", &mut train_times), ("retrain", &mut retrain_times)] {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mut wall: Vec<Duration> = times.iter().map(|t| t.0).collect();
        let mut cpu: Vec<Duration> = times.iter().map(|t| t.1).collect();
        wall.sort();
        cpu.sort();
        println!(
            "| {step} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms |",
            ms(wall[0]),
            ms(wall[wall.len() / 2]),
            ms(wall[wall.len() - 1]),
            ms(cpu[cpu.len() / 2])
        );
    }
    Ok(())
}

/// The CPU time this process has spent, user and system, from `/proc/self/stat` (Linux; zero
/// elsewhere). The kernel counts it in ticks of 1/100 s.
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // The fields after the command name, which is in parentheses: utime and stime are the
    // 12th and 13th of them.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}
