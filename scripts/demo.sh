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
# what edgeaictl reports, and removes everything again, also on Ctrl-C.
# Later parts (filter, runtime, models) extend this script.
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

cleanup()
{
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
	say "kernel log"
	dmesg | grep 'edgeai' | tail -n 3
	say "unloading"
	cleanup
	LOADED=0
	[ ! -e /dev/edgeai ] && echo "demo: /dev/edgeai is gone; done."
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
