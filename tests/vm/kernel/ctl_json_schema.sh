#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmdebug-skip: edgeaictl -j output against the JSON schemas, in Python: userspace over the ioctl and netlink paths the C tests cover; 331 s under KASAN + lockdep + TCG
# shellcheck disable=SC2016  # '$defs' in schema references is literal
# test-timeout-factor: 3
# edgeaictl -j output with edgeai.ko loaded matches docs/schema/
# (docs/json.md): version (module loaded and not); ring create, list,
# show and delete (a tensor ring fed by edgeai_synth.ko past its slots,
# an opaque user-producer ring, a 3-D one); stats and top with the kernel
# part loaded and not; error objects; monitor -j, every line one event:
# ring created, producer attached and detached, overflow started and
# ended, ring destroyed, module unloaded and loaded; monitor -p. -j is one
# line and -p the same document indented. Python starts slowly under
# emulation: the outputs are kept and validated in one batch at the end.
# Leaves edgeai.ko loaded and no ring of its own.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
C=$EDGEAI_BUILD/edgeaictl
KO=$EDGEAI_SRC/kmod/edgeai.ko
SYNTH=$EDGEAI_SRC/kmod/synth/edgeai_synth.ko
VALIDATE=$EDGEAI_SRC/tests/lib/json_validate.py
A=t_js_a
B=t_js_b
R=t_js_c
DIR=$(mktemp -d)
CHECKS=$DIR/checks
MON=
export EDGEAID_STATS=/nonexistent/stats.json
export EDGEAI_BPF_PIN_DIR=$DIR/no-bpffs/edgeai

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	[ -n "$MON" ] && kill "$MON" 2>/dev/null
	grep -q '^edgeai_synth ' /proc/modules && rmmod edgeai_synth
	grep -q '^edgeai ' /proc/modules || insmod "$KO"
	for r in $A $B $R t_js_probe; do "$C" ring delete "$r" >/dev/null 2>&1; done
	rm -rf "$DIR" "$T_OUT" "$T_ERR"
}
trap cleanup EXIT
grep -q '^edgeai ' /proc/modules || t_fail "edgeai.ko is not loaded"
[ -d /usr/lib/python3/dist-packages/jsonschema ] ||
	t_fail "no python3-jsonschema: run scripts/deps.sh"

# jcheck STATUS SCHEMA#/$defs/NAME NAME ARGS...: edgeaictl -p ARGS and -j
# ARGS exit STATUS with nothing on stderr and -j on one line; both are
# kept as $DIR/NAME.p and $DIR/NAME.json (also in $T_OUT) and checked
# against the schema at the end, as a pair.
jcheck()
{
	local rc=$1 ref=$2 name=$3
	shift 3
	expect_rc "$rc" "$C" -p "$@"
	[ -s "$T_ERR" ] && t_fail "'-p $*' wrote to stderr: $(cat "$T_ERR")"
	cp "$T_OUT" "$DIR/$name.p"
	expect_rc "$rc" "$C" -j "$@"
	[ -s "$T_ERR" ] && t_fail "'-j $*' wrote to stderr: $(cat "$T_ERR")"
	[ "$(wc -l <"$T_OUT")" = 1 ] || t_fail "'-j $*' is not one line: $(cat "$T_OUT")"
	cp "$T_OUT" "$DIR/$name.json"
	echo "pair '$ref' $DIR/$name.json $DIR/$name.p" >>"$CHECKS"
}

# jonly STATUS SCHEMA#/$defs/NAME NAME ARGS...: -j only (create, delete).
jonly()
{
	local rc=$1 ref=$2 name=$3
	shift 3
	expect_rc "$rc" "$C" -j "$@"
	[ -s "$T_ERR" ] && t_fail "'-j $*' wrote to stderr: $(cat "$T_ERR")"
	[ "$(wc -l <"$T_OUT")" = 1 ] || t_fail "'-j $*' is not one line: $(cat "$T_OUT")"
	cp "$T_OUT" "$DIR/$name.json"
	echo "doc '$ref' $DIR/$name.json" >>"$CHECKS"
}

