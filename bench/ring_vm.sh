#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/ring_vm.sh - what needs the kernel module, measured inside the VM
# (tests/vm/run: Debian's 6.1 kernel under qemu, software-emulated, so
# times are emulated and only their ratios within this one VM run mean
# anything; counts are exact):
#
# 1. kernel ring -> consumer: syscalls per sample of a consumer that keeps
#    up with edgeai_synth.ko (6 x f32 at RATE Hz), at several batch sizes
#    (poll watermarks), with poll() and with io_uring waits, and the
#    payload bytes it copies (none: it reads in place)
#    (bench/ring_consume.c); strace -c cross-checks the consumer's own
#    count at one size;
# 2. the read() copy path it is compared with (bench/read_path.c): the
#    same stream from a producer process on the same 1 kHz tick, read()
#    one sample a call, or with SO_RCVLOWAT as the watermark;
# 3. sample hand-off between two processes (bench/handoff.c): a
#    USER_PRODUCER tensor ring (publishing by RING_PUBLISH, and as a
#    USER_HEAD ring by a store) against a pipe, Unix datagrams and an
#    eventfd + shared-memory ring, at batch sizes 1, (16,) 64; every sample
#    checked by the consumer, a mismatch fails the run.
#
#   bench/ring_vm.sh [--quick] [RESULT_DIR [ROWS_FILE]]
#   bench/ring_vm.sh --inside [--quick]          (in the VM)
#
# Writes RESULT_DIR/ring-vm.json and ring-vm.md (default bench/results)
# and appends benchmark rows and tables (bench/report.py) to ROWS_FILE.
set -eu -o pipefail

SRC=$(readlink -f "$(dirname "$0")/..")
B=${O:-$SRC/build}
RATE=${RATE:-20000}
QUICK=0

# One kernel-ring run: the ring exists before the consumer attaches and the
# producer starts, so no sample can be missed by the start-up order.
run_one()	# run_one WATERMARK MODE [WRAPPER...]
{
	local w=$1 mode=$2 pid ticks
	shift 2
	"$B/edgeaictl" ring create bench slots 4096 dtype f32 shape 6 >/dev/null
	rm -f "$EDGEAI_SCRATCH/ready" "$EDGEAI_SCRATCH/one.json"
	RING_CONSUME_READY=$EDGEAI_SCRATCH/ready \
		"$@" "$B/bench/ring_consume" bench "$SAMPLES" "$w" "$mode" 120 \
		>"$EDGEAI_SCRATCH/one.json" &
	pid=$!
	for _ in $(seq 1000); do
		[ -e "$EDGEAI_SCRATCH/ready" ] && break
		sleep 0.02
	done
	insmod "$SRC/kmod/synth/edgeai_synth.ko" ring=bench create=0 \
		rate_hz="$RATE" max_samples="$SAMPLES" channels=6 waveform=sine
	wait $pid || echo "ring_consume failed (watermark $w, $mode)" >&2
	# the producer's batches: its timer callbacks (a late one produces
	# all that is due at once)
	ticks=$(cat /sys/module/edgeai_synth/parameters/ticks)
	sed "s/^{/RING {\"producer_batches\":$ticks,/" "$EDGEAI_SCRATCH/one.json"
	rmmod edgeai_synth
	"$B/edgeaictl" ring delete bench >/dev/null
}

cleanup()
{
	local rc=$?
	grep -q '^edgeai_synth ' /proc/modules && rmmod edgeai_synth
	grep -q '^edgeai ' /proc/modules && ! rmmod edgeai &&
		echo "ring_vm: edgeai.ko still in use: $(grep '^edgeai ' /proc/modules)" >&2
	return $rc
}

inside()
{
	local w mode b n reps=5 hreps=11 ws="1 16 64 256" modes="poll uring"
	local batches="1 16 64" n1=65536 n64=262144 nunix=16384
	# hreps: the emulated hand-off times wander with the host's load
	if [ "$QUICK" = 1 ]; then
		SAMPLES=2000 ws=64 modes=poll batches="1 64" n1=2048 n64=4096 nunix=2048 hreps=5
	else
		SAMPLES=${SAMPLES:-10000}
	fi
	insmod "$SRC/kmod/edgeai.ko"
	trap cleanup EXIT
	# A Unix datagram reader's queue: systemd's value, not the kernel's 10.
	sysctl -qw net.unix.max_dgram_qlen=512

	# 1 + 2: kernel ring and the read() path, alternating, REPS times
	for _ in $(seq $reps); do
		for mode in $modes; do
			for w in $ws; do
				run_one "$w" "$mode"
			done
		done
		"$B/bench/read_path" read1 "$SAMPLES" "$RATE" | sed 's/^/READ /'
		for w in $ws; do
			"$B/bench/read_path" lowat "$SAMPLES" "$RATE" "$w" | sed 's/^/READ /'
		done
	done
	if [ "$QUICK" = 0 ]; then
		# Cross-check with strace: every syscall of the whole process.
		run_one 64 poll strace -f -c -o "$EDGEAI_SCRATCH/strace.txt" >/dev/null
		awk '$NF == "total" { print "STRACE total", $4 }
		     $NF ~ /^(poll|io_uring_enter|ioctl|clock_gettime|openat|mmap)$/ {
			print "STRACE", $NF, $4 }' "$EDGEAI_SCRATCH/strace.txt"
	fi

	# 3: hand-off, every mode at every batch size, alternating
	for _ in $(seq $hreps); do
		for b in $batches; do
			for mode in ring uring uhead pipe unix shm; do
				n=$n64
				[ "$b" = 1 ] && n=$n1
				[ "$mode" = unix ] && n=$nunix
				"$B/bench/handoff" "$mode" "$b" "$n" | sed 's/^/HANDOFF /'
			done
		done
	done
}

if [ "${1:-}" = "--inside" ]; then
	[ "${2:-}" = "--quick" ] && QUICK=1
	inside
	exit
fi

[ "${1:-}" = "--quick" ] && { QUICK=1; shift; }
OUT=${1:-$SRC/bench/results}
ROWS_OUT=${2:-/dev/null}
mkdir -p "$OUT"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
in_args=(--inside)
[ "$QUICK" = 1 ] && in_args+=(--quick)
# The test VM's kernel debugging (slub_debug=FZPU, page_poison,
# init_on_free: every allocation checked and poisoned) would weigh on the
# paths that allocate per message (socket buffers) and not on the rings:
# switched off for the benchmark, the later parameters win.
if ! "$SRC/tests/vm/run" --timeout 900 --env "O=$B" --env "RATE=$RATE" \
	--append "slub_debug=- page_poison=0 init_on_free=0" -- \
	"$SRC/bench/ring_vm.sh" "${in_args[@]}" >"$log" 2>&1; then
	tail -40 "$log" >&2
	echo "ring_vm: the VM run failed (a cross-check, or the VM itself)" >&2
	exit 1
fi
/usr/bin/python3 "$SRC/bench/vm_rows.py" "$log" "$OUT" "$RATE" "$QUICK" >>"$ROWS_OUT"
