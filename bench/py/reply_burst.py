#!/usr/bin/env python3
"""The reply burst: play --replies IP Messenger peers on loopback that all answer one BR_ENTRY at once.

Binds the loopback broadcast address 127.255.255.255:--port (announce --to 127.255.255.255 broadcasts there,
so announce waits its whole window instead of stopping at the first acknowledgement of a unicast), prints
"ready", waits (at most --max-seconds) for a BR_ENTRY, then sends one
ANSENTRY (Windows form, with the UTF-8 extension) from each of --replies sockets, every one on its own
ephemeral port, back to the address and port the BR_ENTRY came from. Prints JSON: when and how fast.
"""
import argparse
import json
import resource
import socket
import sys
import time

BR_ENTRY = 0x01
ANSENTRY = 0x03
CAPUTF8OPT = 0x01000000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--max-seconds", type=float, default=30)
    args = parser.parse_args()
    if args.replies < 1 or args.replies > 5000:
        sys.exit("--replies must be from 1 to 5000")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.replies + 64
    if soft < need and (hard == resource.RLIM_INFINITY or hard >= need):
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))

    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.255.255.255", args.port))
    listener.settimeout(args.max_seconds)
    peers = []
    for i in range(args.replies):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        peers.append(s)
    print("ready", flush=True)

    heard = 0
    while True:
        try:
            data, source = listener.recvfrom(65535)
        except socket.timeout:
            print(json.dumps({"error": "no BR_ENTRY within %gs (heard %d datagrams)" % (args.max_seconds, heard)}))
            return 1
        heard += 1
        fields = data.split(b":", 5)
        if len(fields) == 6 and fields[4].isdigit() and int(fields[4]) & 0xFF == BR_ENTRY:
            break
    if source[0].split(".")[0] != "127":
        sys.exit("reply_burst.py answers loopback sources only")

    packets = []
    for i in range(args.replies):
        user = "bench%04d" % i
        host = "BENCH-PC%04d" % i
        nick = "Bench peer %d" % i
        header = "1:%d:%s:%s:%d:" % (1_700_100_000 + i, user, host, ANSENTRY | CAPUTF8OPT)
        body = "%s\0Benchmarks\0\nUN:%s\nHN:%s\nNN:%s\nGN:Benchmarks" % (nick, user, host, nick)
        packets.append((header + body).encode("utf-8"))

    started = time.perf_counter()
    errors = 0
    for s, packet in zip(peers, packets):
        try:
            s.sendto(packet, source)
        except OSError:
            errors += 1
    spent = time.perf_counter() - started
    print(
        json.dumps(
            {"fired": args.replies - errors, "errors": errors, "ms": spent * 1000, "to": "%s:%d" % source}
        ),
        flush=True,
    )
    for s in peers:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
