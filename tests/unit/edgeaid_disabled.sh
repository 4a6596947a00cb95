#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid with one bad pipeline (model input dim != elems) and one good
# one: the bad one is disabled with a FILE:LINE message and shows so in
# the stats file; the good one serves.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

"$MODEL" write "$W/m.st" --in 4 || t_fail "cannot write the model"
"$MODEL" write "$W/m5.st" --in 5 || t_fail "cannot write the model"
{
	printf '[global]\nstats = %s/stats.json\n\n' "$W"
	pipeline_conf bad "$W/m5.st" "jsonl:$W/bad.jsonl"
	pipeline_conf p1 "$W/m.st" "jsonl:$W/out.jsonl"
	printf '[pipeline typo]\nsource = udp:127.0.0.1:0\nmodel = %s\nsink = jsonl:-\nbatchsize = 3\n' "$W/m.st"
} >"$W/c.conf"

expect_rc 1 "$D" --check -c "$W/c.conf"
ead_start "$W/c.conf"
grep -q "c.conf:[0-9]*: \[pipeline bad\] model = .*m5.st: model input dim 5 != .* 4; pipeline disabled" "$W/log" ||
	t_fail "no disabled message: $(cat "$W/log")"
grep -q "c.conf:[0-9]*: \[pipeline typo\] unknown key 'batchsize'" "$W/log" ||
	t_fail "no unknown-key message: $(cat "$W/log")"
send "$(ead_port p1)" 3 50
wait_lines "$W/out.jsonl" 50 10 || t_fail "the good pipeline did not serve"
"$MODEL" check "$W/out.jsonl" --mul 0.5 --sensor 3 --count 50 || t_fail "bad results"
sleep 1.3
/usr/bin/python3 - "$W/stats.json" <<'PY' || t_fail "stats: $(cat "$W/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))
p = {x["name"]: x for x in s["pipelines"]}
assert p["bad"]["state"] == "disabled", p["bad"]
assert "model input dim 5" in p["bad"]["error"], p["bad"]
assert p["typo"]["state"] == "disabled", p["typo"]
assert p["p1"]["state"] == "running" and p["p1"]["samples_out"] == 50, p["p1"]
PY
[ -s "$W/bad.jsonl" ] && t_fail "the disabled pipeline wrote results"
ead_stop
t_pass
