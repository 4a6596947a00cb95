#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write NumPy/scikit-learn reference cases for libedgeai's models.

    tests/model/gen_ref.py DIR

For each case NAME it writes, into DIR:
  NAME.st     the model file (written here by hand: tests/model/stfile.py)
  NAME.x      float32 little-endian input rows, n x input_dim
  NAME.y      float32 expected outputs, n x output_dim: the graph computed
              in float64 from the file's float32 parameters, then cast
and cases.json listing them (name, file names, n, dims, metadata). The
models fitted by scikit-learn are first checked against scikit-learn's own
predictions (the graph, in float64 with the fitted float64 parameters,
must give predict / predict_proba), so the references say what the
trained model says. Deterministic (fixed seeds). tests/unit/model_ref.c
runs this and compares libedgeai's outputs with NAME.y.

Needs numpy and scikit-learn (Debian: python3-numpy python3-sklearn; call
/usr/bin/python3). Exit status 3 if they are missing.
"""
import json
import os
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import numpy as np
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.preprocessing import StandardScaler
except ImportError as e:
    print("gen_ref.py: needs numpy and scikit-learn (scripts/deps.sh): %s" % e,
          file=sys.stderr)
    sys.exit(3)

from stfile import forward, f32, model_bytes  # noqa: E402

MIN_ROWS = 1000     # every case has a large batch


def rows(x, n=MIN_ROWS):
    """x tiled to at least n rows (datasets are smaller)."""
    reps = -(-n // len(x))
    return np.tile(x, (reps, 1))[:max(n, len(x))]


def check_sklearn(name, ops, x, want):
    got = forward(ops, x, stored=False)
    err = np.abs(got.reshape(want.shape) - want).max()
    if err > 1e-8 * max(1.0, np.abs(want).max()):
        sys.exit("gen_ref.py: %s: the graph disagrees with scikit-learn by %g"
                 % (name, err))


def linear_diabetes():
    d = load_diabetes()
    lr = LinearRegression().fit(d.data, d.target)
    ops = [dict(op="dense", weight=lr.coef_[None, :],
                bias=np.array([lr.intercept_]))]
    check_sklearn("linear_diabetes", ops, d.data, lr.predict(d.data)[:, None])
    meta = {"edgeai.kind": "linear", "edgeai.name": "diabetes",
            "edgeai.version": "sklearn-1",
            "edgeai.features": ",".join(d.feature_names),
            "edgeai.outputs": "progression"}
    return ops, meta, rows(d.data)


def logistic_breast_cancer():
    d = load_breast_cancer()
    sc = StandardScaler().fit(d.data)
    lr = LogisticRegression(max_iter=5000).fit(sc.transform(d.data), d.target)
    ops = [dict(op="standardize", mean=sc.mean_, std=sc.scale_),
           dict(op="dense", weight=lr.coef_, bias=lr.intercept_,
                activation="sigmoid")]
    check_sklearn("logistic_breast_cancer", ops, d.data,
                  lr.predict_proba(sc.transform(d.data))[:, 1:])
    meta = {"edgeai.kind": "logistic", "edgeai.name": "breast_cancer",
            "edgeai.version": "2024.1", "edgeai.outputs": "benign"}
    return ops, meta, rows(d.data)


def softmax_iris():
    d = load_iris()
    sc = StandardScaler().fit(d.data)
    lr = LogisticRegression(max_iter=5000).fit(sc.transform(d.data), d.target)
    ops = [dict(op="standardize", mean=sc.mean_, std=sc.scale_),
           dict(op="dense", weight=lr.coef_, bias=lr.intercept_,
                activation="softmax")]
    check_sklearn("softmax_iris", ops, d.data,
                  lr.predict_proba(sc.transform(d.data)))
    meta = {"edgeai.kind": "softmax", "edgeai.name": "iris",
            "edgeai.version": "3",
            "edgeai.features": "sepal_length,sepal_width,petal_length,petal_width",
            "edgeai.outputs": ",".join(d.target_names)}
    return ops, meta, rows(d.data)


def dense(rng, out, inp, act, bias=True):
    w = rng.normal(0, 1 / np.sqrt(inp), (out, inp))
    return dict(op="dense", weight=w,
                bias=rng.normal(0, 0.5, out) if bias else None, activation=act)


def mlp_relu(rng):
    ops = [dense(rng, 64, 16, "relu"), dense(rng, 8, 64, "identity")]
    return ops, {"edgeai.kind": "mlp"}, rng.normal(0, 2, (MIN_ROWS, 16))


def mlp_tanh_sigmoid(rng):
    ops = [dense(rng, 64, 16, "tanh"), dense(rng, 8, 64, "sigmoid")]
    return ops, {"edgeai.kind": "mlp"}, rng.normal(0, 2, (MIN_ROWS, 16))


def mlp_odd(rng):
    """Sizes off the 16-wide blocks; stand-alone activations; no bias."""
    ops = [dense(rng, 37, 7, "identity"), dict(op="relu"),
           dense(rng, 17, 37, "identity", bias=False), dict(op="tanh"),
           dense(rng, 5, 17, "identity"), dict(op="softmax"),
           dict(op="scale", mul=rng.uniform(0.5, 2, 5),
                add=rng.normal(0, 1, 5)), dict(op="sigmoid")]
    return ops, {"edgeai.kind": "custom"}, rng.normal(0, 3, (MIN_ROWS + 3, 7))


def std_pca_mlp(rng):
    """Raw sensor-like data: large means, mixed scales, correlated."""
    n, d = 2000, 16
    mix = rng.normal(0, 1, (d, d))
    x = rng.normal(0, 1, (n, d)) @ mix * rng.uniform(0.1, 50, d) + \
        rng.uniform(-500, 1500, d)
    sc = StandardScaler().fit(x)
    pca = PCA(n_components=8, random_state=0).fit(sc.transform(x))
    ops = [dict(op="standardize", mean=sc.mean_, std=sc.scale_),
           dict(op="pca", mean=pca.mean_, components=pca.components_),
           dense(rng, 64, 8, "relu"), dense(rng, 8, 64, "sigmoid")]
    check_sklearn("std_pca_mlp(pca)", ops[:2], x, pca.transform(sc.transform(x)))
    return ops, {"edgeai.kind": "mlp", "edgeai.name": "std_pca_mlp"}, x[:1500]


def wide(rng):
    ops = [dense(rng, 300, 100, "relu"), dense(rng, 50, 300, "identity")]
    return ops, {"edgeai.kind": "mlp"}, rng.normal(0, 1, (MIN_ROWS, 100))


def one_op(rng):
    ops = [dict(op="scale", mul=rng.normal(0, 3, 5), add=rng.normal(0, 3, 5))]
    return ops, {"edgeai.version": "v1-one-op"}, rng.normal(0, 10, (MIN_ROWS, 5))


def one_dense(rng):
    ops = [dense(rng, 1, 3, "identity")]
    return ops, {"edgeai.kind": "linear"}, rng.normal(0, 1, (MIN_ROWS, 3))


def cases():
    yield "linear_diabetes", linear_diabetes()
    yield "logistic_breast_cancer", logistic_breast_cancer()
    yield "softmax_iris", softmax_iris()
    rng = np.random.default_rng(20241)
    for name, fn in [("mlp_16_64_8_relu", mlp_relu),
                     ("mlp_16_64_8_tanh_sigmoid", mlp_tanh_sigmoid),
                     ("mlp_odd_sizes", mlp_odd), ("std_pca_mlp", std_pca_mlp),
                     ("wide_100_300_50", wide), ("one_op_scale", one_op),
                     ("one_op_dense", one_dense)]:
        yield name, fn(rng)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_ref.py DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    listing = []
    for name, (ops, meta, x) in cases():
        x = f32(x)
        y = forward(ops, x).astype("<f4")
        with open(os.path.join(out, name + ".st"), "wb") as f:
            f.write(model_bytes(ops, meta))
        x.tofile(os.path.join(out, name + ".x"))
        y.tofile(os.path.join(out, name + ".y"))
        listing.append({"name": name, "model": name + ".st",
                        "x": name + ".x", "y": name + ".y", "n": len(x),
                        "input_dim": x.shape[1], "output_dim": y.shape[1],
                        "ops": len(ops),
                        "params": int(sum(f32(op[k]).size for op in ops
                                          for k in ("mean", "std", "components",
                                                    "mul", "add", "weight",
                                                    "bias")
                                          if op.get(k) is not None)),
                        "kind": meta.get("edgeai.kind", "custom"),
                        "model_name": meta.get("edgeai.name", ""),
                        "version": meta.get("edgeai.version", ""),
                        "features": meta.get("edgeai.features", ""),
                        "outputs": meta.get("edgeai.outputs", "")})
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"cases": listing}, f, indent=1)


if __name__ == "__main__":
    main()
