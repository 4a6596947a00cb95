#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid end to end on loopback: a pipeline (UDP -> scale stage -> model
# -> JSON lines) serves N edgeai-sensorgen packets; the results match a
# NumPy computation of the model (<= 1e-5), the jsonl:- and jsonl:FILE
# sinks get the same lines, the udp: sink one datagram per result, and the
# stats file has the documented shape and counts.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

N=200
"$MODEL" write "$W/m.st" --in 4 --seed 3 || t_fail "cannot write the model"
/usr/bin/python3 - "$W" "$((N + 7))" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(("127.0.0.1", 0))
s.settimeout(20)
open(sys.argv[1] + "/uport.tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename(sys.argv[1] + "/uport.tmp", sys.argv[1] + "/uport")
with open(sys.argv[1] + "/udp.jsonl", "wb") as f:
    for _ in range(int(sys.argv[2])):
        f.write(s.recv(65536) + b"\n")
PY
rpid=$!
for _ in $(seq 50); do [ -s "$W/uport" ] && break; sleep 0.1; done
[ -s "$W/uport" ] || t_fail "UDP receiver did not start"
{
	printf '[global]\nstats = %s/stats.json\nlog_level = debug\n\n' "$W"
	pipeline_conf p1 "$W/m.st" "jsonl:$W/out.jsonl" "sink = jsonl:-" \
		"sink = udp:127.0.0.1:$(cat "$W/uport")"
} >"$W/c.conf"

expect_rc 0 "$D" --check -c "$W/c.conf"
ead_start "$W/c.conf"
port=$(ead_port p1)
send "$port" 7 "$N"
send "$port" 9 5
wait_lines "$W/out.jsonl" $((N + 5)) 10 || t_fail "$(wc -l <"$W/out.jsonl") results of $((N + 5))"
"$MODEL" check "$W/out.jsonl" --in 4 --seed 3 --mul 0.5 --sensor 7 --count "$N" ||
	t_fail "results differ from NumPy"
"$MODEL" check "$W/out.jsonl" --in 4 --seed 3 --mul 0.5 --sensor 9 --count 5 ||
	t_fail "results of sensor 9 differ from NumPy"
cmp -s "$W/out.jsonl" "$W/stdout" || t_fail "jsonl:- and jsonl:FILE differ"

# wrong element count: dropped and counted, logged once; another dtype
# (u8) is converted to f32 and served
send "$port" 7 3 5
"$GEN" send --dst "127.0.0.1:$port" --sensor 11 --count 2 --dtype u8 --elems 4 >/dev/null
wait_for_line "$W/log" "expected 4: dropped" 5 || t_fail "no dim drop log"
wait_lines "$W/out.jsonl" $((N + 7)) 10 || t_fail "u8 packets were not served"
[ "$(grep -c '"sensor":11,' "$W/out.jsonl")" = 2 ] || t_fail "not 2 results for the u8 sensor"
wait $rpid || t_fail "UDP sink: not $((N + 7)) datagrams"
sort "$W/udp.jsonl" | cmp -s - <(sort "$W/out.jsonl") || t_fail "UDP sink datagrams differ from the lines"
sleep 1.5
/usr/bin/python3 - "$W/stats.json" "$N" <<'PY' || t_fail "stats file: $(cat "$W/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert set(s) == {"pid", "started", "workers", "pipelines"}, s.keys()
assert isinstance(s["pid"], int) and isinstance(s["started"], int)
assert s["workers"] == 1, s
[p] = s["pipelines"]
keys = {"name", "source", "model", "model_version", "model_gen", "state",
        "error", "worker", "cpu", "samples_in", "samples_out", "drops",
        "batches", "batch_size", "latency_ns", "e2e_latency_ns",
        "e2e_skipped", "udp", "stages", "learning", "model_latency_ns",
        "sink_latency_ns"}
assert set(p) == keys, set(p) ^ keys
assert p["name"] == "p1" and p["state"] == "running" and p["error"] is None
assert p["model_version"] == "1.0" and p["model_gen"] == 1, p
assert p["worker"] == 0 and p["cpu"] == -1 and p["learning"] is None, p
out = n + 5 + 2
assert p["samples_in"] == out + 3, p
assert p["samples_out"] == out, p
assert p["drops"]["dim"] == 3 and p["drops"]["dtype"] == 0, p["drops"]
assert p["samples_in"] == p["samples_out"] + sum(p["drops"].values()), p
assert 1 <= p["batches"] <= p["samples_in"], p
hkeys = {"p50", "p90", "p99", "p999", "max", "mean", "count"}
def hist(h, count):
    assert set(h) == hkeys, h
    assert h["count"] == count, (h, count)
    assert h["p50"] <= h["p90"] <= h["p99"] <= h["p999"] <= h["max"], h
    assert h["mean"] <= h["max"], h
hist(p["batch_size"], p["batches"])
assert p["batch_size"]["max"] <= 64, p["batch_size"]
hist(p["latency_ns"], out)
assert p["latency_ns"]["p50"] > 0, p["latency_ns"]
# edgeai-sensorgen stamps CLOCK_REALTIME, the clock edgeaid compares with
hist(p["e2e_latency_ns"], out)
assert p["e2e_skipped"] == 0, p
assert p["e2e_latency_ns"]["p50"] >= p["latency_ns"]["p50"] // 2, p
[st] = p["stages"]
assert st["stage"].startswith("scale:"), st
assert st["rows_in"] == out and st["rows_out"] == out, st
hist(st["latency_ns"], out)
hist(p["model_latency_ns"], out)
hist(p["sink_latency_ns"], out)
PY
ead_stop
t_pass
