#!/usr/bin/env bash
# The Debian packages the whole test suite uses (README, first lines; .ci/run). Installs only what is missing;
# needs root (or sudo). Without them `npm test` still runs, skipping those tests with a note.
set -euo pipefail

need=()
want() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
# iproute2 (ip netns, veth, bridge) for the simulated-LAN tests; python3 for the responder farm and the benchmark
# baseline; make and g++ for node-gyp, which builds the native addon against Node's headers.
want ip iproute2
want python3 python3
want make make
want g++ g++
# A real iptux for test/iptux: headless on an Xvfb display with its own session bus, driven with xdotool.
want iptux iptux
want Xvfb xvfb
want xkbcomp x11-xkb-utils
want xdotool xdotool
want dbus-daemon dbus
# A real pseudo-terminal for the terminal tests (screen fitting, Ctrl-C, hangup).
want tmux tmux
# Real captures: tcpdump and dumpcap make them (listen --read, the dissector tests), tshark reads them with
# wireshark/ipmsg.lua and is the baseline of the --read benchmark.
want tcpdump tcpdump
want tshark tshark
# libpcap-dev: the live-capture addon (listen --capture) is built against it.
[ -e /usr/include/pcap/pcap.h ] || need+=(libpcap-dev)
# nftables for the doctor tests: firewall rules planted inside the simulated LAN's namespaces only.
want nft nftables

if [ ${#need[@]} -eq 0 ]; then
  echo "test-deps: everything is installed"
  exit 0
fi
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "test-deps: installing ${need[*]}"
"${as_root[@]}" apt-get update -qq
# tshark asks whether non-root users may capture: no.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | "${as_root[@]}" debconf-set-selections
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
