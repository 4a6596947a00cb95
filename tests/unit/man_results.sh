#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeai-results(1) documents every option --help lists; usage errors exit
# 2 with a message, a missing ring exits 1 naming it; the man pages of the
# result ring (edgeai-results.1, edgeai_result.3, edgeaid.8) format
# without groff warnings.
. "$(dirname "$0")/../lib.sh"

bin=$EDGEAI_BUILD/edgeai-results
page=$EDGEAI_SRC/tools/man/edgeai-results.1
[ -x "$bin" ] || t_fail "no $bin: run make"
expect_rc 0 "$bin" --help
man_text=$(sed 's/\\-/-/g; s/\\e/\\/g' "$page")
missing=0
for w in $(grep -oE -- '--[a-z-]+' "$T_OUT" | sort -u); do
	if ! grep -qF -- "$w" <<<"$man_text"; then
		echo "edgeai-results.1 lacks $w" >&2
		missing=$((missing + 1))
	fi
done
[ "$missing" -eq 0 ] || t_fail "$missing options of --help missing from the man page"
expect_rc 2 "$bin"
expect_rc 2 "$bin" -n 0 r
grep -q -- "--count 0: not a positive number" "$T_ERR" || t_fail "no message for -n 0"
expect_rc 2 "$bin" --threshold x r
expect_rc 1 "$bin" -d /nonexistent/edgeai nosuchring
grep -q "ring nosuchring: No such file" "$T_ERR" || t_fail "no message for a missing ring: $(cat "$T_ERR")"
for p in edgeai-results.1 edgeai_result.3 edgeaid.8; do
	groff -man -ww -z "$EDGEAI_SRC/tools/man/$p" 2>"$T_ERR" || t_fail "groff $p: $(cat "$T_ERR")"
	[ ! -s "$T_ERR" ] || t_fail "groff warnings in $p: $(cat "$T_ERR")"
done
t_pass
