//! The TUI's performance figures sockpit aims for, each against its target:
//! time per frame with 1k / 100k / 1M history entries (whole screen,
//! `TestBackend` 200×50), following and scrolled to the middle; per frame
//! with 10,000 sockets in the Socket pane's list; the cost of
//! one received line in `App::on_engine` at 1M; start to first frame, idle
//! CPU and RSS under a flood of the real binary in tmux.
//!
//!   cargo bench --bench tui                   # a table
//!   cargo bench --bench tui -- --json         # one JSON object a line (scripts/bench)
//!   cargo bench --bench tui -- --quick        # fewer frames, 2-s idle, 5-s flood
//!   cargo bench --bench tui -- frame update   # only the groups named (frame,
//!                                             # sockets, update, first, idle, flood)
//!
//! Not a test: it prints figures, it fails only when it cannot measure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

#[path = "tui/frames.rs"]
mod frames;
#[path = "tui/live.rs"]
mod live;
#[path = "../tests/common/load.rs"]
mod load;
#[path = "../tests/common/tmux.rs"]
#[allow(dead_code, reason = "the tests' helpers; the bench uses a few")]
mod tmux;

use std::time::Duration;

/// One figure and its target.
struct Measure {
    name: &'static str,
    value: f64,
    unit: &'static str,
    /// `<= 1`, `< 100`: the comparison and the bound, in `unit`.
    target: &'static str,
    what: String,
}

impl Measure {
    fn new(name: &'static str, value: f64, unit: &'static str, target: &'static str) -> Self {
        Self { name, value, unit, target, what: String::new() }
    }

    fn about(mut self, what: impl Into<String>) -> Self {
        self.what = what.into();
        self
    }

    fn met(&self) -> bool {
        let (op, bound) = self.target.split_once(' ').unwrap_or(("<=", self.target));
        let bound: f64 = bound.parse().unwrap_or(f64::NAN);
        match op {
            "<" => self.value < bound,
            ">=" => self.value >= bound,
            ">" => self.value > bound,
            _ => self.value <= bound,
        }
    }

    /// The line scripts/bench reads, fields in the contract's order.
    fn json(&self) -> String {
        let text = |s: &str| serde_json::Value::from(s).to_string();
        let value = serde_json::Value::from((self.value * 1000.0).round() / 1000.0);
        format!(
            r#"{{"name":{},"value":{value},"unit":{},"target":{},"met":{}}}"#,
            text(self.name),
            text(self.unit),
            text(self.target),
            self.met()
        )
    }

    fn row(&self) -> String {
        let met = if self.met() { "yes" } else { "NO" };
        let value = format!("{:.3} {}", self.value, self.unit);
        let target = format!("{} {}", self.target, self.unit);
        format!("{:<18} {:>14} {:>11}  {met:<4} {}", self.name, value, target, self.what)
    }
}

/// How much of each measurement to do.
struct Plan {
    json: bool,
    frames: usize,
    updates: usize,
    starts: usize,
    idle: Duration,
    flood: Duration,
    /// Words that pick groups; none runs all.
    only: Vec<String>,
}

impl Plan {
    /// From the arguments after `--` (cargo adds `--bench`, ignored).
    fn from_args() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let has = |flag: &str| args.iter().any(|a| a == flag);
        let quick = has("--quick");
        Self {
            json: has("--json"),
            frames: if quick { 200 } else { 2000 },
            updates: if quick { 20_000 } else { 200_000 },
            starts: if quick { 3 } else { 10 },
            idle: Duration::from_secs(if quick { 2 } else { 10 }),
            flood: Duration::from_secs(if quick { 5 } else { 60 }),
            only: args.into_iter().filter(|a| !a.starts_with('-')).collect(),
        }
    }

    /// Whether the group `name` is to run.
    fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|w| w == name)
    }
}

/// Prints one figure as soon as it is known (a long run shows progress).
fn emit(plan: &Plan, m: &Measure) {
    if plan.json {
        println!("{}", m.json());
    } else {
        println!("{}", m.row());
    }
}

