"""scripts/bench's table: medians of the measurements, the ratio of sockpit
to each peer, the targets sockpit aims for met or missed; printed, and written as
JSON. Not a benchmark itself (cargo only runs benches/*.rs).

usage: table.py RESULTS.tsv TUI.jsonl OUT.json MODE PIPE SOCK UDP_N RTT_N CONNS REPEATS
"""

import json
import os
import platform
import statistics
import sys

results, tui_file, out_file, mode, pipe, sock, udp_n, rtt_n, conns, repeats = sys.argv[1:]

figures = {}
with open(results) as f:
    for line in f:
        row, tool, metric, value = line.rstrip("\n").split("\t")
        figures.setdefault((row, tool, metric), []).append(float(value))


def median(row, tool, metric):
    values = figures.get((row, tool, metric))
    return statistics.median(values) if values else None


def pairwise(row, tool, peer, metric):
    """Run i of sockpit over run i of the peer (they ran back to back):
    the median of those ratios, and their min and max."""
    ours, theirs = figures.get((row, tool, metric), []), figures.get((row, peer, metric), [])
    ratios = [a / b for a, b in zip(ours, theirs) if b]
    if not ratios:
        return None, None, None
    return statistics.median(ratios), min(ratios), max(ratios)


# name, row, metric, peer, higher is better, target on the ratio
# (or on sockpit's own figure when "absolute"), how the target reads
ROWS = [
    (f"pipe path {pipe} MB/s", "pipe", "MB/s", "nc.openbsd", True, 1.0, ">= 1.0x"),
    (f"pipe path {pipe} MB/s", "pipe", "MB/s", "socat", True, 1.0, ">= 1.0x"),
    (f"pipe {pipe} with --wire MB/s", "wire", "MB/s", "no-wire", True, 0.8, ">= 0.8x"),
    (f"--tls pipe {pipe} MB/s", "tls", "MB/s", "socat-openssl", True, 0.8, ">= 0.8x"),
    (f"--source/--sink {sock} MB/s", "sock", "MB/s", "iperf3", True, 0.8, ">= 0.8x"),
    ("UDP 64 B delivered dgram/s", "udp", "dgram/s", "iperf3", True, 0.8, ">= 0.8x"),
    ("UDP 64 B loss %", "udp", "loss%", "iperf3", False, None, "-"),
    ("echo 32 B p50 us", "echo", "p50_us", "tokio", False, 1.1, "<= 1.1x"),
    ("echo 32 B p99 us", "echo", "p99_us", "tokio", False, None, "-"),
    (f"accept {conns} conns/s", "accept", "conn/s", "tokio", True, 0.9, ">= 0.9x"),
    ("slowest connect ms", "accept", "slowest_ms", "tokio", False, "absolute", "<= 500 ms"),
    (f"{conns} held: server RSS MiB", "accept", "rss_MiB", "tokio", False, 2.0, "<= 2x"),
    (f"{conns} held: RSS <= 60 MiB", "accept", "rss_MiB", "tokio", False, ("at most", 60), "<= 60 MiB"),
    (f"{conns} held idle: CPU %", "accept", "idle_cpu%", "tokio", False, ("at most", 2), "<= 2 %"),
    (f"TUI {conns} held idle: CPU %", "tuicrowd", "idle_cpu%", "-", False, ("at most", 2), "<= 2 %"),
    (f"TUI {conns} held: RSS MiB", "tuicrowd", "rss_MiB", "-", False, None, "-"),
    (f"client max RSS {pipe} MiB", "rss", "client_MiB", "socat", False, 2.0, "<= 2x"),
    (f"tcp relay {sock} MB/s", "relay", "MB/s", "socat", True, 1.0, ">= 1.0x"),
]

rows = []
for name, row, metric, peer, higher, target, reads in ROWS:
    ours, theirs = median(row, "sockpit", metric), median(row, peer, metric)
    if ours is None and theirs is None:
        continue  # a row --only left out
    ratio, low, high = pairwise(row, "sockpit", peer, metric)
    if target is None or ours is None:
        met = None
    elif target == "absolute":
        met = ours <= 500
    elif isinstance(target, tuple):
        met = ours <= target[1]
    elif ratio is None:
        met = None
    else:
        met = ratio >= target if higher else ratio <= target
    rows.append({"name": name, "sockpit": ours, "peer": peer, "peer_value": theirs,
                 "unit": metric, "ratio": ratio, "min": low, "max": high, "target": reads, "met": met})

tui = []
with open(tui_file) as f:
    for line in f:
        line = line.strip()
        if line.startswith("{"):
            tui.append(json.loads(line))

# The TUI's flood (benches/tui.rs, one run) against the headless client's
# median: one ratio, not pairs.
flood = next((t for t in tui if t.get("name") == "flood_rate"), None)
tui = [t for t in tui if t.get("name") != "flood_rate"]
headless = median("flood", "headless", "MB/s")
if flood is not None:
    ratio = flood["value"] / headless if headless else None
    rows.append({"name": "TUI flood MB/s vs headless", "sockpit": flood["value"], "peer": "headless",
                 "peer_value": headless, "unit": "MB/s", "ratio": ratio, "min": None, "max": None,
                 "target": ">= 0.3x", "met": None if ratio is None else ratio >= 0.3})


def fmt(x):
    if x is None:
        return "-"
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"


def yes(met):
    return "-" if met is None else "yes" if met else "NO"


cpu = "unknown"
try:
    with open("/proc/cpuinfo") as f:
        cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
except (OSError, StopIteration):
    pass
machine = {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
           "load_avg": os.getloadavg()}

lines = [f"{'row':<30} {'sockpit':>9}  {'peer':<13} {'peer':>9} {'ratio':>6} {'min-max':<11}  {'target':<9} met"]
for r in rows:
    ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
    spread = "-" if r["min"] is None else f"{r['min']:.2f}-{r['max']:.2f}"
    lines.append(f"{r['name']:<30} {fmt(r['sockpit']):>9}  {r['peer']:<13} {fmt(r['peer_value']):>9}"
                 f" {ratio:>6} {spread:<11}  {r['target']:<9} {yes(r['met'])}")
for t in tui:
    lines.append(f"{'TUI ' + t.get('name', '?') + ' ' + t.get('unit', ''):<30} {fmt(t.get('value')):>9}"
                 f"  {'-':<13} {'-':>9} {'-':>6} {'-':<11}  {t.get('target', '-'):<9} {yes(t.get('met'))}")
if not tui:
    lines.append("TUI rows: none (left out by --only, or no benches/tui.rs in this tree)")
judged = [r["met"] for r in rows if r["met"] is not None] + [t.get("met") for t in tui if t.get("met") is not None]
lines.append(f"targets met: {sum(1 for m in judged if m)} of {len(judged)}")
lines.append(f"{mode} run, {repeats} interleaved pairs per row (ratio: median of pairwise ratios); {machine['nproc']} x {cpu}, Linux {machine['kernel']}, "
             f"load average {machine['load_avg'][0]:.2f} at the end")
print("\n".join(lines))

with open(out_file, "w") as f:
    json.dump({"mode": mode, "repeats": int(repeats), "machine": machine, "rows": rows, "tui": tui,
               "table": lines}, f, indent=1)
    f.write("\n")
print(f"(written to {out_file})")
