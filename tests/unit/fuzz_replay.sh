#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every libFuzzer harness (build/fuzz/fuzz_NAME) runs each input of its
# corpus tests/fuzz/corpus/NAME/ once: any crash, sanitizer report or
# broken invariant fails. make fuzz looks for new inputs (tests/fuzz/run.sh).
set -u
. "$EDGEAI_SRC/tests/lib.sh"

n=0
for src in "$EDGEAI_SRC"/tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || t_fail "no harness in tests/fuzz/"
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	h=$EDGEAI_BUILD/fuzz/fuzz_$name
	corpus=$EDGEAI_SRC/tests/fuzz/corpus/$name
	[ -x "$h" ] || t_fail "no $h: run make tests"
	files=("$corpus"/*)
	[ -f "${files[0]}" ] || t_fail "empty corpus $corpus"
	# Given files, libFuzzer runs each once. Its default exit status on a
	# crash is 77, which would read as a skip: make it 1.
	if ! "$h" -error_exitcode=1 "${files[@]}" >"$T_OUT" 2>"$T_ERR"; then
		grep -vE '^(Running|Executed) ' "$T_ERR" | tail -n 30 >&2
		t_fail "fuzz_$name crashed on $(grep '^Running: ' "$T_ERR" | tail -n1 | cut -d' ' -f2-)"
	fi
	ran=$(grep -c '^Executed ' "$T_ERR")
	[ "$ran" -eq ${#files[@]} ] ||
		t_fail "fuzz_$name ran $ran of ${#files[@]} inputs"
	echo "fuzz_$name: ${#files[@]} inputs replayed"
	n=$((n + 1))
done
[ $n -gt 0 ] || t_fail "no harness replayed"
t_pass
