#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Atomic hot model swap: while 3000 packets stream in, `edgeaictl pipeline
# reload p1 B.st` makes pipeline p1 switch from model A to model B between
# two batches: every packet gives exactly one result, the results before
# the switch are A's (generation 1), those after are B's (generation 2),
# each NumPy-exact for its model. A model that does not fit (another
# input dimension) or does not load is refused with the reason and the
# running one stays. Rewriting the model file swaps it in by itself
# (generation 3); SIGHUP with an unchanged file keeps the pipeline.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"
C=$EDGEAI_BUILD/edgeaictl
export EDGEAID_CONTROL=$W/ctl.sock EDGEAID_STATS=$W/stats.json

"$MODEL" write "$W/a.st" --in 4 --seed 3 --version A || t_fail "model A"
"$MODEL" write "$W/b.st" --in 4 --seed 4 --version B || t_fail "model B"
"$MODEL" write "$W/five.st" --in 5 --seed 4 --version F || t_fail "model F"
"$MODEL" write "$W/long.st" --in 4 --seed 4 --name "$(printf 'n%.0s' {1..600})" ||
	t_fail "model with a long name"
head -c 100 "$W/b.st" >"$W/cut.st"
{
	printf '[global]\nstats = %s/stats.json\ncontrol = %s/ctl.sock\n\n' "$W" "$W"
	pipeline_conf p1 "$W/a.st" "jsonl:$W/out.jsonl"
} >"$W/c.conf"
ead_start "$W/c.conf"
grep -q "control socket $W/ctl.sock" "$W/log" || t_fail "no control socket: $(cat "$W/log")"
port=$(ead_port p1)

"$GEN" send --dst "127.0.0.1:$port" --sensor 7 --count 3000 --dtype f32 \
	--elems 4 --rate 5000 >/dev/null & gpid=$!
wait_lines "$W/out.jsonl" 500 10 || t_fail "the stream did not start"
expect_rc 0 "$C" -j pipeline reload p1 "$W/b.st"
grep -q '"model_gen":2' "$T_OUT" || t_fail "reload reply: $(cat "$T_OUT")"
wait $gpid || t_fail "sender failed"
wait_lines "$W/out.jsonl" 3000 10 || t_fail "$(wc -l <"$W/out.jsonl") results of 3000"

expect_rc 1 "$C" pipeline reload p1 "$W/five.st"
grep -q "maps 5 inputs to 3 outputs; pipeline p1 needs 4 to 3" "$T_ERR" ||
	t_fail "no reason for the misfit: $(cat "$T_ERR")"
# a name that would not fit the result lines' prefix: refused, not cut
expect_rc 1 "$C" pipeline reload p1 "$W/long.st"
grep -q "long.st: the pipeline's and the model's names and version take [0-9]* bytes of JSON in each result line, more than 511" "$T_ERR" ||
	t_fail "no reason for the long name: $(cat "$T_ERR")"
expect_rc 1 "$C" pipeline reload p1 "$W/cut.st"
grep -q "cut.st: " "$T_ERR" || t_fail "no reason for the corrupt file: $(cat "$T_ERR")"
expect_rc 1 "$C" pipeline reload nosuch
grep -q "no pipeline 'nosuch'" "$T_ERR" || t_fail "unknown pipeline: $(cat "$T_ERR")"
send "$port" 8 20
wait_lines "$W/out.jsonl" 3020 10 || t_fail "no results after the refused swaps"

/usr/bin/python3 - "$EDGEAI_SRC" "$W/out.jsonl" <<'PY' || t_fail "the swap lost, repeated or mixed up results"
import json, os, sys
src = sys.argv[1]
sys.path.insert(0, os.path.join(src, "tests", "edgeaid"))
sys.path.insert(0, os.path.join(src, "tests", "model"))
import model
rows = [json.loads(l) for l in open(sys.argv[2])]
s7 = [r for r in rows if r["sensor"] == 7]
assert sorted(r["seq"] for r in s7) == list(range(3000)), "sensor 7: not each seq exactly once"
gens = [r["model_gen"] for r in sorted(s7, key=lambda r: r["seq"])]
first2 = gens.index(2)
assert 0 < first2 < 3000 and set(gens[:first2]) == {1} and set(gens[first2:]) == {2}, "generations not in order"
for gen, seed, ver in ((1, 3, "A"), (2, 4, "B")):
    model.check_generation(s7, gen, seed, ver)
s8 = [r for r in rows if r["sensor"] == 8]
assert len(s8) == 20 and all(r["model_gen"] == 2 for r in s8), "refused swaps changed the model"
print("ok: switch after %d results of A, the other %d from B" % (first2, 3000 - first2))
PY

# the file changes: swapped in by itself
"$MODEL" write "$W/b.st" --in 4 --seed 5 --version C || t_fail "model C"
wait_for_line "$W/log" "b.st changed: swapping it in" 5 || t_fail "file change not noticed: $(cat "$W/log")"
sleep 0.3
send "$port" 9 10
wait_lines "$W/out.jsonl" 3030 10 || t_fail "no results after the file change"
[ "$(grep '"sensor":9,' "$W/out.jsonl" | grep -c '"model_gen":3,')" = 10 ] ||
	t_fail "results after the file change are not generation 3"
kill -HUP "$EAD_PID"
wait_for_line "$W/log" "reloaded .*1 unchanged" 5 || t_fail "SIGHUP rebuilt the pipeline: $(cat "$W/log")"
sleep 1.2
expect_rc 0 "$C" -j pipeline show p1
/usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["runtime"]["pipelines"][0]
assert p["name"] == "p1" and p["model_version"] == "C", p
' "$T_OUT" || t_fail "pipeline show: $(cat "$T_OUT")"
ead_stop
[ -e "$W/ctl.sock" ] && t_fail "control socket left behind"
t_pass
