#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317  # cleanup runs through trap
# shellcheck disable=SC2016  # '$defs' in schema references is literal
#
# edgeaictl -j output of the bpf object and of stats/top with the filter
# loaded matches docs/schema/ (docs/json.md): the filter on a veth in a
# private network namespace with a private pin directory, xdp and tc;
# bpf show (nothing, maps only, xdp with ports and dry run, tc with its
# qdisc, a stale pin), bpf stats (not loaded, loaded with counters from
# real packets), bpf sensor list/add/delete, bpf attach (attached,
# replaced) and detach, stats -j and top -j with the filter part loaded
# (and unreadable, for an unprivileged user), and error objects. -j is one
# line and -p the same document indented.
#
# Runs as root on the host: EDGEAI_BUILD=DIR bash tests/bpf/json_schema_bpf.sh
set -u

SRC=${EDGEAI_SRC:-$(readlink -f "$(dirname "$0")/../..")}
. "$SRC/tests/lib.sh"

BUILD=${EDGEAI_BUILD:-$SRC/build}
CTL=${EDGEAI_CTL:-$BUILD/edgeaictl}
OBJ=$BUILD/bpf/edgeai_filter.bpf.o
VALIDATE=$SRC/tests/lib/json_validate.py
NS=edgeai-js-$$
PIN=/sys/fs/bpf/edgeai-js-$$
DIR=$(mktemp -d)
export EDGEAI_BPF_PIN_DIR=$PIN EDGEAID_STATS=/nonexistent/stats.json
unset EDGEAI_DEBUG

[ "$(id -u)" -eq 0 ] || t_skip "needs root (network namespaces, BPF)"
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] ||
	t_skip "/sys/fs/bpf is not a BPF filesystem (mount -t bpf bpf /sys/fs/bpf)"
for tool in ip nsenter setpriv; do
	command -v $tool >/dev/null || t_skip "no $tool"
done
[ -x "$CTL" ] || t_fail "no $CTL: run make"
[ -f "$OBJ" ] || t_fail "no $OBJ: run make"
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
	t_fail "no python3-jsonschema: run scripts/deps.sh"

cleanup()
{
	if [ -d "$PIN" ]; then
		ctl bpf detach --all >/dev/null 2>&1
		rm -rf "$PIN"
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$DIR" "$T_OUT" "$T_ERR"
}
trap cleanup EXIT

# edgeaictl in the namespace (not "ip netns exec": it remounts /sys).
ctl() { nsenter --net="/run/netns/$NS" "$CTL" "$@"; }

# jcheck STATUS SCHEMA#/$defs/NAME ARGS...: edgeaictl -j ARGS (in the
# namespace) exits STATUS with one line matching the schema and nothing on
# stderr; -p prints the same document indented. -p runs first: for a
# command that changes something the -j run is the second, like-for-like.
jcheck()
{
	local rc=$1 ref=$2
	shift 2
	expect_rc "$rc" ctl -p "$@"
	[ -s "$T_ERR" ] && t_fail "'-p $*' wrote to stderr: $(cat "$T_ERR")"
	cp "$T_OUT" "$DIR/pretty.json"
	expect_rc "$rc" ctl -j "$@"
	[ -s "$T_ERR" ] && t_fail "'-j $*' wrote to stderr: $(cat "$T_ERR")"
	/usr/bin/python3 "$VALIDATE" --pair "$ref" "$T_OUT" "$DIR/pretty.json" ||
		t_fail "'-j $*' or '-p $*' does not match $ref: $(head -c 2000 "$T_OUT")"
}

# jonly STATUS SCHEMA#/$defs/NAME ARGS...: -j only, for commands that
# cannot run twice alike (the first attach, a delete).
jonly()
{
	local rc=$1 ref=$2
	shift 2
	expect_rc "$rc" ctl -j "$@"
	[ -s "$T_ERR" ] && t_fail "'-j $*' wrote to stderr: $(cat "$T_ERR")"
	/usr/bin/python3 "$VALIDATE" --lines "$ref" "$T_OUT" ||
		t_fail "'-j $*' does not match $ref: $(head -c 2000 "$T_OUT")"
	[ "$(wc -l <"$T_OUT")" = 1 ] || t_fail "'-j $*' is not one line"
}

jeq()	# jeq KEY WANT: member KEY of the last stdout is WANT
{
	local got
	got=$(json_get "$T_OUT" "$1")
	[ "$got" = "$2" ] || t_fail "$1 is '$got', expected '$2': $(cat "$T_OUT")"
}

ip netns add "$NS" || t_fail "cannot create network namespace $NS"
ip -n "$NS" link add va type veth peer name vb || t_fail "cannot create veth"
ip -n "$NS" link add vc type veth peer name vd || t_fail "cannot create veth"
for d in va vb vc vd; do ip -n "$NS" link set "$d" up; done

# ---- not loaded ----
jcheck 0 'bpf.json#/$defs/show' bpf show
jeq maps_pinned False
jcheck 0 'bpf.json#/$defs/stats' bpf stats
jeq loaded False
jcheck 0 'bpf.json#/$defs/sensor_list' bpf sensor list
jcheck 0 'stats.json#/$defs/stats' stats
jeq filter.loaded False
jcheck 0 'bpf.json#/$defs/detach' bpf detach va
jeq maps_removed False

