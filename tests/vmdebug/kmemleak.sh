#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmdebug lane, in the guest after the kernel tests: kmemleak must find
# no leak from edgeai. tests/run clears kmemleak's list before the tests
# (leaks from boot are not ours), then runs this twice: with the module
# still loaded (a leak's backtrace names edgeai functions) and, with
# EDGEAI_KMEMLEAK_UNLOADED=1, after rmmod, when a backtrace into the
# unloaded module shows only as a bare module-space address (0xffffffffc...):
# edgeai's modules are the only ones this kernel ever loads, so such a
# frame is theirs too. Two scans with a pause between them, as
# Documentation/dev-tools/kmemleak.rst advises against transient false
# positives. Leaks elsewhere in the kernel are shown, not failed.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
K=/sys/kernel/debug/kmemleak

[ -e "$K" ] || t_fail "no $K: the kernel lacks CONFIG_DEBUG_KMEMLEAK or debugfs is not mounted"
if dmesg | grep -q 'kmemleak: .*disabled'; then
	dmesg | grep kmemleak >&2
	t_fail "kmemleak disabled itself: no leak check possible"
fi
echo scan >"$K" || t_fail "echo scan > $K failed"
sleep 3
echo scan >"$K" || t_fail "echo scan > $K failed (second scan)"
report=$(cat "$K")
n=$(grep -c '^unreferenced object' <<<"$report")
echo "kmemleak: $n unreferenced object(s) since the tests started"

# One report per object: split on "unreferenced object", keep ours.
ours=$(awk -v unloaded="${EDGEAI_KMEMLEAK_UNLOADED:-0}" '
	/^unreferenced object/ { if (obj != "" && mine) print obj; obj = ""; mine = 0 }
	{ obj = obj $0 "\n" }
	/edgeai/ { mine = 1 }
	unloaded == 1 && /\[<ffffffffc[0-9a-f]+>\] 0xffffffffc/ { mine = 1 }
	END { if (obj != "" && mine) print obj }' <<<"$report")
if [ -n "$ours" ]; then
	echo "$ours" | head -n 120 >&2
	t_fail "kmemleak reports $(grep -c '^unreferenced object' <<<"$ours") leak(s) from edgeai"
fi
if [ "$n" -gt 0 ]; then
	echo "not edgeai's (shown, not failed):"
	head -n 40 <<<"$report"
fi
t_pass
