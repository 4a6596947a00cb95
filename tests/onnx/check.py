#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""edgeai-onnx-convert against PyTorch and NumPy (tests/unit/onnx_convert.sh).

    check.py all --convert TOOL --run RUN_MODEL --dir DIR
    check.py conv FILE          write the Conv model of the shell test

`all` builds models in PyTorch (torch.onnx.export) and with onnx.helper
(ai.onnx.ml Scaler / LinearRegressor / LinearClassifier, Gemm attributes,
Constant nodes), converts each with TOOL, and runs the edgeai model file
with libedgeai (tests/onnx/run_model, both kernels): every output must be
within 1e-5 (absolute) of PyTorch's float32 output, or of a float64 NumPy
reference for the hand-built graphs. The file's own graph, evaluated by
tests/model/stfile.py's forward(), must agree too, and the converter must
have made the expected ops and metadata. Then models the converter must
refuse: exit 1, one line on stderr naming the file (and the node and op),
no output file and no temporary file left, an existing output untouched.

Prints one line per case; exit 0 when all pass, 1 otherwise.
"""
import argparse
import io
import json
import os
import struct
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "model"))
import stfile  # noqa: E402  (tests/model: forward() of our graphs)

TOL = 1e-5
ROWS = 203          # not a multiple of run_model's 16-row context

import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

FAILED = []


def log(ok, name, msg):
    print("%-4s %s: %s" % ("ok" if ok else "FAIL", name, msg), flush=True)
    if not ok:
        FAILED.append(name)


# -- reading model files -----------------------------------------------------

def read_model(path):
    """(metadata, ops) of an edgeai model file; ops as stfile's dicts."""
    blob = open(path, "rb").read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    meta = header.pop("__metadata__")
    ops = []
    for g in json.loads(meta["edgeai.graph"]):
        op = {"op": g["op"]}
        for field in stfile.PARAM_FIELDS[g["op"]]:
            if field in g:
                t = header[g[field]]
                b, e = t["data_offsets"]
                assert t["dtype"] == "F32"
                op[field] = np.frombuffer(data[b:e], "<f4").reshape(
                    t["shape"])
        if "activation" in g:
            op["activation"] = g["activation"]
        ops.append(op)
    return meta, ops


def op_summary(ops):
    out = []
    for op in ops:
        s = op["op"]
        if s == "dense":
            s += ":" + op["activation"]
            if op.get("bias") is None:
                s += ":nobias"
        out.append(s)
    return out


# -- models ------------------------------------------------------------------

