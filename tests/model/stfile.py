# SPDX-License-Identifier: GPL-2.0
"""edgeai model files (docs/model-format.md) written by hand from Python:
struct + json + NumPy, no safetensors package. An independent writer of
the format, so that the C loader is tested against more than its own
builder; and a float64 reference of what the graph computes.

    ops = [dict(op="standardize", mean=m, std=s),
           dict(op="dense", weight=W, bias=b, activation="sigmoid")]
    blob = model_bytes(ops, {"edgeai.kind": "logistic"})
    y = forward(ops, x)          # float64, from the float32 parameters

Arrays in ops are converted to float32 (what the file holds); forward()
computes in float64 from those float32 values.
"""
import json
import struct

import numpy as np

PARAM_FIELDS = {
    "standardize": ("mean", "std"),
    "pca": ("mean", "components"),
    "scale": ("mul", "add"),
    "dense": ("weight", "bias"),
    "sigmoid": (), "softmax": (), "relu": (), "tanh": (),
}


def f32(a):
    return np.ascontiguousarray(np.asarray(a, dtype="<f4"))


def container(header, data=b"", pad_to=8):
    """8-byte little-endian header length, the JSON header padded with
    spaces so that the data starts at a multiple of pad_to, the data."""
    hdr = json.dumps(header, separators=(",", ":")).encode()
    if pad_to:
        hdr += b" " * (-(8 + len(hdr)) % pad_to)
    return struct.pack("<Q", len(hdr)) + hdr + data


def model_parts(ops, meta=None, prefix="l"):
    """(header dict, data bytes) of a model; tensors named l<i>.<field>."""
    header, graph, data = {}, [], b""
    for i, op in enumerate(ops):
        g = {"op": op["op"]}
        for field in PARAM_FIELDS[op["op"]]:
            if op.get(field) is None:
                continue
            a = f32(op[field])
            name = "%s%d.%s" % (prefix, i, field)
            header[name] = {"dtype": "F32", "shape": list(a.shape),
                            "data_offsets": [len(data), len(data) + a.nbytes]}
            data += a.tobytes()
            g[field] = name
        if "activation" in op:
            g["activation"] = op["activation"]
        graph.append(g)
    md = {"edgeai.format": "1"}
    md.update(meta or {})
    md["edgeai.graph"] = json.dumps(graph, separators=(",", ":"))
    header = {"__metadata__": md, **header}
    return header, data


def model_bytes(ops, meta=None, **kw):
    header, data = model_parts(ops, meta)
    return container(header, data, **kw)


def _sigmoid(x):
    with np.errstate(over="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACT = {
    "identity": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": _softmax,
}


def forward(ops, x, stored=True):
    """The graph on rows x, in float64, from the float32 parameters the
    file holds (stored=False: from the parameters as given)."""
    y = np.asarray(x, dtype=np.float64)

    def p(op, field):
        a = f32(op[field]) if stored else op[field]
        return np.asarray(a, dtype=np.float64)

    for op in ops:
        kind = op["op"]
        if kind == "standardize":
            y = (y - p(op, "mean")) / p(op, "std")
        elif kind == "pca":
            y = (y - p(op, "mean")) @ p(op, "components").T
        elif kind == "scale":
            y = y * p(op, "mul") + p(op, "add")
        elif kind == "dense":
            y = y @ p(op, "weight").T
            if op.get("bias") is not None:
                y = y + p(op, "bias")
            y = ACT[op.get("activation", "identity")](y)
        else:
            y = ACT[kind](y)
    return y
