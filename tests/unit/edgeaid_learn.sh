#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Online learning: pipeline "on" (label = last, learn = yes) starts from a
# linear model of the wrong relation (y = x1 + x2, trained by edgeaictl
# model train) and serves 20000 labelled samples of y = 3 x1 - 2 x2 + 5.
# Its learner publishes new generations as it goes: every sample gets
# exactly one result, generations only grow with the sequence, the last
# generation predicts the new relation (MSE < 0.05) where the first did
# not (MSE > 1), unlabelled samples (NaN label) are served but not
# learnt, learn_save holds the last published model. Pipeline "off"
# (learn = no) keeps generation 1. A model swapped in from outside
# becomes the learner's new start. A learn = yes without labels is a
# config error.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"
C=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaictl
N=20000

/usr/bin/python3 - "$W/old.csv" <<'PY'
import random, sys
r = random.Random(1)
with open(sys.argv[1], "w") as f:
    f.write("x1,x2,y\n")
    for _ in range(200):
        a, b = r.uniform(-1, 1), r.uniform(-1, 1)
        f.write("%r,%r,%r\n" % (a, b, a + b))
PY
expect_rc 0 "$C" model train --csv "$W/old.csv" --features x1,x2 --target y \
	--model linear --optimizer sgd --lr 0.1 --epochs 30 --batch 10 --version old -o "$W/m0.st"
cat >"$W/c.conf" <<CONF
[global]
stats = $W/stats.json
control = $W/ctl.sock

[pipeline on]
source = udp:127.0.0.1:0
elems = 3
label = last
model = $W/m0.st
learn = yes
learn_rate = 0.05
learn_batch = 16
learn_publish = 0.4
learn_save = $W/saved.st
sink = jsonl:$W/on.jsonl
batch = 32

[pipeline off]
source = udp:127.0.0.1:0
elems = 3
label = last
model = $W/m0.st
sink = jsonl:$W/off.jsonl
batch = 32
CONF
expect_rc 0 "$D" --check -c "$W/c.conf"
ead_start "$W/c.conf"
wait_for_line "$W/log" "pipeline on\] learning: training from generation 1 (linear, sgd" 5 ||
	t_fail "the learner did not start: $(cat "$W/log")"

/usr/bin/python3 - "$(ead_port on)" "$(ead_port off)" "$N" "$W/inputs.json" <<'PY' || t_fail "sender failed"
import json, math, random, socket, struct, sys, time
ports, n = (int(sys.argv[1]), int(sys.argv[2])), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r = random.Random(7)
rows = []
for i in range(n + 20):
    a, b = r.uniform(-1, 1), r.uniform(-1, 1)
    y = 3 * a - 2 * b + 5
    label = y if i < n else math.nan
    rows.append((a, b, y))
    hdr = struct.pack("<IBBHIIQHHI", 0x53494145, 1, 8, 0, 5, i, time.time_ns(), 3, 0, 0)
    for p in ports:
        s.sendto(hdr + struct.pack("<3f", a, b, label), ("127.0.0.1", p))
    if i % 100 == 99:
        time.sleep(0.012)
json.dump(rows, open(sys.argv[4], "w"))
PY
wait_lines "$W/on.jsonl" $((N + 20)) 20 || t_fail "on: $(wc -l <"$W/on.jsonl") results of $((N + 20))"
wait_lines "$W/off.jsonl" $((N + 20)) 20 || t_fail "off: $(wc -l <"$W/off.jsonl") results"
sleep 1.5

/usr/bin/python3 - "$W" "$N" <<'PY' || t_fail "online learning did not do its job"
import json, sys
w, n = sys.argv[1], int(sys.argv[2])
inputs = json.load(open(w + "/inputs.json"))
rows = sorted((json.loads(l) for l in open(w + "/on.jsonl")), key=lambda r: r["seq"])
assert [r["seq"] for r in rows] == list(range(n + 20)), "not one result per sample"
gens = [r["model_gen"] for r in rows]
assert gens == sorted(gens), "generations go back"
assert gens[-1] >= 3, "only %d generations" % gens[-1]
def mse(sel):
    return sum((r["y"][0] - inputs[r["seq"]][2]) ** 2 for r in sel) / len(sel)
first = [r for r in rows if r["model_gen"] == 1]
last = [r for r in rows if r["model_gen"] == gens[-1]]
assert mse(first) > 1, "generation 1 already fits: %g" % mse(first)
assert mse(last) < 0.05, "the last generation (%d) has MSE %g" % (gens[-1], mse(last))
assert last[0]["model_version"].startswith("online."), last[0]["model_version"]
off = [json.loads(l) for l in open(w + "/off.jsonl")]
assert len(off) == n + 20 and all(r["model_gen"] == 1 for r in off), "learn = no changed the model"
st = {p["name"]: p for p in json.load(open(w + "/stats.json"))["pipelines"]}
lr = st["on"]["learning"]
assert lr["labelled"] == n, lr
assert lr["trained"] == n and lr["dropped"] == 0 and lr["error"] is None, lr
assert lr["published"] >= 2 and lr["loss"] is not None, lr
assert st["off"]["learning"] is None, st["off"]
print("ok: %d generations; MSE %.3g -> %.3g" % (gens[-1], mse(first), mse(last)))
PY
expect_rc 0 "$C" -j model predict "$W/saved.st" 1 1
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
def nums(o):
    if isinstance(o, (int, float)) and not isinstance(o, bool): yield o
    elif isinstance(o, dict):
        for v in o.values(): yield from nums(v)
    elif isinstance(o, list):
        for v in o: yield from nums(v)
assert any(abs(v - 6) < 0.3 for v in nums(d)), d
' "$T_OUT" || t_fail "learn_save: $(cat "$T_OUT")"

# a model from outside becomes the learner's start
expect_rc 0 "$C" pipeline reload on "$W/m0.st" --socket "$W/ctl.sock"
gen=$(sed -n 's/^model generation: //p' "$T_OUT")
wait_for_line "$W/log" "pipeline on\] learning: training from generation $gen " 5 ||
	t_fail "the learner did not follow generation $gen: $(tail -5 "$W/log")"
ead_stop

printf '[pipeline x]\nsource = udp::0\nmodel = %s\nsink = jsonl:-\nlearn = yes\n' "$W/m0.st" >"$W/bad.conf"
expect_rc 1 "$D" --check -c "$W/bad.conf"
grep -q "learn = yes needs labels: label = last" "$T_ERR" || t_fail "no message for learn without labels: $(cat "$T_ERR")"
t_pass
