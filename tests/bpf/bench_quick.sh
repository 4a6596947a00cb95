#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench QUICK=1` works: bench/run --quick writes latest.json and
# latest.md with complete rows whose ratios follow from their numbers, and
# the benchmarks' own cross-checks (verdicts, tags, classification of the
# junk by both paths) passed — bench/run fails otherwise. Speed is never
# judged here.
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
assert "xdp-filter" in groups, groups
assert len([r for r in rows if r["group"] == "xdp-filter"]) == 6, rows
for r in rows:
    assert r["reps"] >= 5, r
    assert r["ours"] > 0 and r["baseline"] > 0, r
    want = r["ours"] / r["baseline"] if r["better"] == "higher" else r["baseline"] / r["ours"]
    assert math.isclose(r["ratio"], want, rel_tol=0.01), (r, want)
    assert r["spread"] >= 0, r
print("rows ok:", len(rows))
PY
t_pass
