#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The demo's summary: what was produced, filtered, dropped (and why) and
processed, how well the detector found the synth's anomalies, latency,
syscalls per sample and the models used - and the invariants, each
printed "ok" or "FAIL". Exit status 1 if any invariant broke.

    summary.py RUN_DIR

RUN_DIR holds what scripts/demo.sh collected: stats.json (edgeaid's last
stats), results.json (edgeai-results --summary), imu.jsonl and net.jsonl
(the JSON-lines sinks), sent.jsonl (edgeai-sensorgen send --json, one
line per run), bpf.json (edgeaictl -j bpf stats), ring.json (edgeaictl -j
ring show imu0), synth.json (edgeai_synth.ko's counters), reload.json
(edgeaictl -j pipeline reload), perf.txt (perf stat -x,), klog.txt (the
kernel log since the demo started) and params.json (the demo's settings
and thresholds).
"""
import json
import os
import re
import sys

RUN = sys.argv[1]
FAILED = []
SENSOR_PORT_REASONS = ("unknown_sensor", "rate_limited", "bad_header", "length", "fragment")
EXPLAIN = {
    # kernel ring imu0
    "full": "ring full: the consumer fell behind and the newest sample was dropped",
    "overwritten": "overwrite ring: the oldest unread slot was reused",
    "busy": "overwrite ring: the oldest slot was still being written",
    "too_big": "sample larger than a slot",
    "dead": "the ring was destroyed while the producer held it",
    "producer": "a userspace producer reported its own drops",
    # XDP filter
    "unknown_sensor": "sensor id not in the filter's allow-list (sensor 999)",
    "rate_limited": "over its token bucket (sensor 102: 50/s, burst 30)",
    "bad_header": "malformed header: bad magic, version, flags, dtype or count",
    "length": "lengths disagree: payload vs count, IP or UDP length vs frame",
    "fragment": "IP fragment",
    "not_sensor": "not for a sensor port",
    # edgeaid
    "short_hdr": "datagram shorter than the header",
    "bad_magic": "datagram without the sensor magic",
    "bad_field": "datagram with a bad header field",
    "bad_length": "datagram length disagrees with its count",
    "truncated": "datagram truncated",
    "untagged": "datagram that did not cross the XDP filter (require_tag)",
    "socket": "dropped by the kernel at edgeaid's socket (receive queue full)",
    "dtype": "element type edgeaid does not convert",
    "dim": "wrong number of values for the pipeline (sensor 103 sends 3, the model takes 4)",
    "stage_missing": "row with NaN/Inf dropped by clean:policy=drop",
    "stage_keys": "too many sensors for a keyed stage",
    "stage_warmup": "window not full yet (emit=full)",
    "sink": "result a sink could not take",
    "ring_full": "ring full (the ring's own counter, since edgeaid attached)",
    "ring_overwritten": "overwritten in the ring",
    "ring_busy": "slot busy in the ring",
    "ring_too_big": "sample too big for the ring",
    "ring_producer": "drops the ring's producer reported",
}
SOURCE_DROPS = ("short_hdr", "bad_magic", "bad_field", "bad_length", "truncated",
                "untagged", "socket")


def load(name):
    try:
        with open(os.path.join(RUN, name)) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print("demo: FAILED: %s: %s" % (name, e))
        sys.exit(1)


def lines(name):
    try:
        with open(os.path.join(RUN, name)) as f:
            return [json.loads(l) for l in f if l.strip()]
    except (OSError, ValueError) as e:
        print("demo: FAILED: %s: %s" % (name, e))
        sys.exit(1)


def check(ok, what):
    if not ok:
        FAILED.append(what)
    return "ok" if ok else "FAIL"


def ms(ns):
    if ns < 1e6:
        return "%.0f us" % (ns / 1e3)
    return "%.1f ms" % (ns / 1e6)


def row(label, text, status=None):
    print("%-12s %s%s" % (label, text, "   [%s]" % status if status else ""))


def reasons(d, keys=None):
    keys = keys or sorted(d)
    return {k: d[k] for k in keys if d.get(k)}


P = load("params.json")
stats = {p["name"]: p for p in load("stats.json")["pipelines"]}
imu, net = stats["imu"], stats["net"]
res = load("results.json")
synth = load("synth.json")
ring = load("ring.json")["rings"][0]["stats"]
bpf = load("bpf.json")
sent = lines("sent.jsonl")
reload_ = load("reload.json")
net_rows = lines("net.jsonl")
# imu.jsonl has a line per IMU sample: it is searched, not parsed line by
# line (that would take long in an emulated VM).
with open(os.path.join(RUN, "imu.jsonl")) as f:
    imu_text = f.read()
imu_count = imu_text.count("\n")


def imu_line_at(pos):
    """The JSON line of imu.jsonl around offset pos."""
    start = imu_text.rfind("\n", 0, pos) + 1
    return json.loads(imu_text[start:imu_text.index("\n", pos)]), start


imu_first = imu_line_at(0)[0] if imu_count else {}

# ---- what was sent over the network ------------------------------------
kinds = {}
verdicts = {}
for s in sent:
    for k in s["kinds"]:
        key = (k["kind"], k["sensor"])
        kinds[key] = kinds.get(key, 0) + k["packets"]
    for v, n in s["by_verdict"].items():
        verdicts[v] = verdicts.get(v, 0) + n
sent_total = sum(verdicts.values())
sent_of = lambda kind: sum(n for (k, _), n in kinds.items() if k == kind)
sensor_sent = lambda sid: sum(n for (k, s), n in kinds.items()
                              if s == sid and k in ("valid", "burst"))
other_frames = bpf["not_sensor"] - verdicts.get("not_sensor", 0)

print()
print("== summary: %d s of IMU at %d Hz and %d rounds of sensor traffic"
      % (P["seconds"], P["rate_hz"], len(sent) // 2))

# ---- produced / filtered / processed --------------------------------------
row("produced", "imu: %d samples (edgeai_synth.ko, 6 x f32), %d of them anomalies"
    % (synth["generated"], synth["anomalies"]))
row("", "net: %d packets (edgeai-sensorgen; by the parser's verdict: %s)"
    % (sent_total, ", ".join("%s %d" % (v, n) for v, n in sorted(verdicts.items()) if n)))
filt = reasons(bpf, SENSOR_PORT_REASONS)
row("filtered", "XDP on demo0: %d passed, %d dropped, %d not for the sensor port"
    % (bpf["pass"], sum(filt.values()), bpf["not_sensor"]))
row("processed", "imu: %d results (in the result ring: %d, in imu.jsonl: %d)"
    % (imu["samples_out"], res["results"], imu_count))
row("", "net: %d results (in net.jsonl: %d) of sensors %s"
    % (net["samples_out"], len(net_rows),
       ", ".join(str(s) for s in sorted({r["sensor"] for r in net_rows}))))

# ---- drops, each with its reason ----------------------------------------
print("drops by reason:")
groups = [("ring imu0", reasons(ring["drops"])),
          ("XDP filter", dict(filt, **({"not_sensor": bpf["not_sensor"]} if bpf["not_sensor"] else {}))),
          ("edgeaid imu", reasons(imu["drops"])),
          ("edgeaid net", reasons(net["drops"]))]
for name, d in groups:
    if not d:
        print("  %-12s none" % name)
    for k, n in d.items():
        why = EXPLAIN.get(k, "?")
        if name == "XDP filter" and k == "not_sensor":
            why = "%d 'other' packets to port %d, %d other frames (ARP, IPv6 ND/MLD)" % (
                verdicts.get("not_sensor", 0), P["port"] + 1, other_frames)
        print("  %-12s %-15s %6d  %s" % (name, k, n, why))
        check(k in EXPLAIN, "drop reason %s of %s has no explanation" % (k, name))

# ---- accounting ------------------------------------------------------------
print("accounting:")
ring_drops = sum(ring["drops"].values())
imu_pipe_drops = sum(n for k, n in imu["drops"].items() if not k.startswith("ring_"))
imu_ok = (synth["generated"] == ring["produced"]
          and ring["produced"] == ring["consumed"] + ring_drops + ring["in_ring"]
          and ring["in_ring"] == 0
          and ring["consumed"] == imu["samples_in"]
          and imu["samples_in"] == imu["samples_out"] + imu_pipe_drops
          and imu["samples_out"] == res["results"] == imu_count
          and res["lost"] == 0 and res["invalid"] == 0)
unexplained = synth["generated"] - imu["samples_out"] - ring_drops - imu_pipe_drops
row("  imu", "%d produced = %d processed + %d ring drops + %d pipeline drops; unexplained %d"
    % (synth["generated"], imu["samples_out"], ring_drops, imu_pipe_drops, unexplained),
    check(imu_ok and unexplained == 0, "IMU accounting"))

net_src_drops = sum(net["drops"].get(k, 0) for k in SOURCE_DROPS)
net_pipe_drops = sum(n for k, n in net["drops"].items() if k not in SOURCE_DROPS)
xdp_drops = sum(filt.values())
net_ok = (bpf["pass"] + bpf["unknown_sensor"] + bpf["rate_limited"] == verdicts.get("pass", 0)
          and bpf["unknown_sensor"] == sent_of("unknown")
          and bpf["bad_header"] == verdicts.get("bad_header", 0)
          and bpf["length"] == verdicts.get("length", 0)
          and bpf["fragment"] == verdicts.get("fragment", 0)
          and other_frames >= 0
          and bpf["pass"] == net["samples_in"] + net_src_drops
          and net["samples_in"] == net["samples_out"] + net_pipe_drops
          and net["samples_out"] == len(net_rows)
          and net["drops"].get("dim", 0) == sensor_sent(103))
unexplained = (sent_total - net["samples_out"] - net_pipe_drops - net_src_drops
               - xdp_drops - verdicts.get("not_sensor", 0))
row("  net", "%d sent = %d processed + %d pipeline drops + %d socket drops + %d filter drops"
    " + %d to port %d; unexplained %d"
    % (sent_total, net["samples_out"], net_pipe_drops, net_src_drops, xdp_drops,
       verdicts.get("not_sensor", 0), P["port"] + 1, unexplained),
    check(net_ok and unexplained == 0, "network accounting"))

# ---- hot swap ----------------------------------------------------------------
# edgeai-results checked every result's input seq (no duplicate, no gap
# but the ring's counted drops); here: generation 1, then 2, adjacent,
# and the switch on the sample it was scheduled for (at_sample inputs
# before it; the ring's drops, if any, may move it later in seq).
models = sorted((m["gen"], m["version"], m["results"]) for m in res["models"])
swap = imu_text.find('"model_gen":2,')
n1, n2 = imu_text.count('"model_gen":1,'), imu_text.count('"model_gen":2,')
swap_ok = False
text = "no result of a second model generation"
if swap > 0:
    after, start = imu_line_at(swap)
    before = imu_line_at(start - 1)[0]
    at = reload_.get("at_sample", -1)
    swap_ok = (imu_text.find('"model_gen":1,', swap) < 0 and n1 + n2 == imu_count
               and after["seq"] == before["seq"] + 1
               and at <= after["seq"] - imu_first["seq"] <= at + ring_drops
               and [(g, v, n) for g, v, n in models] == [(1, "1", n1), (2, "2", n2)]
               and n1 > 0 and n2 > 0 and reload_.get("model_gen") == 2
               and res["duplicate_inputs"] == 0 and res["input_gaps"] == ring_drops)
    text = ("scheduled at sample %d: gen %d -> gen %d between input seq %d and %d;"
            " inputs seen twice %d, missing %d"
            % (at, before["model_gen"], after["model_gen"], before["seq"], after["seq"],
               res["duplicate_inputs"], res["input_gaps"]))
row("hot swap", text, check(swap_ok, "hot swap without loss"))

# ---- quality -------------------------------------------------------------------
a = res["anomaly"]
scored = a["tp"] + a["fn"]
q_ok = (scored >= P["min_anomalies"] and a["precision"] >= P["min_precision"]
        and a["recall"] >= P["min_recall"]
        and (scored == synth["anomalies"] or imu_pipe_drops > 0))
row("anomalies", "y > %g: tp %d, fp %d, fn %d; precision %.3f (>= %.2f), recall %.3f (>= %.2f)"
    % (a["threshold"], a["tp"], a["fp"], a["fn"], a["precision"], P["min_precision"],
       a["recall"], P["min_recall"]), check(q_ok, "detector quality"))

full = float(1 << 24)
w = [0.4, 0.3, 0.2, 0.1]
err = 0.0
tagged = True
for r in net_rows:
    v0 = (r["sensor"] * 1000003 + r["seq"] * 1009) & 0xffffffff
    want = 100.0 * sum(w[i] * (((v0 + i) & 0xffffffff) % (1 << 24)) for i in range(4)) / full
    err = max(err, abs(r["y"][0] - want))
    tagged = tagged and r["tag"]["filtered"]
row("load cells", "|y - 100*sum(w_i*x_i)/2^24| <= %.4f (<= %g); all results tagged: %s"
    % (err, P["max_load_error"], "yes" if tagged else "no"),
    check(bool(net_rows) and err <= P["max_load_error"] and tagged, "load-cell model"))

# ---- latency, syscalls, models ---------------------------------------------------
e = res["e2e_latency_ns"]
h = net["e2e_latency_ns"]
row("latency", "imu, sample timestamp to result (exact): p50 %s, p99 %s, p999 %s%s"
    % (ms(e["p50"]), ms(e["p99"]), ms(e["p999"]),
       " (in a VM)" if os.environ.get("EDGEAI_VM") else ""))
row("", "net, sender's timestamp to result (log2 buckets): p50 <= %s, p99 <= %s, p999 <= %s"
    % (ms(h["p50"]), ms(h["p99"]), ms(h["p999"])))

perf = {}
try:
    with open(os.path.join(RUN, "perf.txt")) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) >= 3 and parts[0] and not line.startswith("#"):
                perf[parts[2].split(":")[-1]] = int(parts[0]) if parts[0].isdigit() else None
except OSError:
    pass
samples = imu["samples_in"] + net["samples_in"]
batches = imu["batches"] + net["batches"]
total = perf.get("sys_enter")
if total is not None and samples:
    parts = ", ".join("%s %.2f" % (k.replace("sys_enter_", ""), perf[k] / samples)
                      for k in ("sys_enter_io_uring_enter", "sys_enter_ioctl", "sys_enter_write",
                                "sys_enter_clock_gettime")
                      if perf.get(k) is not None)
    row("syscalls", "%.2f per sample (%s), %.2f per batch of %.1f samples"
        % (total / samples, parts, total / batches, samples / batches))
    row("", "perf stat -e raw_syscalls:sys_enter, all edgeaid threads, first sample to exit:"
        " %d syscalls, %d samples" % (total, samples))
    row("", "ring imu0 woke its consumer %d times, %.2f times per IMU sample"
        % (ring["wakeups"], ring["wakeups"] / max(1, imu["samples_in"])))
else:
    row("syscalls", "not measured (perf is missing or failed: install linux-perf)")

row("models", "imu: %s; net: %s v%s"
    % (" then ".join("%s v%s (gen %d, %d results)" % (imu_first.get("model", "?"), v, g, n)
                     for g, v, n in models),
       net_rows[0]["model"] if net_rows else "?", net["model_version"]))

with open(os.path.join(RUN, "klog.txt")) as f:
    bad = [l.rstrip() for l in f if re.search(
        r"BUG:|WARNING:|Oops|KASAN|Poison overwritten|circular locking|Kernel panic"
        r"|general protection fault|UBSAN|kernel BUG", l)]
row("kernel log", "%s" % ("no BUG, WARNING, Oops, KASAN or UBSAN report" if not bad else
                          "; ".join(bad[:3])), check(not bad, "kernel log"))

if FAILED:
    print("demo: FAILED: %s" % "; ".join(FAILED))
    sys.exit(1)
print("demo: every check passed")
