#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# iproute2's genl sees the edgeai family as kmod/edgeai.yaml describes it:
# name, version 1, its two commands (RING_GET do + dump with a policy of
# id and name, STATS_GET do only, with the core's reject-all policy), and
# the "monitor" multicast group; it goes with the module and comes back.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
KO=$EDGEAI_SRC/kmod/edgeai.ko

command -v genl >/dev/null || t_fail "no genl (iproute2) in the guest"
grep -q '^edgeai ' /proc/modules || t_fail "edgeai is not loaded"

# The family's block of "genl ctrl list".
family_block()
{
	awk '/^Name: /{ p = ($2 == "edgeai") } p' "$1"
}

expect_rc 0 genl -d ctrl list
family_block "$T_OUT" >"$T_ERR"
cat "$T_ERR"
grep -q '^Name: edgeai$' "$T_ERR" || t_fail "genl ctrl list does not show family edgeai"
grep -q 'Version: 0x1 ' "$T_ERR" || t_fail "family version is not 1"
grep -qE '#1: +ID-0x1 ' "$T_ERR" || t_fail "command 1 (RING_GET) missing"
grep -qE '#2: +ID-0x2 ' "$T_ERR" || t_fail "command 2 (STATS_GET) missing"
[ "$(grep -cE '#[0-9]+: +ID-0x[0-9a-f]+ *$' "$T_ERR")" -eq 2 ] || t_fail "expected exactly 2 commands"
grep -qE 'ID-0x[0-9a-f]+ +name: monitor' "$T_ERR" || t_fail "multicast group monitor missing"

expect_rc 0 genl ctrl get name edgeai
grep -q '^Name: edgeai$' "$T_OUT" || t_fail "genl ctrl get name edgeai"

# Per-op policies: RING_GET's do and dump share one with id (u32, min 1)
# and name (string, max 31); STATS_GET's do has one that takes nothing.
expect_rc 0 genl ctrl policy name edgeai
cat "$T_OUT"
grep -qE 'op 1 policies: do=([0-9]+) dump=\1$' "$T_OUT" || t_fail "RING_GET: no do and dump policy"
grep -qE 'op 2 policies: do=[0-9]+$' "$T_OUT" || t_fail "STATS_GET: no do-only policy"
p=$(sed -nE 's/.*op 1 policies: do=([0-9]+).*/\1/p' "$T_OUT")
grep -qE "policy\[$p\]:attr\[1\]: type=U32 range:\[1,4294967295\]" "$T_OUT" || t_fail "id policy"
grep -qE "policy\[$p\]:attr\[2\]: type=NUL_STRING max len:31" "$T_OUT" || t_fail "name policy"
[ "$(grep -c "policy\[$p\]:attr" "$T_OUT")" -eq 2 ] || t_fail "RING_GET takes more than id and name"

# The family goes with the module (no fd open here) and comes back.
expect_rc 0 rmmod edgeai
genl ctrl get name edgeai >"$T_OUT" 2>"$T_ERR" && t_fail "genl still finds edgeai after rmmod"
grep -q "No such file or directory" "$T_ERR" || t_fail "genl after rmmod: $(cat "$T_ERR")"
expect_rc 0 genl -d ctrl list
grep -q '^Name: edgeai$' "$T_OUT" && t_fail "family still listed after rmmod"
expect_rc 0 insmod "$KO"
expect_rc 0 genl ctrl get name edgeai
t_pass
