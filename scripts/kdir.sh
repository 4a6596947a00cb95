#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the kernel build directory edgeai.ko is built against by default:
# $KDIR if set, else the running kernel's build dir when it exists, else the
# newest installed Debian 6.1 headers (the kernel the test VM boots).
if [ -n "${KDIR:-}" ]; then
	echo "$KDIR"
	exit 0
fi
run=/lib/modules/$(uname -r)/build
if [ -d "$run" ]; then
	echo "$run"
	exit 0
fi
ls -d /lib/modules/6.1.*-amd64/build 2>/dev/null | sort -V | tail -n1
