#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench QUICK=1` works: bench/run --quick writes latest.json and
# latest.md with complete rows whose ratios follow from their numbers, and
# the benchmarks' own cross-checks (verdicts, tags, classification of the
# junk by both paths; inference and end-to-end outputs against each
# other and NumPy; the hand-off baselines' every sample) passed — bench/run
# fails otherwise. Every group of the host part has rows, and every group
# a one-line conclusion in latest.md. Speed is never judged here. About
# 60 s; twice the per-test timeout for a loaded host.
# test-timeout-factor: 2
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip "the filter benchmarks need root (BPF, netns, XDP)"
[ -x "$EDGEAI_BUILD/bench/xdp_filter" ] || t_fail "no $EDGEAI_BUILD/bench/xdp_filter: run make tests"
out=$(mktemp -d)
trap 'rm -rf "$out" "$T_OUT" "$T_ERR"' EXIT

expect_rc 0 env O="$EDGEAI_BUILD" "$EDGEAI_SRC/bench/run" --quick "$out"
[ -s "$out/latest.md" ] || t_fail "no latest.md"
/usr/bin/python3 - "$out/latest.json" <<'PY' || t_fail "latest.json is not what bench/run promises"
import json, math, sys
doc = json.load(open(sys.argv[1]))
m = doc["machine"]
assert m["cores"] >= 1 and m["kernel"] and m["cpu"] and m["date"], m
rows = doc["rows"]
groups = {r["group"] for r in rows}
for g in ("xdp-filter", "udp-ingest", "inference", "end-to-end"):
    assert g in groups, (g, groups)
assert len([r for r in rows if r["group"] == "xdp-filter"]) == 6, rows
keys = {"group", "name", "ours", "baseline", "baseline_name", "unit", "ratio",
        "better", "reps", "spread"}
for r in rows:
    assert keys <= set(r), (keys - set(r), r)
    assert r["better"] in ("higher", "lower"), r
    assert r["reps"] >= 5, r
    assert r["ours"] > 0 and r["baseline"] > 0, r
    want = r["ours"] / r["baseline"] if r["better"] == "higher" else r["baseline"] / r["ours"]
    assert math.isclose(r["ratio"], want, rel_tol=0.01), (r, want)
    assert r["spread"] >= 0, r
tables = [t for t in doc.get("tables", []) if t.get("kind") == "table"]
assert any(t["group"] == "end-to-end" for t in tables), "no end-to-end table"
print("rows ok:", len(rows))
PY
for g in xdp-filter udp-ingest inference end-to-end; do
	grep -q "^## $g" "$out/latest.md" || t_fail "latest.md has no section $g"
done
[ "$(grep -c '^Ours is better in \|^Cost over\|^Fraction of' "$out/latest.md")" -ge 4 ] ||
	t_fail "latest.md lacks the one-line conclusions: $(grep -A2 '^## ' "$out/latest.md")"
t_pass
