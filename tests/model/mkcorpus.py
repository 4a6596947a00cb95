#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of tests/fuzz/fuzz_model: one model file per
seed, named ok-WHAT (loads) or bad-WHAT (refused: truncated, corrupted,
each way docs/model-format.md says a file can be wrong). Every seed is
under 4 KB (tests/fuzz/run.sh fuzzes with -max_len=4096). Deterministic:
rerunning it rewrites the same bytes.

    tests/model/mkcorpus.py [DIR]     # default: tests/fuzz/corpus/model

Needs NumPy (tests/model/stfile.py writes the files); call /usr/bin/python3.
"""
import copy
import json
import os
import struct
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

from stfile import container, model_parts  # noqa: E402

rng = np.random.default_rng(7)


def dense(out, inp, act="identity", bias=True):
    return dict(op="dense", weight=rng.normal(0, 1, (out, inp)).round(3),
                bias=rng.normal(0, 1, out).round(3) if bias else None,
                activation=act)


def standardize(d):
    return dict(op="standardize", mean=rng.normal(0, 5, d).round(2),
                std=rng.uniform(0.5, 3, d).round(2))


VALID = {
    "linear": ([dense(1, 3)], {"edgeai.kind": "linear",
                               "edgeai.features": "x1,x2,x3",
                               "edgeai.outputs": "y"}),
    "logistic": ([standardize(4), dense(1, 4, "sigmoid")],
                 {"edgeai.kind": "logistic", "edgeai.version": "3"}),
    "softmax": ([standardize(4), dense(3, 4, "softmax")],
                {"edgeai.kind": "softmax", "edgeai.outputs": "a,b,c"}),
    "mlp": ([dense(20, 6, "relu"), dense(3, 20, "tanh"), dict(op="sigmoid")],
            {"edgeai.kind": "mlp", "edgeai.name": "m"}),
    "std_pca_mlp": ([standardize(6),
                     dict(op="pca", mean=rng.normal(0, 1, 6).round(2),
                          components=rng.normal(0, 1, (3, 6)).round(2)),
                     dense(17, 3, "relu"), dense(2, 17), dict(op="softmax")],
                    {"edgeai.kind": "mlp"}),
    "scale": ([dict(op="scale", mul=[1.5, -2.0], add=[0.25, 8.0])], {}),
    "all_ops": ([dict(op="scale", mul=[1.0, 2.0, 3.0], add=[0.0, 0.0, 1.0]),
                 dict(op="relu"), dense(4, 3, bias=False), dict(op="tanh"),
                 dense(4, 4, "sigmoid"), dict(op="softmax"),
                 dense(2, 4, "relu")], {"edgeai.kind": "custom"}),
}


def parts(name):
    ops, meta = VALID[name]
    return model_parts(ops, meta)


def graph_of(header):
    return json.loads(header["__metadata__"]["edgeai.graph"])


def set_graph(header, graph):
    header["__metadata__"]["edgeai.graph"] = json.dumps(graph)


def seeds():
    for name in VALID:
        h, d = parts(name)
        yield "ok-" + name, container(h, d)
    h, d = parts("linear")
    yield "ok-unpadded_header", container(h, d, pad_to=0)
    h, d = parts("logistic")
    h["step"] = {"dtype": "I64", "shape": [], "data_offsets": [len(d), len(d) + 8]}
    h["__metadata__"]["train.epochs"] = "100"
    yield "ok-extra_tensor_and_meta", container(h, d + struct.pack("<q", 42))

    h, d = parts("logistic")
    good = container(h, d)
    hlen = struct.unpack("<Q", good[:8])[0]
    for n in (0, 7, 8, 9, 40, 8 + hlen // 2, 8 + hlen, len(good) - 1):
        yield "bad-truncated_%d" % n, good[:n]
    yield "bad-hlen_huge", struct.pack("<Q", 1 << 62) + good[8:]
    yield "bad-hlen_past_end", struct.pack("<Q", len(good)) + good[8:]
    yield "bad-hlen_short", struct.pack("<Q", hlen - 1) + good[8:]
    yield "bad-hole", container(h, d + b"\0\0\0\0")

    def mutate(what, fn, name="logistic"):
        h, d = parts(name)
        h = copy.deepcopy(h)
        d = bytearray(d)
        fn(h, d)
        return "bad-" + what, container(h, bytes(d))

    def offs(t, b, e):
        return lambda h, d: h[t].__setitem__("data_offsets", [b, e])

    yield mutate("offsets_out", offs("l1.weight", 32, 4000))
    yield mutate("offsets_overlap", offs("l0.std", 8, 24))
    yield mutate("offsets_reversed", offs("l0.std", 32, 16))
    yield mutate("offsets_negative", offs("l0.mean", -16, 0))
    yield mutate("shape_overflow",
                 lambda h, d: h["l1.weight"].__setitem__("shape", [2**32 - 1] * 3))
    yield mutate("shape_mismatch",
                 lambda h, d: h["l1.weight"].__setitem__("shape", [1, 5]))
    yield mutate("dtype_f16",
                 lambda h, d: h["l1.weight"].update(dtype="F16", shape=[1, 8]))
    yield mutate("dtype_unknown", lambda h, d: h["l0.mean"].update(dtype="Q4"))
    yield mutate("tensor_field", lambda h, d: h["l0.mean"].update(extra=1))

    def graph(fn):
        def m(h, d):
            g = graph_of(h)
            fn(g)
            set_graph(h, g)
        return m

    yield mutate("missing_tensor", graph(lambda g: g[1].update(weight="nope")))
    yield mutate("unknown_op", graph(lambda g: g.append({"op": "gelu"})))
    yield mutate("unknown_field", graph(lambda g: g[1].update(bais="l1.bias")))
    yield mutate("unknown_activation", graph(lambda g: g[1].update(activation="swish")))
    yield mutate("first_op_relu", graph(lambda g: g.insert(0, {"op": "relu"})))
    yield mutate("dim_chain", graph(lambda g: g.reverse()))
    yield mutate("empty_graph", graph(lambda g: g.clear()))
    yield mutate("graph_not_json",
                 lambda h, d: h["__metadata__"].update({"edgeai.graph": "[{op:"}))
    yield mutate("format_2", lambda h, d: h["__metadata__"].update({"edgeai.format": "2"}))
    yield mutate("no_metadata", lambda h, d: h.pop("__metadata__"))
    yield mutate("features_count",
                 lambda h, d: h["__metadata__"].update({"edgeai.features": "a,b"}))
    yield mutate("std_zero", lambda h, d: d.__setitem__(slice(16, 20), struct.pack("<f", 0)))
    yield mutate("nan_weight",
                 lambda h, d: d.__setitem__(slice(36, 40), struct.pack("<f", float("nan"))))
    yield mutate("inf_bias",
                 lambda h, d: d.__setitem__(slice(48, 52), struct.pack("<f", float("inf"))))

    h, d = parts("logistic")
    h = {k: (dict(v, data_offsets=[v["data_offsets"][0] + 2,
                                   v["data_offsets"][1] + 2])
             if k != "__metadata__" else v) for k, v in h.items()}
    h["pad"] = {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}
    yield "bad-misaligned", container(h, b"\0\0" + d)
    hdr = json.dumps(parts("scale")[0]).replace('"edgeai.format"', "'edgeai.format'")
    yield "bad-single_quotes", struct.pack("<Q", len(hdr)) + hdr.encode() + parts("scale")[1]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus", "model")
    os.makedirs(out, exist_ok=True)
    for name, blob in seeds():
        assert len(blob) < 4096, (name, len(blob))
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
