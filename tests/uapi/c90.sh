#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The UAPI headers stand alone: C90, -Wall -Werror -pedantic, no libc.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
U=$EDGEAI_SRC/include/uapi/linux
for h in edgeai.h edgeai_netlink.h; do
	for std in c90 gnu89 c99 c11; do
		echo "#include <linux/$h>" |
			${CC:-cc} -std=$std -Wall -Wextra -Werror -pedantic \
				-I"$EDGEAI_SRC/include/uapi" -fsyntax-only -x c - ||
			t_fail "$U/$h does not compile alone as $std"
	done
done
# Both together, in either order.
printf '#include <linux/edgeai_netlink.h>\n#include <linux/edgeai.h>\n' |
	${CC:-cc} -std=c90 -Wall -Wextra -Werror -pedantic \
		-I"$EDGEAI_SRC/include/uapi" -fsyntax-only -x c - ||
	t_fail "the UAPI headers do not compile together"

# edgeai.h: nothing but linux/types.h and linux/ioctl.h; no types whose
# size depends on the ABI, no enums, no bitfields.
H=$U/edgeai.h
inc=$(grep -E '^#include' "$H" | sort | tr '\n' ' ')
[ "$inc" = "#include <linux/ioctl.h> #include <linux/types.h> " ] ||
	t_fail "unexpected includes: $inc"
grep -nE '\b(long|int|short|enum|size_t|bool)\b|:[[:space:]]*[0-9]+;' "$H" |
	grep -vE '^\s*[0-9]+:\s*(/?\*|#)' && t_fail "non-fixed-width type in $H"

# edgeai_netlink.h: constants only. Enums of attribute and command ids
# are the netlink convention (they never sit in memory shared with the
# kernel); no includes, no structs, no other types.
H=$U/edgeai_netlink.h
grep -nE '^#include' "$H" && t_fail "$H must not include anything"
grep -nE '\b(struct|union|typedef|long|int|short|size_t|bool|__u[0-9]+|__s[0-9]+)\b' "$H" |
	grep -vE '^\s*[0-9]+:\s*(/?\*|#)' && t_fail "a type in $H"
t_pass
