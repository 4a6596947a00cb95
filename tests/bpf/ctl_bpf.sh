#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317  # cleanup and ctl run through trap and expect_rc
#
# edgeaictl bpf on a veth pair in a private network namespace, with a
# private pin directory: attach and detach (xdp generic and native, tc),
# idempotent re-attach, nothing left behind, tc qdisc ownership, stale pins,
# sensors and counters with real packets, and every error it promises
# (usage, missing device, foreign programs, no privilege, no native XDP).
#
# Runs as root on the host: EDGEAI_BUILD=DIR bash tests/bpf/ctl_bpf.sh
# (EDGEAI_CTL=PATH picks another edgeaictl, e.g. the ASan build).
set -u

SRC=${EDGEAI_SRC:-$(readlink -f "$(dirname "$0")/../..")}
. "$SRC/tests/lib.sh"

BUILD=${EDGEAI_BUILD:-$SRC/build}
CTL=${EDGEAI_CTL:-$BUILD/edgeaictl}
OBJ=$BUILD/bpf/edgeai_filter.bpf.o
NS=edgeai-ctl-$$
PIN=/sys/fs/bpf/edgeai-test-$$
export EDGEAI_BPF_PIN_DIR=$PIN
unset EDGEAI_DEBUG

[ "$(id -u)" -eq 0 ] || t_skip "needs root (network namespaces, BPF)"
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] ||
	t_skip "/sys/fs/bpf is not a BPF filesystem (mount -t bpf bpf /sys/fs/bpf)"
for tool in ip tc nsenter setpriv bpftool; do
	command -v $tool >/dev/null || t_skip "no $tool"
done
[ -x "$CTL" ] || t_fail "no $CTL: run make"
[ -f "$OBJ" ] || t_fail "no $OBJ: run make"

cleanup()
{
	if [ -d "$PIN" ]; then
		ctl bpf detach --all >/dev/null 2>&1
		rm -rf "$PIN"
	fi
	ip netns del "$NS" 2>/dev/null
	rm -f "$T_OUT" "$T_ERR"
}
trap cleanup EXIT

# edgeaictl in the namespace. Not "ip netns exec": it remounts /sys, which
# hides the BPF filesystem.
ctl()
{
	nsenter --net="/run/netns/$NS" "$CTL" "$@"
}

nobody()
{
	nsenter --net="/run/netns/$NS" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" "$@"
}

# expect_err STATUS PATTERN ARGS...: edgeaictl ARGS fails with STATUS and
# says PATTERN on stderr.
expect_err()
{
	local rc=$1 pat=$2
	shift 2
	expect_rc "$rc" ctl "$@"
	grep -q -- "$pat" "$T_ERR" ||
		t_fail "'edgeaictl $*': stderr lacks '$pat': $(cat "$T_ERR")"
}

jeq()	# jeq KEY WANT: member KEY of the last stdout is WANT
{
	local got
	got=$(json_get "$T_OUT" "$1")
	[ "$got" = "$2" ] || t_fail "$1 is '$got', expected '$2': $(cat "$T_OUT")"
}

pins()	# the pins and directories in the pin directory
{
	# shellcheck disable=SC2012  # pin names are plain
	LC_ALL=C ls "$PIN" 2>/dev/null | tr '\n' ' '
}

no_pin_dir()
{
	[ ! -e "$PIN" ] || t_fail "$1: $PIN left behind: $(pins)"
}

# A program is freed a moment after its last reference goes.
prog_gone()
{
	local tries=50
	while [ $tries -gt 0 ]; do
		bpftool prog show id "$1" >/dev/null 2>&1 || return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	t_fail "program $1 is still loaded"
}

link_xdp()	# the XDP program id on DEV per ip(8), empty if none
{
	ip -n "$NS" -d link show dev "$1" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'
}

ip netns add "$NS" || t_fail "cannot create network namespace $NS"
ip -n "$NS" link add va type veth peer name vb || t_fail "cannot create veth"
ip -n "$NS" link set va up
ip -n "$NS" link set vb up

