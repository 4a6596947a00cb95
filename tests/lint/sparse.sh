#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sparse (make C=2) finds nothing in the module: address spaces (__user,
# __iomem), endianness, lock context annotations (__acquires/__releases).
set -u
. "$EDGEAI_SRC/tests/lib.sh"
command -v sparse >/dev/null || t_fail "no sparse (scripts/deps.sh installs it)"
KDIR=$("$EDGEAI_SRC/scripts/kdir.sh")
[ -d "$KDIR" ] || t_fail "no kernel build dir '$KDIR': run scripts/deps.sh"
out=$(mktemp -d)
trap 'rm -rf "$out" "$T_OUT" "$T_ERR"' EXIT
# A pristine copy: C=2 checks every file, built or not, but not stale objects.
cp -r "$EDGEAI_SRC/Kbuild" "$EDGEAI_SRC/kmod" "$out/"
mkdir -p "$out/include" && cp -r "$EDGEAI_SRC/include/uapi" "$out/include/"
find "$out/kmod" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' -o -name 'modules.order' \) -delete
make -C "$KDIR" M="$out" C=2 modules >"$T_OUT" 2>&1 ||
	{ cat "$T_OUT" >&2; t_fail "module build with sparse failed"; }
grep -q 'CHECK' "$T_OUT" || t_fail "sparse did not run (no CHECK lines)"
grep -iE 'warning|error' "$T_OUT" | grep -v 'Skipping BTF generation' >&2 &&
	t_fail "sparse reported findings"
t_pass
