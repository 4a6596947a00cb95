#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeai_synth.ko parameters: every bad value is refused with EINVAL (ENODEV
# for a missing ring with create=N) and a kernel log line naming it, and
# leaves nothing behind (no module, no ring); a good load creates the ring
# as asked and exposes read-only counters; an existing ring is checked
# against dtype/channels; the ring outlives the driver; the driver pins
# edgeai.ko. Leaves edgeai.ko loaded and edgeai_synth unloaded.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
KO=$EDGEAI_SRC/kmod/synth/edgeai_synth.ko
CORE=$EDGEAI_SRC/kmod/edgeai.ko
CTL=$EDGEAI_BUILD/edgeaictl
R=t_synth_params
R2=t_synth_params_ow
P=/sys/module/edgeai_synth/parameters

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	grep -q '^edgeai_synth ' /proc/modules && rmmod edgeai_synth
	grep -q '^edgeai ' /proc/modules || insmod "$CORE"
	"$CTL" ring delete "$R" >/dev/null 2>&1
	"$CTL" ring delete "$R2" >/dev/null 2>&1
	rm -f "$T_OUT" "$T_ERR"
}
trap cleanup EXIT

# Shell builtins where possible: starting a process is slow in the emulated VM.
loaded() { [ -e /sys/module/edgeai_synth ]; }
ring_exists() { "$CTL" ring show "$1" >"$T_OUT" 2>"$T_ERR"; }

# The kernel log lines since the start of the test.
klog_start=$(dmesg | wc -l)
klog() { dmesg | tail -n +$((klog_start + 1)); }

[ -f "$KO" ] || t_fail "no $KO: run make"
[ -x "$CTL" ] || t_fail "no $CTL: run make"
grep -q '^edgeai ' /proc/modules || t_fail "edgeai is not loaded"
loaded && { echo "edgeai_synth was left loaded; unloading it"; rmmod edgeai_synth; }
"$CTL" ring delete "$R" >/dev/null 2>&1
"$CTL" ring delete "$R2" >/dev/null 2>&1

# bad_load ERRTEXT LOGTEXT PARAMS...: insmod fails with the errno whose
# kmod text is ERRTEXT ("Invalid parameters" is how kmod prints EINVAL),
# the module is not left loaded, and the log explains it (checked below).
bad_logs=()
bad_load()
{
	local err=$1 log=$2
	shift 2
	expect_rc 1 insmod "$KO" "$@"
	[[ $(<"$T_ERR") == *"$err"* ]] ||
		t_fail "insmod $*: expected '$err', got: $(cat "$T_ERR")"
	loaded && t_fail "insmod $* failed but left the module loaded"
	bad_logs+=("$log")
}

bad_load "Invalid parameters" "channels=0 is out of range" ring=$R channels=0
bad_load "Invalid parameters" "channels=65 is out of range" ring=$R channels=65
bad_load "Invalid parameters" "dtype=f99 is unknown" ring=$R dtype=f99
bad_load "Invalid parameters" "waveform=zig is unknown" ring=$R waveform=zig
bad_load "Invalid parameters" "rate_hz=0 is out of range" ring=$R rate_hz=0
bad_load "Invalid parameters" "slots=1000 must be a power of two" ring=$R slots=1000
bad_load "Invalid parameters" "slots=2097152 must be a power of two in 2..1048576" ring=$R slots=2097152
bad_load "Invalid parameters" "anomaly_ppm=1000001 is out of range" ring=$R anomaly_ppm=1000001
bad_load "Invalid parameters" "batch=11 is out of range 1..10" ring=$R rate_hz=10 batch=11
bad_load "Invalid parameters" "generated is a read-only counter" ring=$R generated=5
bad_load "Invalid parameters" "ring=bad/name is not a valid ring name" ring=bad/name
bad_load "No such device" "no ring named $R, and create=N" ring=$R create=N

ring_exists "$R" && t_fail "a refused load left ring $R behind: $(cat "$T_OUT")"

# A good load creates the ring as asked.
expect_rc 0 insmod "$KO" ring=$R channels=3 dtype=i16 slots=64 rate_hz=1000 \
	waveform=sine sensor_id=9
