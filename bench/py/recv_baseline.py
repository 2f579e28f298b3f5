#!/usr/bin/env python3
"""The ingest baseline: a plain recvfrom loop that writes one line per datagram to a file.

Binds 127.0.0.1:--port with the same receive buffer lanmsg asks for (4 MiB), prints "ready", then writes
"<unix time> <address>:<port> <size> <hex>" per datagram until SIGINT/SIGTERM or --max-seconds.
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
    parser.add_argument("--rcvbuf", type=int, default=4 * 1024 * 1024)
    parser.add_argument("--max-seconds", type=int, default=300)
    args = parser.parse_args()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(args.max_seconds)

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
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
