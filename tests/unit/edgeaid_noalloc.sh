#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid allocates nothing per sample: with an LD_PRELOAD shim counting
# the allocations of its worker threads (tests/edgeaid/countalloc.c), a
# run serving 20 packets and one serving 2000 count the same (the
# worker's set-up only). Uses the non-ASan build (ASan owns malloc).
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

D=$EDGEAI_BUILD/edgeaid
[ -x "$D" ] || t_fail "no $D: run make"
command -v "${CC:-cc}" >/dev/null || t_skip "no C compiler for the shim"
"${CC:-cc}" -std=c11 -O2 -shared -fPIC -o "$W/countalloc.so" \
	"$EDGEAI_SRC/tests/edgeaid/countalloc.c" || t_fail "cannot build the shim"
"$MODEL" write "$W/m.st" --in 4 || t_fail "cannot write the model"
{
	printf '[global]\nstats = %s/stats.json\n\n' "$W"
	pipeline_conf p1 "$W/m.st" "jsonl:$W/out.jsonl" \
		"stage = window:n=4,features=mean|var|min|max|rms|slope" \
		"sink = udp:127.0.0.1:9"
} >"$W/c.conf"
# the window makes 24 features: a model with 24 inputs
"$MODEL" write "$W/m.st" --in 24 || t_fail "cannot write the model"

run()	# run N: allocations of the workers while serving N packets
{
	rm -f "$W/out.jsonl" "$W/allocs"
	EAD_ALLOC_OUT=$W/allocs LD_PRELOAD=$W/countalloc.so ead_start "$W/c.conf"
	send "$(ead_port p1)" 3 "$1"
	wait_lines "$W/out.jsonl" "$1" 20 || t_fail "$1 packets: $(cat "$W/out.jsonl" 2>/dev/null | wc -l) results"
	ead_stop
	[ -s "$W/allocs" ] || t_fail "the shim wrote no count"
	cat "$W/allocs"
}
a=$(run 20)
b=$(run 2000)
[ "$a" = "$b" ] || t_fail "worker allocations: $a for 20 packets, $b for 2000"
echo "worker allocations: $a (20 packets), $b (2000 packets)"
t_pass
