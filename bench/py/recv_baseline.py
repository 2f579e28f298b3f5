#!/usr/bin/env python3
"""The ingest baseline: a plain recvfrom loop that writes one line per datagram to a file.

Binds 127.0.0.1:--port with the kernel's default receive buffer (a plain program does not tune it; --rcvbuf
asks for another size), prints "ready", then writes "<unix time> <address>:<port> <size> <hex>" per datagram
until SIGINT/SIGTERM or --max-seconds.
"""
import argparse
import signal
import socket
import sys
import time


def stop(_signum, _frame):
    raise SystemExit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rcvbuf", type=int, default=0, help="SO_RCVBUF to ask for; 0 = the kernel default")
    parser.add_argument("--max-seconds", type=int, default=300)
    args = parser.parse_args()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(args.max_seconds)

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if args.rcvbuf > 0:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    sock.bind(("127.0.0.1", args.port))
    received = 0
    with open(args.out, "w", buffering=1 << 16) as out:
        print("ready", flush=True)
        try:
            while True:
                data, (host, port) = sock.recvfrom(65535)
                out.write("%.6f %s:%d %d %s\n" % (time.time(), host, port, len(data), data.hex()))
                received += 1
        finally:
            out.flush()
            sys.stderr.write("%d datagrams received\n" % received)


if __name__ == "__main__":
    main()
