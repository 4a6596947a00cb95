#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid's udp-batch: and unix-batch: sinks pack whole JSON lines into a
# datagram (udp-batch: at most 1400 bytes; unix-batch: up to 64 KiB): over
# a burst the readers get fewer datagrams than results, every datagram is
# whole lines each ending in a newline, and together they are exactly the
# lines of the jsonl: sink. Then the Unix reader goes away: what the sink
# could not deliver is counted as "sink" drops, one per result, and the
# accounting still adds up (samples_in = samples_out + sink).
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

N=400
"$MODEL" write "$W/m.st" --in 4 --seed 3 || t_fail "cannot write the model"

/usr/bin/python3 - "$W" "$N" <<'PY' &
import os, select, socket, sys
w, n = sys.argv[1], int(sys.argv[2])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
u.bind(("127.0.0.1", 0))
x = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
x.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
x.bind(w + "/sock")
open(w + "/uport.tmp", "w").write(str(u.getsockname()[1]))
os.rename(w + "/uport.tmp", w + "/uport")
lines = {u: 0, x: 0}
out = {u: open(w + "/udp.dgrams", "wb"), x: open(w + "/unix.dgrams", "wb")}
while min(lines.values()) < n:
    r, _, _ = select.select([u, x], [], [], 20)
    if not r:
        sys.exit("timed out: %d udp and %d unix lines" % (lines[u], lines[x]))
    for s in r:
        d = s.recv(1 << 17)
        # one record per datagram: its length, then its bytes
        out[s].write(b"%d\n" % len(d) + d)
        lines[s] += d.count(b"\n")
for f in out.values():
    f.close()
PY
rpid=$!
for _ in $(seq 50); do [ -s "$W/uport" ] && break; sleep 0.1; done
[ -s "$W/uport" ] || t_fail "the readers did not start"
{
	printf '[global]\nstats = %s/stats.json\n\n' "$W"
	pipeline_conf p1 "$W/m.st" "jsonl:$W/out.jsonl" \
		"sink = udp-batch:127.0.0.1:$(cat "$W/uport")" \
		"sink = unix-batch:$W/sock"
} >"$W/c.conf"
expect_rc 0 "$D" --check -c "$W/c.conf"
ead_start "$W/c.conf"
port=$(ead_port p1)
# a burst, not paced: batches of up to 16 results
"$GEN" send --dst "127.0.0.1:$port" --sensor 7 --count "$N" --dtype f32 \
	--elems 4 >/dev/null || t_fail "edgeai-sensorgen send failed"
wait_lines "$W/out.jsonl" "$N" 20 || t_fail "$(wc -l <"$W/out.jsonl") results of $N"
wait $rpid || t_fail "the readers did not get $N lines each"
"$MODEL" check "$W/out.jsonl" --in 4 --seed 3 --mul 0.5 --sensor 7 --count "$N" ||
	t_fail "results differ from NumPy"

/usr/bin/python3 - "$W" "$N" <<'PY' || t_fail "packed datagrams are wrong"
import sys
w, n = sys.argv[1], int(sys.argv[2])
want = sorted(open(w + "/out.jsonl", "rb").read().splitlines(keepends=True))
for kind, limit in (("udp", 1400), ("unix", 65536)):
    data = open(w + "/%s.dgrams" % kind, "rb").read()
    dgrams, i = [], 0
    while i < len(data):
        j = data.index(b"\n", i)
        size = int(data[i:j])
        dgrams.append(data[j + 1:j + 1 + size])
        i = j + 1 + size
    got = []
    for d in dgrams:
        assert d.endswith(b"\n"), (kind, "not whole lines", d[-40:])
        assert len(d) <= limit or d.count(b"\n") == 1, (kind, "over", limit, len(d))
        got += d.splitlines(keepends=True)
    assert sorted(got) == want, (kind, "lines differ from jsonl:", len(got), len(want))
    most = max(d.count(b"\n") for d in dgrams)
    assert len(dgrams) < n and most > 1, (kind, "not packed", len(dgrams), most)
    print("%s-batch: %d lines in %d datagrams, up to %d a datagram, largest %d bytes"
          % (kind, len(got), len(dgrams), most, max(map(len, dgrams))))
PY

# the Unix reader is gone (its socket file too): the next results are
# lost by unix-batch:, counted once per result
rm -f "$W/sock"
: >"$W/out.jsonl"
send "$port" 8 50
wait_lines "$W/out.jsonl" 50 10 || t_fail "$(wc -l <"$W/out.jsonl") results of 50"
sleep 1.5
/usr/bin/python3 - "$W/stats.json" "$N" <<'PY' || t_fail "stats: $(cat "$W/stats.json")"
import json, sys
p = json.load(open(sys.argv[1]))["pipelines"][0]
n = int(sys.argv[2])
assert p["samples_in"] == n + 50, p
assert p["drops"]["sink"] == 50, ("sink drops", p["drops"])
assert p["samples_out"] + p["drops"]["sink"] == p["samples_in"], p
PY
grep -q "sink unix-batch:$W/sock: the reader went away" "$W/log" ||
	t_fail "no log of the reader going away: $(cat "$W/log")"
ead_stop
t_pass