# monitor_on OPTION FILE: a monitor writing to FILE, subscribed: a probe
# ring's creation and destruction show up in it.
monitor_on()
{
	"$C" "$1" monitor >"$2" 2>"$2.err" &
	MON=$!
	for _ in $(seq 50); do
		"$C" ring create t_js_probe size 8 slots 2 >/dev/null &&
			"$C" ring delete t_js_probe >/dev/null
		# both events of one probe: the monitor may subscribe between them
		wait_for_line "$2" '"ring-destroyed"' 1 && grep -q '"ring-created"' "$2" && return 0
		kill -0 "$MON" 2>/dev/null || t_fail "monitor died: $(cat "$2.err")"
	done
	t_fail "monitor never saw the probe ring: $(cat "$2")"
}

monitor_off()	# monitor_off SIGNAL FILE
{
	kill "-$1" "$MON"
	wait "$MON" || t_fail "monitor: status $? on SIG$1: $(cat "$2.err")"
	MON=
	[ -s "$2.err" ] && t_fail "monitor wrote to stderr: $(cat "$2.err")"
}

monitor_on -j "$DIR/mon"

# ---- with the module ----
jcheck 0 'version.json' version version
grep -q '"module":{"loaded":true,' "$T_OUT" || t_fail "module not loaded: $(cat "$T_OUT")"
jcheck 0 'ring.json#/$defs/list' list0 ring list
jonly 0 'ring.json#/$defs/create' create-a ring create $A slots 8 dtype f32 shape 6 overwrite
IDA=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' "$T_OUT")
jonly 0 'ring.json#/$defs/create' create-b ring create $B size 64 slots 4 user-producer
IDB=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' "$T_OUT")
jonly 0 'ring.json#/$defs/create' create-c ring create $R slots 2 dtype i16 shape 2,3,4
if [ -z "$IDA" ] || [ -z "$IDB" ]; then t_fail "no ring ids: '$IDA' '$IDB'"; fi

# Feed A past its 8 slots (overwritten drops, an overflow), then stop.
expect_rc 0 insmod "$SYNTH" ring=$A create=0 rate_hz=2000 channels=6
wait_for_line "$DIR/mon" '"overflow-started"' 10 || t_fail "no overflow-started: $(cat "$DIR/mon")"
expect_rc 0 "$C" -j top -n 2 -d 0.3
cp "$T_OUT" "$DIR/top.json"
echo "lines=2 'stats.json#/\$defs/top' $DIR/top.json" >>"$CHECKS"
jcheck 0 'stats.json#/$defs/stats' stats-feeding stats
expect_rc 0 rmmod edgeai_synth

jcheck 0 'ring.json#/$defs/list' list ring list
jcheck 0 'ring.json#/$defs/show' show-a ring show $A
jcheck 0 'ring.json#/$defs/show' show-id ring show id "$IDA"
jcheck 0 'ring.json#/$defs/show' show-b ring show name $B
jcheck 0 'stats.json#/$defs/stats' stats stats
jcheck 0 'pipeline.json#/$defs/list' pipeline pipeline list

# ---- errors ----
jcheck 1 'error.json' err-show ring show t_js_nosuch
jcheck 1 'error.json' err-exists ring create $A size 8 slots 2
jcheck 2 'error.json' err-dtype ring create t_js_x dtype f32
jcheck 2 'error.json' err-id0 ring show id 0
jcheck 2 'error.json' err-extra ring list extra

jonly 0 'ring.json#/$defs/delete' delete-a ring delete $A
jonly 0 'ring.json#/$defs/delete' delete-b ring delete id "$IDB"
jonly 0 'ring.json#/$defs/delete' delete-c ring delete name $R
jcheck 1 'error.json' err-delete ring delete $A
# Destroying a ring that overflows ends its overflow.
wait_for_line "$DIR/mon" '"ring-destroyed".*t_js_a' 10 ||
	t_fail "no ring-destroyed: $(cat "$DIR/mon")"

