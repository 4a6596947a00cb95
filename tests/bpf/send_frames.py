#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""send_frames.py IFACE DST_MAC SENSOR...

Send one valid sensor frame (Ethernet + IPv4 10.47.0.2 -> 10.47.0.1, UDP
to 4747, the wire header of include/edgeai/wire.h, two f32 elements) per
SENSOR id on a packet socket bound to IFACE: 88 bytes each. Used by the
bpf-lane tests that count what the filter sees."""
import socket
import struct
import sys


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    return ~((s & 0xffff) + (s >> 16)) & 0xffff


def frame(mac, sensor):
    payload = struct.pack("<ff", 1.0, 2.0)
    hdr = struct.pack("<IBBHIIQHHI", 0x53494145, 1, 8, 0, sensor, 1, 0, 2, 0, 0)
    udp = struct.pack("!HHHH", 40000, 4747, 8 + len(hdr) + len(payload), 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(hdr) + len(payload),
                     0, 0, 64, 17, 0, bytes([10, 47, 0, 2]), bytes([10, 47, 0, 1]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex(mac.replace(":", "")) + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + udp + hdr + payload


def main():
    iface, mac, sensors = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3:]]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for sensor in sensors:
        s.send(frame(mac, sensor))


if __name__ == "__main__":
    main()
