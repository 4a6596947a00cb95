#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmdebug-skip: edgeaictl stats/top output: userspace over the netlink paths nl_*.c cover; 106 s under KASAN + lockdep + TCG
# edgeaictl stats and top with edgeai.ko loaded: the rings' counters read
# by netlink (stats -j) equal those read by ioctl (ring show -j) once a
# synth-fed ring is quiet; the kernel totals are STATS_GET's; --prometheus
# has every ring's series and parses; top shows the produced/s of a ring
# fed at a known rate; without the module the kernel part is "not loaded"
# with status 0. Leaves edgeai.ko loaded and no ring of its own.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
C=$EDGEAI_BUILD/edgeaictl
KO=$EDGEAI_SRC/kmod/edgeai.ko
SYNTH=$EDGEAI_SRC/kmod/synth/edgeai_synth.ko
A=t_cs_a
B=t_cs_b
P=$(mktemp)
export EDGEAID_STATS=/nonexistent/stats.json

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	grep -q '^edgeai_synth ' /proc/modules && rmmod edgeai_synth
	grep -q '^edgeai ' /proc/modules || insmod "$KO"
	"$C" ring delete "$A" >/dev/null 2>&1
	"$C" ring delete "$B" >/dev/null 2>&1
	rm -f "$P" "$P.stats" "$T_OUT" "$T_ERR"
}
trap cleanup EXIT
grep -q '^edgeai ' /proc/modules || t_fail "edgeai.ko is not loaded"

expect_rc 0 "$C" ring create $A slots 8 dtype f32 shape 6 overwrite
expect_rc 0 "$C" ring create $B slots 64 dtype f32 shape 6
# Feed A past its 8 slots (overwritten drops), then stop: counters freeze.
expect_rc 0 insmod "$SYNTH" ring=$A create=0 rate_hz=2000
sleep 0.5
expect_rc 0 rmmod edgeai_synth

expect_rc 0 "$C" -j stats
cp "$T_OUT" "$P.stats"
for r in $A $B; do
	expect_rc 0 "$C" -j ring show "$r"
	/usr/bin/python3 - "$P.stats" "$T_OUT" "$r" <<'PY' || t_fail "ring $r: stats -j differs from ring show -j"
import json, sys
st = json.load(open(sys.argv[1]))
show = json.load(open(sys.argv[2]))["rings"][0]
k = st["kernel"]
assert k["loaded"] is True, k
ring = [x for x in k["rings"] if x["name"] == sys.argv[3]]
assert len(ring) == 1, k["rings"]
ring = ring[0]
for f in ("id", "state", "slots", "slot_size"):
    assert ring[f] == show[f], (f, ring[f], show[f])
for f in ("produced", "consumed", "in_ring", "bytes", "high_water",
          "bad_index", "wakeups", "drops"):
    assert ring["stats"][f] == show["stats"][f], (f, ring["stats"][f], show["stats"][f])
if sys.argv[3] == "t_cs_a":
    assert ring["stats"]["produced"] > 8, ring
    assert ring["stats"]["drops"]["overwritten"] > 0, ring
PY
done
/usr/bin/python3 - "$P.stats" <<'PY' || t_fail "kernel totals"
import json, sys
k = json.load(open(sys.argv[1]))["kernel"]
rings = [r for r in k["rings"] if r["state"] == "live"]
assert k["rings_registered"] == len(rings), k
assert k["produced"] == sum(r["stats"]["produced"] for r in rings), k
assert k["drops"]["overwritten"] == sum(r["stats"]["drops"]["overwritten"] for r in rings), k
assert k["abi_version"] == 1 and k["version"], k
PY
expect_rc 0 "$C" stats
grep -qE "^  +[0-9]+  $A +live +8 +[0-9]+ +0 +[0-9]+ +[0-9]+  overwritten=" "$T_OUT" ||
	t_fail "text row of $A: $(cat "$T_OUT")"

# Prometheus: the same numbers, and the output parses.
expect_rc 0 "$C" stats --prometheus
/usr/bin/python3 "$EDGEAI_SRC/tests/unit/prom_check.py" "$T_OUT" || t_fail "Prometheus output does not parse"
/usr/bin/python3 - "$P.stats" "$T_OUT" <<'PY' || t_fail "Prometheus misses ring series"
import json, sys
k = json.load(open(sys.argv[1]))["kernel"]
lines = set(open(sys.argv[2]).read().splitlines())
assert "edgeai_kernel_loaded 1" in lines
for r in k["rings"]:
    n = r["name"]
    for want in ('edgeai_ring_produced_total{ring="%s"} %d' % (n, r["stats"]["produced"]),
                 'edgeai_ring_consumed_total{ring="%s"} %d' % (n, r["stats"]["consumed"]),
                 'edgeai_ring_slots{ring="%s"} %d' % (n, r["slots"]),
                 'edgeai_ring_drops_total{ring="%s",reason="overwritten"} %d' %
                 (n, r["stats"]["drops"]["overwritten"])):
        assert want in lines, want
PY

# top: B fed at 1000 Hz shows about 1000 produced/s.
expect_rc 0 insmod "$SYNTH" ring=$B create=0 rate_hz=1000
expect_rc 0 "$C" top -n 2 -d 1
[ "$(grep -c '^edgeaictl top ' "$T_OUT")" = 2 ] || t_fail "top -n 2: $(cat "$T_OUT")"
rate=$(awk -v r=$B '$1 == r { v = $2 } END { print v + 0 }' "$T_OUT")
[ "$rate" -ge 500 ] && [ "$rate" -le 1500 ] ||
	t_fail "$B produced/s $rate, want about 1000: $(cat "$T_OUT")"
expect_rc 0 "$C" -j top -n 1 -d 0.5
/usr/bin/python3 - "$T_OUT" <<'PY' || t_fail "top -j"
import json, sys
k = json.load(open(sys.argv[1]))["kernel"]
b = [r for r in k["rings"] if r["name"] == "t_cs_b"][0]
assert b["produced_per_s"] > 0 and "full" in b["drops_per_s"], b
PY
expect_rc 0 rmmod edgeai_synth

# Without the module: "not loaded", status 0.
"$C" ring delete "$A" >/dev/null && "$C" ring delete "$B" >/dev/null || t_fail "ring delete"
expect_rc 0 rmmod edgeai
expect_rc 0 "$C" stats
grep -q "^kernel: not loaded" "$T_OUT" || t_fail "no 'kernel: not loaded': $(cat "$T_OUT")"
expect_rc 0 "$C" -j stats
json_get "$T_OUT" kernel.loaded | grep -qx False || t_fail "kernel.loaded"
expect_rc 0 "$C" stats --prometheus
grep -qx "edgeai_kernel_loaded 0" "$T_OUT" || t_fail "edgeai_kernel_loaded 0"
expect_rc 0 insmod "$KO"
t_pass
