#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The UAPI headers and the public libedgeai header compile as C++.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
for h in linux/edgeai.h linux/edgeai_netlink.h edgeai/edgeai.h; do
	for std in c++98 c++11 c++17; do
		echo "#include <$h>" |
			${CXX:-c++} -std=$std -Wall -Wextra -Werror -pedantic \
				-I"$EDGEAI_SRC/include/uapi" -I"$EDGEAI_SRC/include" \
				-fsyntax-only -x c++ - ||
			t_fail "$h does not compile as $std"
	done
done
t_pass
