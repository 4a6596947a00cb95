#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tools/onnx/edgeai-onnx-convert: its CLI (help, usage errors), an
# unsupported op (a Conv node) failing cleanly, then tests/onnx/check.py:
# models exported from PyTorch and built with onnx.helper (ai.onnx.ml
# Scaler, LinearRegressor, LinearClassifier), converted and run by
# libedgeai (tests/onnx/run_model, ASan) within 1e-5 of PyTorch / NumPy,
# and every refusal (docs/onnx.md). Skips when python3-onnx or
# python3-torch is not installed (scripts/deps.sh installs them).
. "$(dirname "$0")/../lib.sh"

conv=$EDGEAI_SRC/tools/onnx/edgeai-onnx-convert
run=$EDGEAI_BUILD/tests/onnx/run_model
py=/usr/bin/python3
[ -x "$conv" ] || t_fail "$conv is not executable"
[ -x "$run" ] || t_fail "no $run: run make tests"

# The CLI, which needs neither onnx nor torch.
expect_rc 0 "$conv" --help
for w in usage: options: "exit status:" files: examples: -o --output \
	--name --version --features --outputs --verbose \
	libexec/edgeai/edgeai-onnx-convert Gemm MatMul Add Sub Mul Div Relu \
	Sigmoid Tanh Softmax Flatten Identity Scaler LinearRegressor \
	LinearClassifier; do
	grep -qF -- "$w" "$T_OUT" || t_fail "--help does not mention $w"
done
[ ! -s "$T_ERR" ] || t_fail "--help wrote to stderr: $(cat "$T_ERR")"
expect_rc 2 "$conv"
grep -q "^edgeai-onnx-convert: no input file" "$T_ERR" ||
	t_fail "no input: $(cat "$T_ERR")"
expect_rc 2 "$conv" --no-such-option in.onnx
expect_rc 2 "$conv" in.onnx -o

if ! why=$("$py" -c 'import numpy, onnx, torch' 2>&1); then
	t_skip "python3-numpy, python3-onnx and python3-torch are needed ($(tail -n1 <<<"$why")): run scripts/deps.sh"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$T_OUT" "$T_ERR"' EXIT

# An unsupported op: exit 1, one line naming the file, the node and the
# op, no output and no temporary file.
"$py" "$EDGEAI_SRC/tests/onnx/check.py" conv "$tmp/conv.onnx" ||
	t_fail "check.py conv failed"
expect_rc 1 "$conv" "$tmp/conv.onnx" -o "$tmp/conv.st"
want="$tmp/conv.onnx: node 'conv0' (op Conv): not supported (supported: Add, Constant, Div, Flatten, Gemm, Identity, MatMul, Mul, Relu, Sigmoid, Softmax, Sub, Tanh, ai.onnx.ml.LinearClassifier, ai.onnx.ml.LinearRegressor, ai.onnx.ml.Scaler)"
[ "$(cat "$T_ERR")" = "$want" ] ||
	t_fail "unsupported op: stderr '$(cat "$T_ERR")', expected '$want'"
[ ! -s "$T_OUT" ] || t_fail "unsupported op: stdout '$(cat "$T_OUT")'"
left=$(ls -A "$tmp")
[ "$left" = conv.onnx ] || t_fail "files left behind: $left"

# Every conversion against PyTorch / NumPy, every refusal.
"$py" "$EDGEAI_SRC/tests/onnx/check.py" all --convert "$conv" --run "$run" \
	--dir "$tmp" || t_fail "tests/onnx/check.py failed"
t_pass
