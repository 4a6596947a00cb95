#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh - what `make demo` runs after building.
#
# Where the running kernel can load modules and matches the module's build
# (confirmed interactively, or DEMO_NATIVE=1), the demo runs natively;
# otherwise it boots Debian's 6.1 kernel with tests/vm/run and runs inside.
# It loads edgeai.ko, feeds a ring from the example driver edgeai_synth.ko
# (an IMU-like 6-channel stream at 1 kHz with injected anomalies), shows
# what edgeaictl reports; then attaches the XDP sensor filter to a veth
# whose peer lives in a network namespace, where edgeai-sensorgen sends a
# mix of valid, unknown, over-rate and malformed sensor packets, and shows
# what arrived (with tags) and what the filter dropped, by reason. It
# removes everything again (module, filter, namespace), also on Ctrl-C.
# Later parts (runtime, models) extend this script.
set -u

SRC=$(readlink -f "$(dirname "$0")/..")
B=${O:-$SRC/build}
KO=$SRC/kmod/edgeai.ko
LOADED=0

say()
{
	if [ -t 1 ]; then
		printf '\n\033[1m== %s\033[0m\n' "$*"
	else
		printf '\n== %s\n' "$*"
	fi
}

NS=edgeai-demo
NET_UP=0

net_cleanup()
{
	[ $NET_UP -eq 1 ] || return 0
	[ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
	"$B/edgeaictl" bpf detach --all >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	ip link del dev demo0 2>/dev/null
	NET_UP=0
	echo "demo: filter detached, namespace $NS removed"
}

cleanup()
{
	net_cleanup
	grep -q '^edgeai_synth ' /proc/modules && rmmod edgeai_synth
	if [ $LOADED -eq 1 ] && grep -q '^edgeai ' /proc/modules; then
		"$B/edgeaictl" ring delete imu0 >/dev/null 2>&1
		rmmod edgeai && echo "demo: unloaded edgeai"
	fi
}

inside()
{
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	say "kernel $(uname -r): loading $KO"
	insmod "$KO" || { echo "demo: insmod failed" >&2; exit 1; }
	LOADED=1
	ls -l /dev/edgeai
	say "edgeaictl version"
	"$B/edgeaictl" version || exit 1
	say "edgeai_synth.ko: IMU-like sensor, 6 x f32 at 1 kHz, 1% anomalies -> ring imu0"
	insmod "$SRC/kmod/synth/edgeai_synth.ko" ring=imu0 rate_hz=1000 \
		channels=6 waveform=imu anomaly_ppm=10000 slots=4096 || exit 1
	sleep "${DEMO_SECONDS:-2}"
	say "edgeaictl ring show imu0 (nobody consumes yet: the ring fills)"
	"$B/edgeaictl" ring show imu0 || exit 1
	say "edgeaictl -j ring list (JSON for scripts)"
	"$B/edgeaictl" -j ring list || exit 1
	echo
	rmmod edgeai_synth
	filter_demo || exit 1
	say "kernel log"
	dmesg | grep 'edgeai' | tail -n 3
	say "unloading"
	cleanup
	LOADED=0
	[ ! -e /dev/edgeai ] && echo "demo: /dev/edgeai is gone; done."
}

# Sensors on a network: namespace $NS (10.47.0.2) sends to demo0
# (10.47.0.1), where the XDP filter checks every packet.
filter_demo()
{
	local out=${TMPDIR:-/tmp}/edgeai-demo-recv.$$.json
	say "network sensors: XDP filter on demo0, senders in namespace $NS"
	modprobe veth 2>/dev/null
	ip netns add "$NS" || return 1
	NET_UP=1
	ip link add dev demo0 type veth peer name demo1 netns "$NS" || return 1
	ip addr add 10.47.0.1/24 dev demo0
	ip link set demo0 up
	ip -n "$NS" addr add 10.47.0.2/24 dev demo1
	ip -n "$NS" link set demo1 up
	"$B/edgeaictl" bpf attach demo0 xdp || return 1
	"$B/edgeaictl" bpf sensor add 101 --class 1 --pipeline 1 --rate 1000 >/dev/null &&
	"$B/edgeaictl" bpf sensor add 102 --class 2 --priority 1 --pipeline 2 \
		--rate 50 --burst 30 >/dev/null || return 1
	"$B/edgeaictl" bpf sensor list
	"$B/edgeai-sensorgen" recv --bind 10.47.0.1:4747 --timeout 1500 --json \
		>"$out" 2>/dev/null &
	RECV_PID=$!
	sleep 0.3
	say "edgeai-sensorgen: 100 + 20 valid, 10 unknown, a burst of 30 over rate, 13 malformed, 5 other"
	nsenter --net=/run/netns/"$NS" "$B/edgeai-sensorgen" send --dst 10.47.0.1 \
		--iface demo1 --mix valid=101:100,valid=102:20,unknown=999:10,burst=102:30,badmagic=5,shortlen=5,iplong=3,other=5 \
		>/dev/null || return 1
	wait "$RECV_PID"
	RECV_PID=
	say "what arrived at the receiver (tags written by the filter)"
	/usr/bin/python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"datagrams: {r['datagrams']} valid: {r['valid']} invalid: {r['invalid']['total']}")
for s in r["sensors"]:
    tags = ", ".join(f"class {t['class']} prio {t['priority']} pipeline {t['pipeline']}"
                     f"{' (filtered)' if t['filtered'] else ''} x{t['packets']}" for t in s["tags"])
    print(f"sensor {s['sensor']}: {s['packets']} packets, seq gaps {s['seq_gaps']}, "
          f"payload errors {s['payload_errors']}; tags: {tags}")
PY
	rm -f "$out"
	say "edgeaictl bpf stats (every packet in exactly one counter)"
	"$B/edgeaictl" bpf stats || return 1
	net_cleanup
}

can_run_native()
{
	[ "$(id -u)" -eq 0 ] || return 1
	[ "$(modinfo -F vermagic "$KO" 2>/dev/null | cut -d' ' -f1)" = "$(uname -r)" ] || return 1
	[ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null || echo 1)" = 0 ] || return 1
}

case "${1:-}" in
--inside)
	inside
	exit
	;;
-h|--help)
	sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac

[ -f "$KO" ] || { echo "demo: $KO not built: run make" >&2; exit 1; }
if can_run_native; then
	native=${DEMO_NATIVE:-}
	if [ -z "$native" ] && [ -t 0 ]; then
		read -r -p "Load edgeai.ko into the running kernel $(uname -r)? [y/N] " a
		case "$a" in [yY]*) native=1 ;; esac
	fi
	if [ "$native" = 1 ]; then
		inside
		exit
	fi
fi
kver=$(modinfo -F vermagic "$KO" | cut -d' ' -f1)
say "booting Debian's $kver kernel in QEMU (tests/vm/run)"
exec "$SRC/tests/vm/run" --kernel "/boot/vmlinuz-$kver" -- "$SRC/scripts/demo.sh" --inside