def vi(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def mk_model(nodes, inputs, outputs, inits=(), opset=13, ml=False):
    graph = helper.make_graph(
        nodes, "g", inputs, outputs,
        initializer=[numpy_helper.from_array(np.asarray(a), name)
                     for name, a in inits])
    opsets = [helper.make_opsetid("", opset)]
    if ml:
        opsets.append(helper.make_opsetid("ai.onnx.ml", 3))
    m = helper.make_model(graph, opset_imports=opsets,
                          producer_name="edgeai-tests")
    return m.SerializeToString()


def f32(a):
    return np.asarray(a, dtype=np.float32)


def torch_cases(torch):
    nn = torch.nn
    torch.manual_seed(7)

    class Standardize(nn.Module):
        """(x - m) / s, as a hand-written preprocessing layer would be."""

        def __init__(self, d, shape=None):
            super().__init__()
            shape = shape or (d,)
            self.register_buffer("m", torch.randn(shape) * 3)
            self.register_buffer("s", torch.rand(shape) * 2 + 0.5)

        def forward(self, x):
            return (x - self.m) / self.s

    class Affine(nn.Module):
        """c - (x * a + b): Mul, Add, Sub with the constant first."""

        def __init__(self, shape):
            super().__init__()
            self.register_buffer("a", torch.randn(shape))
            self.register_buffer("b", torch.randn(shape[-1:]))
            self.register_buffer("c", torch.randn(1))

        def forward(self, x):
            return self.c - (x * self.a + self.b)

    class MatMulAdd(nn.Module):
        def __init__(self, k, m):
            super().__init__()
            self.w = nn.Parameter(torch.randn(k, m) / k ** 0.5)
            self.b = nn.Parameter(torch.randn(m))

        def forward(self, x):
            return x @ self.w + self.b

    dyn = {"x": {0: "N"}, "y": {0: "N"}}
    return [
        # name, module, example input shape, opset, dynamic axes, ops, kind
        ("torch_mlp", nn.Sequential(
            Standardize(4), nn.Flatten(), nn.Linear(4, 16), nn.ReLU(),
            nn.Identity(), nn.Linear(16, 3), nn.Softmax(dim=-1)),
         (4,), 13, dyn,
         ["standardize", "dense:relu", "dense:softmax"], "mlp"),
        ("torch_mlp_opset17", nn.Sequential(
            nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 8), nn.Sigmoid(),
            nn.Linear(8, 2, bias=False)),
         (5,), 17, dyn,
         ["dense:tanh", "dense:sigmoid", "dense:identity:nobias"], "mlp"),
        ("torch_standalone_ops", nn.Sequential(
            Standardize(4), nn.ReLU(), nn.Linear(4, 8), nn.Tanh(),
            nn.Sigmoid(), nn.Linear(8, 3), nn.Identity(), nn.Tanh(),
            nn.Softmax(dim=1)),
         (4,), 13, dyn,
         ["standardize", "relu", "dense:tanh", "sigmoid", "dense:tanh",
          "softmax"], "mlp"),
        ("torch_starts_with_tanh", nn.Sequential(
            nn.Tanh(), nn.Linear(4, 3, bias=False), nn.Sigmoid()),
         (4,), 13, dyn,
         ["scale", "tanh", "dense:sigmoid:nobias"], "logistic"),
        ("torch_logistic_regression_opset11", nn.Sequential(
            Standardize(3), nn.Linear(3, 1), nn.Sigmoid()),
         (3,), 11, dyn, ["standardize", "dense:sigmoid"], "logistic"),
        ("torch_softmax_regression_dynamic_features", nn.Sequential(
            nn.Linear(4, 3), nn.Softmax(dim=1)),
         (4,), 11, {"x": {0: "N", 1: "D"}, "y": {0: "N"}},
         ["dense:softmax"], "softmax"),
        ("torch_scale_prefix", nn.Sequential(
            Affine((6,)), nn.Linear(6, 4), nn.ReLU()),
         (6,), 13, dyn, ["scale", "dense:relu"], "custom"),
        ("torch_flatten_3d_broadcast", nn.Sequential(
            Affine((2, 3)), Standardize(0, (3,)), nn.Flatten(),
            nn.Linear(6, 2)),
         (2, 3), 13, dyn, ["scale", "standardize", "dense:identity"],
         "linear"),
        ("torch_matmul_add_fixed_batch", nn.Sequential(
            MatMulAdd(6, 5), nn.ReLU(), MatMulAdd(5, 2)),
         (6,), 17, None, ["dense:relu", "dense:identity"], "mlp"),
    ]


def run_torch_case(t, torch, case):
    name, module, shape, opset, dyn, ops, kind = case
    module.eval()
    path = os.path.join(t.dir, name + ".onnx")
    ex = torch.zeros((1,) + shape)
    buf = io.BytesIO()
    torch.onnx.export(module, ex, buf, opset_version=opset,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes=dyn)
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    x = f32(t.rng.standard_normal((ROWS,) + shape) * 2)
    with torch.no_grad():
        want = module(torch.from_numpy(x)).numpy().astype(np.float64)
    t.check(name, path, x.reshape(ROWS, -1), want.reshape(ROWS, -1), ops,
            {"edgeai.kind": kind})


