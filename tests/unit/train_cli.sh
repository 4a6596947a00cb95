#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaictl model: help everywhere, prefixes, usage errors (exit 2) and
# failures (exit 1) with messages naming the file, line and column, JSON
# errors; CSV details (CRLF, quotes, a byte order mark, blank lines, rows
# with extra fields, text and numeric class labels sorted); a classifier
# end to end (classes in the model, predict one row and a CSV); model info
# (sha256 as sha256sum says, FNV-1a, layers); warm start from the CLI;
# the atomic write; and edgeaictl-model(8) lists every option and renders
# without a groff warning.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

CTL=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaictl
[ -x "$CTL" ] || t_fail "no $CTL: run make tests"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR" "$T_OUT" "$T_ERR"' EXIT
cd "$DIR" || t_fail "cd"
cp "$EDGEAI_SRC/docs/examples/data.csv" data.csv

has()	# has FILE TEXT: fixed string in FILE
{
	grep -qF -- "$2" "$1" || t_fail "expected '$2' in: $(cat "$1")"
}

TRAIN=(model train --csv data.csv --features x1,x2 --target y --model linear
	--optimizer sgd --epochs 5 -o m.st)

# Help for the object and every command, prefixes.
expect_rc 0 "$CTL" model help
for c in train predict info help; do has "$T_OUT" "  $c "; done
expect_rc 0 "$CTL" model train help
has "$T_OUT" "--warm-start FILE"
expect_rc 0 "$CTL" model tr --help
expect_rc 0 "$CTL" model predict help
expect_rc 0 "$CTL" model info help
expect_rc 2 "$CTL" model
expect_rc 2 "$CTL" model frobnicate
has "$T_ERR" "unknown command 'frobnicate'"
expect_rc 0 "$CTL" model tr "${TRAIN[@]:2}" -q
expect_rc 0 "$CTL" model p m.st 1 2
expect_rc 0 "$CTL" model i m.st

# Usage errors: exit 2, saying what is wrong.
u()	# u MESSAGE ARGS...
{
	local msg=$1
	shift
	expect_rc 2 "$CTL" "$@"
	has "$T_ERR" "$msg"
}
u "missing --csv" model train --features x1 --target y --model linear --optimizer sgd -o m.st
u "missing -o OUT" model train --csv data.csv --features x1 --target y --model linear --optimizer sgd
u "--model 'lasso': linear, logistic, softmax or mlp" "${TRAIN[@]}" --model lasso
u "--optimizer 'rmsprop': sgd or adam" "${TRAIN[@]}" --optimizer rmsprop
u "--lr '-1': not a number > 0" "${TRAIN[@]}" --lr -1
u "--lr '0': not a number > 0" "${TRAIN[@]}" --lr 0
u "--epochs 'ten': not a whole number >= 0" "${TRAIN[@]}" --epochs ten
u "--batch '0': not a whole number >= 1" "${TRAIN[@]}" --batch 0
u "--momentum 1: must be in [0, 1)" "${TRAIN[@]}" --momentum 1
u "--hidden is for --model mlp" "${TRAIN[@]}" --hidden 8
u "--task is for --model mlp" "${TRAIN[@]}" --task regression
u "--hidden: '0' is not a width" "${TRAIN[@]}" --model mlp --hidden 8,0
u "--activation 'softmax': relu, tanh, sigmoid or identity" "${TRAIN[@]}" --model mlp --activation softmax
u "--patience needs --val F" "${TRAIN[@]}" --patience 3
u "--val 1: a fraction in [0, 1)" "${TRAIN[@]}" --val 1
u "--momentum is for sgd" "${TRAIN[@]}" --optimizer adam --momentum 0.9
u "--features: 'x1' twice" "${TRAIN[@]}" --features x1,x1
u "'y' is both a feature and the target" "${TRAIN[@]}" --features x1,y
u "bad option '--frobnicate'" "${TRAIN[@]}" --frobnicate
u "unexpected argument 'extra'" "${TRAIN[@]}" extra
u "the model takes 2 inputs, got 3" model predict m.st 1 2 3
u "input 2: 'abc' is not a number" model predict m.st 1 abc
u "usage: model predict FILE" model predict m.st
u "usage: model info FILE" model info

