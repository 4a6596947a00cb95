#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeai-sensorgen over loopback (no filter, no root): grammar and exit
# statuses; the receiver sorts every UDP-expressible mix kind into the
# right reason, checks payloads and sequence numbers of the valid ones,
# over IPv4 and IPv6, for every dtype.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

GEN=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeai-sensorgen
[ -x "$GEN" ] || GEN=$EDGEAI_BUILD/edgeai-sensorgen
[ -x "$GEN" ] || t_fail "no edgeai-sensorgen: run make tests"
PORT=$((47000 + $$ % 1000))
RECV_PID=
TMP=$(mktemp -d)
trap '[ -n "$RECV_PID" ] && kill $RECV_PID 2>/dev/null; rm -rf "$TMP" "$T_OUT" "$T_ERR"' EXIT

# Grammar.
expect_rc 2 "$GEN"
expect_rc 0 "$GEN" --help
grep -q '^MIX KINDS' "$T_OUT" || t_fail "--help has no MIX KINDS section"
expect_rc 2 "$GEN" bogus
expect_rc 2 "$GEN" send
expect_rc 2 "$GEN" send --dst 127.0.0.1:99999
expect_rc 2 "$GEN" send --dst 127.0.0.1 --mix nosuch=3
expect_rc 2 "$GEN" send --dst 127.0.0.1 --mix valid=0:3
expect_rc 2 "$GEN" send --dst 127.0.0.1 --dtype f128
expect_rc 2 "$GEN" send --dst 127.0.0.1 --dtype f64 --elems 178
expect_rc 2 "$GEN" send --dst 127.0.0.1 --mix iplong=1 --dst-mac 1:2:3
expect_rc 2 "$GEN" recv
expect_rc 2 "$GEN" recv --bind :0
# Raw kinds need an interface.
expect_rc 2 "$GEN" send --dst 127.0.0.1:$PORT --mix iplong=1

"$GEN" recv --bind ":$PORT" --timeout 10000 --json >"$TMP/recv.json" 2>"$TMP/recv.err" &
RECV_PID=$!
wait_for_line "$TMP/recv.err" "receiving on" 10 || t_fail "receiver did not start: $(cat "$TMP/recv.err")"

MIX=valid=11:20,unknown=12:5,burst=13:7,badmagic=3,badversion=2,badflags=11:3,baddtype=4,countbig=2,shortlen=11:2,longlen=2,truncated=6,other=3
expect_rc 0 "$GEN" send --dst "127.0.0.1:$PORT" --json --mix "$MIX"
[ "$(json_get "$T_OUT" packets)" = 59 ] || t_fail "sent $(json_get "$T_OUT" packets) packets, not 59"
[ "$(json_get "$T_OUT" by_verdict.bad_header)" = 14 ] || t_fail "by_verdict.bad_header"
n=0
for dt in u8 i8 u16 i16 u32 i32 f16 f32 f64; do
	n=$((n + 1))
	expect_rc 0 "$GEN" send --dst "[::1]:$PORT" --sensor $((100 + n)) \
		--dtype $dt --elems 100 --count 3 --seq 4294967294 --rate 10000
done
sleep 0.2
kill -TERM $RECV_PID
wait $RECV_PID || t_fail "receiver exit status $?"
RECV_PID=

/usr/bin/python3 - "$TMP/recv.json" <<'EOF' || t_fail "receiver report: $(cat "$TMP/recv.json")"
import json, sys
r = json.load(open(sys.argv[1]))
bad = []
def eq(what, got, want):
    if got != want:
        bad.append("%s: expected %r, got %r" % (what, want, got))
eq("stopped_by", r["stopped_by"], "signal")
eq("datagrams", r["datagrams"], 56 + 27)        # "other" went to PORT+1
eq("valid", r["valid"], 20 + 5 + 7 + 27)
eq("invalid", r["invalid"], {"total": 24, "short": 6, "magic": 3,
                             "version": 2, "header": 9, "length": 4})
eq("from_ipv4", r["from_ipv4"], 56)
eq("from_ipv6", r["from_ipv6"], 27)
s = {x["sensor"]: x for x in r["sensors"]}
eq("sensors", sorted(s), [11, 12, 13] + list(range(101, 110)))
for sid, n in ((11, 20), (12, 5), (13, 7)):
    eq("sensor %d" % sid, (s[sid]["packets"], s[sid]["seq_first"], s[sid]["seq_last"]),
       (n, 0, n - 1))
for sid in range(101, 110):    # seq wraps: 4294967294, 4294967295, 0
    eq("sensor %d seq" % sid, (s[sid]["packets"], s[sid]["seq_first"], s[sid]["seq_last"]),
       (3, 4294967294, 0))
for x in r["sensors"]:
    for k in ("seq_gaps", "out_of_order", "payload_errors"):
        eq("sensor %d %s" % (x["sensor"], k), x[k], 0)
    eq("sensor %d unfiltered" % x["sensor"], x["unfiltered"], x["packets"])
    eq("sensor %d tags" % x["sensor"], [(t["tag"], t["filtered"]) for t in x["tags"]],
       [(0, False)])
for e in bad:
    print("FAIL:", e)
sys.exit(1 if bad else 0)
EOF
t_pass
