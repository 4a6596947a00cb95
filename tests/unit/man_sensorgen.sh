#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeai-sensorgen(1) documents every option and mix kind that --help does
# (the page was made from --help: this keeps the two from drifting apart).
. "$(dirname "$0")/../lib.sh"

bin=$EDGEAI_BUILD/edgeai-sensorgen
page=$EDGEAI_SRC/tools/man/edgeai-sensorgen.1
[ -x "$bin" ] || t_fail "no $bin: run make"
expect_rc 0 "$bin" --help
man_text=$(sed 's/\\-/-/g; s/\\e/\\/g' "$page")
missing=0
for w in $(grep -oE -- '--[a-z-]+|^ +[a-z]+=' "$T_OUT" | tr -d ' ' | sort -u); do
	if ! grep -qF -- "$w" <<<"$man_text"; then
		echo "edgeai-sensorgen.1 lacks $w" >&2
		missing=$((missing + 1))
	fi
done
[ "$missing" -eq 0 ] || t_fail "$missing words of --help missing from the man page: regenerate it"
groff -man -ww -z "$page" 2>"$T_ERR" || t_fail "groff: $(cat "$T_ERR")"
[ ! -s "$T_ERR" ] || t_fail "groff warnings: $(cat "$T_ERR")"
t_pass