class Tester:
    def __init__(self, convert, run, d):
        self.convert, self.run, self.dir = convert, run, d
        self.rng = np.random.default_rng(11)

    def conv(self, path, out, *args):
        return subprocess.run([self.convert, path, "-o", out] + list(args),
                              capture_output=True, text=True)

    def run_model(self, st, x, kernel):
        env = dict(os.environ)
        env.pop("EDGEAI_MODEL_KERNEL", None)
        if kernel:
            env["EDGEAI_MODEL_KERNEL"] = kernel
        text = "\n".join(" ".join("%.9g" % v for v in row) for row in x)
        p = subprocess.run([self.run, st], input=text + "\n",
                           capture_output=True, text=True, env=env)
        if p.returncode:
            raise RuntimeError("run_model: exit %d: %s"
                               % (p.returncode, p.stderr.strip()))
        # %.9g gives back the exact float32 once parsed as one.
        return np.array([[float(v) for v in line.split()]
                         for line in p.stdout.splitlines()],
                        dtype=np.float32).astype(np.float64)

    def check(self, name, path, x, want, ops, meta, args=(), note=None):
        st = os.path.join(self.dir, name + ".st")
        p = self.conv(path, st, *args)
        if p.returncode:
            return log(False, name, "convert: exit %d: %s"
                       % (p.returncode, p.stderr.strip()))
        err = [ln for ln in p.stderr.splitlines()
               if not (note and note in ln)]
        if err or (note and note not in p.stderr):
            return log(False, name, "convert: unexpected stderr %r"
                       % p.stderr)
        got_meta, got_ops = read_model(st)
        if op_summary(got_ops) != ops:
            return log(False, name, "ops %s, expected %s"
                       % (op_summary(got_ops), ops))
        for k, v in meta.items():
            if got_meta.get(k) != v:
                return log(False, name, "metadata %s=%r, expected %r"
                           % (k, got_meta.get(k), v))
        errs = {}
        try:
            for kernel in ("", "generic"):
                got = self.run_model(st, x, kernel)
                if got.shape != want.shape:
                    return log(False, name, "output shape %s, expected %s"
                               % (got.shape, want.shape))
                errs[kernel or "default"] = float(np.max(np.abs(got - want)))
        except RuntimeError as e:
            return log(False, name, str(e))
        errs["file graph in float64"] = float(np.max(np.abs(
            stfile.forward(got_ops, x) - want)))
        bad = {k: v for k, v in errs.items() if not v <= TOL}
        desc = ", ".join("%s %.2g" % kv for kv in errs.items())
        log(not bad, name, "%s; max abs error: %s" % (" ".join(ops), desc))

    def refuse(self, name, blob, want, existing=False, args=()):
        """The converter must fail: exit 1, one line '<path>: ...want...',
        no output and no temporary file (or the existing output kept)."""
        path = os.path.join(self.dir, name + ".onnx")
        with open(path, "wb") as f:
            f.write(blob)
        st = os.path.join(self.dir, name + ".st")
        if existing:
            with open(st, "w") as f:
                f.write("keep")
        p = self.conv(path, st, *args)
        lines = p.stderr.splitlines()
        left = [f for f in os.listdir(self.dir)
                if f.startswith("." + name + ".st")]
        if p.returncode != 1:
            msg = "exit %d, expected 1 (stderr %r)" % (p.returncode,
                                                       p.stderr)
        elif len(lines) != 1 or not lines[0].startswith(path + ": ") or \
                want not in lines[0]:
            msg = "stderr %r, expected one line '%s: ...%s...'" % (
                p.stderr, path, want)
        elif left:
            msg = "temporary files left: %s" % left
        elif existing and open(st).read() != "keep":
            msg = "the existing output was changed"
        elif not existing and os.path.exists(st):
            msg = "an output file was written"
        else:
            return log(True, name, lines[0][len(path) + 2:])
        log(False, name, msg)