# ---- nothing loaded: not an error ----
expect_rc 0 ctl -j bpf stats
jeq loaded False
expect_rc 0 ctl bpf stats
grep -q "not loaded" "$T_OUT" || t_fail "stats should say the filter is not loaded"
expect_rc 0 ctl -j bpf
jeq maps_pinned False
[ "$(json_get "$T_OUT" attachments)" = "[]" ] || t_fail "attachments should be empty"
expect_rc 0 ctl -j bpf sensor list
[ "$(json_get "$T_OUT" sensors)" = "[]" ] || t_fail "sensors should be empty"
expect_rc 0 ctl bpf detach va
grep -q "nothing attached to va" "$T_OUT" || t_fail "detach of nothing should say so"
expect_rc 0 ctl bpf detach --all
no_pin_dir "read-only commands"

# ---- usage errors: exit 2, JSON under -j ----
expect_rc 0 ctl bpf help
for args in "attach" "attach --mode generic" "attach va bogus" \
	"attach va --mode" "attach va --mode turbo" "attach va tc --mode generic" \
	"attach va xdp tc" "attach va --port 0" "attach va --port 65536" \
	"attach va --port 1,2,3,4,5,6,7,8,9" "attach va --port x" \
	"detach" "detach va --all" "detach va vb" "detach ../x" \
	"sensor add" "sensor add 0" "sensor add 4294967296" "sensor add -1" \
	"sensor add 1 --class 256" "sensor add 1 --priority" \
	"sensor add 1 --rate 10000001" "sensor add 1 --burst 0" \
	"sensor add 1 --bogus 3" "sensor del" "sensor del 0" "sensor del 1 2" \
	"sensor bogus" "show extra" "stats extra" "bogus" "s"; do
	# shellcheck disable=SC2086
	expect_rc 2 ctl bpf $args
done
expect_rc 2 ctl -j bpf attach
json_get "$T_OUT" error | grep -q "usage: bpf attach" || t_fail "JSON usage error"
no_pin_dir "usage errors"

# ---- errors that name the problem ----
expect_err 1 "no such device: nosuch0" bpf attach nosuch0
expect_rc 1 ctl -j bpf attach nosuch0 tc
jeq error "no such device: nosuch0"
expect_err 1 "no native XDP support.*--mode generic" bpf attach lo --mode native
no_pin_dir "failed attaches"

# Without privilege: said so, and nothing is created.
if nobody bpf help >/dev/null 2>&1; then
	expect_rc 1 nobody bpf attach va
	grep -q "needs CAP_BPF and CAP_NET_ADMIN (run as root)" "$T_ERR" ||
		t_fail "no permission message: $(cat "$T_ERR")"
	expect_rc 1 nobody bpf sensor add 5
	grep -q "needs CAP_BPF" "$T_ERR" || t_fail "no permission message for sensor add"
	no_pin_dir "unprivileged attempts"
else
	echo "note: nobody cannot run $CTL; privilege checks skipped"
fi

# ---- xdp, generic ----
expect_rc 0 ctl -j bpf attach va --mode generic
jeq action attached
jeq mode generic
ID1=$(json_get "$T_OUT" prog_id)
[ "$(link_xdp va)" = "$ID1" ] || t_fail "ip link does not show program $ID1 on va"
ip -n "$NS" link show dev va | grep -q xdpgeneric || t_fail "va not in generic mode"
expect_rc 0 ctl -j bpf show
jeq maps_pinned True
jeq attachments.0.dev va
jeq attachments.0.type xdp
jeq attachments.0.state attached
jeq attachments.0.mode generic
jeq attachments.0.prog_id "$ID1"
jeq attachments.0.ports "[4747]"
jeq attachments.0.dry_run False
[ "$(pins)" = "edgeai_sensor_stats edgeai_sensors edgeai_stats xdp_va " ] ||
	t_fail "unexpected pins: $(pins)"

# Again, other options: replaced in place, still one link.
expect_rc 0 ctl -j bpf attach va xdp --port 4747,5000 --dry-run
jeq action replaced
jeq old_prog_id "$ID1"
jeq mode generic
ID2=$(json_get "$T_OUT" prog_id)
[ "$(link_xdp va)" = "$ID2" ] || t_fail "va runs $(link_xdp va), not $ID2"
prog_gone "$ID1"
expect_rc 0 ctl -j bpf show
jeq attachments.0.ports "[4747, 5000]"
jeq attachments.0.dry_run True
[ "$(json_get "$T_OUT" attachments | grep -o "'dev'" | wc -l)" = 1 ] ||
	t_fail "more than one attachment: $(cat "$T_OUT")"
