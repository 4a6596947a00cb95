#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`, short: scripts/demo.sh --inside for DEMO_SECONDS=6 with the
# models `make tests` trained (examples/demo/demo.mk). It must pass its own
# invariants (every IMU sample and network packet accounted for, the hot
# swap without a lost or repeated input and on the sample it was scheduled
# for (3000 of 6000), the detector's precision and
# recall, the load-cell model's error, a clean kernel log) and leave
# nothing behind but edgeai.ko, loaded as it was: no ring, filter, pin
# directory, namespace, veth, process or run directory. Then the summary
# is shown to fail when invariants break: a sample the synth produced that
# is neither processed nor counted as dropped, a kernel warning, a
# detector below its threshold, a swap off its sample (one run of the
# summary for the four:
# every process costs seconds in the emulated VM). Last, a longer run is
# interrupted with SIGINT half-way, as Ctrl-C does, and must clean up
# all the same. About 50 s idle; it asks for three times the per-test timeout
# for loaded hosts.
# test-timeout-factor: 3
set -u
. "$EDGEAI_SRC/tests/lib.sh"
C=$EDGEAI_BUILD/edgeaictl
M=$EDGEAI_BUILD/demo/models
OUT=$(mktemp)
RUN=

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	[ -n "$RUN" ] && rm -rf "$RUN"
	rm -f "$OUT" "$T_OUT" "$T_ERR"
}
trap cleanup EXIT
grep -q '^edgeai ' /proc/modules || t_fail "edgeai.ko is not loaded"
for f in imu-anomaly imu-anomaly-v2 load-cell; do
	[ -f "$M/$f.st" ] || t_fail "no $M/$f.st: run make tests (examples/demo/demo.mk)"
done
command -v perf >/dev/null || echo "note: no perf: syscalls are not measured"

# left_behind WHAT: fail if the demo left anything of its own: edgeai.ko
# unloaded (it did not load it), the synth, a ring, the namespace, the
# veth, the pin directory, a process, a run directory but $RUN.
left_behind()
{
	local r procs left
	grep -q '^edgeai ' /proc/modules || t_fail "$1: the demo unloaded edgeai.ko, which it did not load"
	grep -q '^edgeai_synth ' /proc/modules && t_fail "$1: edgeai_synth.ko left loaded"
	for r in imu0 imu-results; do
		"$C" ring show $r >/dev/null 2>&1 && t_fail "$1: ring $r left behind"
	done
	[ -e /run/netns/edgeai-demo ] && t_fail "$1: network namespace edgeai-demo left behind"
	ip link show dev demo0 >/dev/null 2>&1 && t_fail "$1: interface demo0 left behind"
	[ -e /sys/fs/bpf/edgeai-demo ] && t_fail "$1: BPF pin directory /sys/fs/bpf/edgeai-demo left behind"
	procs=$(find /proc/[0-9]* -maxdepth 1 -name exe \( -lname "$EDGEAI_BUILD/edgeaid" \
		-o -lname "$EDGEAI_BUILD/edgeai-results" -o -lname "$EDGEAI_BUILD/edgeai-sensorgen" \
		-o -lname '/usr/bin/perf*' \) 2>/dev/null)
	[ -z "$procs" ] || t_fail "$1: processes left running: $procs"
	left=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'edgeai-demo.*' ! -path "${RUN:-/nonexistent}")
	[ -z "$left" ] || t_fail "$1: run directories left behind: $left"
}

DEMO_SECONDS=6 DEMO_KEEP=1 O=$EDGEAI_BUILD "$EDGEAI_SRC/scripts/demo.sh" --inside >"$OUT" 2>&1
rc=$?
RUN=$(sed -n 's/^demo: run directory kept: //p' "$OUT")
[ $rc -eq 0 ] || { cat "$OUT"; t_fail "the demo failed (exit $rc)"; }
for want in "demo: every check passed" "imu .*; unexplained 0   \[ok\]" \
	"net .*; unexplained 0   \[ok\]" "anomalies .*   \[ok\]" \
	"hot swap .*scheduled at sample 3000: gen 1 -> gen 2 between input seq .*   \[ok\]" \
	"load cells .*   \[ok\]" "kernel log .*   \[ok\]" "models .* v1 (gen 1, .* v2 (gen 2,"; do
	grep -q "$want" "$OUT" || { cat "$OUT"; t_fail "no line '$want' in the demo's output"; }
done
grep -q FAIL "$OUT" && { cat "$OUT"; t_fail "a FAIL in the demo's output"; }

left_behind "after a full run"
[ -d "$RUN" ] || t_fail "no run directory kept with DEMO_KEEP=1: $(tail -n 5 "$OUT")"

# the summary fails when invariants break
g=$(sed -n 's/.*"generated":\([0-9]*\).*/\1/p' "$RUN/synth.json")
sed -i "s/\"generated\":$g,/\"generated\":$((g + 1)),/" "$RUN/synth.json"
echo "[ 1.0] WARNING: CPU: 0 PID: 1 at somewhere" >>"$RUN/klog.txt"
sed -i 's/"min_recall":[0-9.]*/"min_recall":1.01/' "$RUN/params.json"
# a swap that did not fall on its sample
sed -i 's/"at_sample":3000/"at_sample":2000/' "$RUN/reload.json"
expect_rc 1 /usr/bin/python3 "$EDGEAI_SRC/examples/demo/summary.py" "$RUN"
grep -q "^  imu .*\[FAIL\]" "$T_OUT" || t_fail "an unexplained loss did not fail the IMU accounting: $(cat "$T_OUT")"
grep -q "^kernel log .*WARNING.*\[FAIL\]" "$T_OUT" || t_fail "a kernel warning did not fail the demo: $(cat "$T_OUT")"
grep -q "^anomalies .*\[FAIL\]" "$T_OUT" || t_fail "a recall below the threshold did not fail: $(cat "$T_OUT")"
grep -q "^hot swap .*scheduled at sample 2000: .*\[FAIL\]" "$T_OUT" ||
	t_fail "a swap off its sample did not fail: $(cat "$T_OUT")"
grep -q "^demo: FAILED: " "$T_OUT" || t_fail "no FAILED line: $(cat "$T_OUT")"
[ "$(grep -c '\[FAIL\]' "$T_OUT")" -eq 4 ] || t_fail "other checks failed too: $(cat "$T_OUT")"
# Ctrl-C half-way: SIGINT to the demo's whole process group, as a terminal
# sends it (job control on, so that the background job does not ignore
# SIGINT and has a group of its own). It must say so, exit 130 and remove
# everything just the same.
rm -rf "$RUN"
RUN=
set -m
DEMO_SECONDS=20 O=$EDGEAI_BUILD "$EDGEAI_SRC/scripts/demo.sh" --inside >"$OUT" 2>&1 &
pid=$!
set +m
wait_for_line "$OUT" "edgeaictl top" 60 || { kill -KILL -- -$pid; cat "$OUT"; t_fail "the demo did not reach top"; }
sleep 1
kill -INT -- -$pid
for _ in $(seq 300); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
kill -0 $pid 2>/dev/null && { kill -KILL -- -$pid; cat "$OUT"; t_fail "the demo still runs 30 s after SIGINT"; }
wait $pid
rc=$?
[ $rc -eq 130 ] || { cat "$OUT"; t_fail "after SIGINT the demo exited $rc, not 130"; }
grep -q "demo: interrupted, cleaning up" "$OUT" || { cat "$OUT"; t_fail "no 'interrupted' message"; }
left_behind "after Ctrl-C"
t_pass