# Failures: exit 1, naming the file (and line and column).
f()	# f MESSAGE ARGS...
{
	local msg=$1
	shift
	expect_rc 1 "$CTL" "$@"
	has "$T_ERR" "$msg"
}
f "nope.csv: No such file or directory" "${TRAIN[@]}" --csv nope.csv
f "data.csv:1: no column 'x3' in the header (x1,x2,y)" "${TRAIN[@]}" --features x1,x3
printf 'a,b\n1,\n,2\n' >holes.csv
f "holes.csv: no usable row (2 read, all dropped)" "${TRAIN[@]}" --csv holes.csv --features a --target b
: >empty.csv
f "empty.csv: empty: no header row" "${TRAIN[@]}" --csv empty.csv
f "data.csv: column y has 195 distinct values in 195 rows: not classes?" "${TRAIN[@]}" --model softmax
printf 'garbage' >bad.st
f "bad.st: " model info bad.st
f "nope.st: No such file or directory" model predict nope.st 1 2
f "m.st: input 0 is 'x1', --features has 'x2'" "${TRAIN[@]}" --features x2,x1 --warm-start m.st
f ": lower the learning rate" "${TRAIN[@]}" --lr 1000

# JSON errors on stdout under -j, with the same exit statuses.
expect_rc 1 "$CTL" -j "${TRAIN[@]}" --features x1,x3
json_get "$T_OUT" error | grep -q "no column 'x3'" || t_fail "JSON error: $(cat "$T_OUT")"
expect_rc 2 "$CTL" -j "${TRAIN[@]}" --lr 0
json_get "$T_OUT" error | grep -q "not a number > 0" || t_fail "JSON usage error"

# CSV details: BOM, CRLF, quotes, blank lines, extra fields; labels.
printf '\xef\xbb\xbf"u",v , "label"\r\n' >c.csv
for i in $(seq 0 29); do
	printf '%d.5,%d,"c%d"\r\n' "$i" $((i % 3)) $((i % 3 == 0 ? 10 : i % 3 == 1 ? 9 : 100))
	[ "$i" = 7 ] && printf '\r\n   \r\n1,2,c9,extra\r\n'
done >>c.csv
expect_rc 0 "$CTL" -j model train --csv c.csv --features u,v --target label \
	--model softmax --standardize --optimizer adam --lr 0.05 --epochs 200 -o c.st
[ "$(json_get "$T_OUT" dropped)" = 1 ] || t_fail "the row with an extra field is not dropped"
[ "$(json_get "$T_OUT" rows)" = 30 ] || t_fail "30 rows expected"
[ "$(json_get "$T_OUT" classes)" = "['c10', 'c100', 'c9']" ] || t_fail "text labels sort as text: $(json_get "$T_OUT" classes)"
[ "$(json_get "$T_OUT" dropped_rows.0.reason)" = "more fields than the header has" ] || t_fail "reason"
expect_rc 0 "$CTL" model predict c.st 3.5 0
grep -qx "class: c10" "$T_OUT" || t_fail "predict: $(cat "$T_OUT")"
expect_rc 0 "$CTL" model predict c.st --csv c.csv
[ "$(head -1 "$T_OUT")" = "line,c10,c100,c9,class" ] || t_fail "predict --csv header: $(head -1 "$T_OUT")"
[ "$(grep -c ',c[0-9]*$' "$T_OUT")" = 30 ] || t_fail "predict --csv: 30 rows with a class"
has "$T_ERR" "c.csv: 31 rows read, 1 dropped"
expect_rc 0 "$CTL" -j model predict c.st --csv c.csv
[ "$(json_get "$T_OUT" predictions.0.line)" = 2 ] || t_fail "line numbers count the header"
[ "$(json_get "$T_OUT" predictions.0.class)" = c10 ] || t_fail "JSON class"
# Numeric labels sort as numbers.
printf 'x,k\n' >n.csv
for i in $(seq 0 19); do echo "$i,$((i % 2 ? 10 : 9))"; done >>n.csv
expect_rc 0 "$CTL" -j model train --csv n.csv --features x --target k --model logistic \
	--optimizer sgd --epochs 1 -o n.st
[ "$(json_get "$T_OUT" classes)" = "['9', '10']" ] || t_fail "numeric labels: $(json_get "$T_OUT" classes)"
printf 'x,k\n1,a\n2,b\n3,c\n' >three.csv
f "three.csv: column k has 3 distinct values: logistic needs 2 (try --model softmax)" \
	model train --csv three.csv --features x --target k --model logistic --optimizer sgd -o x.st