loaded || t_fail "insmod succeeded but edgeai_synth is not in /proc/modules"
ring_exists "$R" || t_fail "good load: no ring $R: $(cat "$T_ERR")"
for want in "slots: 64" "slot size: 6" "flags: none" "dtype: i16" "shape: 3"; do
	grep -q "^ *$want\$" "$T_OUT" ||
		t_fail "ring $R should show '$want':$(echo; cat "$T_OUT")"
done

# Every parameter is read-only once loaded; the counters are numbers and
# advance (and could not be set at load, above).
bad=$(stat -c '%a %n' "$P"/* | grep -v '^444 ')
[ -z "$bad" ] || t_fail "parameters not read-only (0444):$(echo; echo "$bad")"
for c in generated dropped anomalies ticks late_ticks; do
	read -r v <"$P/$c" || t_fail "no counter $P/$c"
	[[ $v =~ ^[0-9]+$ ]] || t_fail "$P/$c is not a number: $v"
done
read -r v <"$P/ring"
[ "$v" = "$R" ] || t_fail "$P/ring says $v"
sleep 0.3
read -r gen <"$P/generated"
[ "$gen" -gt 0 ] || t_fail "generated is still $gen 0.3 s after loading at 1 kHz"
read -r v <"$P/ticks"
[ "$v" -gt 0 ] || t_fail "ticks is still 0"

# The driver pins edgeai.ko through its symbols.
expect_rc 1 rmmod edgeai
grep -q "in use" "$T_ERR" || t_fail "rmmod edgeai should say it is in use: $(cat "$T_ERR")"
grep -q '^edgeai ' /proc/modules || t_fail "edgeai went away under edgeai_synth"

# Unloading the driver leaves the ring, with what it produced.
expect_rc 0 rmmod edgeai_synth
[ -e /sys/module/edgeai_synth ] && t_fail "/sys/module/edgeai_synth still there"
ring_exists "$R" || t_fail "ring $R went away with the driver"
produced=$(sed -n 's/^ *produced: //p' "$T_OUT")
[ "${produced:-0}" -ge "$gen" ] || t_fail "ring $R produced ${produced:-?} < generated $gen"

# An existing ring must match dtype and channels; nothing changes if not.
bad_load "Invalid parameters" "ring $R holds i16 (dtype 4) rank 1 shape[0] 3; this synth makes f32 x 3" \
	ring=$R create=N channels=3 dtype=f32
bad_load "Invalid parameters" "ring $R holds i16 (dtype 4) rank 1 shape[0] 3; this synth makes i16 x 4" \
	ring=$R channels=4 dtype=i16
ring_exists "$R" || t_fail "a refused load removed ring $R"
# A matching one is fed.
expect_rc 0 insmod "$KO" ring=$R create=N channels=3 dtype=i16 rate_hz=1000 max_samples=5
expect_rc 0 rmmod edgeai_synth

# Every refusal above said why, in the kernel log.
log=$(klog)
for l in "${bad_logs[@]}"; do
	[[ $log == *"edgeai_synth: $l"* ]] ||
		t_fail "no kernel log line 'edgeai_synth: $l'; the log says:$(echo; grep edgeai_synth <<<"$log")"
done

# overwrite=Y creates an OVERWRITE ring.
expect_rc 0 insmod "$KO" ring=$R2 slots=8 overwrite=Y max_samples=1
ring_exists "$R2" || t_fail "no ring $R2: $(cat "$T_ERR")"
for want in "slots: 8" "slot size: 24" "flags: overwrite" "dtype: f32" "shape: 6"; do
	grep -q "^ *$want\$" "$T_OUT" ||
		t_fail "ring $R2 should show '$want':$(echo; cat "$T_OUT")"
done
expect_rc 0 rmmod edgeai_synth

# The admin destroys the rings; then edgeai.ko can go, and comes back.
expect_rc 0 "$CTL" ring delete "$R"
expect_rc 0 "$CTL" ring delete "$R2"
ring_exists "$R" && t_fail "ring $R still there after delete"
expect_rc 0 rmmod edgeai
expect_rc 0 insmod "$CORE"
[ -c /dev/edgeai ] || t_fail "/dev/edgeai not back after insmod"
t_pass
