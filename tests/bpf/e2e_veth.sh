#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end through a veth pair: edgeai-sensorgen sends a known mix of
# sensor packets (valid, unknown sensor, over the rate, malformed in every
# way the filter counts, lying IP/UDP lengths on raw frames, fragments,
# bad UDP checksums, other traffic) over IPv4 and IPv6 from one network
# namespace; the filter, attached with edgeaictl to the receiving veth end
# in another namespace, drops and tags; edgeai-sensorgen receives there.
# Run once per hook: XDP native, XDP generic, tc.
#
# Asserts, per hook: exactly the valid, allow-listed, in-rate packets
# arrive, with their sensor's tag, payload intact and in sequence; every
# other packet is in its counter of `edgeaictl -j bpf stats` (exact deltas;
# not_sensor at least the "other" packets); per-sensor counters; and the
# receiving kernel counted exactly the bad-checksum packets as UDP checksum
# errors - it verifies checksums on this path, so every packet that
# arrived carried a valid checksum after the filter rewrote its tag.
#
# Both ends are in their own namespaces, so the host's addresses, routes,
# ports and counters are never touched; pins live in a private directory.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip "needs root (network namespaces, veth, BPF)"
for tool in ip nsenter ethtool; do
	command -v $tool >/dev/null || t_fail "no $tool (scripts/deps.sh installs it)"
done
pick()	# the ASan build when there is one
{
	if [ -x "$EDGEAI_BUILD_ASAN/$1" ]; then echo "$EDGEAI_BUILD_ASAN/$1"; else echo "$EDGEAI_BUILD/$1"; fi
}
CTL=$(pick edgeaictl)
GEN=$(pick edgeai-sensorgen)
[ -x "$CTL" ] || t_fail "no $CTL: run make"
[ -x "$GEN" ] || t_fail "no $GEN: run make"

SND=edgeai-e2e-$$-snd
RCV=edgeai-e2e-$$-rcv
DEV=eai$$r		# receiving end, in $RCV: the filter is here
PEER=eai$$s		# sending end, in $SND
ADDR4=10.47.0.1
PEER4=10.47.0.2
ADDR6=2001:db8:4747::1
PEER6=2001:db8:4747::2
PORT=4799		# not the default: exercises attach --port
export EDGEAI_BPF_PIN_DIR=/sys/fs/bpf/edgeai-e2e-$$
TMP=$(mktemp -d)
RECV_PID=

# ip netns exec remounts /sys, hiding /sys/fs/bpf: edgeaictl runs in the
# receiving namespace through nsenter, which switches the network only.
in_rcv() { nsenter --net="/run/netns/$RCV" "$@"; }
in_snd() { ip netns exec "$SND" "$@"; }