[ "$(pins | grep -o 'xdp_' | wc -l)" = 1 ] || t_fail "not one link pin: $(pins)"
expect_rc 0 ctl bpf attach va
grep -q "^replaced xdp on va" "$T_OUT" || t_fail "re-attach should say replaced"
ID2=$(link_xdp va)

# The other type on the same device: detach first.
expect_err 1 "edgeai xdp is attached to va; detach it first" bpf attach va tc

# Another mode: re-attached in that mode.
expect_rc 0 ctl -j bpf attach va --mode native
jeq action replaced
jeq mode native
ID3=$(json_get "$T_OUT" prog_id)
ip -n "$NS" link show dev va | grep -q 'xdp ' || t_fail "va not in native mode"
[ "$(link_xdp va)" = "$ID3" ] || t_fail "va runs $(link_xdp va), not $ID3"

# Detach leaves nothing: no XDP, no program, no pins, no directory.
expect_rc 0 ctl -j bpf detach va
jeq detached.0.type xdp
jeq maps_removed True
[ -z "$(link_xdp va)" ] || t_fail "va still has XDP program $(link_xdp va)"
prog_gone "$ID2"
prog_gone "$ID3"
no_pin_dir "detach of xdp"
expect_rc 0 ctl bpf detach va
grep -q "nothing attached to va" "$T_OUT" || t_fail "second detach should be a no-op"

# ---- tc ----
expect_rc 0 ctl -j bpf attach va tc
jeq action attached
jeq qdisc_created True
T1=$(json_get "$T_OUT" prog_id)
tc -n "$NS" qdisc show dev va | grep -q clsact || t_fail "no clsact qdisc"
tc -n "$NS" filter show dev va ingress | grep -q "handle 0xea1 edgeai_tc.* id $T1 " ||
	t_fail "no edgeai_tc filter: $(tc -n "$NS" filter show dev va ingress)"
expect_rc 0 ctl -j bpf attach va tc --port 6000
jeq action replaced
jeq old_prog_id "$T1"
jeq qdisc_created True
T2=$(json_get "$T_OUT" prog_id)
[ "$(tc -n "$NS" filter show dev va ingress | grep -c 'handle 0xea1')" = 1 ] ||
	t_fail "not one filter: $(tc -n "$NS" filter show dev va ingress)"
tc -n "$NS" filter show dev va ingress | grep -q " id $T2 " || t_fail "filter not replaced"
prog_gone "$T1"
expect_rc 0 ctl -j bpf show
jeq attachments.0.type tc
jeq attachments.0.ports "[6000]"
jeq attachments.0.qdisc_created True
expect_err 1 "edgeai tc is attached to va; detach it first" bpf attach va --mode generic
expect_rc 0 ctl bpf detach va
[ -z "$(tc -n "$NS" filter show dev va ingress)" ] || t_fail "tc filter left behind"
tc -n "$NS" qdisc show dev va | grep -q clsact && t_fail "our clsact qdisc left behind"
prog_gone "$T2"
no_pin_dir "detach of tc"

# A clsact qdisc that was there before stays.
tc -n "$NS" qdisc add dev va clsact
expect_rc 0 ctl -j bpf attach va tc
jeq qdisc_created False
T3=$(json_get "$T_OUT" prog_id)
expect_rc 0 ctl bpf detach va
tc -n "$NS" qdisc show dev va | grep -q clsact || t_fail "someone else's clsact was removed"
[ -z "$(tc -n "$NS" filter show dev va ingress)" ] || t_fail "tc filter left behind"
prog_gone "$T3"
no_pin_dir "detach of tc on a clsact that was there"

# A foreign filter at our handle and priority.
tc -n "$NS" filter add dev va ingress pref 1 handle 0xea1 bpf da obj "$OBJ" sec tc ||
	t_fail "cannot add a foreign tc filter"
expect_err 1 "tc ingress filter that edgeaictl did not attach.*prog id [0-9]" bpf attach va tc
tc -n "$NS" qdisc del dev va clsact
no_pin_dir "foreign tc filter"

# ---- foreign XDP program ----
ip -n "$NS" link set dev va xdpgeneric obj "$OBJ" sec xdp ||
	t_fail "cannot attach a foreign XDP program"
