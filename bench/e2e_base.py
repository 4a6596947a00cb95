#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/e2e_base.py ADDR PORT SINK_PATH MODEL ELEMS MUL FIRST_SENSOR N_SENSORS

The Python baseline of the end-to-end benchmark: what a user writes with
the standard library and NumPy instead of edgeaid. A blocking socket loop:
recvfrom(), the wire checks and the allow-list (the rules of
bench/user_filter.h), the pipeline's scale stage, the model of the model
file (safetensors + graph, read with json + NumPy) computed with NumPy in
float32 one sample at a time, and one send() of the same JSON result
edgeaid writes to a Unix datagram socket. Runs until SIGTERM, then prints
its counters as JSON.
"""
import json
import os
import signal
import socket
import struct
import sys
import time

import numpy as np

HDR = struct.Struct("<IBBHIIQHHI")
MAGIC, VERSION, F32 = 0x53494145, 1, 8
FILTERED = 0x80000000
MAX_PAYLOAD = 1420
SIZES = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 2, 8: 4, 9: 8}


def load(path):
    """The graph as a list of (kind, params) with float32 NumPy arrays."""
    blob = open(path, "rb").read()
    n = struct.unpack_from("<Q", blob)[0]
    hdr = json.loads(blob[8:8 + n])
    data = blob[8 + n:]

    def t(name):
        e = hdr[name]
        b, end = e["data_offsets"]
        return np.frombuffer(data[b:end], dtype="<f4").reshape(e["shape"])

    ops = []
    for op in json.loads(hdr["__metadata__"]["edgeai.graph"]):
        k = op["op"]
        if k == "scale":
            ops.append(("scale", t(op["mul"]), t(op["add"])))
        elif k == "standardize":
            ops.append(("standardize", t(op["mean"]), t(op["std"])))
        elif k == "dense":
            b = t(op["bias"]) if "bias" in op else None
            ops.append(("dense", t(op["weight"]), b))
            ops.append((op.get("activation", "identity"),))
        else:
            ops.append((k,))
    return ops


def run(ops, x):
    for op in ops:
        k = op[0]
        if k == "scale":
            x = x * op[1] + op[2]
        elif k == "standardize":
            x = (x - op[1]) / op[2]
        elif k == "dense":
            x = op[1] @ x
            if op[2] is not None:
                x = x + op[2]
        elif k == "relu":
            x = np.maximum(x, 0)
        elif k == "sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif k == "tanh":
            x = np.tanh(x)
        elif k == "softmax":
            e = np.exp(x - x.max())
            x = e / e.sum()
    return x


def main():
    addr, port, sink_path, model = sys.argv[1:5]
    elems, mul = int(sys.argv[5]), np.float32(sys.argv[6])
    first, count = int(sys.argv[7]), int(sys.argv[8])
    allow = set(range(first, first + count))
    ops = load(model)

    signal.signal(signal.SIGTERM, stop)
    # a blocking socket, as users write it (a timeout would add a poll()
    # before every recv); SIGTERM ends the loop through an exception
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, int(port)))
    # the receive buffer every runtime of bench/e2e.py gets
    if os.environ.get("E2E_RCVBUF"):
        rb = int(os.environ["E2E_RCVBUF"])
        try:
            sock.setsockopt(socket.SOL_SOCKET, 33, rb)   # SO_RCVBUFFORCE
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rb)
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sink.connect(sink_path)
    n = {"received": 0, "passed": 0, "results": 0}
    print(json.dumps({"ready": True}), flush=True)
    try:
        loop(sock, sink, ops, elems, mul, allow, n)
    except Stop:
        pass
    print(json.dumps(n), flush=True)


class Stop(Exception):
    pass


def stop(*_):
    raise Stop()


def loop(sock, sink, ops, elems, mul, allow, n):
    received = passed = results = 0
    while True:
        pkt = sock.recv(2048)
        rx = time.monotonic_ns()
        received += 1
        if len(pkt) < HDR.size:
            continue
        (magic, ver, dtype, flags, sensor, seq, ts, cnt, rsvd,
         tag) = HDR.unpack_from(pkt)
        size = SIZES.get(dtype, 0)
        if (magic != MAGIC or ver != VERSION or not size or flags or rsvd
                or not sensor or not cnt or cnt * size > MAX_PAYLOAD
                or len(pkt) - HDR.size != cnt * size or sensor not in allow):
            continue
        tag = FILTERED
        passed += 1
        if dtype != F32 or cnt != elems:
            continue
        x = np.frombuffer(pkt, dtype="<f4", count=elems, offset=HDR.size) * mul
        y = run(ops, x)
        done = time.monotonic_ns()
        r = {"pipeline": "py", "model": "testnet", "model_version": "1.0",
             "model_gen": 1, "sensor": sensor, "seq": seq,
             "tag": {"raw": tag, "filtered": True, "class": 0, "priority": 0,
                     "pipeline": 0},
             "flags": 0, "ts_ns": ts, "rx_ns": rx, "done_ns": done,
             "y": [float(v) for v in y]}
        sink.send(json.dumps(r, separators=(",", ":")).encode())
        results += 1
        n["received"], n["passed"], n["results"] = received, passed, results


if __name__ == "__main__":
    main()
