#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid --check: one bad configuration per error kind; each exits 1 with
# a message naming FILE:LINE and the key. A good one exits 0.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

"$MODEL" write "$W/m.st" --in 4 || t_fail "cannot write the model"
"$MODEL" write "$W/m5.st" --in 5 || t_fail "cannot write the model"
head -c 100 "$W/m.st" >"$W/trunc.st"
"$MODEL" write "$W/long.st" --in 4 --name "$(printf 'n%.0s' {1..600})" ||
	t_fail "cannot write the model"

# bad CONFIG-LINES... EXPECTED-REGEX: the pipeline section below, with
# CONFIG-LINES replacing its lines, must fail --check with the message.
check_bad()
{
	local want=$1
	shift
	printf '%s\n' "$@" >"$W/c.conf"
	expect_rc 1 "$D" --check -c "$W/c.conf"
	grep -q -- "$want" "$T_ERR" ||
		t_fail "expected /$want/ in: $(cat "$T_ERR") (config: $(cat "$W/c.conf"))"
}

P=(source=udp:127.0.0.1:0 "elems = 4" "model = $W/m.st" "sink = jsonl:-")
printf '[global]\n[pipeline ok]\n' >"$W/c.conf"
printf '%s\n' "${P[@]}" >>"$W/c.conf"
expect_rc 0 "$D" --check -c "$W/c.conf"

check_bad "c.conf:1: unknown section \[nope\]" "[nope]" "x = 1"
check_bad "c.conf:2: \[global\] unknown key 'colour'" "[global]" "colour = red"
check_bad "c.conf:3: \[pipeline a\] unknown key 'modle'" \
	"[pipeline a]" "${P[0]}" "modle = x" "${P[@]:1}"
check_bad "c.conf:2: \[pipeline a\] batch = 0: not a number" \
	"[pipeline a]" "batch = 0" "${P[@]}"
check_bad "c.conf:2: \[pipeline a\] require_tag = maybe: not yes or no" \
	"[pipeline a]" "require_tag = maybe" "${P[@]}"
check_bad "c.conf:2: \[pipeline a\] gro = 2: not yes or no" \
	"[pipeline a]" "gro = 2" "${P[@]}"
check_bad "c.conf:2: \[global\] log_level = loud" "[global]" "log_level = loud"
check_bad "c.conf:1: \[pipeline a\]: missing source" "[pipeline a]" "${P[@]:1}"
check_bad "c.conf:2: \[pipeline a\] source = tcp:1: expected udp" \
	"[pipeline a]" "source = tcp:1" "${P[@]:1}"
check_bad "c.conf:2: \[pipeline a\] sink = file:x: expected jsonl" \
	"[pipeline a]" "sink = file:x" "${P[@]:0:3}"
check_bad "c.conf:4: \[pipeline a\] model = $W/none.st: No such file" \
	"[pipeline a]" "${P[@]:0:2}" "model = $W/none.st" "${P[3]}"
check_bad "c.conf:4: \[pipeline a\] model = $W/trunc.st: .*[a-z]" \
	"[pipeline a]" "${P[@]:0:2}" "model = $W/trunc.st" "${P[3]}"
check_bad "c.conf:4: \[pipeline a\] model = $W/m5.st: model input dim 5 != the packet element count (elems) 4" \
	"[pipeline a]" "${P[@]:0:2}" "model = $W/m5.st" "${P[3]}"
check_bad "c.conf:4: \[pipeline a\] model = $W/long.st: the pipeline's and the model's names and version take 6[0-9][0-9] bytes of JSON in each result line, more than 511" \
	"[pipeline a]" "${P[@]:0:2}" "model = $W/long.st" "${P[3]}"
check_bad "c.conf:5: \[pipeline a\] model = $W/m.st: model input dim 4 != the stage chain's output dim 8" \
	"[pipeline a]" "${P[@]:0:2}" "stage = window:n=4,features=mean|var" "${P[@]:2}"
check_bad "c.conf:2: \[pipeline a\] stage = blur:x=1: " \
	"[pipeline a]" "stage = blur:x=1" "${P[@]}"
check_bad "c.conf:1: \[pipeline a\] elems is required with stages" \
	"[pipeline a]" "${P[0]}" "stage = scale:mul=2" "${P[@]:2}"
check_bad "c.conf:6: \[pipeline a\]: defined twice" "[pipeline a]" "${P[@]}" "[pipeline a]" "${P[@]}"
check_bad "c.conf:2: syntax error" "[global]" "this is not a key"
expect_rc 1 "$D" --check -c "$W/missing.conf"
grep -q "missing.conf: No such file" "$T_ERR" || t_fail "unreadable config: $(cat "$T_ERR")"
t_pass
