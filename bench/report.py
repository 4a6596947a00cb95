#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/report.py ROWS NOTES OUT_DIR QUICK

Collects the JSON rows that bench/run's benchmarks printed, checks that
each is complete, and writes OUT_DIR/latest.json (rows + machine) and
OUT_DIR/latest.md (a table per group with a one-line conclusion)."""
import datetime
import json
import os
import platform
import sys

FIELDS = ("group", "name", "ours", "baseline", "baseline_name", "unit",
          "ratio", "better", "reps", "spread")


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "date": datetime.datetime.now(datetime.timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%SZ")}


def load(path):
    rows = []
    for n, line in enumerate(open(path), 1):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        missing = [f for f in FIELDS if f not in r]
        if missing:
            sys.exit(f"report: row {n} lacks {', '.join(missing)}: {line}")
        if r["better"] not in ("higher", "lower") or r["reps"] < 5:
            sys.exit(f"report: row {n}: better must be higher|lower and reps >= 5")
        rows.append(r)
    return rows


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def targets(rows):
    """Rows with a "target" ratio: which reach it."""
    rows = [r for r in rows if r.get("target")]
    if not rows:
        return ""
    missed = [r for r in rows if not (r["ratio"] or 0) >= r["target"]]
    s = f" Targets met in {len(rows) - len(missed)} of {len(rows)} rows"
    if missed:
        s += "; not met: " + "; ".join(
            f"{r['name']} ({r['ratio']:.2f} < {r['target']:g})" for r in missed)
    return s + "."


def conclusion(rows):
    # A "floor" baseline does nothing useful (an XDP program that only
    # passes): its row says what our work costs, not who wins. A "peak"
    # baseline is what the machine can do at most (the FMA peak): its row
    # says how close we come, not who wins.
    floor = [r for r in rows if r.get("floor")]
    peak = [r for r in rows if r.get("peak")]
    tgt = targets(rows)
    rows = [r for r in rows if not r.get("floor") and not r.get("peak")]
    s = ""
    if floor:
        lo = min(r["ours"] - r["baseline"] for r in floor)
        hi = max(r["ours"] - r["baseline"] for r in floor)
        s = (f"Cost over a do-nothing baseline: {fmt(lo)} to {fmt(hi)} "
             f"{floor[0]['unit']}. ")
    if peak:
        s += ("Fraction of the machine's peak measured in the same run: "
              + ", ".join(f"{r['ratio']:.2f} ({r['name']})" for r in peak)
              + ". ")
    if not rows:
        return (s + tgt).strip()
    wins = [r for r in rows if r["ratio"] and r["ratio"] > 1]
    best = max(rows, key=lambda r: r["ratio"] or 0)
    worst = min(rows, key=lambda r: r["ratio"] or 0)
    s += (f"Ours is better in {len(wins)} of {len(rows)} comparisons; best "
          f"{best['ratio']:.2f}x ({best['name']})")
    if worst is not best:
        s += f", worst {worst['ratio']:.2f}x ({worst['name']})"
    return s + "." + tgt


def main():
    rows_path, notes_path, out, quick = sys.argv[1:5]
    rows = load(rows_path)
    notes = [l.strip() for l in open(notes_path) if l.strip()]
    doc = {"machine": machine(), "quick": quick == "1", "rows": rows,
           "notes": notes}
    with open(os.path.join(out, "latest.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    m = doc["machine"]
    md = ["# edgeai benchmarks: latest run", "",
          f"{m['cpu']}, {m['cores']} cores, kernel {m['kernel']}, {m['date']}"
          + (" — quick run (QUICK=1)" if doc["quick"] else "") + ".",
          "Each row: median of `reps` repetitions, ours and the baseline in "
          "the same run; ratio > 1 means ours is better; spread is "
          "(max - min) / median of the noisier side. Rows marked (floor) "
          "compare with a baseline that does no work: they show our cost. "
          "Rows whose baseline is a peak measured on this machine (the FMA "
          "peak) have ratio = the fraction of that peak reached.",
          ""]
    groups = []
    for r in rows:
        if r["group"] not in groups:
            groups.append(r["group"])
    for g in groups:
        gr = [r for r in rows if r["group"] == g]
        md += [f"## {g}", "", conclusion(gr), "",
               "| what | ours | baseline | unit | ratio | reps | spread |",
               "|---|---:|---|---|---:|---:|---:|"]
        for r in gr:
            name = r["name"] + (" (floor)" if r.get("floor") else "")
            if r.get("target") and "target" not in name:
                name += f" (target >= {r['target']:g}x)"
            md.append(f"| {name} | {fmt(r['ours'])} | {fmt(r['baseline'])} "
                      f"({r['baseline_name']}) | {r['unit']} "
                      f"({r['better']} is better) | {fmt(r['ratio'])} | "
                      f"{r['reps']} | {r['spread']:.0%} |")
        md.append("")
    if notes:
        md += ["## Not in this run", ""] + [f"* {n}" for n in notes] + [""]
    with open(os.path.join(out, "latest.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))
    print(f"bench: {len(rows)} rows -> {out}/latest.json, latest.md")


if __name__ == "__main__":
    main()
