#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module builds with W=1 without a single warning (kmod/Kbuild also
# sets -Werror; this catches warnings from modpost and the link too).
set -u
. "$EDGEAI_SRC/tests/lib.sh"
KDIR=$("$EDGEAI_SRC/scripts/kdir.sh")
[ -d "$KDIR" ] || t_fail "no kernel build dir '$KDIR': run scripts/deps.sh"
out=$(mktemp -d)
trap 'rm -rf "$out" "$T_OUT" "$T_ERR"' EXIT
# Build a pristine copy so that the check does not depend on stale objects.
cp -r "$EDGEAI_SRC/Kbuild" "$EDGEAI_SRC/kmod" "$out/"
mkdir -p "$out/include" && cp -r "$EDGEAI_SRC/include/uapi" "$out/include/"
find "$out/kmod" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' -o -name 'modules.order' \) -delete
make -C "$KDIR" M="$out" W=1 modules >"$T_OUT" 2>&1 ||
	{ cat "$T_OUT" >&2; t_fail "module build failed"; }
grep -iE 'warning|error' "$T_OUT" | grep -v 'Skipping BTF generation' >&2 &&
	t_fail "the W=1 build printed warnings"
[ -f "$out/kmod/edgeai.ko" ] || t_fail "no edgeai.ko produced"
[ -f "$out/kmod/synth/edgeai_synth.ko" ] || t_fail "no edgeai_synth.ko produced"
t_pass
