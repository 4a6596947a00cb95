#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The UAPI header stands alone: C90, -Wall -Werror -pedantic, no libc.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
H=$EDGEAI_SRC/include/uapi/linux/edgeai.h
for std in c90 gnu89 c99 c11; do
	echo '#include <linux/edgeai.h>' |
		${CC:-cc} -std=$std -Wall -Wextra -Werror -pedantic \
			-I"$EDGEAI_SRC/include/uapi" -fsyntax-only -x c - ||
		t_fail "$H does not compile alone as $std"
done
# It must not depend on anything but linux/types.h and linux/ioctl.h.
inc=$(grep -E '^#include' "$H" | sort | tr '\n' ' ')
[ "$inc" = "#include <linux/ioctl.h> #include <linux/types.h> " ] ||
	t_fail "unexpected includes: $inc"
# No types whose size depends on the ABI, no enums, no bitfields.
grep -nE '\b(long|int|short|enum|size_t|bool)\b|:[[:space:]]*[0-9]+;' "$H" |
	grep -vE '^\s*[0-9]+:\s*(/?\*|#)' && t_fail "non-fixed-width type in $H"
t_pass
