#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# edgeaid behind the XDP filter on a veth pair: edgeai-sensorgen sends a
# mix (valid packets of two allow-listed sensors, one over its rate, an
# unknown sensor, malformed packets) from one network namespace; the
# filter on the receiving veth end drops and tags; edgeaid, in the
# receiving namespace with require_tag = yes, serves exactly the packets
# the filter passed - with the sensor's tag in each result and outputs
# equal to a NumPy computation of the model - while packets that reach
# its socket without crossing the filter (sent on loopback) are dropped
# as "untagged". The filter's pass counter equals edgeaid's samples_in.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip "needs root (network namespaces, veth, BPF)"
[ -d /sys/fs/bpf ] && [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ] ||
	t_skip "no bpffs at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"
CTL=$EDGEAI_BUILD/edgeaictl

SND=edgeai-ead-$$-snd
RCV=edgeai-ead-$$-rcv
DEV=ead$$r
PEER=ead$$s
ADDR4=10.48.0.1
PEER4=10.48.0.2
PORT=4798
export EDGEAI_BPF_PIN_DIR=/sys/fs/bpf/edgeai-ead-$$
in_rcv() { nsenter --net="/run/netns/$RCV" "$@"; }
in_snd() { ip netns exec "$SND" "$@"; }

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	ead_kill
	[ -e "/run/netns/$RCV" ] && in_rcv "$CTL" bpf detach --all >/dev/null 2>&1
	ip netns del "$SND" 2>/dev/null
	ip netns del "$RCV" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$W"
	rm -rf "$EDGEAI_BPF_PIN_DIR" "$T_OUT" "$T_ERR"
}
trap cleanup EXIT

ip netns add "$SND" && ip netns add "$RCV" || t_fail "cannot create network namespaces"
ip link add "$DEV" netns "$RCV" type veth peer name "$PEER" netns "$SND" ||
	t_fail "cannot create a veth pair"
ip -n "$RCV" addr add "$ADDR4/24" dev "$DEV"
ip -n "$SND" addr add "$PEER4/24" dev "$PEER"
for ns in "$RCV" "$SND"; do ip -n "$ns" link set lo up; done
ip -n "$RCV" link set "$DEV" up && ip -n "$SND" link set "$PEER" up || t_fail "veth up"
mac_dev=$(ip -n "$RCV" -br link show "$DEV" | awk '{print $3}')
ip -n "$SND" neigh replace "$ADDR4" lladdr "$mac_dev" dev "$PEER" nud permanent

expect_rc 0 in_rcv "$CTL" bpf attach "$DEV" xdp --port "$PORT"
expect_rc 0 in_rcv "$CTL" bpf sensor add 101 --class 1 --priority 2 --pipeline 3
expect_rc 0 in_rcv "$CTL" bpf sensor add 102 --class 7 --priority 0 --pipeline 9 --rate 1 --burst 5

"$MODEL" write "$W/m.st" --in 4 --seed 11 || t_fail "cannot write the model"
cat >"$W/c.conf" <<CONF
[global]
stats = $W/stats.json

[pipeline net]
source = udp:$ADDR4:$PORT
stage = scale:mul=0.5
elems = 4
model = $W/m.st
sink = jsonl:$W/out.jsonl
require_tag = yes
batch = 16
CONF
: >"$W/log"
nsenter --net="/run/netns/$RCV" "$D" -f -c "$W/c.conf" >"$W/stdout" 2>"$W/log" &
EAD_PID=$!
wait_for_line "$W/log" "pipeline(s) from" 10 || t_fail "edgeaid did not start: $(cat "$W/log")"

expect_rc 0 in_snd "$GEN" send --dst "$ADDR4:$PORT" --iface "$PEER" --dtype f32 \
	--elems 4 --json --mix valid=101:40,burst=102:20,unknown=999:6,badmagic=3,shortlen=101:2,other=2
cp "$T_OUT" "$W/send.json"
# the same port from inside: no filter on this path, so no tag
expect_rc 0 in_rcv "$GEN" send --dst "$ADDR4:$PORT" --sensor 101 --count 7 \
	--dtype f32 --elems 4
wait_lines "$W/out.jsonl" 45 10 || t_fail "$(wc -l <"$W/out.jsonl") results of 45"
sleep 1.3
expect_rc 0 in_rcv "$CTL" -j bpf stats
cp "$T_OUT" "$W/bpf.json"
"$MODEL" check "$W/out.jsonl" --in 4 --seed 11 --mul 0.5 --sensor 101 --count 40 \
	--pipeline net --tagged || t_fail "sensor 101: results differ from NumPy"

/usr/bin/python3 - "$W" <<'PY' || t_fail "results or counters are wrong"
import json, sys
w = sys.argv[1]
rows = [json.loads(l) for l in open(w + "/out.jsonl")]
by = {}
for r in rows:
    by.setdefault(r["sensor"], []).append(r)
assert sorted(by) == [101, 102], sorted(by)
assert len(by[101]) == 40 and len(by[102]) == 5, {k: len(v) for k, v in by.items()}
for sensor, (cls, prio, pipe) in ((101, (1, 2, 3)), (102, (7, 0, 9))):
    for r in by[sensor]:
        t = r["tag"]
        assert t["filtered"] and (t["class"], t["priority"], t["pipeline"]) == (cls, prio, pipe), r
st = json.load(open(w + "/stats.json"))
[p] = st["pipelines"]
assert p["samples_in"] == 45 and p["samples_out"] == 45, p
assert p["drops"]["untagged"] == 7, p["drops"]
bpf = json.load(open(w + "/bpf.json"))
g = bpf["global"] if "global" in bpf else bpf
def find(o, key):
    if isinstance(o, dict):
        if key in o and isinstance(o[key], int):
            return o[key]
        for v in o.values():
            x = find(v, key)
            if x is not None:
                return x
    if isinstance(o, list):
        for v in o:
            x = find(v, key)
            if x is not None:
                return x
    return None
assert find(bpf, "pass") == 45, bpf
assert find(bpf, "unknown_sensor") == 6 and find(bpf, "rate_limited") == 15, bpf
print("ok: 45 tagged results, 7 untagged dropped, filter pass == samples_in")
PY
kill -TERM "$EAD_PID"; wait "$EAD_PID" || t_fail "edgeaid exit status $?"
EAD_PID=
t_pass
