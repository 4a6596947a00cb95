#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/vm_rows.py LOG OUT_DIR RATE QUICK

Turns what bench/ring_vm.sh measured in the VM (lines "RING {json}",
"READ {json}", "HANDOFF {json}", "STRACE name count") into

* OUT_DIR/ring-vm.json (every run) and OUT_DIR/ring-vm.md (the details);
* benchmark rows and tables for bench/report.py, on stdout:
  group "ring-handoff (VM, emulated)": samples/s, CPU ns/sample and
  syscalls per sample of the tensor ring against a pipe, Unix datagrams
  and eventfd + shared memory, same batch size (and the ring batched
  against the pipe per sample, issue 8's target);
  group "kernel-ring (VM, counts)": syscalls per sample of the kernel ring
  consumer against the read() copy path, and the bytes each copies.

A count that is 0 on one side has no finite ratio: such comparisons are
in the tables, not in rows.
"""
import datetime
import json
import platform
import statistics
import sys

HANDOFF = "ring-handoff (VM, emulated)"
KRING = "kernel-ring (VM, counts)"
BASES = {"pipe": "pipe: write()/read()",
         "unix": "Unix datagram socketpair: send()/recv(), sendmmsg()/recvmmsg() batched",
         "shm": "eventfd + shared-memory SPSC ring (wakes only a sleeping side)"}
MODE_NAME = {"ring": "edgeai ring, poll() wait", "uring": "edgeai ring, io_uring wait",
             "uhead": "edgeai USER_HEAD ring (publish by a store), poll() wait",
             "pipe": "pipe", "unix": "Unix datagrams", "shm": "eventfd + shm ring"}


def med(v):
    return statistics.median(v) if v else 0.0


def spread(v):
    m = med(v)
    return (max(v) - min(v)) / m if v and m else 0.0


def row(group, name, o, b, bname, unit, better, extra=None):
    ours, base = med(o), med(b)
    if ours <= 0 or base <= 0:
        return None
    ratio = ours / base if better == "higher" else base / ours
    r = {"group": group, "name": name, "ours": float(f"{ours:.6g}"),
         "baseline": float(f"{base:.6g}"), "baseline_name": bname, "unit": unit,
         "ratio": float(f"{ratio:.6g}"), "better": better, "reps": min(len(o), len(b)),
         "spread": round(max(spread(o), spread(b)), 4)}
    r.update(extra or {})
    return r


def main():
    log, out, rate, quick = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    ring, read, hand, strace = [], [], [], {}
    for line in open(log, errors="replace"):
        line = line.strip()
        for tag, dest in (("RING ", ring), ("READ ", read), ("HANDOFF ", hand)):
            if line.startswith(tag + "{"):
                dest.append(json.loads(line[len(tag):]))
        if line.startswith("STRACE "):
            _, name, calls = line.split()
            strace[name] = int(calls)
    if not ring or not read or not hand:
        sys.exit("vm_rows: the VM log lacks results (RING/READ/HANDOFF lines)")
    bad = [h for h in hand if h["bad"] or not h["checksum_ok"] or h["received"] != h["samples"]]
    if bad:
        sys.exit(f"vm_rows: hand-off cross-check failed: {bad[0]}")
    rows, tables = [], []

    # ---- hand-off ------------------------------------------------------
    def hv(mode, batch, key):
        return [h[key] for h in hand if h["mode"] == mode and h["batch"] == batch]

    batches = sorted({h["batch"] for h in hand})
    for b in (1, 64):
        for base in ("pipe", "unix", "shm"):
            rows.append(row(HANDOFF, f"samples/s, batch {b}: ring vs {base}",
                            hv("ring", b, "samples_per_s"), hv(base, b, "samples_per_s"),
                            BASES[base] + f", batch {b}", "samples/s", "higher"))
    for base in ("pipe", "shm"):
        rows.append(row(HANDOFF, f"samples/s, batch 64: USER_HEAD ring vs {base}",
                        hv("uhead", 64, "samples_per_s"), hv(base, 64, "samples_per_s"),
                        BASES[base] + ", batch 64", "samples/s", "higher"))
    rows.append(row(HANDOFF, "samples/s: ring batch 64 vs pipe per sample",
                    hv("ring", 64, "samples_per_s"), hv("pipe", 1, "samples_per_s"),
                    BASES["pipe"] + ", one sample a call", "samples/s", "higher"))
    rows.append(row(HANDOFF, "samples/s: USER_HEAD ring batch 64 vs pipe per sample",
                    hv("uhead", 64, "samples_per_s"), hv("pipe", 1, "samples_per_s"),
                    BASES["pipe"] + ", one sample a call", "samples/s", "higher",
                    {"target": 10}))
    for b in (1, 64):
        for base in ("pipe", "unix", "shm"):
            rows.append(row(HANDOFF, f"CPU per sample, batch {b}: ring vs {base}",
                            hv("ring", b, "cpu_ns_per_sample"), hv(base, b, "cpu_ns_per_sample"),
                            BASES[base] + f", batch {b}", "ns/sample", "lower"))
    for b in (1, 64):
        for base in ("pipe", "unix", "shm"):
            rows.append(row(HANDOFF, f"syscalls per sample, batch {b}: ring vs {base}",
                            hv("ring", b, "syscalls_per_sample"), hv(base, b, "syscalls_per_sample"),
                            BASES[base] + f", batch {b}", "syscalls/sample", "lower"))
    for what, key, unit in (("CPU per sample", "cpu_ns_per_sample", "ns/sample"),
                            ("syscalls per sample", "syscalls_per_sample", "syscalls/sample")):
        for base in ("pipe", "shm"):
            rows.append(row(HANDOFF, f"{what}, batch 64: USER_HEAD ring vs {base}",
                            hv("uhead", 64, key), hv(base, 64, key),
                            BASES[base] + ", batch 64", unit, "lower"))
    trows = []
    for b in batches:
        for m in ("ring", "uring", "uhead", "pipe", "unix", "shm"):
            if not hv(m, b, "samples"):
                continue
            trows.append([MODE_NAME[m], str(b), f"{med(hv(m, b, 'samples_per_s')):,.0f}",
                          f"{med(hv(m, b, 'cpu_ns_per_sample')):,.0f}",
                          f"{med(hv(m, b, 'syscalls_per_sample')):.4f}",
                          f"{med(hv(m, b, 'cons_sleeps_per_sample')):.4f}",
                          f"{med([h['wakeups'] / h['samples'] for h in hand if h['mode'] == m and h['batch'] == b]):.4f}",
                          str(hv(m, b, "copied_bytes_per_sample")[0]),
                          f"{med([h.get('producer_full_waits', 0) / h['samples'] for h in hand if h['mode'] == m and h['batch'] == b]):.4f}",
                          f"{len(hv(m, b, 'samples'))} x {hv(m, b, 'samples')[0]:,}"])
    tables.append({"kind": "table", "group": HANDOFF,
                   "title": "Hand-off between two processes, in the VM (medians; times emulated)",
                   "columns": ["path", "batch", "samples/s", "CPU ns/sample",
                               "syscalls/sample", "consumer sleeps/sample",
                               "wake-ups/sample", "bytes copied/sample",
                               "producer waits for room/sample", "runs x samples"],
                   "rows": trows,
                   "note": "Samples of seq, sensor id, checksum and 6 x f32: 40-byte records "
                           "(pipe, datagrams, shm), one 64-byte slot each in a ring (the "
                           "values as the [6] f32 payload, the rest in the slot header); producer "
                           "pinned to CPU 0, consumer to CPU 1 of the 2-vCPU guest; 1024 "
                           "slots (ring, shm), a 64 KiB pipe, max_dgram_qlen 512 and 4 MiB "
                           "socket buffers. Every sample was checked by the consumer "
                           "(sequence, sensor id, values, checksum; on a ring the sequence is "
                           "the slot's seq, stamped by the kernel, or for the USER_HEAD ring "
                           "by the producer's library): all runs passed. Syscalls are counted by each "
                           "side's loop (a ring's by libedgeai: a USER_HEAD publish "
                           "enters the kernel only when the consumer waits, and a ring "
                           "consumer's edgeai_ring_wait() first looks at the ring up to "
                           "EDGEAI_WAIT_SPINS (512) times, entering poll() only if the batch "
                           "is not there by then; the shm consumer sleeps at once); "
                           "wake-ups are the module's (ring) or the eventfd writes (shm); "
                           "bytes copied: the kernel copies each record in and out of a pipe "
                           "or socket, nothing for shared mappings. A producer that finds "
                           "no room for its batch waits: the shm producer sleeps on an "
                           "eventfd the consumer writes; the ring producer sleeps in "
                           "edgeai_ring_wait() (poll(POLLOUT) with the batch as its "
                           "watermark of free slots) until the module sees the consumer "
                           "free that much (the consumer's edgeai_ring_release() tells it "
                           "at once when the producer waits: EDGEAI_CTRL_F_ROOM_WAIT). The VM kernel's allocation debugging "
                           "(slub_debug, page_poison, init_on_free) is switched off. The guest is emulated "
                           "(qemu TCG): a syscall costs far more than on hardware, so "
                           "syscall-heavy paths look worse than they would natively."})

    # ---- kernel ring vs read() -----------------------------------------
    def rv(mode, w, key):
        return [r[key] for r in ring if r["mode"] == mode and r["watermark"] == w]

    def dv(mode, w, key):
        return [r[key] for r in read if r["mode"] == mode and r["watermark"] == w]

    def pb(runs, mode, w):
        v = [r["producer_batches"] / r["samples"] for r in runs
             if r["mode"] == mode and r["watermark"] == w and r.get("producer_batches")
             and r["samples"]]
        return f"{med(v):.4f}" if v else "-"

    ws = sorted({r["watermark"] for r in ring})
    for w in ws:
        rows.append(row(KRING, f"syscalls per sample, batch {w}: kernel ring (poll) vs read() one sample a call",
                        rv("poll", w, "syscalls_per_sample"), dv("read1", 1, "syscalls_per_sample"),
                        "read() of one sample a call (56 bytes)", "syscalls/sample", "lower",
                        {"count": True, **({"ours_max": 0.02} if w == 64 else {})}))
        rows.append(row(KRING, f"syscalls per sample, batch {w}: kernel ring (poll) vs read() with SO_RCVLOWAT {w}",
                        rv("poll", w, "syscalls_per_sample"), dv("lowat", w, "syscalls_per_sample"),
                        f"read() of all that is there, at least {w} samples (SO_RCVLOWAT)",
                        "syscalls/sample", "lower", {"count": True}))
    krows = []
    for w in ws:
        for mode in ("poll", "uring"):
            if rv(mode, w, "samples"):
                krows.append([f"kernel ring, {mode} wait", str(w),
                              f"{med(rv(mode, w, 'syscalls_per_sample')):.4f}",
                              f"{med(rv(mode, w, 'sleeps_per_sample')):.4f}",
                              pb(ring, mode, w), "0", "0",
                              f"{sum(rv(mode, w, 'drops'))} / {sum(rv(mode, w, 'gaps'))}",
                              f"{len(rv(mode, w, 'samples'))} x {rv(mode, w, 'samples')[0]:,}"])
        if dv("lowat", w, "samples"):
            krows.append([f"read(), SO_RCVLOWAT {w} samples", str(w),
                          f"{med(dv('lowat', w, 'syscalls_per_sample')):.4f}",
                          f"{med(dv('lowat', w, 'sleeps_per_sample')):.4f}",
                          pb(read, "lowat", w),
                          f"{med(dv('lowat', w, 'bytes_copied_per_sample')):.0f}",
                          f"{med(dv('lowat', w, 'payload_bytes_copied_per_sample')):.0f}",
                          f"- / {sum(dv('lowat', w, 'bad'))}",
                          f"{len(dv('lowat', w, 'samples'))} x {dv('lowat', w, 'samples')[0]:,}"])
    krows.append(["read(), one sample a call", "1",
                  f"{med(dv('read1', 1, 'syscalls_per_sample')):.4f}",
                  f"{med(dv('read1', 1, 'sleeps_per_sample')):.4f}",
                  pb(read, "read1", 1),
                  f"{med(dv('read1', 1, 'bytes_copied_per_sample')):.0f}",
                  f"{med(dv('read1', 1, 'payload_bytes_copied_per_sample')):.0f}",
                  f"- / {sum(dv('read1', 1, 'bad'))}",
                  f"{len(dv('read1', 1, 'samples'))} x {dv('read1', 1, 'samples')[0]:,}"])
    note = (f"edgeai_synth.ko at {rate} Hz (a 1 kHz timer, {rate // 1000} samples a tick), 6 x f32 "
            "per sample; the consumer reads payloads in place (kernel ring) or read()s "
            "32-byte headers + payloads from an AF_UNIX stream a producer process writes on "
            "the same tick (bench/read_path.c: the module has no read() file operation, so "
            "this stands in for one; the producer's own writes are not counted, a kernel "
            "producer would make none). Syscalls are those of the consumer loop plus one "
            "stats ioctl (ring); sleeps are the consumer's voluntary context switches "
            "(a read() waiting for SO_RCVLOWAT bytes is woken at every write and sleeps "
            "again inside the same syscall: fewer syscalls than wake-ups; the ring wakes "
            "its consumer only once the watermark is reached). Producer batches: the "
            "synth's timer callbacks, or the read() producer's non-empty writes; a late "
            "tick produces all that is due at once, and a userspace timer in the emulated "
            "guest is late more often than the kernel's hrtimer, which hands the read() "
            "consumer larger batches: compare the consumers at equal producer batches. "
            "Batch sizes below the 20 samples of a tick cannot reduce "
            "wake-ups further. Medians of the runs.")
    if "total" in strace:
        t, n = strace["total"], ring[0]["samples"] if ring else 1
        detail = ", ".join(f"{k} {v}" for k, v in sorted(strace.items()) if k != "total")
        note += (f" Cross-check, strace -f -c of a whole consumer process (batch 64, poll; "
                 f"start-up, attach and mmap included): {t} syscalls for {n} samples = "
                 f"{t / n:.4f} per sample ({detail}); under strace the consumer is slower, "
                 "so its batches are larger.")
    tables.append({"kind": "table", "group": KRING,
                   "title": "Kernel ring vs a read() copy path, in the VM (counts)",
                   "columns": ["consumer", "batch", "syscalls/sample", "sleeps/sample",
                               "producer batches/sample", "bytes copied/sample",
                               "payload bytes copied/sample", "drops / gaps (ring), - / bad (read)",
                               "runs x samples"],
                   "rows": krows, "note": note})

    rows = [r for r in rows if r]
    for r in rows + tables:
        print(json.dumps(r))

    res = {"bench": "ring-vm", "date": datetime.datetime.now(datetime.timezone.utc)
           .strftime("%Y-%m-%dT%H:%M:%SZ"), "host": platform.node(),
           "guest_kernel": "Debian 6.1 under QEMU (TCG unless KVM)", "quick": quick,
           "rate_hz": rate, "ring": ring, "read": read, "handoff": hand,
           "strace_w64_poll": strace}
    with open(f"{out}/ring-vm.json", "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    md = ["# What needs the kernel module, in the VM", "",
          "Debian's 6.1 kernel under qemu (software-emulated: times are emulated, only "
          "ratios within this run and counts mean anything). Made by `bench/ring_vm.sh` "
          f"({res['date']}); the same tables are in [latest.md](latest.md).", ""]
    for t in tables:
        md += [f"## {t['title']}", "", "| " + " | ".join(t["columns"]) + " |",
               "|" + "---|" * len(t["columns"])]
        md += ["| " + " | ".join(r) + " |" for r in t["rows"]]
        md += ["", t["note"], ""]
    with open(f"{out}/ring-vm.md", "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
