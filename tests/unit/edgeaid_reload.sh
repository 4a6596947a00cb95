#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid SIGHUP: a changed model path replaces the pipeline (new model
# version in the results), an added pipeline starts, an unchanged one
# keeps its port, a config that does not parse keeps everything running,
# a removed pipeline stops.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

"$MODEL" write "$W/m1.st" --in 4 --version 1.0 || t_fail "model"
"$MODEL" write "$W/m2.st" --in 4 --version 2.0 || t_fail "model"
conf()	# conf MODEL-OF-p1 [with-p2]
{
	printf '[global]\nstats = %s/stats.json\n\n' "$W"
	pipeline_conf p1 "$1" "jsonl:$W/out-$(basename "$1" .st).jsonl"
	pipeline_conf keep "$W/m1.st" "jsonl:$W/keep.jsonl"
	[ $# -gt 1 ] && pipeline_conf p2 "$W/m1.st" "jsonl:$W/out2.jsonl"
	return 0
}
conf "$W/m1.st" >"$W/c.conf"
ead_start "$W/c.conf"
kport=$(ead_port keep)
send "$(ead_port p1)" 1 10
wait_lines "$W/out-m1.jsonl" 10 10 || t_fail "no results before reload"

conf "$W/m2.st" with-p2 >"$W/c.conf"
kill -HUP "$EAD_PID"
wait_for_line "$W/log" "reloaded .*: 3 pipeline(s), 1 unchanged" 10 ||
	t_fail "reload not done: $(cat "$W/log")"
[ "$(ead_port keep)" = "$kport" ] || t_fail "unchanged pipeline restarted"
send "$(ead_port p1)" 1 10
send "$(ead_port p2)" 2 10
wait_lines "$W/out-m2.jsonl" 10 10 || t_fail "replaced pipeline does not serve"
wait_lines "$W/out2.jsonl" 10 10 || t_fail "added pipeline does not serve"
"$MODEL" check "$W/out-m1.jsonl" --mul 0.5 --sensor 1 --count 10 --version 1.0 || t_fail "old model"
"$MODEL" check "$W/out-m2.jsonl" --mul 0.5 --sensor 1 --count 10 --version 2.0 || t_fail "new model not used"
"$MODEL" check "$W/out2.jsonl" --mul 0.5 --sensor 2 --count 10 --pipeline p2 || t_fail "p2 results"

echo "[broken" >>"$W/c.conf"
kill -HUP "$EAD_PID"
wait_for_line "$W/log" "reload failed: keeping the running configuration" 10 ||
	t_fail "bad config not refused: $(cat "$W/log")"
grep -q "c.conf:[0-9]*: syntax error" "$W/log" || t_fail "no syntax error line: $(cat "$W/log")"
send "$(ead_port p2)" 2 5 && wait_lines "$W/out2.jsonl" 15 10 ||
	t_fail "pipelines stopped after a failed reload"

conf "$W/m2.st" >"$W/c.conf"
kill -HUP "$EAD_PID"
wait_for_line "$W/log" "\[pipeline p2\] stopped" 10 || t_fail "removed pipeline not stopped"
sleep 1.3
/usr/bin/python3 -c 'import json,sys; n=[p["name"] for p in json.load(open(sys.argv[1]))["pipelines"]]; sys.exit(n != ["p1","keep"])' "$W/stats.json" ||
	t_fail "stats after removal: $(cat "$W/stats.json")"
ead_stop
t_pass
