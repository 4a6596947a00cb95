#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/handoff_host.py HANDOFF REPS N1 N64

The hand-off baselines (pipe, Unix datagrams, eventfd + shm) natively on
this machine, where the module cannot load: no ring, so no comparison
rows, one table (bench/report.py) for scale next to the VM's emulated
numbers. Every run's consumer checks every sample; a failure fails this.
"""
import json
import statistics
import subprocess
import sys

NAMES = {"pipe": "pipe", "unix": "Unix datagrams", "shm": "eventfd + shm ring"}


def main():
    exe, reps, n1, n64 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    runs = {}
    for _ in range(reps):
        for b in (1, 64):
            for m in NAMES:
                r = subprocess.run([exe, m, str(b), str(n1 if b == 1 else n64)],
                                   stdout=subprocess.PIPE, text=True)
                if r.returncode:
                    sys.exit(f"handoff_host: {m} batch {b} failed its cross-check")
                runs.setdefault((m, b), []).append(json.loads(r.stdout))
    med = statistics.median
    rows = []
    for b in (1, 64):
        for m in NAMES:
            v = runs[(m, b)]
            rows.append([NAMES[m], str(b), f"{med([x['samples_per_s'] for x in v]):,.0f}",
                         f"{med([x['cpu_ns_per_sample'] for x in v]):,.0f}",
                         f"{med([x['syscalls_per_sample'] for x in v]):.4f}",
                         f"{med([x['cons_sleeps_per_sample'] for x in v]):.4f}",
                         str(v[0]["copied_bytes_per_sample"]),
                         f"{len(v)} x {v[0]['samples']:,}"])
    print(json.dumps({
        "kind": "table", "group": "ring-handoff (VM, emulated)",
        "title": "The same baselines natively on this machine (no ring: the module does not load here)",
        "columns": ["path", "batch", "samples/s", "CPU ns/sample", "syscalls/sample",
                    "consumer sleeps/sample", "bytes copied/sample", "runs x samples"],
        "rows": rows,
        "note": "bench/handoff.c as in the VM, on the host kernel: producer on CPU 0, "
                "consumer on CPU 1, every sample checked. For scale only: the VM's "
                "rows are the comparison."}))


if __name__ == "__main__":
    main()
