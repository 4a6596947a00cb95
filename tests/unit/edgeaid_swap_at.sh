#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A hot swap scheduled for a sample: `edgeaictl pipeline reload p1 B.st
# --at-sample 1237`, asked before the stream starts, makes exactly the
# first 1237 packets go through model A (generation 1) and the other 1763
# through B, whatever the batches (16, the first 2000 packets queued while
# edgeaid is stopped) and the arrival timing: the worker cuts the batch
# that would cross the sample. A later reload replaces a swap still
# waiting for its sample. Refused, with the reason and the running model
# kept: a sample the pipeline is past, and at_sample values that are not
# counts (edgeaictl and the raw control protocol).
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"
C=$EDGEAI_BUILD/edgeaictl
export EDGEAID_CONTROL=$W/ctl.sock EDGEAID_STATS=$W/stats.json

"$MODEL" write "$W/a.st" --in 4 --seed 3 --version A || t_fail "model A"
"$MODEL" write "$W/b.st" --in 4 --seed 4 --version B || t_fail "model B"
"$MODEL" write "$W/c.st" --in 4 --seed 5 --version C || t_fail "model C"
"$MODEL" write "$W/d.st" --in 4 --seed 6 --version D || t_fail "model D"
{
	printf '[global]\nstats = %s/stats.json\ncontrol = %s/ctl.sock\n\n' "$W" "$W"
	pipeline_conf p1 "$W/a.st" "jsonl:$W/out.jsonl"
} >"$W/c.conf"
ead_start "$W/c.conf"
port=$(ead_port p1)

# bad counts: usage errors, nothing sent
for bad in 0 -5 abc 12x "" 9223372036854775808; do
	expect_rc 2 "$C" pipeline reload p1 "$W/b.st" --at-sample "$bad"
	grep -q -- "--at-sample $bad: want a sample count from 1 to 9223372036854775807" "$T_ERR" ||
		t_fail "--at-sample '$bad': $(cat "$T_ERR")"
done
grep -q "loaded as generation" "$W/log" && t_fail "a refused --at-sample reached edgeaid"

expect_rc 0 "$C" -j pipeline reload p1 "$W/b.st" --at-sample 1237
/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["model_gen"] == 2 and r["at_sample"] == 1237, r
' "$T_OUT" || t_fail "reload reply: $(cat "$T_OUT")"
grep -q "loaded as generation 2; it takes over after input sample 1237" "$W/log" ||
	t_fail "no log of the scheduled swap: $(cat "$W/log")"
expect_rc 0 "$C" pipeline reload p1 "$W/b.st" --at-sample 1237
grep -q "at sample: *1237" "$T_OUT" || t_fail "text reply: $(cat "$T_OUT")"
grep -q "takes over once the pipeline has taken in that many samples" "$T_OUT" ||
	t_fail "text reply: $(cat "$T_OUT")"

# 2000 packets queue while edgeaid is stopped, so that it reads them in
# full batches of 16 (1237 is not a multiple of 16); 1000 more arrive
# paced, in batches of whatever came
kill -STOP "$EAD_PID"
"$GEN" send --dst "127.0.0.1:$port" --sensor 7 --count 2000 --dtype f32 \
	--elems 4 >/dev/null || t_fail "sender failed"
kill -CONT "$EAD_PID"
"$GEN" send --dst "127.0.0.1:$port" --sensor 7 --seq 2000 --count 1000 \
	--dtype f32 --elems 4 --rate 5000 >/dev/null || t_fail "sender failed"
wait_lines "$W/out.jsonl" 3000 10 || t_fail "$(wc -l <"$W/out.jsonl") results of 3000"

# past the sample: refused, generation 3 keeps running
expect_rc 1 "$C" pipeline reload p1 "$W/c.st" --at-sample 2999
grep -q "pipeline p1 has taken in 3000 samples already: at_sample 2999 is past" "$T_ERR" ||
	t_fail "no reason for a past sample: $(cat "$T_ERR")"
# a swap waiting for its sample is replaced by a later reload
expect_rc 0 "$C" pipeline reload p1 "$W/c.st" --at-sample 100000
expect_rc 0 "$C" -j pipeline reload p1 "$W/d.st"
grep -q '"model_gen":5' "$T_OUT" || t_fail "reload reply: $(cat "$T_OUT")"
# the worker takes D at its next batch or idle tick; the stats (rewritten
# once a second) say when
for _ in $(seq 50); do
	grep -q '"model_version":"D"' "$W/stats.json" 2>/dev/null && break
	sleep 0.1
done
grep -q '"model_version":"D"' "$W/stats.json" || t_fail "D did not take over: $(cat "$W/stats.json")"
send "$port" 8 20
wait_lines "$W/out.jsonl" 3020 10 || t_fail "no results after the replaced swap"

# the raw protocol: at_sample must be an integer >= 1
/usr/bin/python3 - "$W/ctl.sock" "$W/b.st" <<'PY' || t_fail "raw at_sample values"
import json, socket, sys
def ask(req):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    s.send(req.encode())
    r = json.loads(s.recv(65536))
    s.close()
    return r
for v in ('"12"', '0', '-1', '1.5', 'null', 'true', '[1]'):
    r = ask('{"cmd":"reload","pipeline":"p1","model":"%s","at_sample":%s}' % (sys.argv[2], v))
    assert r == {"ok": False, "error": 'reload: "at_sample" must be an integer from 1 to 9223372036854775807'}, (v, r)
PY
grep -q "loaded as generation 6" "$W/log" && t_fail "a refused at_sample installed a model"

/usr/bin/python3 - "$EDGEAI_SRC" "$W/out.jsonl" <<'PY' || t_fail "the scheduled swap did not fall on sample 1237"
import json, os, sys
src = sys.argv[1]
sys.path.insert(0, os.path.join(src, "tests", "edgeaid"))
sys.path.insert(0, os.path.join(src, "tests", "model"))
import model
rows = [json.loads(l) for l in open(sys.argv[2])]
s7 = [r for r in rows if r["sensor"] == 7]
assert sorted(r["seq"] for r in s7) == list(range(3000)), "sensor 7: not each seq exactly once"
# results in arrival order (the lines' order): the first 1237 are A's
gens = [r["model_gen"] for r in s7]
# (the second, identical reload replaced the first: generation 3)
assert gens == [1] * 1237 + [3] * 1763, \
    "generations: %d of gen 1 first, then %s" % (gens.index(next((g for g in gens if g != 1), 1)), sorted(set(gens)))
for gen, seed, ver in ((1, 3, "A"), (3, 4, "B")):
    model.check_generation(s7, gen, seed, ver)
s8 = [r for r in rows if r["sensor"] == 8]
assert len(s8) == 20 and all(r["model_version"] == "D" for r in s8), \
    "after the replaced swap: %s" % sorted({r["model_version"] for r in s8})
print("ok: 1237 results of A, then 1763 of B; C replaced by D")
PY
ead_stop
t_pass
