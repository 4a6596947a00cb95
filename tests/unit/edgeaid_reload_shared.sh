#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A UDP pipeline alone on its worker opens its source for that worker
# only (not pollable by another io_uring: IORING_SETUP_COOP_TASKRUN, no
# IPI per completion). When a reload keeps it unchanged but gives it a
# worker to share (workers = 1 and a pipeline added), edgeaid says so and
# the worker reads it each tick: every packet still arrives, before and
# after, and the added pipeline serves too.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

"$MODEL" write "$W/m1.st" --in 4 --version 1.0 || t_fail "model"
conf()	# conf [with-p2]
{
	printf '[global]\nstats = %s/stats.json\nworkers = 1\n\n' "$W"
	pipeline_conf a "$W/m1.st" "jsonl:$W/a.jsonl"
	[ $# -gt 0 ] && pipeline_conf p2 "$W/m1.st" "jsonl:$W/p2.jsonl"
	return 0
}
conf >"$W/c.conf"
ead_start "$W/c.conf"
port=$(ead_port a)
send "$port" 1 10
wait_lines "$W/a.jsonl" 10 10 || t_fail "no results before the reload"
grep -q "shares worker" "$W/log" && t_fail "a shared-worker warning with one pipeline: $(cat "$W/log")"

conf with-p2 >"$W/c.conf"
kill -HUP "$EAD_PID"
wait_for_line "$W/log" "reloaded .*: 2 pipeline(s), 1 unchanged" 10 ||
	t_fail "reload not done: $(cat "$W/log")"
grep -q "\[pipeline a\] shares worker 0 since the reload: its UDP source is read every 100 ms" "$W/log" ||
	t_fail "no warning for the kept pipeline: $(cat "$W/log")"
[ "$(ead_port a)" = "$port" ] || t_fail "the unchanged pipeline restarted"
"$GEN" send --dst "127.0.0.1:$port" --sensor 1 --count 200 --seq 10 --dtype f32 --elems 4 \
	--rate 20000 >/dev/null || t_fail "edgeai-sensorgen send failed"
send "$(ead_port p2)" 2 10
wait_lines "$W/a.jsonl" 210 10 || t_fail "the kept pipeline lost packets: $(wc -l <"$W/a.jsonl") of 210"
wait_lines "$W/p2.jsonl" 10 10 || t_fail "the added pipeline does not serve"
"$MODEL" check "$W/a.jsonl" --mul 0.5 --sensor 1 --count 210 --pipeline a || t_fail "results of a"
ead_stop
t_pass
