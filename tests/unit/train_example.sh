#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reference article's worked example, exactly as the README shows it:
# on docs/examples/data.csv (y = 3 x1 - 2 x2 + 5 + noise, 200 rows, 5 of
# them incomplete) the article's command drops and names the 5 rows,
# trains 100 epochs, writes the model, and the model predicts the true
# relation at a few raw points; "model predict model.st 1.0 2.0" prints
# the README's value; every output line of the README's session comes
# out; the same command again writes the same bytes; and the CSV is what
# docs/examples/make_data.py generates.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

CTL=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaictl
[ -x "$CTL" ] || t_fail "no $CTL: run make tests"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR" "$T_OUT" "$T_ERR"' EXIT
cp "$EDGEAI_SRC/docs/examples/data.csv" "$DIR/" || t_fail "no docs/examples/data.csv"
cd "$DIR" || t_fail "cd $DIR"

/usr/bin/python3 "$EDGEAI_SRC/docs/examples/make_data.py" regen.csv ||
	t_fail "make_data.py failed"
cmp -s regen.csv data.csv || t_fail "docs/examples/data.csv is not what make_data.py writes"

train()
{
	expect_rc 0 "$CTL" "$@" model train --csv data.csv --features x1,x2 --target y \
		--model linear --standardize --optimizer sgd --lr 0.01 --epochs 100 \
		--batch 10 -o model.st
}

train
cat "$T_ERR" "$T_OUT" >session.txt
grep -qx "dropped: 5" "$T_OUT" || t_fail "expected 'dropped: 5': $(cat "$T_OUT")"
grep -qx "rows used: 195" "$T_OUT" || t_fail "expected 'rows used: 195'"
[ "$(grep -c '^epoch [0-9]*: loss ' "$T_OUT")" = 100 ] || t_fail "not 100 epoch lines"
[ "$(grep -c '(row dropped)$' "$T_ERR")" = 5 ] || t_fail "not 5 dropped rows named: $(cat "$T_ERR")"
grep -qxF "edgeaictl: data.csv:122: column x2: 'abc' is not a number (row dropped)" "$T_ERR" ||
	t_fail "row 122 not named: $(cat "$T_ERR")"
[ -s model.st ] || t_fail "no model.st"
cp model.st first.st

# The learned relation, from raw inputs (the statistics are in the model).
for p in "0 0" "1 2" "-3 4" "4 -1" "2.5 -2.5" "-4.5 -4.5"; do
	set -- $p
	expect_rc 0 "$CTL" -j model predict model.st -- "$1" "$2"
	got=$(json_get "$T_OUT" outputs.0)
	/usr/bin/python3 -c '
import sys
x1, x2, got = map(float, sys.argv[1:])
want = 3 * x1 - 2 * x2 + 5
sys.exit(abs(got - want) > 0.15)' "$1" "$2" "$got" ||
		t_fail "predict $1 $2: $got, the true relation says $(echo "3*$1 - 2*$2 + 5" | bc -l 2>/dev/null)"
done

expect_rc 0 "$CTL" model predict model.st 1.0 2.0
[ "$(cat "$T_OUT")" = "y: 4.04547" ] || t_fail "predict 1.0 2.0: '$(cat "$T_OUT")', the README says 'y: 4.04547'"
cat "$T_OUT" >>session.txt

# Every output line of the README's session (commands, their continuation
# lines and "..." aside) comes out of the real commands.
awk '/^## Train a model on the device/ { s = 1 } s && /^```/ { if (b) exit; b = 1; next }
     b { print }' "$EDGEAI_SRC/README.md" >readme.txt
[ -s readme.txt ] || t_fail "README.md has no 'Train a model on the device' session"
cont=0
n=0
while IFS= read -r line; do
	if [ "$cont" = 1 ] || [ "${line#\$ }" != "$line" ]; then
		case $line in *\\) cont=1 ;; *) cont=0 ;; esac
		continue
	fi
	[ "$line" = "..." ] && continue
	grep -qxF -- "$line" session.txt || t_fail "README line not in the output: '$line'"
	n=$((n + 1))
done <readme.txt
[ "$n" -ge 10 ] || t_fail "only $n README lines checked"

# JSON: the same numbers, and the same bytes again (seeded).
train -j
[ "$(json_get "$T_OUT" dropped)" = 5 ] || t_fail "JSON dropped"
[ "$(json_get "$T_OUT" rows)" = 195 ] || t_fail "JSON rows"
[ "$(json_get "$T_OUT" epochs.99.epoch)" = 100 ] || t_fail "JSON epochs"
/usr/bin/python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["train"]["r2"] < 0.99)' "$T_OUT" ||
	t_fail "r2 below 0.99"
cmp -s model.st first.st || t_fail "the same command wrote different bytes"
t_pass
