#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Reference quality: edgeaictl model train on scikit-learn's datasets
# scores within 2% (relative) of scikit-learn's own models, or better, on
# the same held-out rows (tests/train/sklearn_ref.py writes the CSVs and
# scikit-learn's scores, and scores our predictions):
#   diabetes       linear regression (SGD + momentum)  vs LinearRegression  R^2
#   breast cancer  logistic (Adam)                      vs LogisticRegression accuracy
#   digits         softmax (Adam)                       vs LogisticRegression accuracy
#   digits         mlp 64 relu (Adam, L2)                vs MLPClassifier      accuracy
# Our side runs the ASan edgeaictl end to end: CSV in, model file out,
# model predict --csv on the test rows.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

CTL=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaictl
REF=$EDGEAI_SRC/tests/train/sklearn_ref.py
[ -x "$CTL" ] || t_fail "no $CTL: run make tests"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR" "$T_OUT" "$T_ERR"' EXIT

/usr/bin/python3 "$REF" export "$DIR" || t_fail "$REF export failed: run scripts/deps.sh"

feats()
{
	seq -s, -f "f%g" 0 $(($1 - 1))
}

# check CASE MODEL NFEAT ARGS...: train, predict the test rows, compare.
check()
{
	local case=$1 model=$2 n=$3 ours ref
	shift 3
	expect_rc 0 "$CTL" -j model train --csv "$DIR/${case}_train.csv" \
		--features "$(feats "$n")" --target target --standardize \
		-o "$DIR/$case-$model.st" "$@"
	expect_rc 0 "$CTL" -j model predict "$DIR/$case-$model.st" \
		--csv "$DIR/${case}_test.csv"
	cp "$T_OUT" "$DIR/pred.json"
	ours=$(/usr/bin/python3 "$REF" score "$DIR" "$case" "$DIR/pred.json") ||
		t_fail "$case: scoring failed"
	ref=$(json_get "$DIR/sklearn.json" "$case/$model")
	/usr/bin/python3 -c '
import sys
ours, ref = float(sys.argv[1]), float(sys.argv[2])
sys.exit(0 if ours >= ref * 0.98 else 1)' "$ours" "$ref" ||
		t_fail "$case $model: ours $ours, scikit-learn $ref: more than 2% worse"
	printf '%-14s %-9s ours %.4f  scikit-learn %.4f\n' "$case" "$model" "$ours" "$ref"
}

check diabetes linear 10 --model linear --optimizer sgd --lr 0.001 \
	--momentum 0.9 --epochs 2000 --batch 32
check breast_cancer logistic 30 --model logistic --optimizer adam --lr 0.01 \
	--epochs 100 --batch 32
check digits softmax 64 --model softmax --optimizer adam --lr 0.001 \
	--epochs 100 --batch 32
check digits mlp 64 --model mlp --hidden 64 --activation relu \
	--optimizer adam --lr 0.001 --l2 0.0001 --epochs 100 --batch 32
t_pass
