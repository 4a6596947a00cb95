#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/infer.py DIR N MODEL... - the NumPy and PyTorch baselines of
bench/infer.c, which starts this script (Debian's /usr/bin/python3) as a
child on its own CPU and talks to it over stdin/stdout.

Reads DIR/MODEL.safetensors (written by the libedgeai builder: the graph
in its metadata, docs/model-format.md) and DIR/x.f32 (N rows of float32
inputs), and runs the graph's ops in float32 with:

  numpy-1     NumPy, one row a call          numpy-64, numpy-1024   B rows
  torch-1     PyTorch, one row a call        torch-64, torch-1024   B rows

(PyTorch: torch.no_grad(), torch.set_num_threads(1), float32 tensors.)
Each op is the plain library expression a user would write:
standardize (x - mean) / std, pca (x - mean) @ C.T, dense x @ W.T + b
(NumPy) or torch.nn.functional.linear(x, W, b) (PyTorch), then relu /
sigmoid. Per row, the same functions take one row (a 1-d array).

Protocol: first writes every contender's outputs for all N rows to
DIR/MODEL.CONTENDER.f32 (infer.c checks them against libedgeai's) and
prints "ready torch", or "ready notorch REASON" when torch cannot be
imported. Then, for each line "time MODEL SECONDS", runs one window of at
least SECONDS of process CPU time per contender and answers
"t NS NS NS NS NS NS" (ns per row, in the order above; nan when absent).
"quit" or end of input ends it.
"""
import contextlib
import json
import os
import struct
import sys
import time

import numpy as np

BATCHES = (64, 1024)


def load_model(path):
    """The graph of an edgeai model file: a list of (op, params, act)."""
    raw = open(path, "rb").read()
    (hlen,) = struct.unpack_from("<Q", raw)
    header = json.loads(raw[8:8 + hlen])
    base = 8 + hlen
    meta = header.pop("__metadata__")

    def tensor(name):
        t = header[name]
        if t["dtype"] != "F32":
            sys.exit(f"infer.py: {path}: {name} is {t['dtype']}, not F32")
        begin, end = t["data_offsets"]
        a = np.frombuffer(raw, dtype="<f4", count=(end - begin) // 4,
                          offset=base + begin)
        return a.reshape(t["shape"]).astype(np.float32)

    ops = []
    for g in json.loads(meta["edgeai.graph"]):
        kind = g["op"]
        if kind == "standardize":
            ops.append((kind, (tensor(g["mean"]), tensor(g["std"])), None))
        elif kind == "pca":
            ops.append((kind, (tensor(g["mean"]), tensor(g["components"])),
                        None))
        elif kind == "dense":
            bias = tensor(g["bias"]) if "bias" in g else None
            ops.append((kind, (tensor(g["weight"]), bias),
                        g.get("activation", "identity")))
        else:
            sys.exit(f"infer.py: {path}: op {kind} not handled here")
    return ops


def numpy_fn(ops):
    """One function of a row (shape [d]) or of rows ([n, d])."""
    steps = []
    for kind, (a, b), act in ops:
        if kind == "standardize":
            steps.append(lambda x, m=a, s=b: (x - m) / s)
        elif kind == "pca":
            steps.append(lambda x, m=a, ct=np.ascontiguousarray(b.T):
                         (x - m) @ ct)
        else:
            wt = np.ascontiguousarray(a.T)
            if b is None:
                b = np.zeros(a.shape[0], np.float32)
            if act == "relu":
                steps.append(lambda x, wt=wt, b=b:
                             np.maximum(x @ wt + b, np.float32(0)))
            elif act == "sigmoid":
                steps.append(lambda x, wt=wt, b=b:
                             np.float32(1) / (np.float32(1) + np.exp(-(x @ wt + b))))
            elif act == "identity":
                steps.append(lambda x, wt=wt, b=b: x @ wt + b)
            else:
                sys.exit(f"infer.py: activation {act} not handled here")

    def run(x):
        for f in steps:
            x = f(x)
        return x
    return run


def torch_fn(torch, ops):
    F = torch.nn.functional
    steps = []
    for kind, (a, b), act in ops:
        a = torch.from_numpy(a)
        b = torch.from_numpy(b) if b is not None else None
        if kind == "standardize":
            steps.append(lambda x, m=a, s=b: (x - m) / s)
        elif kind == "pca":
            steps.append(lambda x, m=a, ct=b.t().contiguous(): (x - m) @ ct)
        else:
            lin = (lambda x, w=a, b=b: F.linear(x, w, b))
            if act == "relu":
                steps.append(lambda x, lin=lin: torch.relu(lin(x)))
            elif act == "sigmoid":
                steps.append(lambda x, lin=lin: torch.sigmoid(lin(x)))
            else:
                steps.append(lin)

    def run(x):
        for f in steps:
            x = f(x)
        return x
    return run


class Contenders:
    """For one model: fns, a list of (name, (run, rows)): run(start) runs
    the contender on a chunk of rows from row start on."""

    def __init__(self, ops, x, torch):
        self.fns = []
        fn = numpy_fn(ops)
        rows = list(x)                  # views, made once
        self.fns.append(("numpy-1", per_row(fn, rows)))
        for b in BATCHES:
            self.fns.append((f"numpy-{b}", batched(fn, x, b)))
        if torch is None:
            return
        tfn = torch_fn(torch, ops)
        xt = torch.from_numpy(x)
        trows = list(xt.unbind(0))
        self.fns.append(("torch-1", per_row(tfn, trows)))
        for b in BATCHES:
            self.fns.append((f"torch-{b}", batched(tfn, xt, b)))


def per_row(fn, rows):
    """Chunks of 64 rows, one call a row: (run(start) -> outputs, 64)."""
    def run(start):
        return [fn(r) for r in rows[start:start + 64]]
    return run, 64


def batched(fn, x, b):
    """Chunks of max(b, 1024) rows in calls of b: (run(start), rows). The
    window reads the clock (a system call) once a chunk: rarely enough."""
    step = max(b, 1024)

    def run(start):
        return [fn(x[i:i + b]) for i in range(start, start + step, b)]
    return run, step


def outputs(run, step, n, torch):
    out = []
    for start in range(0, n, step):
        for y in run(start):
            y = y.numpy() if torch is not None and hasattr(y, "numpy") else y
            out.append(np.asarray(y, dtype=np.float32).reshape(-1))
    return np.concatenate(out)


def window(run, step, n, secs):
    """Chunks round the n rows for at least secs of CPU: ns per row."""
    clock = time.process_time_ns
    start, rows = 0, 0
    t0 = clock()
    while True:
        run(start)
        rows += step
        start = (start + step) % n
        el = clock() - t0
        if el >= secs * 1e9:
            return el / rows


def serve(d, n, models, x, torch, note):
    cont = {}
    for m in models:
        c = Contenders(load_model(os.path.join(d, m + ".safetensors")), x,
                       torch)
        for name, (run, step) in c.fns:
            outputs(run, step, n, torch).tofile(
                os.path.join(d, f"{m}.{name}.f32"))
        cont[m] = c
    print("ready", note, flush=True)
    names = ["numpy-1", "numpy-64", "numpy-1024",
             "torch-1", "torch-64", "torch-1024"]
    for line in sys.stdin:
        w = line.split()
        if not w or w[0] == "quit":
            break
        m, secs = w[1], float(w[2])
        got = {name: window(run, step, n, secs)
               for name, (run, step) in cont[m].fns}
        print("t", " ".join("%.3f" % got[k] if k in got else "nan"
                            for k in names), flush=True)


def main():
    d, n, models = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    x = np.fromfile(os.path.join(d, "x.f32"), dtype="<f4")
    x = x.astype(np.float32).reshape(n, -1)
    try:
        import torch
        torch.set_num_threads(1)
        note = "torch"
    except Exception as e:              # ImportError, or a broken install
        torch = None
        note = "notorch import torch failed: " + \
            ((str(e).splitlines() or [type(e).__name__])[0])
    # torch.no_grad() around everything that runs a model.
    with torch.no_grad() if torch else contextlib.nullcontext():
        serve(d, n, models, x, torch, note)


if __name__ == "__main__":
    main()