# model info: checksums, dimensions, layers, metadata.
expect_rc 0 "$CTL" -j model info c.st
[ "$(json_get "$T_OUT" sha256)" = "$(sha256sum c.st | cut -d' ' -f1)" ] || t_fail "sha256 differs from sha256sum"
fnv=$(/usr/bin/python3 -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
print("%016x" % h)' c.st)
[ "$(json_get "$T_OUT" checksum)" = "$fnv" ] || t_fail "FNV-1a checksum"
[ "$(json_get "$T_OUT" size)" = "$(stat -c %s c.st)" ] || t_fail "size"
[ "$(json_get "$T_OUT" parameters)" = 13 ] || t_fail "parameters: 2+2 standardize, 3x2+3 dense"
[ "$(json_get "$T_OUT" inputs.names)" = "['u', 'v']" ] || t_fail "input names"
[ "$(json_get "$T_OUT" layers.1.activation)" = softmax ] || t_fail "layer activation"
[ "$(json_get "$T_OUT" layers.1.tensors.0.shape)" = "[3, 2]" ] || t_fail "weight shape"
/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["metadata"]; sys.exit(m["edgeai.classes"] != "c10,c100,c9" or m["edgeai.task"] != "multiclass" or "edgeai.graph" in m)' "$T_OUT" ||
	t_fail "metadata: $(cat "$T_OUT")"
printf 'abc' >abc.bin
[ "$(sha256sum abc.bin | cut -d' ' -f1)" = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ] || t_fail "sha256sum?"
for n in 55 56 63 64 65 119 120; do	# padding edge cases of SHA-256
	"$CTL" model train --csv data.csv --features x1,x2 --target y --model linear \
		--optimizer sgd --epochs 1 --name "$(head -c "$n" /dev/zero | tr '\0' a)" -o s.st -q >/dev/null 2>&1
	expect_rc 0 "$CTL" -j model info s.st
	[ "$(json_get "$T_OUT" sha256)" = "$(sha256sum s.st | cut -d' ' -f1)" ] || t_fail "sha256, name of $n bytes"
done

# Warm start: 0 epochs from a model gives its predictions back.
expect_rc 0 "$CTL" model train --csv data.csv --features x1,x2 --target y --model mlp \
	--task regression --hidden 6,4 --activation tanh --standardize --optimizer adam \
	--lr 0.01 --epochs 30 --name central --version 1 -o w.st -q
expect_rc 1 "$CTL" model train --csv data.csv --features x1,x2 --target y --model linear \
	--optimizer sgd --epochs 0 --warm-start w.st -o w2.st -q
has "$T_ERR" "warm start: the model has 2 hidden layers, a linear model has none"
expect_rc 0 "$CTL" model train --csv data.csv --features x1,x2 --target y --model mlp \
	--task regression --optimizer sgd --epochs 0 --warm-start w.st --version 2 -o w2.st -q
expect_rc 0 "$CTL" -j model info w2.st
[ "$(json_get "$T_OUT" name)" = central ] || t_fail "the name comes from the warm-start model"
[ "$(json_get "$T_OUT" version)" = 2 ] || t_fail "the version is the new one"
a=$("$CTL" model predict w.st 1.5 -2) b=$("$CTL" model predict w2.st 1.5 -2)
[ "$a" = "$b" ] && [ -n "$a" ] || t_fail "warm start, 0 epochs: '$a' vs '$b'"

# The write is atomic: no temporary file left, the old file's mode kept.
chmod 0600 m.st
expect_rc 0 "$CTL" "${TRAIN[@]}" -q
[ "$(stat -c %a m.st)" = 600 ] || t_fail "mode not kept"
ls -A | grep -q '^\.m\.st\.' && t_fail "temporary file left behind"
f "/nonexistent/dir/m.st: No such file or directory" "${TRAIN[@]}" -o /nonexistent/dir/m.st -q

# The man page has every option of "model train help", and renders cleanly.
PAGE=$EDGEAI_SRC/tools/man/edgeaictl-model.8
[ -f "$PAGE" ] || t_fail "no $PAGE"
"$CTL" model train help >help.txt
man_text=$(sed 's/\\-/-/g' "$PAGE")
for w in $(grep -oE -- '--[a-z0-9-]+' help.txt | sort -u); do
	grep -qF -- "$w" <<<"$man_text" || t_fail "edgeaictl-model.8 lacks $w"
done
groff -man -ww -z "$PAGE" 2>groff.txt || t_fail "groff failed: $(cat groff.txt)"
[ ! -s groff.txt ] || t_fail "groff warnings: $(cat groff.txt)"
t_pass
