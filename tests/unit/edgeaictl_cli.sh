#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaictl: grammar, prefixes, exit statuses, JSON output and JSON errors.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

CTL=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaictl
[ -x "$CTL" ] || t_fail "no $CTL: run make tests"

expect_rc 2 "$CTL"
expect_rc 0 "$CTL" help
grep -q '^  version ' "$T_OUT" || t_fail "help does not list 'version'"
expect_rc 0 "$CTL" --help
expect_rc 2 "$CTL" --no-such-option
expect_rc 2 "$CTL" bogus
grep -q "unknown object 'bogus'" "$T_ERR" || t_fail "no clear error for an unknown object"

# Under -j, errors are JSON on stdout.
expect_rc 2 "$CTL" -j bogus
json_get "$T_OUT" error | grep -q "unknown object" || t_fail "JSON error missing"

# Unambiguous prefixes work; extra arguments are a usage error.
EDGEAI_DEV=/nonexistent/dev expect_rc 0 "$CTL" v
grep -q '^edgeaictl: ' "$T_OUT" || t_fail "'v' did not run 'version'"
expect_rc 2 "$CTL" version extra

# A missing module is reported as such, not as an error.
EDGEAI_DEV=/nonexistent/dev expect_rc 0 "$CTL" -j version
[ "$(json_get "$T_OUT" module.loaded)" = "False" ] || t_fail "module.loaded should be false"
[ "$(json_get "$T_OUT" abi_version)" = "1" ] || t_fail "abi_version should be 1"

# A device that is not edgeai's: the ioctl is refused and said so.
EDGEAI_DEV=/dev/null expect_rc 0 "$CTL" -p version
json_get "$T_OUT" module.reason | grep -q "Inappropriate ioctl" ||
	t_fail "reason should name ENOTTY"
t_pass
