#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cppcheck on the userspace C (library, daemon, CLI, tools, examples):
# no finding of the warning, portability or performance classes, except
# those suppressed with a reason in tests/lint/cppcheck.supp or inline.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
command -v cppcheck >/dev/null || t_fail "no cppcheck (scripts/deps.sh installs it)"
cd "$EDGEAI_SRC" || t_fail "no source tree"
cppcheck --quiet --enable=warning,portability,performance --std=c11 \
	--inline-suppr --suppressions-list=tests/lint/cppcheck.supp \
	-I include -I include/uapi -I userspace/lib -I userspace/edgeaid \
	--error-exitcode=1 userspace tools/edgeaictl tools/sensorgen examples \
	>"$T_OUT" 2>"$T_ERR" || t_fail "cppcheck findings:
$(cat "$T_ERR")"
t_pass
