#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/ring_vm.sh - kernel ring -> userspace consumer, inside the VM.
#
# Counts what the VM can count faithfully (it is software-emulated, so its
# times are not meaningful): syscalls per sample made by a consumer that
# keeps up, at several batch sizes (poll watermarks), with poll() and with
# io_uring waits, and the payload bytes it copies (none: it reads in
# place). edgeai_synth.ko produces a 6-channel f32 stream at RATE Hz.
# strace -c cross-checks the consumer's own syscall count at one size.
#
#   bench/ring_vm.sh [--inside] [RESULT_DIR]
#
# Without --inside it boots the VM (tests/vm/run) and writes
# RESULT_DIR/ring-vm.json and ring-vm.md (default bench/results).
set -eu

SRC=$(readlink -f "$(dirname "$0")/..")
B=${O:-$SRC/build}
RATE=${RATE:-20000}
SAMPLES=${SAMPLES:-40000}

inside()
{
	local w mode
	insmod "$SRC/kmod/edgeai.ko"
	trap 'rmmod edgeai_synth 2>/dev/null; rmmod edgeai 2>/dev/null' EXIT
	for mode in poll uring; do
		for w in 1 16 64 256; do
			"$B/bench/ring_consume" bench "$SAMPLES" "$w" "$mode" 60 &
			insmod "$SRC/kmod/synth/edgeai_synth.ko" ring=bench \
				rate_hz="$RATE" max_samples="$SAMPLES" channels=6 \
				slots=4096 waveform=sine
			wait $!
			rmmod edgeai_synth
			"$B/edgeaictl" ring delete bench >/dev/null
		done
	done
	# Cross-check with strace: every syscall of the whole process.
	strace -f -c -o "$EDGEAI_SCRATCH/strace.txt" \
		"$B/bench/ring_consume" bench "$SAMPLES" 64 poll 60 >/dev/null &
	insmod "$SRC/kmod/synth/edgeai_synth.ko" ring=bench rate_hz="$RATE" \
		max_samples="$SAMPLES" channels=6 slots=4096 waveform=sine
	wait $!
	rmmod edgeai_synth
	"$B/edgeaictl" ring delete bench >/dev/null
	echo "STRACE_TOTAL $(awk '/total/ { print $3 }' "$EDGEAI_SCRATCH/strace.txt")"
}

if [ "${1:-}" = "--inside" ]; then
	inside
	exit
fi

OUT=${1:-$SRC/bench/results}
mkdir -p "$OUT"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$SRC/tests/vm/run" --timeout 900 -- "$SRC/bench/ring_vm.sh" --inside | tee "$log"
/usr/bin/python3 - "$log" "$OUT" "$RATE" "$SAMPLES" <<'PY'
import json, sys, platform, datetime
log, out, rate, samples = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows, strace = [], None
for line in open(log):
    line = line.strip()
    if line.startswith("{"):
        rows.append(json.loads(line))
    elif line.startswith("STRACE_TOTAL"):
        strace = int(line.split()[1])
res = {"bench": "ring-vm", "date": datetime.datetime.utcnow().isoformat() + "Z",
       "host": platform.node(), "guest_kernel": "Debian 6.1 under QEMU (TCG unless KVM)",
       "rate_hz": rate, "samples": samples, "rows": rows,
       "strace_total_syscalls_w64_poll": strace}
json.dump(res, open(f"{out}/ring-vm.json", "w"), indent=1)
with open(f"{out}/ring-vm.md", "w") as f:
    f.write("# Kernel ring -> consumer, in the VM (counts, not times)\n\n")
    f.write(f"edgeai_synth at {rate} Hz, {samples} samples of 6 x f32 per run; "
            "consumer reads payloads in place through libedgeai.\n\n")
    f.write("| wait | batch (watermark) | samples | drops | gaps | syscalls | syscalls/sample | payload bytes copied |\n")
    f.write("|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        f.write(f"| {r['mode']} | {r['watermark']} | {r['samples']} | {r['drops']} | {r['gaps']} | "
                f"{r['syscalls']} | {r['syscalls_per_sample']:.4f} | {r['payload_bytes_copied']} |\n")
    if strace is not None:
        f.write(f"\nstrace -c -f of a whole consumer process (batch 64, poll, setup included): "
                f"{strace} syscalls for {samples} samples = {strace / samples:.4f} per sample.\n")
print(open(f"{out}/ring-vm.md").read())
PY
