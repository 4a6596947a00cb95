#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/e2e.py [--quick] OUT_DIR   (run by bench/run; needs root)

End to end, sensor -> filter -> runtime -> result, for edgeaid and the two
baselines, in one run:

* two network namespaces joined by a veth pair; edgeai-sensorgen sends
  valid f32 sensor packets (16 elements, CLOCK_REALTIME in the header)
  from the sender namespace, pinned to CPU 0;
* ours: the XDP filter on the receiving veth end (edgeaictl bpf attach,
  the sensors allow-listed), and edgeaid (one UDP pipeline: require_tag,
  scale:mul=0.5, the MLP 16-8-3 of tests/edgeaid/model.py, batch 64) with
  a unix-batch: sink (the JSON lines of a batch in one Unix datagram);
* ours, one datagram per result: a second edgeaid, the same pipeline with
  a unix: sink (one datagram per result, as the baselines send), so that
  the batched delivery is shown next to the unbatched one;
* C baseline (bench/e2e_base.c): epoll + recvfrom, the filter's rules in
  userspace, the same scale and model as scalar C loops (weights from the
  same file), one send() of the same JSON result per sample;
* Python baseline (bench/e2e_base.py): a blocking socket loop with NumPy;
* every runtime is pinned to CPU 1 and sends to its own collector
  (bench/e2e_collect.c, also on CPU 1 but SCHED_BATCH, so that it does not
  preempt the runtime at each result), which timestamps each result on
  arrival: latency = CLOCK_REALTIME at arrival - the sample's own
  timestamp, the same measurement for all of them.

Every runtime's UDP socket has the same 512 MiB receive buffer (edgeaid:
rcvbuf; the baselines: E2E_RCVBUF), so that none drops what another
would queue. Three measurements, contenders alternating within each
repetition:

