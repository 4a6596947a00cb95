#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaictl model convert runs the ONNX converter: a Gemm+Relu+Gemm graph
# converts (exit 0; -j {"onnx":..,"converted":true}) and `model predict`
# on the result equals NumPy on the same weights; an unsupported op fails
# with the converter's message naming the node and op (text on stderr,
# {"error":...} under -j), exit 1 and no file; a missing file exits 1, no
# argument 2.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
CTL=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaictl
[ -x "$CTL" ] || t_fail "no $CTL: run make tests"
/usr/bin/python3 -c 'import onnx, numpy' 2>/dev/null || t_skip "python3-onnx is not installed (scripts/deps.sh installs it)"
W=$(mktemp -d)
trap 'rm -rf "$W" "$T_OUT" "$T_ERR"' EXIT

/usr/bin/python3 - "$W" <<'PY' || t_fail "cannot build the ONNX models"
import sys
import numpy as np
import onnx
from onnx import helper, TensorProto, numpy_helper
w = sys.argv[1]
rng = np.random.default_rng(7)
W1 = rng.normal(size=(5, 3)).astype(np.float32)
b1 = rng.normal(size=5).astype(np.float32)
W2 = rng.normal(size=(2, 5)).astype(np.float32)
b2 = rng.normal(size=2).astype(np.float32)
np.save(w + "/w.npy", np.concatenate([W1.ravel(), b1, W2.ravel(), b2]))
inits = [numpy_helper.from_array(a, n) for a, n in ((W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2"))]
nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1, name="fc1"),
         helper.make_node("Relu", ["h"], ["r"], name="act"),
         helper.make_node("Gemm", ["r", "W2", "b2"], ["y"], transB=1, name="fc2")]
g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])], inits)
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), w + "/mlp.onnx")
k = numpy_helper.from_array(rng.normal(size=(1, 1, 3, 3)).astype(np.float32), "K")
g = helper.make_graph([helper.make_node("Conv", ["x", "K"], ["y"], name="conv0")], "conv",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 2, 2])], [k])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), w + "/conv.onnx")
PY

expect_rc 0 "$CTL" model convert "$W/mlp.onnx" -o "$W/mlp.st"
[ -s "$W/mlp.st" ] || t_fail "no model file written"
expect_rc 0 "$CTL" -j model convert "$W/mlp.onnx" -o "$W/mlp2.st"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["converted"] is True and d["onnx"].endswith("mlp.onnx"), d' "$T_OUT" ||
	t_fail "-j convert: $(cat "$T_OUT")"
expect_rc 0 "$CTL" -j model predict "$W/mlp.st" 0.5 -1.25 2.0
/usr/bin/python3 - "$W" "$T_OUT" <<'PY' || t_fail "predict on the converted model differs from NumPy: $(cat "$T_OUT")"
import json, sys
import numpy as np
w = np.load(sys.argv[1] + "/w.npy")
W1, b1, W2, b2 = w[:15].reshape(5, 3), w[15:20], w[20:30].reshape(2, 5), w[30:]
x = np.array([0.5, -1.25, 2.0])
want = W2 @ np.maximum(W1 @ x + b1, 0) + b2
d = json.load(open(sys.argv[2]))
def floats(o):
    if isinstance(o, float):
        yield o
    elif isinstance(o, dict):
        for v in o.values():
            yield from floats(v)
    elif isinstance(o, list):
        for v in o:
            yield from floats(v)
got = list(floats(d))
assert len(got) >= 2, d
assert any(np.allclose(got[i:i + 2], want, atol=1e-5) for i in range(len(got) - 1)), (got, want)
PY

expect_rc 1 "$CTL" model convert "$W/conv.onnx" -o "$W/conv.st"
grep -q "node 'conv0' (op Conv): not supported" "$T_ERR" || t_fail "no message naming the node: $(cat "$T_ERR")"
[ -e "$W/conv.st" ] && t_fail "a file was left behind"
expect_rc 1 "$CTL" -j model convert "$W/conv.onnx" -o "$W/conv.st"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "conv0" in d["error"] and "Conv" in d["error"], d' "$T_OUT" ||
	t_fail "-j error: $(cat "$T_OUT")"
expect_rc 1 "$CTL" model convert "$W/nosuch.onnx" -o "$W/x.st"
expect_rc 2 "$CTL" model convert
t_pass
