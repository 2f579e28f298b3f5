#!/usr/bin/env python3
"""Bounded UDP sender from many chosen source ports, for the lanmsg hash-collision benchmark: loopback only.

Binds one socket to 127.0.0.1:<port> for each port listed (one a line) in --ports-file, then sends --count
datagrams to 127.0.0.1:--port at --rate per second, each from the next socket in turn (round robin), so that the
receiver sees every port as a new source again and again. Ports that cannot be bound are left out (and counted).
--template is the datagram in hex; the bytes "{n}" in it become a packet number. The last line on stdout is JSON:
{"sent", "errors", "seconds", "rate", "ports", "unbound"}.
"""
import argparse
import json
import resource
import socket
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ports-file", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--max-seconds", type=float, default=120)
    args = parser.parse_args()
    if args.count < 0 or args.count > 2_000_000:
        sys.exit("--count must be from 0 to 2,000,000")
    if not args.rate > 0:
        sys.exit("--rate must be positive")

    with open(args.ports_file) as f:
        ports = [int(line) for line in f if line.strip()]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < len(ports) + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, len(ports) + 64), hard))

    sockets = []
    unbound = 0
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
            s.connect(("127.0.0.1", args.port))  # loopback only, by construction
            sockets.append(s)
        except OSError:
            s.close()
            unbound += 1
    if not sockets:
        sys.exit("no source port could be bound")

    template = bytes.fromhex(args.template)
    variants = [template.replace(b"{n}", str(1_700_000_000 + v).encode()) for v in range(1024)]
    sent = 0
    errors = 0
    start = time.perf_counter()
    deadline = time.monotonic() + args.max_seconds
    while sent < args.count and time.monotonic() < deadline:
        due = int((time.perf_counter() - start) * args.rate) + 1 - sent
        if due <= 0:
            ahead = sent / args.rate - (time.perf_counter() - start)
            if ahead > 0.0003:
                time.sleep(ahead - 0.0002)
            continue
        for _ in range(min(due, 64, args.count - sent)):
            try:
                sockets[sent % len(sockets)].send(variants[sent % 1024])
            except OSError:
                errors += 1
            sent += 1
    seconds = time.perf_counter() - start
    for s in sockets:
        s.close()
    print(
        json.dumps(
            {
                "sent": sent,
                "errors": errors,
                "seconds": seconds,
                "rate": sent / seconds if seconds > 0 else 0,
                "ports": len(sockets),
                "unbound": unbound,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
