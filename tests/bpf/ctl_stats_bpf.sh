#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317  # cleanup runs through trap
#
# edgeaictl stats and top with the filter's maps pinned (private pin
# directory, XDP generic on a veth in a private network namespace): the
# filter part equals "bpf stats" after real packets, --prometheus has the
# global and per-sensor series and parses, top shows pass/s, and a user
# who cannot read the maps still gets status 0.
#
# Runs as root on the host: EDGEAI_BUILD=DIR bash tests/bpf/ctl_stats_bpf.sh
set -u

SRC=${EDGEAI_SRC:-$(readlink -f "$(dirname "$0")/../..")}
. "$SRC/tests/lib.sh"

BUILD=${EDGEAI_BUILD:-$SRC/build}
CTL=${EDGEAI_CTL:-$BUILD/edgeaictl}
NS=edgeai-cst-$$
PIN=/sys/fs/bpf/edgeai-cst-$$
export EDGEAI_BPF_PIN_DIR=$PIN EDGEAID_STATS=/nonexistent/stats.json
unset EDGEAI_DEBUG

[ "$(id -u)" -eq 0 ] || t_skip "needs root (network namespaces, BPF)"
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] ||
	t_skip "/sys/fs/bpf is not a BPF filesystem"
for tool in ip nsenter setpriv; do
	command -v $tool >/dev/null || t_skip "no $tool"
done
[ -x "$CTL" ] || t_fail "no $CTL: run make"

cleanup()
{
	[ -n "${TOP:-}" ] && kill "$TOP" 2>/dev/null
	if [ -d "$PIN" ]; then
		ctl bpf detach --all >/dev/null 2>&1
		rm -rf "$PIN"
	fi
	ip netns del "$NS" 2>/dev/null
	rm -f "$T_OUT" "$T_ERR" "$T_OUT.bpf" "$T_OUT.top"
}
trap cleanup EXIT

ctl() { nsenter --net="/run/netns/$NS" "$CTL" "$@"; }

# send SENSOR COUNT: COUNT valid sensor frames from vb to va.
send()
{
	nsenter --net="/run/netns/$NS" /usr/bin/python3 \
		"$EDGEAI_SRC/tests/bpf/send_frames.py" vb "$MAC" \
		$(for _ in $(seq "$2"); do echo "$1"; done) || t_fail "cannot send"
}

ip netns add "$NS" || t_fail "cannot create network namespace $NS"
ip -n "$NS" link add va type veth peer name vb || t_fail "cannot create veth"
ip -n "$NS" link set va up
ip -n "$NS" link set vb up

expect_rc 0 ctl -j stats
[ "$(json_get "$T_OUT" filter.loaded)" = False ] || t_fail "filter loaded before attach"

expect_rc 0 ctl bpf sensor add 16
expect_rc 0 ctl bpf sensor add 17 --rate 1 --burst 1
expect_rc 0 ctl bpf attach va --mode generic
MAC=$(ip -n "$NS" link show dev va | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
send 16 3
send 99 1
send 17 3
sleep 0.2

expect_rc 0 ctl -j bpf stats
cp "$T_OUT" "$T_OUT.bpf"
expect_rc 0 ctl -j stats
/usr/bin/python3 - "$T_OUT" "$T_OUT.bpf" <<'PY' || t_fail "stats -j filter differs from bpf stats -j"
import json, sys
f = json.load(open(sys.argv[1]))["filter"]
b = json.load(open(sys.argv[2]))
assert f["loaded"] is True and f["attachments"] == 1, f
for k, v in b.items():
    assert f[k] == v, (k, f[k], v)
assert f["pass"] == 4 and f["unknown_sensor"] == 1 and f["rate_limited"] == 2, f
s = {x["id"]: x for x in f["sensors"]}
assert s[16]["packets"] == 3 and s[17]["packets"] == 1 and s[17]["rate_limited"] == 2, s
PY
expect_rc 0 ctl stats
grep -qE '^filter: loaded, 1 attachment, ' "$T_OUT" || t_fail "text: $(cat "$T_OUT")"
grep -qE 'unknown_sensor=1 rate_limited=2$' "$T_OUT" || t_fail "drop reasons: $(cat "$T_OUT")"

expect_rc 0 ctl stats --prometheus
/usr/bin/python3 "$SRC/tests/unit/prom_check.py" "$T_OUT" || t_fail "Prometheus output does not parse"
for want in 'edgeai_filter_loaded 1' 'edgeai_filter_attachments 1' \
	'edgeai_filter_pass_packets_total 4' \
	'edgeai_filter_drops_total{reason="unknown_sensor"} 1' \
	'edgeai_sensor_packets_total{sensor="16"} 3' \
	'edgeai_sensor_drops_total{sensor="17",reason="rate_limited"} 2'; do
	grep -qxF "$want" "$T_OUT" || t_fail "no '$want' in: $(cat "$T_OUT")"
done

# top: 20 packets of sensor 16 within one 1 s interval.
ctl -j top -n 1 -d 1 >"$T_OUT.top" 2>&1 &
TOP=$!
sleep 0.3
send 16 20
wait "$TOP" || t_fail "top: status $?: $(cat "$T_OUT.top")"
TOP=
/usr/bin/python3 - "$T_OUT.top" <<'PY' || t_fail "top pass/s: $(cat "$T_OUT.top")"
import json, sys
f = json.load(open(sys.argv[1]))["filter"]
s = {x["id"]: x for x in f["sensors"]}
assert 10 <= f["pass_per_s"] <= 30 and 10 <= s[16]["pass_per_s"] <= 30, f
PY

# Without the right to read the maps: said so, status 0.
expect_rc 0 nsenter --net="/run/netns/$NS" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" -j stats
[ "$(json_get "$T_OUT" filter.loaded)" = False ] || t_fail "nobody: $(cat "$T_OUT")"
json_get "$T_OUT" filter.error | grep -q "Permission denied\|Operation not permitted" ||
	t_fail "nobody: no error said: $(cat "$T_OUT")"
t_pass
