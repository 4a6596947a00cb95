#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid workers: three UDP pipelines on ONE worker (workers = 1: its
# io_uring waits on all three sources) each serve every packet sent to
# them, interleaved; the stats file says which worker serves each; the
# unix: sink delivers one datagram per result, equal to the JSON lines.
# Then the same file with workers = 2 and pin = yes spreads the pipelines
# over two workers pinned to CPUs.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

N=300
"$MODEL" write "$W/m.st" --in 4 --seed 3 || t_fail "cannot write the model"
/usr/bin/python3 - "$W/sock" "$N" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(sys.argv[1])
s.settimeout(20)
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1] + ".jsonl", "wb") as f:
    for _ in range(int(sys.argv[2])):
        f.write(s.recv(65536) + b"\n")
PY
rpid=$!
for _ in $(seq 50); do [ -e "$W/sock.ready" ] && break; sleep 0.1; done
[ -e "$W/sock.ready" ] || t_fail "Unix receiver did not start"

conf()
{
	printf '[global]\nstats = %s/stats.json\nworkers = %s\npin = %s\n\n' "$W" "$1" "$2"
	pipeline_conf a "$W/m.st" "jsonl:$W/a.jsonl" "sink = unix:$W/sock"
	pipeline_conf b "$W/m.st" "jsonl:$W/b.jsonl"
	pipeline_conf c "$W/m.st" "jsonl:$W/c.jsonl"
}

conf 1 no >"$W/c.conf"
ead_start "$W/c.conf"
grep -q "1 worker(s) for 3 running pipeline(s)" "$W/log" || t_fail "not 1 worker: $(cat "$W/log")"
pa=$(ead_port a) pb=$(ead_port b) pc=$(ead_port c)
# pipeline a feeds a Unix reader in Python: paced so that a loaded machine
# does not outrun its 10-datagram queue (the sink waits 20 ms per batch)
"$GEN" send --dst "127.0.0.1:$pa" --sensor 1 --count "$N" --dtype f32 \
	--elems 4 --rate 1000 >/dev/null & s1=$!
send "$pb" 2 "$N" & s2=$!
send "$pc" 3 "$N" & s3=$!
wait $s1 $s2 $s3
for p in a b c; do
	wait_lines "$W/$p.jsonl" "$N" 10 || t_fail "pipeline $p: $(wc -l <"$W/$p.jsonl") results of $N"
done
"$MODEL" check "$W/b.jsonl" --in 4 --seed 3 --mul 0.5 --sensor 2 --count "$N" --pipeline b ||
	t_fail "pipeline b: results differ from NumPy"
wait $rpid || t_fail "unix sink: not $N datagrams"
sort "$W/sock.jsonl" | cmp -s - <(sort "$W/a.jsonl") || t_fail "unix sink datagrams differ from the lines"
sleep 1.2
/usr/bin/python3 - "$W/stats.json" "$N" <<'PY' || t_fail "stats: $(cat "$W/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert s["workers"] == 1, s
for p in s["pipelines"]:
    assert p["state"] == "running" and p["worker"] == 0 and p["cpu"] == -1, p
    assert p["samples_in"] == n and p["samples_out"] == n, p
PY
ead_stop

ncpu=$(nproc)
conf 2 yes >"$W/c.conf"
ead_start "$W/c.conf"
grep -q "2 worker(s) for 3 running pipeline(s), pinned" "$W/log" || t_fail "not 2 pinned workers: $(cat "$W/log")"
pb=$(ead_port b)
: >"$W/b.jsonl"
send "$pb" 2 50
wait_lines "$W/b.jsonl" 50 10 || t_fail "pipeline b on worker 1: $(wc -l <"$W/b.jsonl") results of 50"
sleep 1.2
/usr/bin/python3 - "$W/stats.json" "$ncpu" <<'PY' || t_fail "stats: $(cat "$W/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))
ncpu = int(sys.argv[2])
assert s["workers"] == 2, s
w = {p["name"]: (p["worker"], p["cpu"]) for p in s["pipelines"]}
assert w == {"a": (0, 0), "b": (1, 1 % ncpu), "c": (0, 0)}, w
PY
ead_stop
t_pass
