#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of tests/fuzz/fuzz_parser: one Ethernet frame per
file, named VERDICT-WHAT after the parser's verdict (docs/protocol.md) and
what the frame is. Valid sensor packets over IPv4, IPv6 and VLANs, and the
ways they go wrong: truncations, lying lengths, bad header fields,
fragments, extension headers. Deterministic: rerunning it rewrites the
same bytes.

    tests/fuzz/mkcorpus.py [DIR]     # default: tests/fuzz/corpus/parser

Standard library only (struct).
"""
import os
import struct
import sys

PORT = 4747
MAGIC = 0x53494145
MAX_PAYLOAD = 1420
DTYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 2, 8: 4, 9: 8}
F32 = 8

SRC4, DST4 = bytes([10, 47, 0, 2]), bytes([10, 47, 0, 1])
SRC6 = bytes.fromhex("fd00004700000000000000000000" + "0002")
DST6 = bytes.fromhex("fd00004700000000000000000000" + "0001")
MAC_DST = bytes.fromhex("020000000001")
MAC_SRC = bytes.fromhex("020000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def wire(sensor=7, seq=1, dtype=F32, count=4, flags=0, reserved=0,
         magic=MAGIC, version=1, tag=0, payload=None, extra=0):
    if payload is None:
        n = count * DTYPE_SIZE.get(dtype, 4) + extra
        payload = bytes((sensor + seq + i) & 0xFF for i in range(max(n, 0)))
    hdr = struct.pack("<IBBHIIQHHI", magic, version, dtype, flags, sensor,
                      seq, 1000000 * seq, count, reserved, tag)
    return hdr + payload


def udp(payload, src, dst, dport=PORT, sport=40000, len_delta=0):
    length = 8 + len(payload) + len_delta
    hdr = struct.pack("!HHHH", sport, dport, length & 0xFFFF, 0)
    if len(src) == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, 17, 8 + len(payload))
    else:
        pseudo = src + dst + struct.pack("!IxxxB", 8 + len(payload), 17)
    c = csum(pseudo + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


def ipv4(l4, proto=17, frag=0, len_delta=0, options=b"", version=4,
         ihl=None):
    if ihl is None:
        ihl = (20 + len(options)) // 4
    total = 20 + len(options) + len(l4) + len_delta
    hdr = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, total & 0xFFFF,
                      0x1234, frag, 64, proto, 0, SRC4, DST4) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


def ipv6(l4, exts=(), proto=17, len_delta=0, version=6):
    """exts: list of (type, body) where body excludes next-header byte."""
    chain = b""
    types = [t for t, _ in exts] + [proto]
    for i, (t, body) in enumerate(exts):
        chain += bytes([types[i + 1]]) + body
    first = types[0]
    plen = len(chain) + len(l4) + len_delta
    hdr = struct.pack("!IHBB16s16s", version << 28, plen & 0xFFFF, first, 64,
                      SRC6, DST6)
    return hdr + chain + l4


def opt_ext(units=0):
    """Hop-by-hop / destination options / routing: hdrlen + PadN."""
    length = (units + 1) * 8
    return bytes([units]) + bytes([1, length - 4]) + bytes(length - 4)


def frag_ext(offset8=0, more=1):
    return struct.pack("!BHI", 0, offset8 << 3 | more, 0xABCD)


def eth(l3, ethertype, vlans=()):
    out = MAC_DST + MAC_SRC
    for tpid, vid in vlans:
        out += struct.pack("!HH", tpid, vid)
    return out + struct.pack("!H", ethertype) + l3


def v4(payload=None, dport=PORT, ulen=0, iplen=0, pad=b"", **kw):
    p = wire() if payload is None else payload
    ipkw = {k: kw.pop(k) for k in ("proto", "frag", "options", "version",
                                   "ihl") if k in kw}
    vlans = kw.pop("vlans", ())
    return eth(ipv4(udp(p, SRC4, DST4, dport, len_delta=ulen),
                    len_delta=iplen, **ipkw), 0x0800, vlans) + pad


def v6(payload=None, dport=PORT, ulen=0, iplen=0, exts=(), **kw):
    p = wire() if payload is None else payload
    vlans = kw.pop("vlans", ())
    return eth(ipv6(udp(p, SRC6, DST6, dport, len_delta=ulen), exts=exts,
                    len_delta=iplen, **kw), 0x86DD, vlans)


def corpus():
    c = {}
    # Valid sensor packets: PASS.
    c["pass-v4_valid_f32"] = v4()
    c["pass-v4_valid_u8_one"] = v4(wire(dtype=1, count=1))
    c["pass-v4_valid_f64_max"] = v4(wire(dtype=9, count=MAX_PAYLOAD // 8))
    c["pass-v4_valid_u8_max"] = v4(wire(dtype=1, count=MAX_PAYLOAD))
    c["pass-v4_valid_options"] = v4(options=b"\x01\x01\x01\x00")
    c["pass-v4_valid_eth_padding"] = v4(wire(dtype=1, count=1), pad=bytes(20))
    c["pass-v4_valid_tagged"] = v4(wire(tag=0x80010203))
    c["pass-v6_valid_f16"] = v6(wire(dtype=7, count=6))
    c["pass-v6_valid_exts"] = v6(exts=[(0, opt_ext(0)), (43, opt_ext(1)),
                                  (60, opt_ext(0))])
    c["pass-v6_valid_4exts"] = v6(exts=[(0, opt_ext(0)), (60, opt_ext(0)),
                                   (43, opt_ext(0)), (60, opt_ext(2))])
    c["pass-vlan_v4_valid"] = v4(vlans=[(0x8100, 5)])
    c["pass-qinq_v6_valid"] = v6(vlans=[(0x88A8, 100), (0x8100, 5)])
    # Not sensor traffic: NOT_SENSOR.
    c["not_sensor-arp"] = eth(bytes(28), 0x0806)
    c["not_sensor-v4_other_port"] = v4(dport=PORT + 1)
    c["not_sensor-v4_tcp"] = v4(proto=6)
    c["not_sensor-v6_icmp"] = v6(proto=58)
    # Cannot be parsed: UNPARSED.
    c["unparsed-empty"] = b""
    c["unparsed-eth_short"] = v4()[:13]
    c["unparsed-v4_short_ip"] = v4()[:14 + 19]
    c["unparsed-v4_short_udp"] = v4()[:14 + 20 + 7]
    c["unparsed-v4_ihl_4"] = v4(ihl=4)
    c["unparsed-v4_later_fragment"] = v4(frag=0x0010)
    c["unparsed-v6_5exts"] = v6(exts=[(60, opt_ext(0))] * 5)
    # Four extension headers (the most it follows), then not UDP.
    c["not_sensor-v6_4exts_tcp"] = v6(exts=[(60, opt_ext(0))] * 4, proto=6)
    c["unparsed-v6_ah"] = v6(exts=[(51, opt_ext(1))])
    c["unparsed-vlan3_v4"] = v4(vlans=[(0x88A8, 1), (0x8100, 2), (0x8100, 3)])
    # First fragments to the sensor port: FRAGMENT.
    c["fragment-v4_first_fragment"] = v4(frag=0x2000)
    c["fragment-v6_first_fragment"] = v6(exts=[(44, frag_ext(0, 1))])
    # Lengths that disagree or truncations: LENGTH.
    c["length-v4_cut_in_header"] = v4()[:14 + 20 + 8 + 20]
    c["length-v4_cut_in_payload"] = v4()[:-3]
    c["length-v4_ip_len_long"] = v4(iplen=4)
    c["length-v4_ip_len_short"] = v4(iplen=-4)
    c["length-v4_udp_len_long"] = v4(ulen=4)
    c["length-v4_udp_len_short"] = v4(ulen=-4)
    c["length-v6_payload_len_long"] = v6(iplen=8)
    c["length-v6_udp_len_short"] = v6(ulen=-2)
    c["length-v4_payload_short"] = v4(wire(count=4, extra=-4))
    c["length-v4_payload_long"] = v4(wire(count=4, extra=1))
    c["length-v4_only_20_bytes"] = v4(wire()[:20])
    # Header fields: BAD_HEADER.
    c["bad_header-v4_bad_magic"] = v4(wire(magic=0x53494146))
    c["bad_header-v4_bad_version"] = v4(wire(version=2))
    c["bad_header-v4_bad_dtype"] = v4(wire(dtype=10, payload=bytes(16)))
    c["bad_header-v4_flags"] = v4(wire(flags=1))
    c["bad_header-v4_reserved"] = v4(wire(reserved=0x100))
    c["bad_header-v4_sensor_0"] = v4(wire(sensor=0))
    c["bad_header-v4_count_0"] = v4(wire(count=0))
    c["bad_header-v4_count_big"] = v4(wire(dtype=5, count=356, payload=bytes(8)))
    return c


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "corpus", "parser")
    os.makedirs(out, exist_ok=True)
    for name, frame in sorted(corpus().items()):
        assert len(frame) < 2048, name
        with open(os.path.join(out, name), "wb") as f:
            f.write(frame)
    print("%s: %d files" % (out, len(corpus())))


if __name__ == "__main__":
    main()
