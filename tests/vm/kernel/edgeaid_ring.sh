#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmdebug-skip: edgeaid results against NumPy: userspace over the ring and io_uring paths data_*.c cover; 140 s under KASAN + lockdep + TCG
# test-timeout-factor: 2
# edgeaid with a kernel-ring source and a result-ring sink, in the VM:
#  - started before its ring exists, the pipeline waits, then attaches
#    when edgeai_synth.ko creates it (counter waveform: sample n, channel
#    c is exactly n * 6 + c) and waits through IORING_OP_URING_CMD;
#  - every one of 4000 samples gives exactly one result, equal to a NumPy
#    computation of the model, in the JSON lines and in the result ring
#    that examples/edgeai-results reads (no loss, no duplicate, the
#    anomaly flags of the synth's ground truth carried through);
#  - the stats: samples in/out, no drops, end-to-end latency for each;
#  - the ring destroyed and created again with i16 samples: the pipeline
#    waits, attaches again and converts;
#  - SIGTERM: exit 0, the result ring it created is gone.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"
C=$EDGEAI_BUILD/edgeaictl
R=$EDGEAI_BUILD/edgeai-results
SYNTH=$EDGEAI_SRC/kmod/synth/edgeai_synth.ko
IN=t_ead_in
OUT=t_ead_res
N=4000

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	ead_kill
	grep -q '^edgeai_synth ' /proc/modules && rmmod edgeai_synth
	"$C" ring delete $IN >/dev/null 2>&1
	"$C" ring delete $OUT >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$W"
	rm -f "$T_OUT" "$T_ERR"
}
trap cleanup EXIT
grep -q '^edgeai ' /proc/modules || t_fail "edgeai.ko is not loaded"
[ -x "$R" ] || t_fail "no $R: run make"

"$MODEL" write "$W/m.st" --in 6 --seed 5 || t_fail "cannot write the model"
cat >"$W/c.conf" <<CONF
[global]
stats = $W/stats.json

[pipeline imu]
source = ring:$IN
stage = scale:mul=0.5
elems = 6
model = $W/m.st
sink = jsonl:$W/out.jsonl
sink = ring:$OUT:8192
batch = 32
CONF
ead_start "$W/c.conf"
wait_for_line "$W/log" "ring:$IN: .*waiting for it" 5 || t_fail "no waiting message: $(cat "$W/log")"
grep -q "result ring $OUT: created" "$W/log" || t_fail "result ring not created: $(cat "$W/log")"

# 8192 result slots: 2 s of results, so that a reader stalled on a loaded
# host loses nothing; -t bounds the reader, so that a lost result fails
# the checks below (results, lost) instead of hanging the test
"$R" -s -n $N -t 120 --threshold 0.5 $OUT >"$W/reader.txt" 2>"$W/reader.err" &
rpid=$!
expect_rc 0 insmod "$SYNTH" ring=$IN create=1 slots=8192 rate_hz=4000 channels=6 \
	waveform=counter anomaly_ppm=20000 max_samples=$N
wait_for_line "$W/log" "consuming ring $IN .*IORING_OP_URING_CMD" 5 ||
	t_fail "did not attach through URING_CMD: $(cat "$W/log")"
wait_lines "$W/out.jsonl" $N 20 || t_fail "$(wc -l <"$W/out.jsonl") results of $N"
wait $rpid || t_fail "edgeai-results failed: $(cat "$W/reader.err")"
anomalies=$(cat /sys/module/edgeai_synth/parameters/anomalies)
sleep 1.2