# ---- maps only: sensors staged before any attach ----
ADD16="bpf sensor add 16 --class 1 --priority 2 --pipeline 3 --rate 1000"
# shellcheck disable=SC2086
jonly 0 'bpf.json#/$defs/sensor_add' $ADD16
jeq action added
# shellcheck disable=SC2086
jcheck 0 'bpf.json#/$defs/sensor_add' $ADD16
jeq action updated
jcheck 0 'bpf.json#/$defs/sensor_add' bpf sensor add 17 --rate 1 --burst 1
jcheck 0 'bpf.json#/$defs/sensor_add' bpf sensor add 4294967295
jcheck 0 'bpf.json#/$defs/show' bpf show
jeq maps_pinned True
jeq sensors 3

# ---- xdp and tc ----
jonly 0 'bpf.json#/$defs/attach' bpf attach va --mode generic
jeq action attached
jcheck 0 'bpf.json#/$defs/attach' bpf attach va xdp --mode generic --port 4747,5000 --dry-run
jeq action replaced
jonly 0 'bpf.json#/$defs/attach' bpf attach va --mode generic
jeq action replaced
jonly 0 'bpf.json#/$defs/attach' bpf attach vc tc --port 6000
jeq action attached
jeq qdisc_created True
jcheck 0 'bpf.json#/$defs/show' bpf show
/usr/bin/python3 - "$T_OUT" <<'PY' || t_fail "bpf show: $(cat "$T_OUT")"
import json, sys
a = {x["dev"]: x for x in json.load(open(sys.argv[1]))["attachments"]}
assert a["va"]["type"] == "xdp" and a["va"]["mode"] == "generic" and a["va"]["ports"] == [4747], a
assert a["vc"]["type"] == "tc" and a["vc"]["mode"] == "ingress" and a["vc"]["ports"] == [6000], a
assert "qdisc_created" not in a["va"] and a["vc"]["qdisc_created"] is True, a
PY

# ---- counters from real packets ----
MAC=$(ip -n "$NS" link show dev va | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
nsenter --net="/run/netns/$NS" /usr/bin/python3 "$SRC/tests/bpf/send_frames.py" \
	vb "$MAC" 16 16 16 99 17 17 17 || t_fail "cannot send"
sleep 0.2
jcheck 0 'bpf.json#/$defs/stats' bpf stats
jeq loaded True
jeq attachments 2
jeq pass 4
jeq unknown_sensor 1
jeq rate_limited 2
cp "$T_OUT" "$DIR/bpf-stats.json"
jcheck 0 'bpf.json#/$defs/sensor_list' bpf sensor list
jeq sensors.0.id 16
jeq sensors.0.packets 3
jeq sensors.2.id 4294967295
jcheck 0 'stats.json#/$defs/stats' stats
/usr/bin/python3 - "$T_OUT" "$DIR/bpf-stats.json" <<'PY' || t_fail "stats -j filter: $(cat "$T_OUT")"
import json, sys
f = json.load(open(sys.argv[1]))["filter"]
b = json.load(open(sys.argv[2]))
assert f["loaded"] is True and f["pin_dir"], f
# the same members as bpf stats, plus pin_dir
assert set(f) == set(b) | {"pin_dir"}, (sorted(f), sorted(b))
assert f["pass"] == 4 and [s["id"] for s in f["sensors"]] == [16, 17, 4294967295], f
PY
expect_rc 0 ctl -j top -n 2 -d 0.2
/usr/bin/python3 "$VALIDATE" --lines --min 2 'stats.json#/$defs/top' "$T_OUT" ||
	t_fail "top -j does not match: $(cat "$T_OUT")"
tail -n 1 "$T_OUT" >"$DIR/frame.json"
[ "$(json_get "$DIR/frame.json" filter.loaded)" = True ] || t_fail "top: $(cat "$T_OUT")"

# Unprivileged: the filter part says why it is absent, status 0.
if nsenter --net="/run/netns/$NS" setpriv --reuid=65534 --regid=65534 \
	--clear-groups "$CTL" help >/dev/null 2>&1; then
	expect_rc 0 nsenter --net="/run/netns/$NS" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" -j stats
	/usr/bin/python3 "$VALIDATE" --lines 'stats.json#/$defs/stats' "$T_OUT" ||
		t_fail "unprivileged stats -j does not match: $(cat "$T_OUT")"
	jeq filter.loaded False
	json_get "$T_OUT" filter.error >/dev/null
else
	echo "note: nobody cannot run $CTL; unprivileged stats skipped"
fi

# ---- errors ----
jcheck 1 'error.json' bpf sensor delete 99
jeq error "sensor 99 not found"
jcheck 1 'error.json' bpf attach nosuch0
jcheck 1 'error.json' bpf attach va tc
jcheck 2 'error.json' bpf attach
jcheck 2 'error.json' bpf attach va --port 0
jcheck 2 'error.json' bpf sensor add 1 --class 256
jcheck 2 'error.json' bpf stats extra

# ---- delete, stale pins, detach ----
jonly 0 'bpf.json#/$defs/sensor_delete' bpf sensor delete 17
jeq deleted True
ip -n "$NS" link del vc		# takes vd with it: vc's pin goes stale
jcheck 0 'bpf.json#/$defs/show' bpf show
jeq attachments.1.state device-gone
jonly 0 'bpf.json#/$defs/detach' bpf detach vc
jeq detached.0.state device-gone
jeq maps_removed False
jonly 0 'bpf.json#/$defs/detach' bpf detach --all
jeq detached.0.dev va
jeq maps_removed True
jcheck 0 'bpf.json#/$defs/show' bpf show
jeq maps_pinned False
jcheck 0 'stats.json#/$defs/stats' stats
jeq filter.loaded False
t_pass