FOREIGN=$(link_xdp va)
expect_err 1 "XDP program that edgeaictl did not attach: id $FOREIGN name edgeai_xdp" \
	bpf attach va
expect_rc 1 ctl -j bpf attach va --mode native
json_get "$T_OUT" error | grep -q "id $FOREIGN" || t_fail "JSON error should name $FOREIGN"
[ "$(link_xdp va)" = "$FOREIGN" ] || t_fail "the foreign program was touched"
no_pin_dir "foreign XDP program"
ip -n "$NS" link set dev va xdpgeneric off

# ---- sensors, staged before attach ----
expect_rc 0 ctl -j bpf sensor add 7 --class 1 --priority 2 --pipeline 3 --rate 100
jeq action added
jeq burst 25
expect_rc 0 ctl -j bpf show
jeq maps_pinned True
jeq sensors 1
[ "$(json_get "$T_OUT" attachments)" = "[]" ] || t_fail "nothing should be attached"
expect_rc 0 ctl -j bpf sensor add 7 --class=4 --priority 5 --pipeline 6 --rate 1000 --burst 10
jeq action updated
expect_rc 0 ctl -j bpf sensor add 0x10
jeq id 16
jeq burst 4
jeq rate 0
expect_rc 0 ctl -j bpf sensor list
jeq sensors.0.id 7
jeq sensors.0.class 4
jeq sensors.0.priority 5
jeq sensors.0.pipeline 6
jeq sensors.0.rate 1000
jeq sensors.0.burst 10
jeq sensors.0.packets 0
jeq sensors.1.id 16
expect_err 1 "sensor 99 not found" bpf sensor del 99
expect_rc 1 ctl -j bpf sensor delete 99
jeq error "sensor 99 not found"
expect_rc 0 ctl bpf sensor del 7
expect_rc 0 ctl -j bpf sensor list
jeq sensors.0.id 16
[ "$(json_get "$T_OUT" sensors | grep -o "'id'" | wc -l)" = 1 ] || t_fail "7 not deleted"

# ---- counters with real packets: 3 from sensor 16, 1 from unknown 99 ----
expect_rc 0 ctl bpf attach va --mode generic
MAC=$(ip -n "$NS" link show dev va | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
nsenter --net="/run/netns/$NS" /usr/bin/python3 "$EDGEAI_SRC/tests/bpf/send_frames.py" \
	vb "$MAC" 16 16 16 99 || t_fail "cannot send"
sleep 0.2
expect_rc 0 ctl -j bpf stats
jeq loaded True
jeq attachments 1
jeq pass 3
jeq unknown_sensor 1
jeq sensors.0.id 16
jeq sensors.0.packets 3
jeq sensors.0.bytes 246
jeq sensors.0.invalid 0
seen=$(json_get "$T_OUT" seen)
[ "$seen" -ge 4 ] || t_fail "seen is $seen, expected at least 4"
expect_rc 0 ctl -j bpf sensor list
jeq sensors.0.packets 3
expect_rc 0 ctl bpf stats
grep -q "^unknown sensor: 1$" "$T_OUT" || t_fail "text stats: $(cat "$T_OUT")"

# --keep-maps keeps the sensors for the next attach.
expect_rc 0 ctl -j bpf detach va --keep-maps
jeq maps_removed False
expect_rc 0 ctl -j bpf show
jeq sensors 1
expect_rc 0 ctl bpf detach --all
no_pin_dir "detach --all"

# ---- stale pins: the devices went away ----
ip -n "$NS" link add vc type veth peer name vd
ip -n "$NS" link set vc up
ip -n "$NS" link set vd up
expect_rc 0 ctl bpf attach vc --mode generic
expect_rc 0 ctl bpf attach vd tc
ip -n "$NS" link del vc		# takes its peer vd with it
expect_rc 0 ctl -j bpf show
jeq attachments.0.dev vc
jeq attachments.0.state device-gone
jeq attachments.1.dev vd
jeq attachments.1.state device-gone
expect_rc 0 ctl bpf detach vc
grep -q "removed the stale xdp pin of vc (device gone)" "$T_OUT" ||
	t_fail "stale xdp pin: $(cat "$T_OUT")"
[ -d "$PIN" ] || t_fail "maps removed while vd's pin remains"
expect_rc 0 ctl bpf detach vd
no_pin_dir "detach of stale pins"

t_pass
