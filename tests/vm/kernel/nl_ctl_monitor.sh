#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmdebug-skip: edgeaictl monitor output: userspace over the events nl_monitor.c checks; 68 s under KASAN + lockdep + TCG
# edgeaictl monitor: one line per event as it happens (text: time, event,
# id, name; -j: one JSON object per line), in the order the kernel sent
# them; SIGINT and SIGTERM end it with status 0; it follows edgeai.ko being
# unloaded and loaded again; without the module it fails with a clear
# error (status 1, JSON under -j).
set -u
. "$EDGEAI_SRC/tests/lib.sh"
C=$EDGEAI_BUILD/edgeaictl
KO=$EDGEAI_SRC/kmod/edgeai.ko
SYNTH=$EDGEAI_SRC/kmod/synth/edgeai_synth.ko
J=$(mktemp)
TXT=$(mktemp)
MON=
cleanup()
{
	[ -n "$MON" ] && kill "$MON" 2>/dev/null
	grep -q '^edgeai_synth ' /proc/modules && rmmod edgeai_synth
	grep -q '^edgeai ' /proc/modules || insmod "$KO"
	"$C" ring delete t_nlc_s >/dev/null 2>&1
	"$C" ring delete t_nlc_a >/dev/null 2>&1
	rm -f "$J" "$TXT" "$T_OUT" "$T_ERR"
}
trap cleanup EXIT

# Start a monitor writing to FILE (extra options first); wait until it is
# subscribed: a probe ring's creation shows up in its output.
start_monitor()
{
	local out=$1 i
	shift
	"$C" "$@" monitor >"$out" 2>&1 &
	MON=$!
	for i in $(seq 50); do
		"$C" ring create t_nlc_probe size 8 slots 2 >/dev/null &&
			"$C" ring delete t_nlc_probe >/dev/null
		wait_for_line "$out" "ring-destroyed.*t_nlc_probe" 1 && return 0
		kill -0 "$MON" 2>/dev/null || t_fail "monitor died: $(cat "$out")"
	done
	t_fail "monitor never saw the probe ring: $(cat "$out")"
}

stop_monitor()
{
	local sig=$1 rc
	kill "-$sig" "$MON"
	wait "$MON"
	rc=$?
	MON=
	[ "$rc" -eq 0 ] || t_fail "monitor exited $rc on SIG$sig"
}

# -j: every line one JSON object; our ring's events in order.
start_monitor "$J" -j
expect_rc 0 insmod "$SYNTH" ring=t_nlc_s slots=16 rate_hz=2000 channels=1
wait_for_line "$J" '"overflow-started".*t_nlc_s' 10 || t_fail "no overflow-started: $(cat "$J")"
expect_rc 0 rmmod edgeai_synth
expect_rc 0 "$C" ring delete t_nlc_s
wait_for_line "$J" '"ring-destroyed".*t_nlc_s' 10 || t_fail "no ring-destroyed: $(cat "$J")"
stop_monitor INT
/usr/bin/python3 - "$J" <<'PY' || t_fail "JSON events wrong: $(cat "$J")"
import json, re, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
for e in evs:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d", e["time"]), e
    assert isinstance(e["id"], int) and e["id"] > 0, e
ours = [e for e in evs if e["name"] == "t_nlc_s"]
got = [(e["event"], e.get("producer")) for e in ours]
want = [("ring-created", None), ("producer-attached", "kernel"),
        ("overflow-started", None), ("producer-detached", "kernel"),
        ("overflow-ended", None), ("ring-destroyed", None)]
assert got == want, got
assert len({e["id"] for e in ours}) == 1, ours
assert 0 < ours[2]["drops"] <= ours[4]["drops"], ours
assert all(("drops" in e) == e["event"].startswith("overflow") for e in ours), ours
PY

# Text: one line per event, "TIME EVENT id ID name NAME ...".
start_monitor "$TXT"
expect_rc 0 "$C" -j ring create t_nlc_a size 8 slots 4
id=$(json_get "$T_OUT" id)
expect_rc 0 "$C" ring delete t_nlc_a
wait_for_line "$TXT" "ring-destroyed id $id name t_nlc_a$" 10 || t_fail "text: $(cat "$TXT")"
stop_monitor TERM
grep -qE "^[0-9-]{10}T[0-9:]{8}\.[0-9]{6}[+-][0-9:]{5} ring-created id $id name t_nlc_a$" "$TXT" ||
	t_fail "text line format: $(cat "$TXT")"

# rmmod and insmod while it runs: it says so and carries on.
start_monitor "$J" -j
expect_rc 0 rmmod edgeai
wait_for_line "$J" '"module-unloaded"' 10 || t_fail "no module-unloaded: $(cat "$J")"
expect_rc 0 insmod "$KO"
wait_for_line "$J" '"module-loaded"' 10 || t_fail "no module-loaded: $(cat "$J")"
expect_rc 0 "$C" ring create t_nlc_a size 8 slots 4
wait_for_line "$J" '"ring-created".*t_nlc_a' 10 || t_fail "no event after reload: $(cat "$J")"
expect_rc 0 "$C" ring delete t_nlc_a
stop_monitor INT

# Without the module: a clear error, status 1.
expect_rc 0 rmmod edgeai
expect_rc 1 "$C" monitor
grep -q "edgeai module not loaded: no generic netlink family 'edgeai'" "$T_ERR" ||
	t_fail "error text: $(cat "$T_ERR")"
expect_rc 1 "$C" -j monitor
json_get "$T_OUT" error | grep -q "edgeai module not loaded" || t_fail "JSON error: $(cat "$T_OUT")"
expect_rc 0 insmod "$KO"
expect_rc 2 "$C" monitor extra
t_pass