# ---- without the module: the absent shapes; the monitor follows ----
expect_rc 0 rmmod edgeai
wait_for_line "$DIR/mon" '"module-unloaded"' 10 || t_fail "no module-unloaded: $(cat "$DIR/mon")"
jcheck 0 'version.json' version-none version
grep -q '"module":{"loaded":false,' "$T_OUT" || t_fail "module loaded?: $(cat "$T_OUT")"
jcheck 0 'stats.json#/$defs/stats' stats-none stats
grep -q '^{"kernel":{"loaded":false}' "$T_OUT" || t_fail "kernel loaded?: $(cat "$T_OUT")"
jcheck 1 'error.json' err-nodev ring list
jcheck 1 'error.json' err-monitor monitor
expect_rc 0 insmod "$KO"
wait_for_line "$DIR/mon" '"module-loaded"' 10 || t_fail "no module-loaded: $(cat "$DIR/mon")"
monitor_off INT "$DIR/mon"
echo "lines=10 monitor.json $DIR/mon" >>"$CHECKS"

# monitor -p: each event indented.
monitor_on -p "$DIR/monp"
monitor_off TERM "$DIR/monp"
echo "stream=2 monitor.json $DIR/monp" >>"$CHECKS"

# ---- every output against its schema, then what it says ----
/usr/bin/python3 "$VALIDATE" --batch "$CHECKS" || t_fail "output does not match docs/schema/"
/usr/bin/python3 - "$DIR" <<'PY' || t_fail "content (see the assertion above)"
import json, os, sys
d = sys.argv[1]
def load(name):
    return json.load(open(os.path.join(d, name + ".json")))
r = {x["name"]: x for x in load("list")["rings"]}
a, b, c = r["t_js_a"], r["t_js_b"], r["t_js_c"]
assert a["tensor"] == {"dtype": "f32", "shape": [6]} and a["flags"] == ["overwrite"], a
assert a["stats"]["produced"] > 8 and a["stats"]["drops"]["overwritten"] > 0, a
assert b["tensor"] == {"dtype": "u8", "shape": []} and b["flags"] == ["user-producer"], b
assert b["slot_size"] == 64 and b["slots"] == 4, b
assert c["tensor"] == {"dtype": "i16", "shape": [2, 3, 4]} and c["flags"] == [], c
assert c["slot_size"] == 48 and c["state"] == "live", c
assert load("show-a")["rings"][0] == a and load("show-id")["rings"][0] == a
assert load("show-b")["rings"][0]["name"] == "t_js_b"
k = load("stats")["kernel"]
ks = {x["name"]: x for x in k["rings"]}
assert k["loaded"] is True and {"t_js_a", "t_js_b", "t_js_c"} <= set(ks), k
assert ks["t_js_a"]["stats"] == a["stats"], (ks["t_js_a"], a)
frame = json.loads(open(os.path.join(d, "top.json")).read().splitlines()[-1])
fa = [x for x in frame["kernel"]["rings"] if x["name"] == "t_js_a"]
assert len(fa) == 1 and fa[0]["produced_per_s"] > 0, frame
assert load("version")["module"]["abi_compatible"] is True
assert "t_js_nosuch" in load("err-show")["error"]
evs = [json.loads(l) for l in open(os.path.join(d, "mon"))]
got = [e["event"] for e in evs if e.get("name") == "t_js_a"]
assert got[0] == "ring-created" and got[-1] == "ring-destroyed", got
assert {"producer-attached", "overflow-started", "producer-detached",
        "overflow-ended"} <= set(got), got
assert all(e["producer"] == "kernel" for e in evs if "producer" in e), evs
kinds = [e["event"] for e in evs if "name" not in e]
assert kinds == ["module-unloaded", "module-loaded"], kinds
PY
t_pass
