#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel code follows kernel style: checkpatch.pl --strict finds nothing
# in kmod/ and the UAPI header (the same check as `make lint`).
set -u
. "$EDGEAI_SRC/tests/lib.sh"
"$EDGEAI_SRC/scripts/checkpatch.sh" >"$T_OUT" 2>&1
rc=$?
[ $rc -eq 2 ] && t_fail "checkpatch unavailable: $(cat "$T_OUT")"
[ $rc -eq 0 ] || { cat "$T_OUT" >&2; t_fail "checkpatch --strict reported problems"; }
[ -s "$T_OUT" ] && grep -qE 'ERROR|WARNING|CHECK' "$T_OUT" && t_fail "checkpatch output: $(cat "$T_OUT")"
t_pass
