#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmdebug-skip: edgeaictl ring grammar and output: userspace over the ioctl paths ring_*.c cover; 112 s under KASAN + lockdep + TCG
# edgeaictl ring: create, list, show, delete; JSON fields; exact exit
# statuses and clear errors for bad input, with nothing created by it.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
C=$EDGEAI_BUILD/edgeaictl

expect_rc 0 "$C" ring create ctl-a slots 256 dtype i16 shape 4,2 overwrite
expect_rc 0 "$C" -j ring create ctl-b size 100 slots 8 user-producer
id_b=$(json_get "$T_OUT" id)

expect_rc 0 "$C" -j ring show ctl-a
[ "$(json_get "$T_OUT" rings.0.slots)" = 256 ] || t_fail "slots"
[ "$(json_get "$T_OUT" rings.0.slot_size)" = 16 ] || t_fail "slot_size: i16 4x2 is 16 bytes"
[ "$(json_get "$T_OUT" rings.0.tensor.shape)" = "[4, 2]" ] || t_fail "shape"
[ "$(json_get "$T_OUT" rings.0.flags)" = "['overwrite']" ] || t_fail "flags"
[ "$(json_get "$T_OUT" rings.0.stats.drops.full)" = 0 ] || t_fail "drops"

expect_rc 0 "$C" ring show id "$id_b"
grep -q "flags: user-producer" "$T_OUT" || t_fail "text show lacks flags"
# user-head implies user-producer; with overwrite the module refuses it
expect_rc 0 "$C" ring create ctl-d size 16 slots 8 user-head
expect_rc 0 "$C" -j ring show ctl-d
[ "$(json_get "$T_OUT" rings.0.flags)" = "['user-producer', 'user-head']" ] ||
	t_fail "user-head flags: $(cat "$T_OUT")"
expect_rc 0 "$C" ring delete ctl-d
expect_rc 1 "$C" ring create ctl-d size 16 user-head overwrite
grep -q "Invalid argument" "$T_ERR" || t_fail "user-head overwrite: $(cat "$T_ERR")"
expect_rc 0 "$C" -j ring list
/usr/bin/python3 - "$T_OUT" <<'PY' || t_fail "list misses a ring"
import json, sys
names = [r["name"] for r in json.load(open(sys.argv[1]))["rings"]]
assert "ctl-a" in names and "ctl-b" in names, names
PY

# Bad input: usage errors exit 2, kernel refusals 1; nothing is created.
expect_rc 2 "$C" ring create ctl-c slots
expect_rc 2 "$C" ring create ctl-c dtype f99 shape 3
expect_rc 2 "$C" ring create ctl-c shape 0
expect_rc 2 "$C" ring create ctl-c bogus 1
expect_rc 1 "$C" ring create ctl-c slots 3 size 8
grep -q "Invalid argument" "$T_ERR" || t_fail "no errno text: $(cat "$T_ERR")"
expect_rc 1 "$C" ring create ctl-a size 8
grep -q "File exists" "$T_ERR" || t_fail "duplicate name not reported"
expect_rc 1 "$C" ring show ctl-c
grep -q "no such ring" "$T_ERR" || t_fail "missing ring not reported"
expect_rc 1 "$C" -j ring delete ctl-c
json_get "$T_OUT" error | grep -q "no such ring" || t_fail "JSON error"

expect_rc 0 "$C" ring delete ctl-a
expect_rc 0 "$C" ring delete id "$id_b"
expect_rc 0 "$C" -j ring list
/usr/bin/python3 - "$T_OUT" <<'PY' || t_fail "deleted rings still listed"
import json, sys
names = [r["name"] for r in json.load(open(sys.argv[1]))["rings"]]
assert not {"ctl-a", "ctl-b"} & set(names), names
PY
t_pass
