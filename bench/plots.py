#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/plots.py OUT_DIR

PNG plots of the latest run, next to latest.json (Debian's
python3-matplotlib; without it, says so and writes nothing):

* e2e-latency-cdf.png: end-to-end latency CDF at the fixed rate, edgeaid
  and the two baselines (OUT_DIR/e2e-latency.json, from bench/e2e.py);
* batch-throughput.png: ns per sample against the batch size, for
  inference (MLP 16-64-8: ours, scalar C, NumPy, PyTorch; from the rows of
  latest.json) and for the sample hand-off in the VM (ring, pipe, Unix
  datagrams, eventfd + shm; OUT_DIR/ring-vm.json).
"""
import json
import os
import re
import statistics
import sys


def inference_series(rows, model="MLP 16-64-8"):
    """{contender: {batch: ns/sample}} from the inference rows."""
    s = {}
    for r in rows:
        if r["group"] != "inference" or not r["name"].startswith(model + ","):
            continue
        m = re.search(r", batch (\d+): ours vs (scalar C|NumPy batched|PyTorch batched)$", r["name"])
        if m:
            b, who = int(m.group(1)), m.group(2).replace(" batched", "")
            s.setdefault("edgeai (libedgeai)", {})[b] = r["ours"]
            s.setdefault(who, {})[b] = r["baseline"]
            continue
        m = re.search(r", ours 1 row a call vs (NumPy|PyTorch) per sample$", r["name"])
        if m:
            s.setdefault("edgeai (libedgeai)", {})[1] = r["ours"]
            s.setdefault(m.group(1), {})[1] = r["baseline"]
    return s


def handoff_series(path):
    if not os.path.exists(path):
        return {}
    names = {"ring": "edgeai ring", "pipe": "pipe", "unix": "Unix datagrams",
             "shm": "eventfd + shm ring"}
    runs = json.load(open(path)).get("handoff", [])
    s = {}
    for mode, name in names.items():
        for b in sorted({h["batch"] for h in runs if h["mode"] == mode}):
            v = [1e9 / h["samples_per_s"] for h in runs
                 if h["mode"] == mode and h["batch"] == b and h["samples_per_s"] > 0]
            if v:
                s.setdefault(name, {})[b] = statistics.median(v)
    return s


def main():
    out = sys.argv[1]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        print("plots: no matplotlib (apt-get install python3-matplotlib): no PNG written")
        return
    doc = json.load(open(os.path.join(out, "latest.json")))
    m = doc["machine"]
    where = f"{m['cpu']}, {m['cores']} cores, kernel {m['kernel']}, {m['date'][:10]}"
    written = []

    lat = os.path.join(out, "e2e-latency.json")
    if os.path.exists(lat):
        d = json.load(open(lat))
        fig, ax = plt.subplots(figsize=(7.5, 4.5))
        for c in ("ours", "c", "py"):
            e = d["cdf"].get(c)
            if not e or not e["n"]:
                continue
            ax.plot(e["lat_us"], e["q"], label=f"{e['name']} ({e['n']:,} results)")
        ax.set_xscale("log")
        ax.set_xlabel("latency, sample timestamp -> result received (us, log)")
        ax.set_ylabel("fraction of results")
        ax.set_title(f"End to end at {d['rate']:,} samples/s ({d['reps']} runs pooled)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
        fig.text(0.01, 0.01, where, fontsize=6, alpha=0.7)
        fig.tight_layout()
        p = os.path.join(out, "e2e-latency-cdf.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        written.append(p)

    inf = inference_series(doc["rows"])
    hand = handoff_series(os.path.join(out, "ring-vm.json"))
    if inf or hand:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
        for ax, series, title, ylabel in (
                (axes[0], inf, "Inference, MLP 16-64-8 (this machine)",
                 "CPU ns per sample (log; lower is better)"),
                (axes[1], hand, "Sample hand-off between processes (VM, emulated)",
                 "wall ns per sample = 1 / samples/s (log)")):
            for name, pts in series.items():
                bs = sorted(pts)
                ax.plot(bs, [pts[b] for b in bs], marker="o", label=name)
            ax.set_xscale("log", base=2)
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.set_yscale("log")
            ax.set_xlabel("batch size (samples a call)")
            ax.set_ylabel(ylabel)
            ax.set_title(title, fontsize=10)
            ax.grid(True, which="both", alpha=0.3)
            if series:
                ax.legend(fontsize=8)
        fig.text(0.01, 0.01, where, fontsize=6, alpha=0.7)
        fig.tight_layout()
        p = os.path.join(out, "batch-throughput.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        written.append(p)
    print("plots: " + (", ".join(written) if written else "nothing to plot"))


if __name__ == "__main__":
    main()
