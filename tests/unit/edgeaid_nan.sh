#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A NaN storm: one sensor sends 1000 packets full of NaN and Inf while
# another sends valid ones. With clean:policy=drop every bad row is
# dropped and counted (stage_missing) with a warning in the log, and every
# valid packet still gives its NumPy-exact result; with
# clean:policy=impute-zero the bad rows give finite results; without a
# clean stage, every row gives a result, non-finite outputs written as
# null, never lost. The
# daemon keeps serving throughout.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

"$MODEL" write "$W/m.st" --in 4 --seed 3 || t_fail "cannot write the model"
{
	printf '[global]\nstats = %s/stats.json\n\n' "$W"
	pipeline_conf drop "$W/m.st" "jsonl:$W/drop.jsonl" "stage = clean:policy=drop"
	pipeline_conf zero "$W/m.st" "jsonl:$W/zero.jsonl" "stage = clean:policy=impute-zero"
	pipeline_conf raw "$W/m.st" "jsonl:$W/raw.jsonl"
} >"$W/c.conf"
ead_start "$W/c.conf"

storm()	# storm PORT: 1000 packets of sensor 66, each with a NaN or an Inf
{
	/usr/bin/python3 - "$1" <<'PY'
import math, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
bad = [math.nan, math.inf, -math.inf]
for i in range(1000):
    v = [1.0, 2.0, 3.0, 4.0]
    v[i % 4] = bad[i % 3]
    hdr = struct.pack("<IBBHIIQHHI", 0x53494145, 1, 8, 0, 66, i, time.time_ns(), 4, 0, 0)
    s.sendto(hdr + struct.pack("<4f", *v), ("127.0.0.1", int(sys.argv[1])))
    if i % 50 == 49:
        time.sleep(0.002)
PY
}
for p in drop zero raw; do
	port=$(ead_port $p)
	storm "$port" & st=$!
	send "$port" 7 200
	wait $st || t_fail "storm sender failed"
done
wait_lines "$W/drop.jsonl" 200 10 || t_fail "drop: $(wc -l <"$W/drop.jsonl") results of 200"
wait_lines "$W/zero.jsonl" 1200 10 || t_fail "zero: $(wc -l <"$W/zero.jsonl") results of 1200"
wait_lines "$W/raw.jsonl" 1200 10 || t_fail "raw: $(wc -l <"$W/raw.jsonl") results of 1200"
"$MODEL" check "$W/drop.jsonl" --in 4 --seed 3 --mul 0.5 --sensor 7 --count 200 --pipeline drop ||
	t_fail "valid results next to the storm differ from NumPy"
wait_for_line "$W/log" "pipeline drop\] stages dropped 1000 row(s) with NaN/Inf\|pipeline drop\] stages dropped [0-9]* row(s) with NaN/Inf" 5 ||
	t_fail "no warning about the dropped rows: $(cat "$W/log")"
sleep 1.2
/usr/bin/python3 - "$W" <<'PY' || t_fail "counts or values are wrong"
import json, math, sys
w = sys.argv[1]
st = {p["name"]: p for p in json.load(open(w + "/stats.json"))["pipelines"]}
d = st["drop"]
assert d["state"] == "running", d
assert d["samples_in"] == 1200 and d["samples_out"] == 200, d
assert d["drops"]["stage_missing"] == 1000, d["drops"]
assert d["samples_in"] == d["samples_out"] + sum(d["drops"].values()), d
z = st["zero"]
assert z["samples_out"] == 1200 and z["drops"]["stage_missing"] == 0, z
for line in open(w + "/zero.jsonl"):
    r = json.loads(line)
    assert all(v is not None and math.isfinite(v) for v in r["y"]), r
raw = [json.loads(l) for l in open(w + "/raw.jsonl")]
assert st["raw"]["samples_out"] == 1200, st["raw"]
# a NaN input gives NaN outputs (null); an Inf may saturate to finite
storm = [r for r in raw if r["sensor"] == 66]
assert len(storm) == 1000, len(storm)
assert all(None in r["y"] for r in storm if r["seq"] % 3 == 0)
assert all(None not in r["y"] for r in raw if r["sensor"] == 7)
print("ok: 1000 NaN/Inf rows dropped and counted, 200 valid results exact")
PY
ead_stop
t_pass
