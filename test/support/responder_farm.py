#!/usr/bin/env python3
"""A responder farm for the simulated LAN: one UDP socket on port 2425 in each of many network namespaces (each a
simulated host with its own stack, address, ARP and broadcast domain), all served by this one process.

Each host answers BR_ENTRY as IP Messenger for Windows does (field-notes.md 1.5, peers-on-the-wire.md): ANSENTRY
after a random delay of 0-1023 ms (it knows fewer than 50 hosts), unicast to port 2425 of the sender, in the plain
form `1:<packet no>:<user>:<host>:3:<nickname>\\0<group>\\0`, packet numbers counting up from the start time.
Nothing else is answered, and a farm host never announces itself (a client that started before the test).

Safety (the network rule): it must be started inside one of its namespaces (`ip netns exec`) and refuses to run
anywhere else (the machine's own namespace included), and every socket is created only after setns() into a namespace named on its command
line, so every datagram it sends leaves from one of them. It exits after --duration seconds, and sends at most
--max-answers datagrams in all.

Prints JSON lines: {"ready": N} once every socket is bound, {"host": i, "from": address, "mode": m} for each
datagram with --log, and {"received": R, "answered": A} when it ends.
"""
import argparse
import ctypes
import heapq
import json
import os
import random
import select
import signal
import socket
import sys
import time

CLONE_NEWNET = 0x40000000
PORT = 2425
BR_ENTRY = 1
ANSENTRY = 3


def enter(namespace: str, libc) -> None:
    fd = os.open(f'/run/netns/{namespace}', os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f'setns {namespace}: {os.strerror(err)}')
    finally:
        os.close(fd)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument('--netns', required=True, help='comma-separated namespace names, one host each')
    parser.add_argument('--prefix', default='farm', help='user name prefix: <prefix><i>, host <PREFIX><i>')
    parser.add_argument('--group', default='lanmsg-farm')
    parser.add_argument('--duration', type=float, default=60.0)
    parser.add_argument('--max-answers', type=int, default=200_000)
    parser.add_argument('--max-delay-ms', type=int, default=1023)
    parser.add_argument('--log', action='store_true', help='print each datagram received: {"host", "from", "mode"}')
    args = parser.parse_args()

    names = [n for n in args.netns.split(',') if n]
    # Started in one of its own namespaces, or not at all (never the machine's: /proc/1 may be unreadable here).
    own = os.stat('/proc/self/ns/net')
    if not any((st.st_ino, st.st_dev) == (own.st_ino, own.st_dev) for st in map(os.stat, (f'/run/netns/{n}' for n in names))):
        print('responder_farm: start me inside one of the --netns namespaces (ip netns exec)', file=sys.stderr)
        return 2

    libc = ctypes.CDLL(None, use_errno=True)
    sockets = {}
    for i, namespace in enumerate(names):
        enter(namespace, libc)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind(('0.0.0.0', PORT))
        sock.setblocking(False)
        sockets[sock.fileno()] = (sock, i)

    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))
    poller = select.epoll()
    for fd in sockets:
        poller.register(fd, select.EPOLLIN)
    print(json.dumps({'ready': len(sockets)}), flush=True)

    packet_no = [int(time.time()) for _ in names]
    due = []  # (when, seq, fd, address)
    seq = 0
    received = answered = 0
    ends = time.monotonic() + args.duration
    while not stop[0]:
        now = time.monotonic()
        if now >= ends:
            break
        while due and due[0][0] <= now and answered < args.max_answers:
            _, _, fd, address = heapq.heappop(due)
            sock, i = sockets[fd]
            packet_no[i] += 1
            payload = f'1:{packet_no[i]}:{args.prefix}{i}:{args.prefix.upper()}{i}:{ANSENTRY}:{args.prefix} {i}\0{args.group}\0'
            try:
                sock.sendto(payload.encode('ascii'), (address, PORT))
                answered += 1
            except OSError:
                pass
        timeout = min(ends - now, (due[0][0] - now) if due else 0.5)
        try:
            events = poller.poll(max(0.0, timeout))
        except InterruptedError:
            continue
        for fd, _ in events:
            sock, i = sockets[fd]
            while True:
                try:
                    data, (address, _port) = sock.recvfrom(65535)
                except BlockingIOError:
                    break
                received += 1
                fields = data.split(b':', 5)
                try:
                    mode = int(fields[4]) & 0xFF if len(fields) >= 5 else -1
                except ValueError:
                    mode = -1
                if args.log:
                    print(json.dumps({'host': i, 'from': address, 'mode': mode}), flush=True)
                if mode == BR_ENTRY:
                    seq += 1
                    delay = random.randint(0, args.max_delay_ms) / 1000
                    heapq.heappush(due, (time.monotonic() + delay, seq, fd, address))

    print(json.dumps({'received': received, 'answered': answered}), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
