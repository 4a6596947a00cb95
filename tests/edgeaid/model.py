#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""edgeaid tests: the test model and its NumPy reference.

    model.py write PATH [--in N] [--seed S] [--version V]
        writes scale(1e-6) -> dense(N->8, tanh) -> dense(8->3, softmax)
    model.py check RESULTS.jsonl --in N --seed S --mul M --sensor ID
                   --count C [--pipeline NAME] [--version V]
        checks the JSON lines of edgeaid against the model applied (in
        float64) to edgeai-sensorgen's deterministic f32 payloads times M
        (the pipeline's scale stage): C results, seqs 0..C-1, max abs
        error <= 1e-5.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "model"))
import stfile  # noqa: E402


def ops_for(n_in, seed):
    rng = np.random.default_rng(seed)
    return [dict(op="scale", mul=np.full(n_in, 1e-6), add=np.zeros(n_in)),
            dict(op="dense", weight=rng.normal(size=(8, n_in)),
                 bias=rng.normal(size=8), activation="tanh"),
            dict(op="dense", weight=rng.normal(size=(3, 8)),
                 bias=rng.normal(size=3), activation="softmax")]


def payload(sensor, seq, elems):
    v = [(sensor * 1000003 + seq * 1009 + i) % (1 << 32) for i in range(elems)]
    return np.array([x % (1 << 24) for x in v], dtype=np.float32)


def check_generation(rows, gen, seed, version, elems=4, mul=0.5):
    """Assert that the result rows of model generation gen all name
    version and match the test model (seed) applied to the payloads of
    their sensor and seq times mul (the tests' scale stage)."""
    sel = [r for r in rows if r["model_gen"] == gen]
    assert sel, "no result of generation %d" % gen
    assert all(r["model_version"] == version for r in sel), (gen, version)
    x = np.stack([payload(r["sensor"], r["seq"], elems) for r in sel]) * np.float32(mul)
    want = stfile.forward(ops_for(elems, seed), x.astype(np.float32))
    err = np.abs(np.array([r["y"] for r in sel]) - want).max()
    assert err <= 1e-5, (gen, err)


def cmd_write(a):
    blob = stfile.model_bytes(ops_for(a.n_in, a.seed),
                              {"edgeai.name": a.name,
                               "edgeai.version": a.version})
    tmp = a.path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.rename(tmp, a.path)


def fail(msg):
    print("model.py check: " + msg, file=sys.stderr)
    sys.exit(1)


def cmd_check(a):
    rows = []
    with open(a.results) as f:
        for line in f:
            r = json.loads(line)
            if r["sensor"] == a.sensor and r["pipeline"] == a.pipeline:
                rows.append(r)
    if len(rows) != a.count:
        fail("%d results for sensor %d, expected %d" %
             (len(rows), a.sensor, a.count))
    seqs = sorted(r["seq"] for r in rows)
    if a.any_seq:
        if len(set(seqs)) != len(seqs) or (seqs and seqs[-1] >= 1 << 20):
            fail("duplicate or bad sequence numbers")
    elif seqs != list(range(a.count)):
        fail("sequence numbers are not 0..%d: %s" % (a.count - 1, seqs[:10]))
    ops = ops_for(a.n_in, a.seed)
    x = np.stack([payload(a.sensor, r["seq"], a.n_in) for r in rows])
    x = (x * np.float32(a.mul)).astype(np.float32)
    want = stfile.forward(ops, x)
    got = np.array([r["y"] for r in rows], dtype=np.float64)
    err = np.abs(got - want).max()
    if err > 1e-5:
        fail("max abs error %g > 1e-5" % err)
    for r in rows:
        if r["model"] != "testnet" or r["model_version"] != a.version:
            fail("model name/version %s %s" % (r["model"], r["model_version"]))
        tag_ok = r["tag"]["filtered"] if a.tagged else r["tag"]["raw"] == 0
        if not tag_ok or r["ts_ns"] <= 0 or r["rx_ns"] <= 0:
            fail("bad tag or timestamps: %s" % r)
    print("ok: %d results, max abs error %.3g" % (len(rows), err))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("path")
    w.add_argument("--name", default="testnet")
    c = sub.add_parser("check")
    c.add_argument("results")
    c.add_argument("--mul", type=float, default=1.0)
    c.add_argument("--sensor", type=int, required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--pipeline", default="p1")
    c.add_argument("--tagged", action="store_true",
                   help="results must carry the BPF filter's tag (else tag 0)")
    c.add_argument("--any-seq", action="store_true",
                   help="distinct seqs, not necessarily 0..C-1")
    for p in (w, c):
        p.add_argument("--in", dest="n_in", type=int, default=4)
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--version", default="1.0")
    a = ap.parse_args()
    cmd_write(a) if a.cmd == "write" else cmd_check(a)


if __name__ == "__main__":
    main()