# -- hand-built graphs (NumPy references) -------------------------------------

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def helper_cases(t):
    rng = t.rng
    x4 = f32(rng.standard_normal((ROWS, 4)) * 2)
    x64 = x4.astype(np.float64)

    # Gemm attributes: alpha, beta, transB=0, C [1, M]; then C scalar.
    B1, C1 = f32(rng.standard_normal((4, 3))), f32(rng.standard_normal((1, 3)))
    B2, C2 = f32(rng.standard_normal((2, 3))), f32([0.25])
    blob = mk_model(
        [helper.make_node("Gemm", ["x", "B1", "C1"], ["h"], name="gemm1",
                          alpha=0.5, beta=2.0, transB=0),
         helper.make_node("Relu", ["h"], ["r"], name="relu"),
         helper.make_node("Gemm", ["r", "B2", "C2"], ["y"], name="gemm2",
                          transB=1)],
        [vi("x", ["N", 4])], [vi("y", ["N", 2])],
        [("B1", B1), ("C1", C1), ("B2", B2), ("C2", C2)])
    h = np.maximum(0.5 * x64 @ B1 + 2.0 * C1, 0)
    want = h @ B2.T.astype(np.float64) + 0.25
    path = t.write("gemm_alpha_beta", blob)
    t.check("gemm_alpha_beta", path, x4, want,
            ["dense:relu", "dense:identity"], {"edgeai.kind": "mlp"})

    # Identity, Constant nodes, constants folded, (x - c) / 2 as
    # standardize, MatMul + Add as a dense bias, Softmax.
    c = f32(rng.standard_normal(4))
    W0 = f32(rng.standard_normal((4, 3)))
    b = f32(rng.standard_normal(3))
    nodes = [
        helper.make_node("Identity", ["x"], ["x1"], name="id"),
        helper.make_node("Constant", [], ["c"], name="const_c",
                         value=numpy_helper.from_array(c)),
        helper.make_node("Constant", [], ["two"], value_float=2.0),
        helper.make_node("Constant", [], ["half"], value_float=0.5),
        helper.make_node("Mul", ["W0", "half"], ["W"], name="fold_w"),
        helper.make_node("Sub", ["x1", "c"], ["s"], name="sub"),
        helper.make_node("Div", ["s", "two"], ["d"], name="div"),
        helper.make_node("MatMul", ["d", "W"], ["m"], name="matmul"),
        helper.make_node("Add", ["m", "b"], ["a"], name="bias"),
        helper.make_node("Softmax", ["a"], ["y"], name="softmax"),
        helper.make_node("Relu", ["x"], ["unused"], name="dead_branch"),
    ]
    blob = mk_model(nodes, [vi("x", ["N", 4])], [vi("y", ["N", 3])],
                    [("W0", W0), ("b", b)])
    want = softmax((x64 - c) / 2 @ (W0.astype(np.float64) * 0.5) + b)
    path = t.write("constants_identity", blob)
    t.check("constants_identity", path, x4, want,
            ["standardize", "dense:softmax"], {"edgeai.kind": "softmax"},
            args=["--name", "const", "--version", "7",
                  "--features", "a,b,c,d"])
    meta, _ = read_model(os.path.join(t.dir, "constants_identity.st"))
    want_meta = {"edgeai.name": "const", "edgeai.version": "7",
                 "edgeai.features": "a,b,c,d", "onnx.input": "x",
                 "onnx.output": "y", "onnx.opset": "ai.onnx:13",
                 "onnx.producer": "edgeai-tests"}
    bad = {k: (meta.get(k), v) for k, v in want_meta.items()
           if meta.get(k) != v}
    log(not bad, "metadata", bad or "name, version, features, onnx.*")

    # ai.onnx.ml Scaler (per-feature), then LinearRegressor with 2 targets.
    off, sc = f32(rng.standard_normal(4)), f32(rng.random(4) + 0.5)
    coef = f32(rng.standard_normal(8))
    inter = f32(rng.standard_normal(2))
    blob = mk_model(
        [helper.make_node("Scaler", ["x"], ["s"], domain="ai.onnx.ml",
                          name="scaler", offset=off.tolist(),
                          scale=sc.tolist()),
         helper.make_node("LinearRegressor", ["s"], ["y"],
                          domain="ai.onnx.ml", name="linreg",
                          coefficients=coef.tolist(),
                          intercepts=inter.tolist(), targets=2)],
        [vi("x", ["N", 4])], [vi("y", ["N", 2])], ml=True)
    want = (x64 - off) * sc @ coef.reshape(2, 4).T.astype(np.float64) + inter
    path = t.write("ml_scaler_linear_regressor", blob)
    t.check("ml_scaler_linear_regressor", path, x4, want,
            ["scale", "dense:identity"], {"edgeai.kind": "linear"})

    # Scaler with one offset/scale for all features; a LinearRegressor
    # without intercepts that fixes a dynamic feature count.
    coef = f32(rng.standard_normal(4))
    blob = mk_model(
        [helper.make_node("Scaler", ["x"], ["s"], domain="ai.onnx.ml",
                          offset=[1.5], scale=[0.25]),
         helper.make_node("LinearRegressor", ["s"], ["y"],
                          domain="ai.onnx.ml", coefficients=coef.tolist())],
        [vi("x", ["N", "C"])], [vi("y", ["N", 1])], ml=True)
    want = ((x64 - 1.5) * 0.25 @ coef.astype(np.float64))[:, None]
    path = t.write("ml_scalar_scaler_dynamic", blob)
    t.check("ml_scalar_scaler_dynamic", path, x4, want,
            ["scale", "dense:identity:nobias"], {})

    # LinearClassifier, 3 classes, SOFTMAX, string labels, both outputs
    # (labels and scores) in the graph.
    coef = f32(rng.standard_normal(12))
    inter = f32(rng.standard_normal(3))
    node = helper.make_node(
        "LinearClassifier", ["x"], ["label", "probabilities"],
        domain="ai.onnx.ml", name="clf", coefficients=coef.tolist(),
        intercepts=inter.tolist(), post_transform="SOFTMAX",
        classlabels_strings=["setosa", "versicolor", "virginica"])
    blob = mk_model([node], [vi("x", ["N", 4])],
                    [vi("label", ["N"], TensorProto.STRING),
                     vi("probabilities", ["N", 3])], ml=True)
    want = softmax(x64 @ coef.reshape(3, 4).T.astype(np.float64) + inter)
    path = t.write("ml_linear_classifier_softmax", blob)
    t.check("ml_linear_classifier_softmax", path, x4, want,
            ["dense:softmax"],
            {"edgeai.outputs": "setosa,versicolor,virginica",
             "onnx.classlabels": '["setosa", "versicolor", "virginica"]',
             "onnx.labels": "argmax", "onnx.output": "probabilities",
             "edgeai.kind": "softmax"})

    # Binary, as skl2onnx writes it: two rows [-w, w], LOGISTIC.
    w = f32(rng.standard_normal(4))
    b0 = float(f32(rng.standard_normal()))
    blob = mk_model(
        [helper.make_node(
            "LinearClassifier", ["x"], ["label", "probabilities"],
            domain="ai.onnx.ml", coefficients=np.concatenate([-w, w]).tolist(),
            intercepts=[-b0, b0], post_transform="LOGISTIC",
            classlabels_ints=[0, 1])],
        [vi("x", ["N", 4])],
        [vi("label", ["N"], TensorProto.INT64),
         vi("probabilities", ["N", 2])], ml=True)
    s = x64 @ w.astype(np.float64) + b0
    want = np.stack([sigmoid(-s), sigmoid(s)], axis=1)
    path = t.write("ml_linear_classifier_binary", blob)
    t.check("ml_linear_classifier_binary", path, x4, want,
            ["dense:sigmoid"],
            {"edgeai.outputs": "0,1", "onnx.classlabels": "[0, 1]",
             "onnx.labels": "argmax"})

    # One score column, two labels, only the labels as the graph output:
    # the converter says so and converts the scores.
    blob = mk_model(
        [helper.make_node(
            "LinearClassifier", ["x"], ["label", "scores"],
            domain="ai.onnx.ml", coefficients=w.tolist(), intercepts=[b0],
            post_transform="LOGISTIC", classlabels_ints=[-1, 1])],
        [vi("x", ["N", 4])], [vi("label", ["N"], TensorProto.INT64)],
        ml=True)
    path = t.write("ml_linear_classifier_labels_only", blob)
    t.check("ml_linear_classifier_labels_only", path, x4, sigmoid(s)[:, None],
            ["dense:sigmoid"],
            {"edgeai.outputs": "1", "onnx.labels": "score>0.5",
             "onnx.classlabels": "[-1, 1]", "onnx.output": "scores",
             "edgeai.kind": "logistic"},
            note="note: output 'label' is the class labels")

    # NONE post_transform, integer labels, scores only.
    blob = mk_model(
        [helper.make_node(
            "LinearClassifier", ["x"], ["label", "scores"],
            domain="ai.onnx.ml", coefficients=coef.tolist(), intercepts=inter.tolist(),
            classlabels_ints=[3, 5, 9])],
        [vi("x", ["N", 4])], [vi("scores", ["N", 3])], ml=True)
    want = x64 @ coef.reshape(3, 4).T.astype(np.float64) + inter
    path = t.write("ml_linear_classifier_raw", blob)
    t.check("ml_linear_classifier_raw", path, x4, want, ["dense:identity"],
            {"edgeai.outputs": "3,5,9", "onnx.labels": "argmax"})

    # No op at all: an identity scale op.
    blob = mk_model(
        [helper.make_node("Identity", ["x"], ["f"]),
         helper.make_node("Flatten", ["f"], ["y"], axis=1)],
        [vi("x", ["N", 4])], [vi("y", ["N", 4])])
    path = t.write("identity_graph", blob)
    t.check("identity_graph", path, x4, x64, ["scale"], {})

    # An input that is one row [C] (no batch dimension).
    blob = mk_model(
        [helper.make_node("Sub", ["x", "m"], ["s"]),
         helper.make_node("Div", ["s", "d"], ["y"])],
        [vi("x", [4])], [vi("y", [4])], [("m", c), ("d", sc)])
    path = t.write("one_row_input", blob)
    t.check("one_row_input", path, x4, (x64 - c) / sc, ["standardize"], {})


