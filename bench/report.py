#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/report.py ROWS NOTES OUT_DIR QUICK

Collects the JSON rows that bench/run's benchmarks printed, checks that
each is complete, and writes OUT_DIR/latest.json (rows + machine) and
OUT_DIR/latest.md (a table per group with a one-line conclusion).

A line {"kind": "table", "group", "title", "columns", "rows", "note"} is
a table of details (counts with no finite ratio, per-path breakdowns):
shown under its group in latest.md and kept in latest.json "tables"."""
import datetime
import json
import os
import platform
import sys
import time

ORDER = ["xdp-filter", "udp-ingest", "inference", "end-to-end",
         "ring-handoff (VM, emulated)", "kernel-ring (VM, counts)"]

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
    m = {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
         "date": datetime.datetime.now(datetime.timezone.utc)
         .strftime("%Y-%m-%dT%H:%M:%SZ")}
    # The share of the run's time in which some task waited for a CPU
    # (PSI "some"), from the total bench/run read at its start.
    try:
        t0, p0 = float(os.environ["BENCH_T0"]), int(os.environ["BENCH_PSI0"])
        for line in open("/proc/pressure/cpu"):
            if line.startswith("some"):
                p1 = int(line.split("total=")[1])
        secs = time.time() - t0
        m["run_seconds"] = round(secs)
        m["cpu_pressure"] = round((p1 - p0) / 1e6 / secs, 3)
    except (KeyError, ValueError, OSError, UnboundLocalError, ZeroDivisionError):
        pass
    return m


def load(path):
    rows, tables = [], []
    for n, line in enumerate(open(path), 1):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        if r.get("kind") == "table":
            if not all(k in r for k in ("group", "title", "columns", "rows")) or \
                    any(len(x) != len(r["columns"]) for x in r["rows"]):
                sys.exit(f"report: table {n} is malformed: {line[:200]}")
            tables.append(r)
            continue
        missing = [f for f in FIELDS if f not in r]
        if missing:
            sys.exit(f"report: row {n} lacks {', '.join(missing)}: {line}")
        if r["better"] not in ("higher", "lower") or r["reps"] < 5:
            sys.exit(f"report: row {n}: better must be higher|lower and reps >= 5")
        rows.append(r)
    return rows, tables


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def met(r):
    ok = True
    if r.get("target"):
        ok = (r["ratio"] or 0) >= r["target"]
    if r.get("ours_max") is not None:
        ok = ok and r["ours"] <= r["ours_max"]
    return ok


def targets(rows):
    """Rows with a "target" ratio or an "ours_max" bound: which reach it."""
    rows = [r for r in rows if r.get("target") or r.get("ours_max") is not None]
    if not rows:
        return ""
    missed = [r for r in rows if not met(r)]
    s = f" Targets met in {len(rows) - len(missed)} of {len(rows)} rows"
    if missed:
        s += "; not met: " + "; ".join(
            f"{r['name']} ({r['ratio']:.2f} < {r['target']:g})" if r.get("target")
            and (r["ratio"] or 0) < r["target"] else
            f"{r['name']} ({fmt(r['ours'])} > {r['ours_max']:g})" for r in missed)
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
    rows, tables = load(rows_path)
    notes = [l.strip() for l in open(notes_path) if l.strip()]
    doc = {"machine": machine(), "quick": quick == "1", "rows": rows,
           "tables": tables, "notes": notes}
    with open(os.path.join(out, "latest.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    m = doc["machine"]
    md = ["# edgeai benchmarks: latest run", "",
          f"{m['cpu']}, {m['cores']} cores, kernel {m['kernel']}, {m['date']}"
          + (" — quick run (QUICK=1)" if doc["quick"] else "")
          + (f"; the run took {m['run_seconds']} s, with some task waiting for a CPU "
             f"{m['cpu_pressure']:.0%} of that time (PSI: other work on this machine)"
             if "cpu_pressure" in m else "") + ".",
          "Each row: median of `reps` repetitions, ours and the baseline in "
          "the same run; ratio > 1 means ours is better; spread is "
          "(max - min) / median of the noisier side. Rows marked (floor) "
          "compare with a baseline that does no work: they show our cost. "
          "Rows whose baseline is a peak measured on this machine (the FMA "
          "peak) have ratio = the fraction of that peak reached.",
          ""]
    groups = []
    for r in rows + tables:
        if r["group"] not in groups:
            groups.append(r["group"])
    # the same order whatever order the benchmarks ran in
    groups.sort(key=lambda g: ORDER.index(g) if g in ORDER else len(ORDER))
    for g in groups:
        gr = [r for r in rows if r["group"] == g]
        md += [f"## {g}", ""]
        if gr:
            md += [conclusion(gr), "",
                   "| what | ours | baseline | unit | ratio | reps | spread |",
                   "|---|---:|---|---|---:|---:|---:|"]
        for r in gr:
            name = r["name"] + (" (floor)" if r.get("floor") else "")
            if r.get("target") and "target" not in name:
                name += f" (target >= {r['target']:g}x)"
            if r.get("ours_max") is not None and "target" not in name:
                name += f" (target: ours <= {r['ours_max']:g})"
            md.append(f"| {name} | {fmt(r['ours'])} | {fmt(r['baseline'])} "
                      f"({r['baseline_name']}) | {r['unit']} "
                      f"({r['better']} is better) | {fmt(r['ratio'])} | "
                      f"{r['reps']} | {r['spread']:.0%} |")
        md.append("")
        for t in tables:
            if t["group"] != g:
                continue
            md += [f"### {t['title']}", "",
                   "| " + " | ".join(t["columns"]) + " |",
                   "|" + "---|" * len(t["columns"])]
            md += ["| " + " | ".join(str(c) for c in x) + " |" for x in t["rows"]]
            md += ["", t.get("note", ""), ""]
    if notes:
        md += ["## Not in this run", ""] + [f"* {n}" for n in notes] + [""]
    with open(os.path.join(out, "latest.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))
    print(f"bench: {len(rows)} rows, {len(tables)} tables -> {out}/latest.json, latest.md")


if __name__ == "__main__":
    main()