* saturated (7 windows; 5 quick): 100 000 packets (10 000 quick) queue
  at the runtime's socket while it is stopped (SIGSTOP); then it runs
  (SIGCONT) until it has served them: samples/s per core = results /
  CPU time the runtime process used (all its threads,
  /proc/PID/task/*/schedstat). A runtime with a backlog never waits for
  input: this is its cost per sample, the targets' measure;
* flood (7 windows; 5 quick): 300 000 packets (10 000 quick) as fast as
  the one sender goes, the same ratio until the runtime has served all
  it queued. The sender is slower than the runtimes here: they sleep
  and wake between packets, and the faster one more often;
* latency (9 windows; 5 quick): packets paced at 20 000/s; p50/p99/p999
  of the collector's latencies, per window; medians over windows.

Cross-check: the outputs of all four for the same (sensor, seq) must
agree with each other and with a float64 NumPy evaluation of the model
within 1e-5, or the benchmark fails. Prints JSON rows and tables on stdout
and writes OUT_DIR/e2e-latency.json (the latency samples' quantiles, for
the CDF plot).
"""
import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

SRC = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
B = os.environ.get("O", os.path.join(SRC, "build"))
GEN = os.path.join(B, "edgeai-sensorgen")
CTL = os.path.join(B, "edgeaictl")
EAD = os.path.join(B, "edgeaid")
PY = "/usr/bin/python3"

ELEMS, MUL, SEED = 16, 0.5, 11
FIRST, NSENS = 1000, 32          # allow-listed sensors
BACKLOG_BASE = 1008              # backlog windows use sensors from here
LAT_BASE = 1016                  # latency windows use sensors from here
RCVBUF = 1 << 29                 # every runtime's socket receive buffer
PORT = 4790
ADDR, PEER = "10.79.0.1", "10.79.0.2"
TOL = 1e-5

CONTENDERS = ("ours", "ours1", "c", "py")
NAMES = {"ours": "edgeaid (XDP filter + io_uring + libedgeai)",
         "ours1": "edgeaid, one datagram per result (unix: sink)",
         "c": "epoll + recvfrom + scalar C",
         "py": "Python socket + NumPy"}
LAT_CONTENDERS = ("ours", "c", "py")
PORTS = {"ours": PORT, "c": PORT + 1, "py": PORT + 2, "ours1": PORT + 3}
SINKS = {"ours": "unix-batch", "ours1": "unix"}


def in_ns(ns):
    """Run in network namespace @ns. nsenter, not ip netns exec: that one
    mounts a new /sys, without the BPF filesystem the filter is pinned in;
    and it execs, so the pid is the program's."""
    return ["nsenter", f"--net=/run/netns/{ns}"]


def sh(*cmd, ns=None, check=True, **kw):
    if ns:
        cmd = tuple(in_ns(ns)) + cmd
    r = subprocess.run(cmd, check=False, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode:
        raise SystemExit(f"e2e: {' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def sleeps(pid):
    """Voluntary context switches of every thread of @pid so far: how
    often the runtime went to sleep waiting for input (or for room)."""
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            for line in open(f"/proc/{pid}/task/{t}/status"):
                if line.startswith("voluntary_ctxt_switches:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            pass
    return total


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def cpu_ns(pid):
    """CPU time of every thread of @pid so far (ns, /proc schedstat)."""
    total = 0
    d = f"/proc/{pid}/task"
    for t in os.listdir(d):
        try:
            total += int(open(f"{d}/{t}/schedstat").read().split()[0])
        except (OSError, ValueError):
            pass
    return total


def wait_for(pred, secs, what):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return
        time.sleep(0.05)
    raise SystemExit(f"e2e: {what} did not happen within {secs} s")


def quantile(sorted_v, q):
    if not sorted_v:
        return 0
    i = min(len(sorted_v) - 1, max(0, int(round(q * (len(sorted_v) - 1)))))
    return sorted_v[i]


def spread(v):
    m = statistics.median(v)
    return (max(v) - min(v)) / m if m else 0.0


class Bench:
    def __init__(self, quick, out):
        self.quick, self.out = quick, out
        # latency tails are noisy on a shared machine: more windows
        self.reps_t, self.reps_l = (5, 5) if quick else (7, 9)
        self.n_tput = 10000 if quick else 300000
        self.n_backlog = 10000 if quick else 100000
        self.rate = 20000
        self.n_lat = 3000 if quick else 40000
        tag = f"{os.getpid()}"
        self.snd, self.rcv = f"eae2e-s{tag}", f"eae2e-r{tag}"
        self.dev, self.peer = f"eae{tag}r"[:15], f"eae{tag}s"[:15]
        self.w = tempfile.mkdtemp(prefix="edgeai-e2e-")
        self.pin_dir = f"/sys/fs/bpf/edgeai-e2e-{tag}"
        self.env = dict(os.environ, EDGEAI_BPF_PIN_DIR=self.pin_dir,
                        E2E_RCVBUF=str(RCVBUF))
        self.procs = {}
        self.collectors = {}

    # ---- set-up ---------------------------------------------------------
    def setup(self):
        sh("ip", "netns", "add", self.snd)
        sh("ip", "netns", "add", self.rcv)
        sh("ip", "link", "add", self.dev, "netns", self.rcv, "type", "veth",
           "peer", "name", self.peer, "netns", self.snd)
        sh("ip", "-n", self.rcv, "addr", "add", f"{ADDR}/24", "dev", self.dev)
        sh("ip", "-n", self.snd, "addr", "add", f"{PEER}/24", "dev", self.peer)
        for ns in (self.rcv, self.snd):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", self.rcv, "link", "set", self.dev, "up")
        sh("ip", "-n", self.snd, "link", "set", self.peer, "up")
        mac = sh("ip", "-n", self.rcv, "-br", "link", "show",
                 self.dev).stdout.split()[2]
        sh("ip", "-n", self.snd, "neigh", "replace", ADDR, "lladdr", mac,
           "dev", self.peer, "nud", "permanent")
        # a Unix datagram reader's queue: systemd's value, not the
        # kernel's 10 (a fresh namespace starts from the kernel's)
        sh("sysctl", "-qw", "net.unix.max_dgram_qlen=512", ns=self.rcv)
        sh(CTL, "bpf", "attach", self.dev, "xdp", "--port",
           f"{PORTS['ours']},{PORTS['ours1']}",
           ns=self.rcv, env=self.env)
        for s in range(FIRST, FIRST + NSENS):
            sh(CTL, "bpf", "sensor", "add", str(s), ns=self.rcv, env=self.env)
        sh(PY, os.path.join(SRC, "tests/edgeaid/model.py"), "write",
           f"{self.w}/m.st", "--in", str(ELEMS), "--seed", str(SEED))

    def start(self):
        for c in CONTENDERS:
            sock, out = f"{self.w}/{c}.sock", f"{self.w}/{c}.json"
            p = subprocess.Popen(
                in_ns(self.rcv) + ["taskset", "-c", "1", "chrt", "--batch", "0",
                 os.path.join(B, "bench/e2e_collect"), sock, out,
                 str(LAT_BASE)], stdout=subprocess.DEVNULL)
            self.collectors[c] = (p, out)
            wait_for(lambda: os.path.exists(sock), 10, f"collector {c}")
        for c in ("ours", "ours1"):
            with open(f"{self.w}/{c}.conf", "w") as f:
                f.write(f"""[global]
stats = {self.w}/{c}-stats.json
workers = 1
control = none

[pipeline e2e]
source = udp:{ADDR}:{PORTS[c]}
stage = scale:mul={MUL}
elems = {ELEMS}
model = {self.w}/m.st
sink = {SINKS[c]}:{self.w}/{c}.sock
batch = 64
rcvbuf = {RCVBUF}
require_tag = yes
""")
            log = open(f"{self.w}/{c}.log", "w")
            self.procs[c] = subprocess.Popen(
                in_ns(self.rcv) + ["taskset", "-c", "1", EAD, "-f",
                 "-c", f"{self.w}/{c}.conf"], stdout=log, stderr=log)
            wait_for(lambda: "pipeline(s) from" in open(f"{self.w}/{c}.log").read(),
                     10, f"edgeaid start ({c})")
        args = [ADDR, None, None, f"{self.w}/m.st", str(ELEMS), str(MUL),
                str(FIRST), str(NSENS)]
        for c, port, cmd in (("c", PORTS["c"], [os.path.join(B, "bench/e2e_base")]),
                             ("py", PORTS["py"], [PY, os.path.join(SRC, "bench/e2e_base.py")])):
            a = list(args)
            a[1], a[2] = str(port), f"{self.w}/{c}.sock"
            p = subprocess.Popen(in_ns(self.rcv) + ["taskset", "-c", "1"] + cmd + a, stdout=subprocess.PIPE,
                                 text=True, env=self.env)
            line = p.stdout.readline()
            if "ready" not in line:
                raise SystemExit(f"e2e: the {c} baseline did not start")
            self.procs[c] = p

    def pids(self, c):
        """The runtime's own pid (ip netns exec and taskset exec it)."""
        return self.procs[c].pid

    def cleanup(self):
        for p in list(self.procs.values()) + [c[0] for c in self.collectors.values()]:
            if p.poll() is None:
                p.kill()
        sh(CTL, "bpf", "detach", "--all", ns=self.rcv, env=self.env, check=False)
        sh("ip", "netns", "del", self.snd, check=False)
        sh("ip", "netns", "del", self.rcv, check=False)
        sh("rm", "-rf", self.pin_dir, check=False)
        if not os.environ.get("KEEP"):
            sh("rm", "-rf", self.w, check=False)

    # ---- measuring ------------------------------------------------------
    def window(self, c, sensor, count, rate):
        port = PORTS[c]
        cmd = ["taskset", "-c", "0", GEN, "send", "--dst", f"{ADDR}:{port}",
               "--sensor", str(sensor), "--count", str(count), "--dtype",
               "f32", "--elems", str(ELEMS), "--json"]
        if rate:
            cmd += ["--rate", str(rate)]
        pid = self.pids(c)
        c0, s0 = cpu_ns(pid), sleeps(pid)
        r = json.loads(sh(*cmd, ns=self.snd).stdout)
        c1 = self.settle(pid, c0)
        s1 = sleeps(pid)
        return {"contender": c, "sensor": sensor, "sent": r["packets"],
                "send_ns": r["elapsed_ns"], "cpu_ns": c1 - c0,
                "sleeps": s1 - s0}

    @staticmethod
    def settle(pid, c0):
        """Wait until the runtime has served what it has queued (its CPU
        time stops growing: < 1 ms of CPU in 3 x 50 ms; a slow runtime
        with a large receive buffer works on after the sender stops);
        returns its CPU time then."""
        t0 = time.monotonic()
        last, still = c0, 0
        while still < 3 and time.monotonic() - t0 < 120:
            time.sleep(0.05)
            now = cpu_ns(pid)
            still = still + 1 if now - last < 1000000 else 0
            last = now
        return last

    def backlog(self, c, sensor, count):
        """Saturated: @count packets queue at the runtime's socket while
        it is stopped (SIGSTOP); then it runs (SIGCONT) until it has
        served them all: its CPU time over that backlog, with no sleep
        between packets to pay for."""
        pid = self.pids(c)
        cmd = ["taskset", "-c", "0", GEN, "send", "--dst", f"{ADDR}:{PORTS[c]}",
               "--sensor", str(sensor), "--count", str(count), "--dtype",
               "f32", "--elems", str(ELEMS), "--json"]
        os.kill(pid, signal.SIGSTOP)
        try:
            r = json.loads(sh(*cmd, ns=self.snd).stdout)
            time.sleep(0.05)
            c0, s0 = cpu_ns(pid), sleeps(pid)
        finally:
            os.kill(pid, signal.SIGCONT)
        last = self.settle(pid, c0)
        return {"contender": c, "sensor": sensor, "sent": r["packets"],
                "send_ns": r["elapsed_ns"], "cpu_ns": last - c0,
                "sleeps": sleeps(pid) - s0}

    def run(self):
        wins = []
        # warm-up: page in, wake up, fill caches; not measured
        for c in CONTENDERS:
            self.window(c, FIRST + NSENS - 1, 1000 if self.quick else 2000, 0)
        for rep in range(max(self.reps_t, self.reps_l)):
            for c in CONTENDERS if rep < self.reps_t else ():
                w = self.window(c, FIRST + rep, self.n_tput, 0)
                w.update(kind="tput", rep=rep)
                wins.append(w)
                w = self.backlog(c, BACKLOG_BASE + rep, self.n_backlog)
                w.update(kind="backlog", rep=rep)
                wins.append(w)
            # latency: edgeaid as configured and the baselines
            for c in LAT_CONTENDERS if rep < self.reps_l else ():
                w = self.window(c, LAT_BASE + rep, self.n_lat, self.rate)
                w.update(kind="lat", rep=rep)
                wins.append(w)
        return wins

    def stop(self):
        stats = {}
        for c in ("c", "py"):
            p = self.procs[c]
            p.send_signal(signal.SIGTERM)
            try:
                out, _ = p.communicate(timeout=10)
                stats[c] = json.loads(out.strip().splitlines()[-1])
            except (subprocess.TimeoutExpired, ValueError, IndexError):
                stats[c] = {}
        for c in ("ours", "ours1"):
            p = self.procs[c]
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=15)
            try:
                stats[c] = json.load(open(f"{self.w}/{c}-stats.json"))["pipelines"][0]
            except (OSError, ValueError, KeyError, IndexError):
                stats[c] = {}
        res = {}
        for c, (p, out) in self.collectors.items():
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
            res[c] = json.load(open(out))["sensors"]
        return stats, res


def crosscheck(res):
    """Every contender's outputs vs the others' and vs NumPy (float64)."""
    import numpy as np
    model = load_module("edgeaid_model", os.path.join(SRC, "tests/edgeaid/model.py"))
    stfile = sys.modules.get("stfile")
    ops = model.ops_for(ELEMS, SEED)
    worst, compared = 0.0, 0
    for sensor in res["ours"]:
        ys = {c: res[c].get(sensor, {}).get("y", {}) for c in CONTENDERS}
        seqs = set(ys["ours"])
        for c in CONTENDERS:
            seqs &= set(ys[c])
        if not seqs:
            continue
        seqs = sorted(seqs, key=int)
        x = np.stack([model.payload(int(sensor), int(q), ELEMS) for q in seqs])
        x = (x * np.float32(MUL)).astype(np.float32)
        want = stfile.forward(ops, x)
        for c in CONTENDERS:
            got = np.array([ys[c][q] for q in seqs], dtype=np.float64)
            err = float(np.abs(got - want).max())
            if err > TOL:
                raise SystemExit(f"e2e: {NAMES[c]}: sensor {sensor}: outputs differ "
                                 f"from the model by {err:g} > {TOL:g}")
            worst = max(worst, err)
        compared += len(seqs)
    if compared < 100:
        raise SystemExit(f"e2e: only {compared} results could be compared")
    return worst, compared


def row(name, ours, base, bname, unit, better, vals_o, vals_b, target=None):
    ratio = ours / base if better == "higher" else base / ours
    r = {"group": "end-to-end", "name": name, "ours": round(ours, 3),
         "baseline": round(base, 3), "baseline_name": bname, "unit": unit,
         "ratio": float(f"{ratio:.6g}"), "better": better, "reps": len(vals_o),
         "spread": round(max(spread(vals_o), spread(vals_b)), 4)}
    if target:
        r["target"] = target
    return r


def main():
    quick = "--quick" in sys.argv
    out = [a for a in sys.argv[1:] if not a.startswith("--")][0]
    b = Bench(quick, out)
    try:
        b.setup()
        b.start()
        wins = b.run()
        stats, res = b.stop()
    finally:
        b.cleanup()
    worst, compared = crosscheck(res)

    per = {c: {"tput": [], "lat": {"p50": [], "p99": [], "p999": []},
               "rate": [], "delivered": [], "lat_delivered": [], "util": [],
               "pooled": [], "sleeps": [], "sat": [], "sat_delivered": [],
               "sat_sleeps": []} for c in CONTENDERS}
    for w in wins:
        c, s = w["contender"], str(w["sensor"])
        got = res[c].get(s, {}).get("count", 0)
        if w["kind"] == "backlog":
            cpu = w["cpu_ns"] / 1e9
            per[c]["sat"].append(got / cpu if cpu else 0.0)
            per[c]["sat_delivered"].append(got / w["sent"])
            per[c]["sat_sleeps"].append(w["sleeps"] / got if got else 0.0)
        elif w["kind"] == "tput":
            cpu = w["cpu_ns"] / 1e9
            per[c]["tput"].append(got / cpu if cpu else 0.0)
            per[c]["delivered"].append(got / w["sent"])
            per[c]["rate"].append(got / (w["send_ns"] / 1e9))
            per[c]["util"].append(w["cpu_ns"] / w["send_ns"])
            per[c]["sleeps"].append(w["sleeps"] / got if got else 0.0)
        else:
            lat = sorted(res[c].get(s, {}).get("lat", []))
            per[c]["lat_delivered"].append(len(lat) / w["sent"])
            for q, k in ((0.5, "p50"), (0.99, "p99"), (0.999, "p999")):
                per[c]["lat"][k].append(quantile(lat, q) / 1000.0)
            per[c]["pooled"] += lat
    med = statistics.median
    rows = []
    o, o1 = per["ours"], per["ours1"]
    sat = f"saturated (a backlog of {b.n_backlog // 1000}k packets)"
    for c, target_t in (("c", 3), ("py", 10)):
        p = per[c]
        rows.append(row(f"samples/s per core, {sat}: edgeaid vs {NAMES[c]}",
                        med(o["sat"]), med(p["sat"]), NAMES[c],
                        "samples/s per core", "higher", o["sat"], p["sat"],
                        target_t))
    # never a batched ours without the unbatched one next to it
    for c in ("c", "py"):
        p = per[c]
        rows.append(row(f"samples/s per core, {sat}: edgeaid with one datagram per result vs {NAMES[c]}",
                        med(o1["sat"]), med(p["sat"]), NAMES[c],
                        "samples/s per core", "higher", o1["sat"], p["sat"]))
    for who, oo in (("edgeaid", o), ("edgeaid with one datagram per result", o1)):
        for c in ("c", "py"):
            p = per[c]
            rows.append(row(f"samples/s per core, one sender's flood: {who} vs {NAMES[c]}",
                            med(oo["tput"]), med(p["tput"]), NAMES[c],
                            "samples/s per core", "higher", oo["tput"], p["tput"]))
    for k in ("p50", "p99", "p999"):
        for c in ("c", "py"):
            p = per[c]
            rows.append(row(f"{k} latency at {b.rate // 1000}k samples/s: edgeaid vs {NAMES[c]}",
                            med(o["lat"][k]), med(p["lat"][k]), NAMES[c],
                            "us", "lower", o["lat"][k], p["lat"][k]))
    for r in rows:
        print(json.dumps(r))

    # the details: a table, the CDF data, and edgeaid's own histogram
    st = stats.get("ours", {})
    e2e = st.get("e2e_latency_ns", {})
    cols = ["runtime", "samples/s per core, saturated (backlog)",
            "sleeps per result (backlog)", "served of the backlog",
            "samples/s per core (flood)",
            "delivered of sent (flood)", "CPU busy (flood)",
            "sleeps per result (flood)",
            f"delivered of sent at {b.rate // 1000}k/s",
            "p50 / p99 / p999 (us)"]
    trows = []
    for c in CONTENDERS:
        p = per[c]
        lat = c in LAT_CONTENDERS
        trows.append([NAMES[c], f"{med(p['sat']):,.0f}", f"{med(p['sat_sleeps']):.4f}",
                      f"{med(p['sat_delivered']):.1%}",
                      f"{med(p['tput']):,.0f}",
                      f"{med(p['delivered']):.1%}", f"{med(p['util']):.0%}",
                      f"{med(p['sleeps']):.3f}",
                      f"{med(p['lat_delivered']):.1%}" if lat else "-",
                      " / ".join(f"{med(p['lat'][k]):,.0f}" for k in ("p50", "p99", "p999"))
                      if lat else "-"])
    note = (f"Saturated: {b.reps_t} windows in which {b.n_backlog:,} packets queue at the "
            f"runtime's socket while it is stopped (SIGSTOP), then it serves them all "
            f"(SIGCONT): results over the CPU time it used, every runtime with a "
            f"{RCVBUF >> 20} MiB receive buffer. Flood: {b.reps_t} windows of {b.n_tput:,} "
            f"packets each, as fast as "
            f"edgeai-sensorgen sends them (one sender, CPU 0; the runtimes are not "
            f"saturated: see CPU busy); latency: {b.reps_l} windows "
            f"of {b.n_lat:,} packets at {b.rate:,}/s; the runtimes take turns within each "
            f"repetition. Runtimes pinned to CPU 1, with their collectors "
            f"(SCHED_BATCH: they do not preempt the runtime at each result); the sender "
            f"and the veth's receive processing (and XDP) on CPU 0. CPU busy: the "
            f"runtime's CPU time, until it had served all it had queued, over the sender's "
            f"time (over 100%: it worked on after the sender stopped). Sleeps: the runtime's voluntary "
            f"context switches (all threads) per result delivered. edgeaid sends the JSON lines of "
            f"each batch as one Unix datagram (unix-batch: sink); the second edgeaid, one "
            f"datagram per result like the baselines (unix: sink; saturated and flood "
            f"windows only). Outputs cross-checked for {compared} results "
            f"(same packets, all four runtimes and NumPy float64): largest "
            f"difference {worst:.2g}.")
    if e2e:
        note += (f" edgeaid's own stats (e2e_latency_ns, log2 buckets: upper bounds, "
                 f"all windows, the saturated ones' included, whose samples waited while it was stopped; "
                 f"measured after its sink write): p50 <= {e2e.get('p50', 0) / 1000:,.0f} us, "
                 f"p99 <= {e2e.get('p99', 0) / 1000:,.0f} us; drops: "
                 + ", ".join(f"{k} {v}" for k, v in sorted(st.get("drops", {}).items()) if v)
                 + ".")
    print(json.dumps({"kind": "table", "group": "end-to-end",
                      "title": "End to end, per runtime (medians)",
                      "columns": cols, "rows": trows, "note": note}))
    cdf = {}
    for c in LAT_CONTENDERS:
        v = sorted(per[c]["pooled"])
        cdf[c] = {"name": NAMES[c], "n": len(v),
                  "q": [i / 1000 for i in range(1001)],
                  "lat_us": [quantile(v, i / 1000) / 1000.0 for i in range(1001)]}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "e2e-latency.json"), "w") as f:
        json.dump({"rate": b.rate, "reps": b.reps_l, "cdf": cdf}, f)


if __name__ == "__main__":
    main()
