#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid with gro = yes: a sender batching datagrams with UDP_SEGMENT
# (super-packets of 1 to 40 datagrams) reaches a UDP_GRO socket as whole
# super-packets, which the worker splits. Two pipelines get the same
# traffic, one with gro = yes and one without: both give exactly the
# NumPy results for every sample, with nothing dropped; the stats file
# says GRO is on and buffers were coalesced for the first, and neither for
# the second (there the kernel split every super-packet itself).
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

N=600
"$MODEL" write "$W/m.st" --in 4 --seed 5 || t_fail "cannot write the model"
{
	printf '[global]\nstats = %s/stats.json\n\n' "$W"
	pipeline_conf g "$W/m.st" "jsonl:$W/g.jsonl" "gro = yes"
	pipeline_conf n "$W/m.st" "jsonl:$W/n.jsonl" "gro = no"
	# the largest batch: its buffers are capped (256 x 64 KiB, not 8192)
	pipeline_conf big "$W/m.st" "jsonl:$W/big.jsonl" "gro = yes" \
		"batch = 4096"
} >"$W/c.conf"
expect_rc 0 "$D" --check -c "$W/c.conf"
ead_start "$W/c.conf"
pg=$(ead_port g)
pn=$(ead_port n)
rss=$(awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$EAD_PID/status")
echo "edgeaid RSS with three pipelines (one gro at batch 4096): $rss MiB"
[ "$rss" -lt 300 ] || t_fail "RSS $rss MiB: gro buffers not capped"

# The relay takes edgeai-sensorgen's datagrams (their exact bytes) and
# sends them on to both pipelines in UDP_SEGMENT super-packets.
/usr/bin/python3 - "$W" "$N" "$pg" "$pn" <<'PY' &
import os, socket, sys, time
w, n, pg, pn = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
UDP_SEGMENT = 103
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
r.bind(("127.0.0.1", 0))
open(w + "/rport.tmp", "w").write(str(r.getsockname()[1]))
os.rename(w + "/rport.tmp", w + "/rport")
r.settimeout(20)
dgrams = [r.recv(65536) for _ in range(n)]
size = len(dgrams[0])
assert all(len(d) == size for d in dgrams), "sensorgen sizes differ"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, size)
ks = [1, 7, 40, 16, 3, 33, 2, 25]
i = j = 0
while i < n:
    k = min(ks[j % len(ks)], n - i)
    blob = b"".join(dgrams[i:i + k])
    for port in (pg, pn):
        s.sendto(blob, ("127.0.0.1", port))
    i += k
    j += 1
    time.sleep(0.002)	# paced: a slow (ASan) daemon must not overflow
print("relayed %d datagrams of %d bytes in %d super-packets" % (n, size, j))
PY
rpid=$!
for _ in $(seq 50); do [ -s "$W/rport" ] && break; sleep 0.1; done
[ -s "$W/rport" ] || t_fail "the relay did not start"
"$GEN" send --dst "127.0.0.1:$(cat "$W/rport")" --sensor 7 --count "$N" \
	--dtype f32 --elems 4 --rate 20000 >/dev/null ||
	t_fail "edgeai-sensorgen send failed"
wait $rpid || t_fail "the relay failed"
for p in g n; do
	wait_lines "$W/$p.jsonl" "$N" 20 ||
		t_fail "pipeline $p: $(wc -l <"$W/$p.jsonl") results of $N"
	"$MODEL" check "$W/$p.jsonl" --in 4 --seed 5 --mul 0.5 --sensor 7 \
		--count "$N" --pipeline "$p" ||
		t_fail "pipeline $p: results differ from NumPy"
done
sleep 1.5
/usr/bin/python3 - "$W/stats.json" "$N" <<'PY' || t_fail "stats: $(cat "$W/stats.json")"
import json, sys
ps = {p["name"]: p for p in json.load(open(sys.argv[1]))["pipelines"]}
n = int(sys.argv[2])
ps.pop("big")
for name, p in ps.items():
    assert p["samples_in"] == n and p["samples_out"] == n, (name, p)
    assert not any(p["drops"].values()), (name, p["drops"])
    assert p["udp"]["mode"] == "multishot", (name, p["udp"])
g, o = ps["g"]["udp"], ps["n"]["udp"]
assert g["gro"] is True and g["coalesced"] > 0, g
assert o["gro"] is False and o["coalesced"] == 0, o
print("gro = yes: %d coalesced buffers, %d kernel entries; gro = no: %d kernel entries"
      % (g["coalesced"], g["kernel_entries"], o["kernel_entries"]))
PY
ead_stop
t_pass
