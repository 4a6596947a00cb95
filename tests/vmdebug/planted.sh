#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug lane is not blind: module builds with a planted bug
# (kmod/Kbuild: EDGEAI_PLANT=lockorder, EDGEAI_PLANT=uaf) get reported by
# the debug kernel, lockdep and KASAN respectively. Runs on the host and
# boots one debug VM of its own:
#   1. the normal debug build of edgeai.ko, driven by plant_trigger on both
#      paths: the control, nothing may be reported;
#   2. the lockorder build: publish nests edgeai_rings_lock in
#      publish_lock, destroy the other way round: lockdep must print
#      "possible circular locking dependency" naming both locks;
#   3. the uaf build: destroy frees the ring while a consumer still has it
#      attached and mapped: KASAN must report a use-after-free in edgeai
#      code, which (panic_on_warn) panics the guest: tests/vm/run exits 125.
# A marker in the kernel log before each step tells whose report is whose.
# test-timeout-factor: 5
set -u
. "$EDGEAI_SRC/tests/lib.sh"
B=${EDGEAI_BUILD:-$EDGEAI_SRC/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$T_OUT" "$T_ERR"' EXIT

[ "$(id -u)" = 0 ] || t_skip "needs root (qemu's 9p shares must read the whole tree)"
"$EDGEAI_SRC/scripts/debug-kernel.sh" --check >/dev/null ||
	t_fail "the debug kernel is not built (scripts/debug-kernel.sh)"
clean=$("$EDGEAI_SRC/tests/vmdebug/build-kmod.sh") || t_fail "building the debug module failed"
lock=$("$EDGEAI_SRC/tests/vmdebug/build-kmod.sh" lockorder) || t_fail "building EDGEAI_PLANT=lockorder failed"
uaf=$("$EDGEAI_SRC/tests/vmdebug/build-kmod.sh" uaf) || t_fail "building EDGEAI_PLANT=uaf failed"
for d in "$lock" "$uaf"; do
	[ -n "$(modinfo -F edgeai_plant "$d/kmod/edgeai.ko")" ] ||
		t_fail "$d/kmod/edgeai.ko has no planted bug (modinfo edgeai_plant)"
done
[ -z "$(modinfo -F edgeai_plant "$clean/kmod/edgeai.ko")" ] ||
	t_fail "the normal debug build $clean/kmod/edgeai.ko carries a planted bug"

trig=$B/tests/vmdebug/plant_trigger
mkdir -p "$(dirname "$trig")"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
	-I"$EDGEAI_SRC/tests/include" -I"$EDGEAI_SRC/include/uapi" \
	-o "$trig" "$EDGEAI_SRC/tests/vmdebug/plant_trigger.c" ||
	t_fail "building plant_trigger failed"

mark() { echo "echo 'edgeai-plant: $1' >/dev/kmsg"; }
script="set -x
$(mark control)
insmod $clean/kmod/edgeai.ko
$trig lockorder || exit 11
$trig uaf || exit 12
rmmod edgeai || exit 13
$(mark lockorder)
insmod $lock/kmod/edgeai.ko || exit 14
$trig lockorder
rmmod edgeai || exit 15
$(mark uaf)
insmod $uaf/kmod/edgeai.ko || exit 16
$trig uaf
echo 'the guest survived the use-after-free'
exit 0"
log=$tmp/kernel.log
for attempt in 1 2; do
	"$EDGEAI_SRC/tests/vm/run" --kernel debug --timeout 500 --log "$log" \
		-- sh -c "$script" >"$T_OUT" 2>&1
	rc=$?
	# tests/vm/run's boot watchdog: the guest never got going; once more.
	[ "$rc" = 124 ] && grep -q '^vm: guest did not boot' "$T_OUT" &&
		[ "$attempt" = 1 ] || break
	echo "the debug guest did not boot; booting it once more"
done
cat "$T_OUT"
[ -f "$log" ] || t_fail "no kernel log from tests/vm/run (exit $rc)"
# The console log has the serial line's CRLF line ends.
tr -d '\r' <"$log" >"$log.n" && mv "$log.n" "$log"

# The kernel log from one marker to the next (console copy only: the
# guest panics before dmesg could be saved).
section() {
	sed -n "/edgeai-plant: $1\$/,/edgeai-plant: $2\$/p" "$log" | grep -v 'edgeai-vm:'
}
grep -q 'edgeai-plant: uaf$' "$log" ||
	t_fail "the guest never reached the uaf step (tests/vm/run exit $rc; see above)"
ctl=$(section control lockorder)
if grep -qE 'KASAN|circular locking|BUG:|WARNING:' <<<"$ctl"; then
	echo "$ctl" >&2
	t_fail "the normal debug build was reported on the trigger paths: the proof is void"
fi

lk=$(section lockorder uaf)
grep -q 'possible circular locking dependency detected' <<<"$lk" || {
	echo "$lk" | tail -n 40 >&2
	t_fail "lockdep did not report the planted lock-order inversion"
}
grep -q 'edgeai_rings_lock' <<<"$lk" && grep -q 'publish_lock' <<<"$lk" || {
	echo "$lk" >&2
	t_fail "lockdep's report does not name edgeai_rings_lock and publish_lock"
}
echo "lockorder: lockdep reported it: acquiring $(grep -m1 -A1 'is trying to acquire lock:' <<<"$lk" | tail -n1 | awk '{print $1}') while holding $(grep -m1 -A1 'already holding lock:' <<<"$lk" | tail -n1 | awk '{print $1}')"

ua=$(sed -n '/edgeai-plant: uaf$/,$p' "$log")
grep -qE 'BUG: KASAN: (slab-)?use-after-free' <<<"$ua" || {
	echo "$ua" | tail -n 60 >&2
	t_fail "KASAN did not report the planted use-after-free"
}
# The report's stacks: the bad access from edgeai code, the memory freed
# by the planted destroy.
rep=$(sed -n '/BUG: KASAN/,/====================/p' <<<"$ua")
grep -qE 'edgeai_[a-z_]+\+0x' <<<"$(sed -n '1,/Allocated by task/p' <<<"$rep")" &&
	grep -qE 'edgeai_ring_destroy' <<<"$(sed -n '/Freed by task/,$p' <<<"$rep")" || {
	echo "$rep" | head -n 80 >&2
	t_fail "the KASAN report does not show an edgeai access to memory freed by edgeai_ring_destroy"
}
echo "uaf: KASAN reported it: $(grep -m1 -E 'BUG: KASAN' <<<"$ua" | sed 's/^\[[^]]*\] //')"
[ "$rc" = 125 ] ||
	t_fail "tests/vm/run should fail the run with 125 (panic through panic_on_warn), got $rc"
grep -q 'the guest survived' "$T_OUT" &&
	t_fail "the guest kept running after the KASAN report (panic_on_warn?)"
t_pass