/usr/bin/python3 - "$EDGEAI_SRC" "$W" $N "$anomalies" <<'PY' || t_fail "results are wrong"
import json, os, sys
import numpy as np
src, w, n, anomalies = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, os.path.join(src, "tests", "edgeaid"))
sys.path.insert(0, os.path.join(src, "tests", "model"))
import model, stfile
rows = [json.loads(l) for l in open(w + "/out.jsonl")]
assert len(rows) == n, len(rows)
seqs = [r["seq"] for r in rows]
assert seqs == list(range(n)), "sequence numbers are not 0..n-1 in order"
x = np.array([[(s * 6 + c) for c in range(6)] for s in seqs], dtype=np.float32)
x = (x * np.float32(0.5)).astype(np.float32)
want = stfile.forward(model.ops_for(6, 5), x)
got = np.array([r["y"] for r in rows], dtype=np.float64)
err = np.abs(got - want).max()
assert err <= 1e-5, "max abs error %g" % err
flagged = sum(1 for r in rows if r["flags"] & 1)
assert flagged == anomalies, (flagged, anomalies)
assert all(r["sensor"] == 1 and r["model_gen"] == 1 for r in rows)
assert all(0 < r["ts_ns"] <= r["rx_ns"] <= r["done_ns"] for r in rows)

lines = open(w + "/reader.txt").read().splitlines()
s = json.loads(lines[-1])
assert s["results"] == n and s["lost"] == 0 and s["invalid"] == 0, s
assert s["duplicate_inputs"] == 0 and s["input_gaps"] == 0, s
assert s["models"] == [{"version": "1.0", "gen": 1, "results": n}], s
a = s["anomaly"]
assert a["tp"] + a["fn"] == anomalies, (a, anomalies)
assert s["e2e_latency_ns"]["count"] == n and s["e2e_latency_ns"]["p50"] > 0, s

# the result ring carries the same outputs (printed with 6 digits)
ring = {}
for line in lines[:-1]:
    f = dict(kv.split("=", 1) for kv in line.split())
    ring[int(f["seq"])] = [float(v) for v in f["y"].strip("[]").split(",")]
    assert f["model"] == "1.0" and f["gen"] == "1", line
assert len(ring) == n, len(ring)
for sq, y in ring.items():
    assert np.allclose(y, rows[sq]["y"], rtol=1e-5, atol=1e-6), (sq, y)

st = json.load(open(w + "/stats.json"))
[p] = st["pipelines"]
assert p["state"] == "running" and p["source"] == "ring:t_ead_in", p
assert p["samples_in"] == n and p["samples_out"] == n, p
assert sum(p["drops"].values()) == 0, p["drops"]
assert p["e2e_latency_ns"]["count"] == n and p["e2e_skipped"] == 0, p
assert p["stages"][0]["rows_in"] == n, p
print("ok: %d results, max abs error %.3g, %d anomalies flagged" % (n, err, anomalies))
PY

# ring destroyed: the pipeline waits; created again with i16: it attaches
expect_rc 0 rmmod edgeai_synth
expect_rc 0 "$C" ring delete $IN
wait_for_line "$W/log" "ring $IN was destroyed" 5 || t_fail "destroyed ring not noticed: $(cat "$W/log")"
: >"$W/out.jsonl"
expect_rc 0 insmod "$SYNTH" ring=$IN create=1 slots=1024 rate_hz=2000 channels=6 \
	waveform=counter dtype=i16 max_samples=500
wait_lines "$W/out.jsonl" 500 10 || t_fail "after re-attach: $(wc -l <"$W/out.jsonl") results of 500"
/usr/bin/python3 - "$EDGEAI_SRC" "$W" <<'PY' || t_fail "i16 results are wrong"
import json, os, sys
import numpy as np
src, w = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(src, "tests", "edgeaid"))
sys.path.insert(0, os.path.join(src, "tests", "model"))
import model, stfile
rows = [json.loads(l) for l in open(w + "/out.jsonl")]
assert [r["seq"] for r in rows] == list(range(500))
x = np.array([[(s * 6 + c) * 0.5 for c in range(6)] for s in range(500)], dtype=np.float32)
err = np.abs(np.array([r["y"] for r in rows]) - stfile.forward(model.ops_for(6, 5), x)).max()
assert err <= 1e-5, err
PY

ead_stop
"$C" ring show $OUT >/dev/null 2>&1 && t_fail "result ring $OUT left behind"
t_pass
