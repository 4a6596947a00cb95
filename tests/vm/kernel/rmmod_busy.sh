#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeai.ko cannot be removed while /dev/edgeai is open; it can afterwards,
# and the device node goes with it. Leaves the module loaded as it found it.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
KO=$EDGEAI_SRC/kmod/edgeai.ko

grep -q '^edgeai ' /proc/modules || t_fail "edgeai is not loaded"
[ -c /dev/edgeai ] || t_fail "/dev/edgeai missing"

exec 3</dev/edgeai
refs=$(awk '$1 == "edgeai" { print $3 }' /proc/modules)
[ "$refs" -ge 1 ] || t_fail "an open fd must hold a module reference (refcnt $refs)"
expect_rc 1 rmmod edgeai
grep -q "in use" "$T_ERR" || t_fail "rmmod should say the module is in use: $(cat "$T_ERR")"
grep -q '^edgeai ' /proc/modules || t_fail "module went away while open"
exec 3<&-

expect_rc 0 rmmod edgeai
grep -q '^edgeai ' /proc/modules && t_fail "module still listed after rmmod"
[ -e /dev/edgeai ] && t_fail "/dev/edgeai still exists after rmmod"

expect_rc 0 insmod "$KO"
[ -c /dev/edgeai ] || t_fail "/dev/edgeai not recreated"
t_pass
