#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid SIGTERM drains: packets sent right before the signal still get
# their results, the stats file has the final counts, exit status 0.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

N=500
"$MODEL" write "$W/m.st" --in 4 || t_fail "cannot write the model"
{
	printf '[global]\nstats = %s/stats.json\n\n' "$W"
	pipeline_conf p1 "$W/m.st" "jsonl:$W/out.jsonl" "batch = 64"
} >"$W/c.conf"
ead_start "$W/c.conf"
send "$(ead_port p1)" 5 "$N"
ead_stop
# Every packet the socket took has its result: N of them, unless the
# kernel dropped some at the socket (a loaded machine), which it counts.
sock=$(json_get "$W/stats.json" pipelines.0.drops.socket)
out=$(json_get "$W/stats.json" pipelines.0.samples_out)
[ "$((out + sock))" = "$N" ] || t_fail "final stats: $(cat "$W/stats.json")"
"$MODEL" check "$W/out.jsonl" --mul 0.5 --sensor 5 --count "$out" --any-seq ||
	t_fail "not every result was flushed: $(cat "$W/stats.json")"
t_pass