cleanup()
{
	[ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null
	if [ -e "/run/netns/$RCV" ]; then
		in_rcv "$CTL" bpf detach --all >/dev/null 2>&1
	fi
	ip netns del "$SND" 2>/dev/null
	ip netns del "$RCV" 2>/dev/null
	[ -d "$EDGEAI_BPF_PIN_DIR" ] && rm -rf "$EDGEAI_BPF_PIN_DIR"
	rm -rf "$TMP" "$T_OUT" "$T_ERR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

[ -d /sys/fs/bpf ] && [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ] ||
	t_skip "no bpffs at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)"

# ---- the namespaces and the veth pair ----
ip netns add "$SND" && ip netns add "$RCV" || t_fail "cannot create network namespaces"
ip link add "$DEV" netns "$RCV" type veth peer name "$PEER" netns "$SND" ||
	t_fail "cannot create a veth pair"
ip -n "$RCV" addr add "$ADDR4/24" dev "$DEV"
ip -n "$RCV" -6 addr add "$ADDR6/64" dev "$DEV" nodad
ip -n "$SND" addr add "$PEER4/24" dev "$PEER"
ip -n "$SND" -6 addr add "$PEER6/64" dev "$PEER" nodad
for ns in "$RCV" "$SND"; do ip -n "$ns" link set lo up; done
ip -n "$RCV" link set "$DEV" up && ip -n "$SND" link set "$PEER" up ||
	t_fail "cannot bring the veth pair up"
# Checksums computed in software by the sender, so the receiving kernel
# verifies them (with offload they would arrive CHECKSUM_PARTIAL, trusted).
in_snd ethtool -K "$PEER" tx off >/dev/null || t_fail "ethtool -K $PEER tx off failed"
# Static neighbours: no ARP or neighbour discovery delays or queues the
# first packets, and hardly any noise in not_sensor.
mac_dev=$(ip -n "$RCV" -br link show "$DEV" | awk '{print $3}')
mac_peer=$(ip -n "$SND" -br link show "$PEER" | awk '{print $3}')
for a in "$ADDR4" "$ADDR6"; do
	ip -n "$SND" neigh replace "$a" lladdr "$mac_dev" dev "$PEER" nud permanent
done
for a in "$PEER4" "$PEER6"; do
	ip -n "$RCV" neigh replace "$a" lladdr "$mac_peer" dev "$DEV" nud permanent
done

# ---- the traffic: three sends, the same for every hook ----
# sensor: class priority pipeline rate burst (rate 0: no limit)
SENSORS="101:1:2:3:100000:1000 102:7:0:255:1:5 103:200:9:17:0:4 104:4:5:6:0:4 105:255:255:255:0:4"
MIX4=valid=101:40,unknown=999:6,burst=102:20,badmagic=3,badversion=2,badflags=101:3,baddtype=101:1,countbig=101:2,shortlen=101:2,longlen=101:2,truncated=2,other=4,iplong=3,udplong=2,udpshort=2,fragment=2
MIX6=valid=103:30,badmagic=1,shortlen=103:2,iplong=1,udplong=1,udpshort=1,fragment=1,badcsum=103:3,other=2

csum_errors()	# UDP checksum errors, IPv4 + IPv6, in the receiving namespace
{
	in_rcv cat /proc/net/snmp /proc/net/snmp6 | awk '
		/^Udp: [0-9]/ { n += $8 }
		/^Udp6InCsumErrors/ { n += $2 }
		END { print n + 0 }'
}

scenario()	# scenario NAME ATTACH-ARGS...
{
	local name=$1 s id class prio pipe rate burst csum0 csum1 rc
	shift
	local d=$TMP/$name
	mkdir -p "$d"
	echo "== $name: bpf attach $DEV $*"

	expect_rc 0 in_rcv "$CTL" -j bpf attach "$DEV" "$@" --port "$PORT"
	for s in $SENSORS; do
		IFS=: read -r id class prio pipe rate burst <<<"$s"
		expect_rc 0 in_rcv "$CTL" bpf sensor add "$id" --class "$class" \
			--priority "$prio" --pipeline "$pipe" --rate "$rate" --burst "$burst"
	done
	expect_rc 0 in_rcv "$CTL" -j bpf stats
	cp "$T_OUT" "$d/before.json"
	csum0=$(csum_errors)

	ip netns exec "$RCV" "$GEN" recv --bind ":$PORT" --timeout 20000 --json \
		>"$d/recv.json" 2>"$d/recv.err" &
	RECV_PID=$!
	wait_for_line "$d/recv.err" "receiving on" 10 ||
		t_fail "$name: the receiver did not start: $(cat "$d/recv.err")"

	expect_rc 0 in_snd "$GEN" send --dst "$ADDR4:$PORT" --iface "$PEER" \
		--json --mix "$MIX4"
	cp "$T_OUT" "$d/send4.json"
	expect_rc 0 in_snd "$GEN" send --dst "[$ADDR6]:$PORT" --iface "$PEER" \
		--dtype f16 --elems 50 --json --mix "$MIX6"
	cp "$T_OUT" "$d/send6.json"
	# Largest packets: 1480 bytes of IPv4, 1500 of IPv6 (the MTU).
	expect_rc 0 in_snd "$GEN" send --dst "$ADDR4:$PORT" --iface "$PEER" \
		--dtype u8 --elems 1420 --sensor 104 --count 10 --json
	cp "$T_OUT" "$d/big4.json"
	expect_rc 0 in_snd "$GEN" send --dst "[$ADDR6]:$PORT" --iface "$PEER" \
		--dtype f64 --elems 177 --sensor 105 --count 10 --json
	cp "$T_OUT" "$d/big6.json"

	sleep 0.3
	kill -TERM "$RECV_PID"
	wait "$RECV_PID"
	rc=$?
	RECV_PID=
	[ $rc -eq 0 ] || t_fail "$name: the receiver exited $rc: $(cat "$d/recv.err")"
	csum1=$(csum_errors)
	expect_rc 0 in_rcv "$CTL" -j bpf stats
	cp "$T_OUT" "$d/after.json"

	/usr/bin/python3 - "$d" "$name" "$((csum1 - csum0))" <<'EOF' ||
import json, sys

d, name, csum_errors = sys.argv[1], sys.argv[2], int(sys.argv[3])
load = lambda f: json.load(open("%s/%s.json" % (d, f)))
before, after, recv = load("before"), load("after"), load("recv")
sends = [load(f) for f in ("send4", "send6", "big4", "big6")]
errors = []

def check(what, got, want, cmp="=="):
    ok = got >= want if cmp == ">=" else got == want
    if not ok:
        errors.append("%s: %s: expected %s %s, got %s" % (name, what, cmp, want, got))

# What the generator says it sent.
def sent(kind, sensor=None):
    return sum(k["packets"] for s in sends for k in s["kinds"]
               if k["kind"] == kind and (sensor is None or k["sensor"] == sensor))

def frame_bytes(s, k, n):  # n frames of kind k of send s
    per = k["bytes"] // k["packets"] + 8 + (20 if s["family"] == "ipv4" else 40) + 14
    return n * per

check("generator: sent by_verdict (IPv4 mix)", sends[0]["by_verdict"],
      {"pass": 66, "not_sensor": 4, "bad_header": 11, "length": 13, "fragment": 2})
check("generator: sent by_verdict (IPv6 mix)", sends[1]["by_verdict"],
      {"pass": 33, "not_sensor": 2, "bad_header": 1, "length": 5, "fragment": 1})

# Sensor -> (packets that must pass, tag (class, priority, pipeline)).
allowed = {101: (1, 2, 3), 102: (7, 0, 255), 103: (200, 9, 17),
           104: (4, 5, 6), 105: (255, 255, 255)}
arrive = {101: 40, 102: 5, 103: 30, 104: 10, 105: 10}
burst = 5                                    # sensor 102: burst 5, rate 1/s
want = {
    "pass": sent("valid") + burst + sent("badcsum"),
    "unknown_sensor": sent("unknown"),
    "rate_limited": sent("burst") - burst,
    "bad_header": sum(sent(k) for k in ("badmagic", "badversion", "badflags",
                                        "baddtype", "countbig")),
    "length": sum(sent(k) for k in ("shortlen", "longlen", "truncated",
                                    "iplong", "udplong", "udpshort")),
    "fragment": sent("fragment"),
    "unparsed": 0,
}
check("expected pass count", want["pass"], 98)
delta = {k: after[k] - before[k] for k in before if isinstance(before[k], int)
         and not isinstance(before[k], bool)}
for k, v in want.items():
    check("stats delta " + k, delta[k], v)
check("stats delta not_sensor", delta["not_sensor"], sent("other"), ">=")
check("stats: seen == sum of verdicts", after["seen"],
      sum(after[k] for k in ("pass", "not_sensor", "unparsed", "bad_header",
                             "length", "unknown_sensor", "rate_limited",
                             "fragment")))
pass_bytes = 0
for s in sends:
    for k in s["kinds"]:
        if k["kind"] in ("valid", "badcsum"):
            pass_bytes += frame_bytes(s, k, k["packets"])
        elif k["kind"] == "burst":
            pass_bytes += frame_bytes(s, k, burst)
check("stats delta pass_bytes", delta["pass_bytes"], pass_bytes)

# Per-sensor counters of the filter.
per = {s["id"]: s for s in after["sensors"]}
per0 = {s["id"]: s for s in before["sensors"]}
invalid = {101: sum(sent(k, 101) for k in ("badflags", "baddtype", "countbig",
                                           "shortlen", "longlen")),
           103: sent("shortlen", 103)}
for sid in allowed:
    if sid not in per:
        errors.append("%s: sensor %d missing from bpf stats" % (name, sid))
        continue
    d0 = per0.get(sid, {})
    dd = {k: per[sid][k] - d0.get(k, 0) for k in ("packets", "bytes", "rate_limited", "invalid")}
    check("sensor %d packets" % sid, dd["packets"], arrive[sid] + sent("badcsum", sid))
    check("sensor %d rate_limited" % sid, dd["rate_limited"],
          sent("burst", sid) - burst if sid == 102 else 0)
    check("sensor %d invalid" % sid, dd["invalid"], invalid.get(sid, 0))
check("unknown sensor 999 has per-sensor counters", 999 in per, False)

# What arrived.
check("received datagrams", recv["datagrams"], sum(arrive.values()))
check("received valid", recv["valid"], sum(arrive.values()))
check("received invalid", recv["invalid"]["total"], 0)
# The socket's drop count: the bad-checksum packets, found on delivery.
check("receiver socket drops", recv["socket_drops"], sent("badcsum"))
check("received from IPv4", recv["from_ipv4"], 40 + 5 + 10)
check("received from IPv6", recv["from_ipv6"], 30 + 10)
got = {s["sensor"]: s for s in recv["sensors"]}
check("sensors received", sorted(got), sorted(arrive))
for sid, n in arrive.items():
    s = got.get(sid)
    if not s:
        continue
    check("sensor %d: packets received" % sid, s["packets"], n)
    check("sensor %d: seq" % sid, (s["seq_first"], s["seq_last"]), (0, n - 1))
    for k in ("seq_gaps", "out_of_order", "payload_errors", "unfiltered"):
        check("sensor %d: %s" % (sid, k), s[k], 0)
    c, p, l = allowed[sid]
    check("sensor %d: tags" % sid,
          [(t["filtered"], t["class"], t["priority"], t["pipeline"], t["packets"])
           for t in s["tags"]], [(True, c, p, l, n)])
    check("sensor %d: tag value" % sid, [t["tag"] for t in s["tags"]],
          [0x80000000 | l << 16 | p << 8 | c])

# Checksums: the kernel verified them (it dropped exactly the bad ones).
check("UDP checksum errors in the receiving namespace", csum_errors, sent("badcsum"))

for e in errors:
    print("FAIL:", e)
if errors:
    sys.exit(1)
print("%s: %d packets sent, %d arrived tagged; counters exact" %
      (name, sum(s["packets"] for s in sends), recv["datagrams"]))
EOF
	{
		for f in before after send4 send6 recv; do
			echo "--- $f.json"; cat "$d/$f.json"; echo
		done
		t_fail "$name: see above"
	}

	expect_rc 0 in_rcv "$CTL" -j bpf detach "$DEV"
	[ ! -e "$EDGEAI_BPF_PIN_DIR/edgeai_stats" ] ||
		t_fail "$name: detach left the maps pinned"
}

scenario xdp-native xdp --mode native
scenario xdp-generic xdp --mode generic
scenario tc tc
t_pass
