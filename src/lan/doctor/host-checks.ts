// Checks of this host alone: its interfaces and broadcast addresses, who else holds the IPMsg port, and whether
// our packet numbers are safe from being taken for stale ones. Pure: the facts are passed in.
import type {NetworkInterfaces} from '../../net/targets.js'

import {type PortHolder, describeHolder} from '../../net/port-holders.js'
import {broadcastAddress, prefixLength} from '../../net/subnet-math.js'
import {ipv4ToInt, intToIpv4, netmaskFromPrefix} from '../../net/ipv4.js'
import {clockPacketNo} from '../../protocol/packet-number.js'
import {check, type Check} from './check.js'

const HOST = 'this host'

/** Names of virtual interfaces (VMs, containers, VPNs): a broadcast there reaches no office peer. */
const VIRTUAL =
  /^(veth|docker|br-|vmnet|virbr|vboxnet|vnet|tap|tun|lxcbr|lxdbr|cni|flannel|cali|podman|zt|wg|tailscale)/

export interface LocalSubnet {
  interface: string
  address: string
  prefix: number
  /** 10.1.0.0/24 */
  cidr: string
  broadcast: string
  virtual: boolean
}

/** Every non-internal IPv4 address of this host that has a broadcast address (/30 or shorter). */
export function localSubnets(interfaces: NetworkInterfaces): LocalSubnet[] {
  const subnets: LocalSubnet[] = []
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4' || info.internal) continue
      const broadcast = broadcastAddress(info.address, info.netmask)
      const prefix = prefixLength(info.netmask)
      if (broadcast === undefined || prefix === undefined) continue
      const network = intToIpv4((ipv4ToInt(info.address) & ipv4ToInt(netmaskFromPrefix(prefix))) >>> 0)
      subnets.push({
        interface: name,
        address: info.address,
        prefix,
        cidr: `${network}/${prefix}`,
        broadcast,
        virtual: VIRTUAL.test(name),
      })
    }
  }

  return subnets
}

/** The local subnet an address is on, if any. */
export function subnetOf(address: string, subnets: LocalSubnet[]): LocalSubnet | undefined {
  const value = ipv4ToInt(address)
  return subnets.find((s) => {
    const mask = ipv4ToInt(netmaskFromPrefix(s.prefix))
    return (value & mask) >>> 0 === (ipv4ToInt(s.address) & mask) >>> 0
  })
}

export function interfacesCheck(subnets: LocalSubnet[]): Check {
  const title = 'Interfaces and broadcast addresses'
  if (subnets.length === 0)
    return check(
      'interfaces',
      HOST,
      title,
      'fail',
      'no IPv4 interface with a broadcast address is up',
      'connect to the LAN (cable, Wi-Fi) and check `ip addr`: a /31 or /32 address has no broadcast',
    )
  const list = subnets.map((s) => `${s.interface} ${s.address}/${s.prefix} -> ${s.broadcast}`).join(', ')
  const seen = new Map<string, string>()
  for (const s of subnets) {
    const other = seen.get(s.cidr)
    if (other !== undefined && other !== s.interface)
      return check(
        'interfaces',
        HOST,
        title,
        'fail',
        `${other} and ${s.interface} are both on ${s.cidr}: the kernel sends to it through one and answers may come in on the other (${list})`,
        `take one of them off ${s.cidr}, or send on one only with announce --interface ${other}`,
      )
    seen.set(s.cidr, s.interface)
  }

  const virtual = subnets.filter((s) => s.virtual).map((s) => s.interface)
  if (virtual.length > 0)
    return check(
      'interfaces',
      HOST,
      title,
      'unknown',
      `${list}; ${[...new Set(virtual)].join(', ')} virtual (VM, container or VPN): cannot tell whether peers are there`,
      `if peers are on one card only, name it: announce --interface ${subnets.find((s) => !s.virtual)?.interface ?? 'eth0'}`,
    )
  return check('interfaces', HOST, title, 'ok', list)
}

/**
 * Who holds UDP `port` here besides lanmsg, and whether it shares the port: one that does not takes every answer
 * addressed to this host (peers answer to 2425), so nothing else here hears them.
 */
export function udpPortCheck(port: number, holders: PortHolder[] | undefined, shareable: boolean | undefined): Check {
  const title = `UDP ${port} on this host`
  const names = (holders ?? []).map((h) => describeHolder(h))
  if (shareable === false)
    return check(
      'udp-port',
      HOST,
      title,
      'fail',
      `held by ${names.join(', ') || 'another program'} without sharing: peers answer to ${port}, and only it hears them`,
      `run doctor while ${names[0] ?? 'that program'} is stopped; a client that shares the port (SO_REUSEADDR) avoids this`,
    )
  if (holders === undefined)
    return check('udp-port', HOST, title, 'unknown', 'this system does not say who holds UDP ports (no /proc/net/udp)')
  if (holders.length > 0)
    return check(
      'udp-port',
      HOST,
      title,
      'unknown',
      `shared with ${names.join(', ')} (this host's IPMsg client?): doctor sent no entry or exit under its address`,
      `to diagnose the LAN from here, stop ${names[0]} for a minute and run doctor again`,
    )
  return check('udp-port', HOST, title, 'ok', 'free: no other program holds it')
}

/** Our next packet number against the clock: far ahead means a clock set back (or a state file from the future). */
export function packetNumberCheck(next: number, nowMs: number): Check {
  const title = 'Packet numbers'
  const clock = clockPacketNo(nowMs / 1000)
  const ahead = next - clock
  if (clock < 1_000_000_000)
    return check(
      'packet-numbers',
      HOST,
      title,
      'fail',
      `the clock reads ${new Date(nowMs).toISOString()}: numbers taken from it are older than every real client's`,
      'set the clock (NTP): iptux drops a message whose number is below the last one it saw from this address',
    )
  if (ahead > 3600)
    return check(
      'packet-numbers',
      HOST,
      title,
      'fail',
      `next number ${next} runs ${Math.round(ahead / 60)} min ahead of the clock (${clock}): iptux drops what another client here sends (numbered from the clock) until it enters again`,
      "the clock was set back or many packets were sent: wait, or remove the packet-number file in lanmsg's state directory when nothing else here needs it",
    )
  return check('packet-numbers', HOST, title, 'ok', `next number ${next} follows the clock (${clock})`)
}