fn frame_figures(plan: &Plan) {
    use frames::quantile_ms;
    for (entries, label, names) in [
        (1_000, "1k", ["frame_1k", "frame_1k_p99", "frame_1k_p99_own", "frame_1k_middle"]),
        (
            100_000,
            "100k",
            ["frame_100k", "frame_100k_p99", "frame_100k_p99_own", "frame_100k_middle"],
        ),
        (1_000_000, "1M", ["frame_1m", "frame_1m_p99", "frame_1m_p99_own", "frame_1m_middle"]),
    ] {
        let mut f = frames::frames(entries, plan.frames);
        let n = plan.frames;
        let median = quantile_ms(&mut f.follow.all, 0.5);
        let p99 = quantile_ms(&mut f.follow.all, 0.99);
        let own = f.follow.own.len();
        let p99_own = quantile_ms(&mut f.follow.own, 0.99);
        let middle = quantile_ms(&mut f.middle.all, 0.5);
        let about = format!("median of {n}, {label} entries");
        emit(plan, &Measure::new(names[0], median, "ms", "<= 1").about(about));
        let about = format!("p99 of {n}, {label} entries");
        emit(plan, &Measure::new(names[1], p99, "ms", "<= 1").about(about));
        let about = format!("p99 of the {own} of {n} no other process preempted");
        emit(plan, &Measure::new(names[2], p99_own, "ms", "<= 1").about(about));
        let about = format!("median, scrolled to the middle of {label}");
        emit(plan, &Measure::new(names[3], middle, "ms", "<= 1").about(about));
    }
}

fn socket_list_figures(plan: &Plan) {
    let mut f = frames::socket_list_frames(10_000, plan.frames);
    let median = frames::quantile_ms(&mut f.all, 0.5);
    let p99 = frames::quantile_ms(&mut f.all, 0.99);
    let n = plan.frames;
    let about = format!("median of {n}, 10,000 sockets listed, selection in the middle");
    emit(plan, &Measure::new("frame_10k_sockets", median, "ms", "<= 1").about(about));
    let about = format!("p99 of {n}, 10,000 sockets listed");
    emit(plan, &Measure::new("frame_10k_sockets_p99", p99, "ms", "<= 1").about(about));
}

fn update_figures(plan: &Plan) {
    let mut u = frames::updates(1_000_000, plan.updates);
    let mut us = |q| frames::quantile_ms(&mut u, q) * 1e3;
    let (median, p99) = (us(0.5), us(0.99));
    let about = "median App::on_engine, one line (call + data), 1M entries";
    emit(plan, &Measure::new("update_1m", median, "us", "<= 10").about(about));
    emit(plan, &Measure::new("update_1m_p99", p99, "us", "<= 10").about("p99 of the same"));
}

fn first_frame_figures(plan: &Plan) {
    let mut starts = live::start_times(plan.starts);
    let median = frames::quantile_ms(&mut starts, 0.5);
    let worst = frames::quantile_ms(&mut starts, 1.0);
    let n = plan.starts;
    let about = format!("median of {n} demo starts in tmux 200x50");
    emit(plan, &Measure::new("first_frame", median, "ms", "< 100").about(about));
    let about = format!("slowest of {n}");
    emit(plan, &Measure::new("first_frame_max", worst, "ms", "< 100").about(about));
}

fn idle_figures(plan: &Plan) {
    let cpu = live::idle_cpu(plan.idle);
    let about = format!("demo open, {} s, utime+stime", plan.idle.as_secs());
    emit(plan, &Measure::new("idle_cpu", cpu, "%", "< 1").about(about));
}

fn flood_figures(plan: &Plan) {
    let f = live::flood_memory(plan.flood);
    #[expect(clippy::cast_precision_loss, reason = "KiB and bytes as figures")]
    let (mib, rate) =
        (|kib: u64| kib as f64 / 1024.0, f.taken as f64 / f.secs / f64::from(1 << 20));
    let about = format!("{:.0} s flood, default caps, {rate:.0} MiB/s taken", f.secs);
    let peak = Measure::new("flood_rss", mib(f.peak_rss_kib), "MiB", "<= 64");
    emit(plan, &peak.about(format!("peak VmRSS, {about}")));
    let hwm = Measure::new("flood_hwm", mib(f.hwm_kib), "MiB", "<= 64");
    emit(plan, &hwm.about("VmHWM at the end"));
    // scripts/bench holds this to a headless client's rate (>= 0.3x).
    #[expect(clippy::cast_precision_loss, reason = "bytes as a figure")]
    let mb = f.taken as f64 / f.secs / 1e6;
    emit(plan, &Measure::new("flood_rate", mb, "MB/s", "> 0").about("bytes the TUI took"));
}

/// A group of figures, by the word that picks it.
type Group = (&'static str, fn(&Plan));

fn main() {
    let plan = Plan::from_args();
    if !plan.json {
        let head = ["measure", "value", "target", "met", "what"];
        println!("{:<18} {:>14} {:>11}  {:<4} {}", head[0], head[1], head[2], head[3], head[4]);
    }
    let groups: [Group; 6] = [
        ("frame", frame_figures),
        ("sockets", socket_list_figures),
        ("update", update_figures),
        ("first", first_frame_figures),
        ("idle", idle_figures),
        ("flood", flood_figures),
    ];
    for (name, figures) in groups {
        if plan.wants(name) {
            figures(&plan);
        }
    }
}
