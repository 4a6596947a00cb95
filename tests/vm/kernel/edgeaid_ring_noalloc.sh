#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmdebug-skip: edgeaid allocation counts: userspace only; 78 s under KASAN + lockdep + TCG
# edgeaid allocates nothing per sample on the kernel-ring path either:
# with the LD_PRELOAD shim counting its worker threads' allocations
# (tests/edgeaid/countalloc.c), serving 20 ring samples and serving 4000
# (edgeai_synth.ko feeding an existing ring, results also published into
# a result ring) count the same. Uses the non-ASan build.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"
D=$EDGEAI_BUILD/edgeaid
C=$EDGEAI_BUILD/edgeaictl
SYNTH=$EDGEAI_SRC/kmod/synth/edgeai_synth.ko
IN=t_ead_na

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	ead_kill
	grep -q '^edgeai_synth ' /proc/modules && rmmod edgeai_synth
	"$C" ring delete $IN >/dev/null 2>&1
	"$C" ring delete t_ead_na_res >/dev/null 2>&1
	rm -rf "$W" "$T_OUT" "$T_ERR"
}
trap cleanup EXIT
grep -q '^edgeai ' /proc/modules || t_fail "edgeai.ko is not loaded"
command -v "${CC:-cc}" >/dev/null || t_skip "no C compiler for the shim"
"${CC:-cc}" -std=c11 -O2 -shared -fPIC -o "$W/countalloc.so" \
	"$EDGEAI_SRC/tests/edgeaid/countalloc.c" || t_fail "cannot build the shim"
"$MODEL" write "$W/m.st" --in 24 || t_fail "cannot write the model"
cat >"$W/c.conf" <<CONF
[global]
stats = $W/stats.json

[pipeline imu]
source = ring:$IN
stage = window:n=4,features=mean|var|min|max|rms|slope
model = $W/m.st
sink = jsonl:$W/out.jsonl
sink = ring:t_ead_na_res
batch = 32
CONF

run()	# run N: allocations of the workers while serving N ring samples
{
	rm -f "$W/out.jsonl" "$W/allocs"
	expect_rc 0 "$C" ring create $IN slots 8192 dtype f32 shape 4
	EAD_ALLOC_OUT=$W/allocs LD_PRELOAD=$W/countalloc.so ead_start "$W/c.conf"
	expect_rc 0 insmod "$SYNTH" ring=$IN create=0 rate_hz=8000 channels=4 \
		waveform=counter max_samples="$1"
	wait_lines "$W/out.jsonl" "$1" 20 || t_fail "$1 samples: $(wc -l <"$W/out.jsonl") results"
	ead_stop
	expect_rc 0 rmmod edgeai_synth
	expect_rc 0 "$C" ring delete $IN
	[ -s "$W/allocs" ] || t_fail "the shim wrote no count"
	cat "$W/allocs"
}
a=$(run 20)
b=$(run 4000)
[ "$a" = "$b" ] || t_fail "worker allocations: $a for 20 samples, $b for 4000"
echo "worker allocations: $a (20 samples), $b (4000 samples)"
t_pass
