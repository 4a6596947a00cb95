#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/xdp_veth.sh - how fast junk sensor traffic is disposed of: by the
# XDP filter on a veth, or by the same rules in userspace after recvfrom()
# or recvmmsg(64). A sender in a network namespace floods the veth with
# junk (bad magic) from a packet socket for SECONDS per window, REPS windows per path,
# alternating paths so that drift hits all of them alike.
#
#   bench/xdp_veth.sh [SECONDS] [REPS]      prints JSON rows on stdout
#
# Both paths get the same machine: one sender per CPU, each pinned, offers
# as much junk as it can; XDP on a veth runs in the sending CPU's NAPI
# context, the userspace receiver is pinned to the last CPU. What is
# compared is how many junk packets per second each path disposes of under
# that flood (the kernel drops what overflows the socket buffer before the
# userspace filter sees it: those are not counted for userspace).
# Needs root (netns, veth, XDP).
set -eu -o pipefail

SRC=$(readlink -f "$(dirname "$0")/..")
B=${O:-$SRC/build}
X=$B/bench/xdp_filter
SECS=${1:-2}
REPS=${2:-5}
NS=eabench$$
PORT=4747

cleanup()
{
	ip netns del "$NS" 2>/dev/null || true
	ip link del eab0 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$NS"
ip link add eab0 type veth peer name eab1 netns "$NS"
ip addr add 10.77.0.1/24 dev eab0
ip link set eab0 up
ip -n "$NS" addr add 10.77.0.2/24 dev eab1
ip -n "$NS" link set eab1 up
ip -n "$NS" link set lo up
MAC=$(cat /sys/class/net/eab0/address)
NCPU=$(nproc)

window()	# window MODE: one measurement, prints the JSON of the receiver
{
	local pids=() out cpu
	for cpu in $(seq 0 $((NCPU - 1))); do
		ip netns exec "$NS" taskset -c "$cpu" "$X" send eab1 "$MAC" \
			"$(awk "BEGIN { print $SECS + 0.8 }")" >/dev/null &
		pids+=($!)
	done
	case "$1" in
	xdp) out=$("$X" xdp-drop eab0 "$SECS") ;;
	*) out=$(taskset -c $((NCPU - 1)) "$X" user-drop $PORT "$SECS" "$1") ;;
	esac
	wait "${pids[@]}"
	echo "$out"
}

declare -A pps
for _ in $(seq "$REPS"); do
	for mode in xdp recvfrom recvmmsg; do
		out=$(window $mode)
		pps[$mode]+="$(echo "$out" | /usr/bin/python3 -c \
			'import json,sys; print(json.load(sys.stdin)["pps"])') "
	done
done

/usr/bin/python3 - "${pps[xdp]}" "${pps[recvfrom]}" "${pps[recvmmsg]}" "$REPS" <<'PY'
import json, statistics, sys
xdp, rf, rm = ([float(x) for x in a.split()] for a in sys.argv[1:4])
reps = int(sys.argv[4])
def spread(v):
    m = statistics.median(v)
    return (max(v) - min(v)) / m if m else 0
for name, base, bname in (("junk dropped per second: XDP vs recvfrom()", rf,
                           "same rules in userspace after recvfrom()"),
                          ("junk dropped per second: XDP vs recvmmsg(64)", rm,
                           "same rules in userspace after recvmmsg(64)")):
    o, b = statistics.median(xdp), statistics.median(base)
    print(json.dumps({"group": "xdp-filter", "name": name, "ours": round(o, 1),
                      "baseline": round(b, 1), "baseline_name": bname,
                      "unit": "packets/s", "ratio": round(o / b, 4) if b else None,
                      "better": "higher", "reps": reps,
                      "spread": round(max(spread(xdp), spread(base)), 4)}))
PY