def conv_model():
    w = f32(np.ones((2, 1, 3)))
    return mk_model(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="conv0")],
        [vi("x", ["N", 1, 8])], [vi("y", ["N", 2, 6])], [("w", w)])


def refusals(t, torch):
    w43 = f32(np.ones((4, 3)))

    def one(op, shape=("N", 4), out=("N", 4), **kw):
        """A graph of one node `op` (name and attributes in kw)."""
        return mk_model([helper.make_node(op, ["x"], ["y"], **kw)],
                        [vi("x", list(shape))], [vi("y", list(out))])

    t.refuse("conv", conv_model(),
             "node 'conv0' (op Conv): not supported (supported: Add, "
             "Constant, Div, Flatten, Gemm, Identity, MatMul, Mul, Relu, "
             "Sigmoid, Softmax, Sub, Tanh, ai.onnx.ml.LinearClassifier, "
             "ai.onnx.ml.LinearRegressor, ai.onnx.ml.Scaler)")
    t.refuse("conv_keeps_existing", conv_model(),
             "node 'conv0' (op Conv): not supported", existing=True)
    t.refuse("unnamed_node", mk_model(
        [helper.make_node("Relu", ["x"], ["r"]),
         helper.make_node("Abs", ["r"], ["y"])],
        [vi("x", ["N", 4])], [vi("y", ["N", 4])]),
        "node '#1' (op Abs): not supported")
    t.refuse("ml_normalizer", mk_model(
        [helper.make_node("Normalizer", ["x"], ["y"], domain="ai.onnx.ml",
                          name="norm", norm="L2")],
        [vi("x", ["N", 4])], [vi("y", ["N", 4])], ml=True),
        "node 'norm' (op ai.onnx.ml.Normalizer): not supported")
    if torch is not None:
        m = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LeakyReLU())
        buf = io.BytesIO()
        torch.onnx.export(m, torch.zeros(1, 4), buf, opset_version=13)
        t.refuse("torch_leaky_relu", buf.getvalue(),
                 "node '/1/LeakyRelu' (op LeakyRelu): not supported")
    t.refuse("lstm", mk_model(
        [helper.make_node("LSTM", ["x", "W", "R"], ["y"], name="lstm0",
                          hidden_size=3)],
        [vi("x", [2, "N", 4])], [vi("y", [2, 1, "N", 3])],
        [("W", f32(np.ones((1, 12, 4)))), ("R", f32(np.ones((1, 12, 3))))]),
        "node 'lstm0' (op LSTM): not supported (supported: ")
    t.refuse("two_inputs", mk_model(
        [helper.make_node("Add", ["x", "z"], ["y"])],
        [vi("x", ["N", 4]), vi("z", ["N", 4])], [vi("y", ["N", 4])]),
        "the graph has 2 inputs ('x', 'z')")
    t.refuse("two_outputs", mk_model(
        [helper.make_node("Relu", ["x"], ["y"]),
         helper.make_node("Tanh", ["x"], ["z"])],
        [vi("x", ["N", 4])], [vi("y", ["N", 4]), vi("z", ["N", 4])]),
        "the graph has 2 outputs ('y', 'z')")
    t.refuse("int_input", mk_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [vi("x", ["N", 4], TensorProto.INT64)],
        [vi("y", ["N", 4], TensorProto.INT64)]),
        "input 'x' is INT64: only float32 tensors are supported")
    t.refuse("double_weight", mk_model(
        [helper.make_node("Gemm", ["x", "B"], ["y"], name="g")],
        [vi("x", ["N", 4])], [vi("y", ["N", 3])],
        [("B", w43.astype(np.float64))]),
        "node 'g' (op Gemm): the operand B 'B' is float64: only float32")
    t.refuse("gemm_trans_a", mk_model(
        [helper.make_node("Gemm", ["x", "B"], ["y"], name="g", transA=1)],
        [vi("x", ["N", 4])], [vi("y", ["N", 3])], [("B", w43)]),
        "node 'g' (op Gemm): transA=1 is not supported")
    t.refuse("gemm_c_per_row", mk_model(
        [helper.make_node("Gemm", ["x", "B", "C"], ["y"], name="g")],
        [vi("x", [5, 4])], [vi("y", [5, 3])],
        [("B", w43), ("C", f32(np.ones((5, 3))))]),
        "C of shape [5, 3] cannot be a bias")
    t.refuse("dynamic_features", one("Relu", ("N", "D"), ("N", "D")),
             "input 'x': its number of features is dynamic")
    t.refuse("dynamic_row_3d", one("Relu", ("N", "A", 4), ("N", "A", 4)),
             "dynamic after the batch dimension")
    t.refuse("batch_broadcast", mk_model(
        [helper.make_node("Add", ["x", "c"], ["y"], name="add")],
        [vi("x", ["N", 4])], [vi("y", [3, 4])],
        [("c", f32(np.ones((3, 4))))]),
        "node 'add' (op Add): the constant 'c' of shape [3, 4] varies along "
        "the batch dimension")
    t.refuse("row_grows", mk_model(
        [helper.make_node("Mul", ["x", "c"], ["y"], name="mul")],
        [vi("x", ["N", 1])], [vi("y", ["N", 4])], [("c", f32(np.ones(4)))]),
        "(it would grow the row)")
    t.refuse("const_over_x", mk_model(
        [helper.make_node("Div", ["c", "x"], ["y"], name="div")],
        [vi("x", ["N", 4])], [vi("y", ["N", 4])], [("c", f32(np.ones(4)))]),
        "node 'div' (op Div): divides a constant by the input")
    t.refuse("division_by_zero", mk_model(
        [helper.make_node("Div", ["x", "c"], ["y"], name="div")],
        [vi("x", ["N", 4])], [vi("y", ["N", 4])],
        [("c", f32([1, 2, 0, 4]))]),
        "division by zero")
    t.refuse("branch", mk_model(
        [helper.make_node("Relu", ["x"], ["r"]),
         helper.make_node("Add", ["x", "r"], ["y"], name="residual")],
        [vi("x", ["N", 4])], [vi("y", ["N", 4])]),
        "node 'residual' (op Add): has 2 non-constant operands")
    t.refuse("softmax_over_batch", one("Softmax", name="sm", axis=0),
             "node 'sm' (op Softmax): axis=0 on the input [N, 4] is not a "
             "softmax over each batch item's whole row")
    t.refuse("softmax_last_axis_3d", one("Softmax", ("N", 2, 3),
                                         ("N", 2, 3), name="sm"),
             "node 'sm' (op Softmax): axis=-1 on the input [N, 2, 3]")
    t.refuse("flatten_axis0", one("Flatten", out=(1, "M"), name="fl",
                                  axis=0),
             "node 'fl' (op Flatten): axis=0 on the input [N, 4] mixes")
    t.refuse("matmul_const_left", mk_model(
        [helper.make_node("MatMul", ["W", "x"], ["y"], name="mm")],
        [vi("x", [4, 2])], [vi("y", [3, 2])], [("W", f32(np.ones((3, 4))))]),
        "node 'mm' (op MatMul): the constant is on the left")
    t.refuse("dense_mismatch", mk_model(
        [helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")],
        [vi("x", ["N", 5])], [vi("y", ["N", 3])], [("W", w43)]),
        "node 'mm' (op MatMul): the constant operand expects rows of 4 "
        "values, the input has 5")
    t.refuse("probit", mk_model(
        [helper.make_node("LinearRegressor", ["x"], ["y"], name="lr",
                          domain="ai.onnx.ml", coefficients=[1.0] * 4,
                          post_transform="PROBIT")],
        [vi("x", ["N", 4])], [vi("y", ["N", 1])], ml=True),
        "node 'lr' (op ai.onnx.ml.LinearRegressor): post_transform PROBIT "
        "is not supported")
    t.refuse("not_finite", mk_model(
        [helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")],
        [vi("x", ["N", 4])], [vi("y", ["N", 3])],
        [("W", f32([[1, 2, 3]] * 3 + [[np.inf, 0, 0]]))]),
        "not a finite float32")
    t.refuse("output_is_constant", mk_model(
        [helper.make_node("Identity", ["c"], ["y"])],
        [vi("x", ["N", 4])], [vi("y", [4])], [("c", f32(np.ones(4)))]),
        "output 'y' does not depend on the input 'x'")
    t.refuse("features_count", mk_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [vi("x", [1, 4])], [vi("y", [1, 4])]),
        "--features names 2 inputs, the model takes 4",
        args=["--features", "a,b"])
    t.refuse("not_onnx", b"this is not an ONNX file\n", "ONNX model")
    t.refuse("empty_file", b"", "ONNX model")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("all")
    a.add_argument("--convert", required=True)
    a.add_argument("--run", required=True)
    a.add_argument("--dir", required=True)
    a.add_argument("--no-torch", action="store_true")
    c = sub.add_parser("conv")
    c.add_argument("file")
    args = p.parse_args()
    if args.cmd == "conv":
        with open(args.file, "wb") as f:
            f.write(conv_model())
        return 0

    t = Tester(args.convert, args.run, args.dir)

    def write(name, blob):
        path = os.path.join(t.dir, name + ".onnx")
        with open(path, "wb") as f:
            f.write(blob)
        return path
    t.write = write

    torch = None
    if not args.no_torch:
        import warnings
        warnings.filterwarnings("ignore")
        import torch
        torch.set_num_threads(1)
        print("torch %s, onnx %s, numpy %s" % (torch.__version__,
                                              onnx.__version__,
                                              np.__version__), flush=True)
        for case in torch_cases(torch):
            run_torch_case(t, torch, case)
    helper_cases(t)
    refusals(t, torch)
    if FAILED:
        print("%d failed: %s" % (len(FAILED), " ".join(FAILED)))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
