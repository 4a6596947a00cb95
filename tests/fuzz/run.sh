#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh - fuzz every harness for a while (make fuzz).
#
# Usage: tests/fuzz/run.sh [-t SECONDS] [NAME...]
#
# For each harness build/fuzz/fuzz_NAME (default: all; build them with
# make fuzz or make tests), copy its seed corpus tests/fuzz/corpus/NAME/
# into build/fuzz/corpus/NAME/ (kept between runs, so coverage grows),
# add tests/fuzz/NAME.dict when there is one, and run libFuzzer there for
# SECONDS (default 60; $FUZZ_SECONDS). Crashing inputs are saved under
# build/fuzz/crashes/NAME/. Exit status 1 if any harness crashed.
#
# Replay a crash:   build/fuzz/fuzz_NAME build/fuzz/crashes/NAME/crash-...
# Once fixed, copy it into tests/fuzz/corpus/NAME/ so that make check
# (tests/unit/fuzz_replay.sh) keeps it fixed.
set -u

SRC=$(readlink -f "$(dirname "$0")/../..")
BUILD=${O:-$SRC/build}
SECONDS_EACH=${FUZZ_SECONDS:-60}
NAMES=()

while [ $# -gt 0 ]; do
	case "$1" in
	-t) SECONDS_EACH=$2; shift 2 ;;
	-h|--help) sed -n '4,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "tests/fuzz/run.sh: unknown option $1" >&2; exit 2 ;;
	*) NAMES+=("$1"); shift ;;
	esac
done
case "$SECONDS_EACH" in
''|*[!0-9]*) echo "tests/fuzz/run.sh: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;;
esac
if [ ${#NAMES[@]} -eq 0 ]; then
	for h in "$BUILD"/fuzz/fuzz_*; do
		[ -x "$h" ] && [ "${h%.d}" = "$h" ] && NAMES+=("${h##*/fuzz_}")
	done
fi
if [ ${#NAMES[@]} -eq 0 ]; then
	echo "tests/fuzz/run.sh: no harness in $BUILD/fuzz: run make fuzz" >&2
	exit 1
fi

crashed=()
for name in "${NAMES[@]}"; do
	h=$BUILD/fuzz/fuzz_$name
	seeds=$SRC/tests/fuzz/corpus/$name
	work=$BUILD/fuzz/corpus/$name
	crashes=$BUILD/fuzz/crashes/$name
	[ -x "$h" ] || { echo "tests/fuzz/run.sh: no $h: run make fuzz" >&2; exit 1; }
	mkdir -p "$work" "$crashes"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null
	dict=()
	[ -f "$SRC/tests/fuzz/$name.dict" ] && dict=(-dict="$SRC/tests/fuzz/$name.dict")
	before=$(ls "$crashes" | wc -l)
	echo "== fuzz_$name for ${SECONDS_EACH}s on $work ($(ls "$work" | wc -l) inputs)"
	"$h" -max_total_time="$SECONDS_EACH" -max_len=4096 -print_final_stats=1 \
		"${dict[@]}" -artifact_prefix="$crashes/" "$work" 2>"$BUILD/fuzz/$name.log"
	rc=$?
	grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::new_units_added)' \
		"$BUILD/fuzz/$name.log"
	if [ $rc -ne 0 ] || [ "$(ls "$crashes" | wc -l)" -ne "$before" ]; then
		crashed+=("$name")
		grep -E 'ERROR|invariant broken|parser says|SUMMARY' "$BUILD/fuzz/$name.log" | head -n 5
		echo "fuzz_$name CRASHED (exit $rc); log: $BUILD/fuzz/$name.log; inputs:"
		ls -t "$crashes" | head -n 5 | sed "s|^|  $crashes/|"
		echo "Replay with: $h <input>. Once fixed, add the input to"
		echo "tests/fuzz/corpus/$name/ so that make check replays it."
	else
		echo "fuzz_$name: no crash"
	fi
done
[ ${#crashed[@]} -eq 0 ]
