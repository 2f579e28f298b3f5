#!/usr/bin/env python3
"""Bounded UDP sender for the lanmsg benchmarks: loopback only, a fixed count, an optional fixed rate.

Sends --count datagrams to 127.x.x.x:--port with sendmmsg(2) (through ctypes, up to 64 a system call) so that
one Python process can keep up with a few hundred thousand datagrams a second. --template is the datagram in
hex; the bytes "{n}" in it are replaced with a packet number, --first-packet-no + i for datagram i (each one
distinct, as a real sender's are; written into a pool of 1024 buffers as they are reused). --sources K sends from
K distinct loopback addresses 127.A.B.C (IP_PKTINFO), one after the other, so the receiver sees K peers.
--chunk C pauses after every C datagrams: it prints a JSON progress line and waits for a line on stdin.
The last line on stdout is JSON: {"sent", "errors", "seconds", "rate", "method"}.
"""
import argparse
import ctypes
import ctypes.util
import errno
import json
import socket
import struct
import sys
import time

BATCH = 64
IPPROTO_IP = 0
IP_PKTINFO = 8  # Linux; Python's socket module does not export it


class IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class MsgHdr(ctypes.Structure):
    _fields_ = [
        ("msg_name", ctypes.c_void_p),
        ("msg_namelen", ctypes.c_uint32),
        ("msg_iov", ctypes.POINTER(IoVec)),
        ("msg_iovlen", ctypes.c_size_t),
        ("msg_control", ctypes.c_void_p),
        ("msg_controllen", ctypes.c_size_t),
        ("msg_flags", ctypes.c_int),
    ]


class MMsgHdr(ctypes.Structure):
    _fields_ = [("msg_hdr", MsgHdr), ("msg_len", ctypes.c_uint)]


def source_address(i):
    """127.A.B.C with C in 1..250: never a .0 or .255 that could look like a network or broadcast address."""
    a = 1 + i // (256 * 250)
    b = (i // 250) % 256
    c = 1 + i % 250
    return "127.%d.%d.%d" % (a, b, c)


def pktinfo_cmsg(address):
    data = struct.pack("=i4s4s", 0, socket.inet_aton(address), b"\0" * 4)
    header = struct.pack("=QiI", 16 + len(data), IPPROTO_IP, IP_PKTINFO)
    return header + data + b"\0" * 4  # CMSG_SPACE(12) = 32 on 64-bit Linux


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--rate", type=float, default=0, help="datagrams per second; 0 = as fast as possible")
    parser.add_argument("--template", required=True, help="datagram bytes in hex; {n} becomes a packet number")
    parser.add_argument("--first-packet-no", type=int, default=1_700_000_000)
    parser.add_argument("--sources", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=120)
    args = parser.parse_args()

    if not args.host.startswith("127.") or socket.inet_aton(args.host)[0] != 127:
        sys.exit("udp_send.py sends to loopback (127.0.0.0/8) only")
    if args.count < 0 or args.count > 5_000_000:
        sys.exit("--count must be from 0 to 5,000,000")
    if args.sources > 250 * 256 * 254:
        sys.exit("--sources is too large")

    template = bytes.fromhex(args.template)
    # Fixed-width numbers, so that every datagram has the same size and the number is rewritten in place.
    width = len(str(args.first_packet_no))
    if template.count(b"{n}") != 1 or len(str(args.first_packet_no + args.count)) != width:
        sys.exit("--template needs one {n}, and the packet numbers must keep their width")
    number_at = template.index(b"{n}")
    variants = [template.replace(b"{n}", str(args.first_packet_no + v).encode()) for v in range(1024)]
    buffers = [ctypes.create_string_buffer(v, len(v)) for v in variants]
    controls = [ctypes.create_string_buffer(pktinfo_cmsg(source_address(i)), 32) for i in range(args.sources)]

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
    sock.connect((args.host, args.port))
    fd = sock.fileno()

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        sendmmsg = libc.sendmmsg
        method = "sendmmsg"
    except (OSError, AttributeError):
        sendmmsg = None
        method = "sendmsg" if args.sources else "send"

    iovs = (IoVec * BATCH)()
    msgs = (MMsgHdr * BATCH)()
    for j in range(BATCH):
        msgs[j].msg_hdr.msg_iov = ctypes.pointer(iovs[j])
        msgs[j].msg_hdr.msg_iovlen = 1
    addresses = [ctypes.addressof(b) for b in buffers]
    first = args.first_packet_no

    def number(k):
        """Datagram k's buffer, with its own packet number written in."""
        ctypes.memmove(addresses[k % 1024] + number_at, b"%d" % (first + k), width)
        return k % 1024
    lengths = [len(v) for v in variants]
    control_addresses = [ctypes.addressof(c) for c in controls]

    sent = 0
    errors = 0
    deadline = time.monotonic() + args.max_seconds
    active = 0.0  # seconds spent sending (pauses for --chunk excluded)
    next_pause = args.chunk if args.chunk > 0 else args.count

    def send_batch(start, n):
        """Sends datagrams start..start+n-1; returns how many went out."""
        nonlocal errors
        if sendmmsg is None:
            done = 0
            for k in range(start, start + n):
                try:
                    if args.sources:
                        anc = [(IPPROTO_IP, IP_PKTINFO, controls[k % args.sources].raw[16:28])]
                        sock.sendmsg([buffers[number(k)].raw], anc)
                    else:
                        sock.send(buffers[number(k)].raw)
                    done += 1
                except OSError:
                    errors += 1
                    done += 1
            return done
        for j in range(n):
            k = start + j
            v = number(k)
            iovs[j].iov_base = addresses[v]
            iovs[j].iov_len = lengths[v]
            if args.sources:
                msgs[j].msg_hdr.msg_control = control_addresses[k % args.sources]
                msgs[j].msg_hdr.msg_controllen = 32
        result = sendmmsg(fd, msgs, n, 0)
        if result < 0:
            err = ctypes.get_errno()
            if err in (errno.EAGAIN, errno.ENOBUFS, errno.EINTR):
                return 0
            # ECONNREFUSED (nobody listening yet) and the like: count the datagram as sent and failed.
            errors += 1
            return 1
        return result

    while sent < args.count:
        phase_start = time.perf_counter()
        phase_sent = sent
        while sent < next_pause:
            if time.monotonic() > deadline:
                break
            if args.rate > 0:
                due = int((time.perf_counter() - phase_start) * args.rate) + 1 - (sent - phase_sent)
                if due <= 0:
                    ahead = (sent - phase_sent) / args.rate - (time.perf_counter() - phase_start)
                    if ahead > 0.0003:
                        time.sleep(ahead - 0.0002)
                    continue
                n = min(due, BATCH, next_pause - sent)
            else:
                n = min(BATCH, next_pause - sent)
            sent += send_batch(sent, n)
        active += time.perf_counter() - phase_start
        if time.monotonic() > deadline:
            break
        if sent < args.count:
            print(json.dumps({"progress": sent}), flush=True)
            if sys.stdin.readline() == "":
                break
            next_pause = min(args.count, sent + args.chunk)

    print(
        json.dumps(
            {
                "sent": sent,
                "errors": errors,
                "seconds": active,
                "rate": sent / active if active > 0 else 0,
                "method": method,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
