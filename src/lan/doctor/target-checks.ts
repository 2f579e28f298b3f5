// Checks of the path to one TARGET: on which local subnet it is, how UDP 2425 answers, which client answers and
// what that implies, TCP 2425 (file transfer), and a datagram larger than the MTU. Pure: the outcomes are passed in.
import type {TcpProbeResult} from '../../net/tcp-probe.js'
import type {Packet} from '../../protocol/types.js'
import type {LocalSubnet} from './host-checks.js'

import {check, type Check} from './check.js'

export interface UdpOutcome {
  delivered: boolean
  unreachable: boolean
  attempts: number
  rttMs: null | number
}

export function subnetCheck(address: string, subnet: LocalSubnet | undefined, port: number): Check {
  const title = 'On a local subnet'
  if (subnet)
    return check('subnet', address, title, 'ok', `on ${subnet.interface}'s subnet ${subnet.cidr}: broadcasts reach it`)
  return check(
    'subnet',
    address,
    title,
    'fail',
    'on no subnet of this host: broadcasts never reach it, nor its answers to them',
    `reach it by unicast: announce --to ${address}, or sweep its subnet (announce --sweep ${address.replace(/\.\d+$/, '.0')}/24); port ${port}`,
  )
}

export function udpCheck(address: string, port: number, outcome: UdpOutcome | undefined): Check {
  const title = `UDP ${port} answers`
  if (outcome === undefined) return check('udp', address, title, 'unknown', 'not probed')
  if (outcome.delivered) return check('udp', address, title, 'ok', `answered our entry in ${outcome.rttMs ?? '?'} ms`)
  if (outcome.unreachable)
    return check(
      'udp',
      address,
      title,
      'fail',
      `ICMP port unreachable: the host is up, but nothing listens on UDP ${port}`,
      'start the IPMsg client there (or it listens on another port: --port)',
    )
  return check(
    'udp',
    address,
    title,
    'fail',
    `silence: no answer to ${outcome.attempts} entry packets, and no ICMP error either`,
    `the host is down or a firewall (there or on the way) drops UDP ${port}: allow it in, or ping the host`,
  )
}

/** What the client's version field tells about talking to it (field-notes.md, peers-on-the-wire.md). */
function implications(packet: Packet): string {
  switch (packet.client.kind) {
    case 'feiqiu': {
      return 'Feiqiu: reads GBK only (lanmsg sends it GBK), no GETINFO answer'
    }

    case 'iptux': {
      return `iptux${packet.client.version ? ` ${packet.client.version}` : ''}: reads UTF-8 and GBK, no GETINFO answer`
    }

    case 'ipmsg': {
      return 'version 1 (IP Messenger or a clone: QIpMsg, libipmsg, lanmsg): UTF-8 only with UTF8OPT (QIpMsg ignores it); GETINFO names the client (--command GETINFO)'
    }

    default: {
      return `version field ${JSON.stringify(packet.version.slice(0, 40))}: a client lanmsg does not know`
    }
  }
}

/** From the target's first IPMsg answer, or (notIpmsg) why what it answered is not IPMsg. */
export function clientCheck(address: string, packet: Packet | undefined, notIpmsg?: string): Check {
  const title = 'Client and version'
  if (packet === undefined && notIpmsg !== undefined)
    return check(
      'client',
      address,
      title,
      'fail',
      `answered with something that is not IPMsg (${notIpmsg}): IP Messenger for Windows drops it as well`,
      'the program on that port is not an IPMsg client, or it sends a version field other than 1: configure it to send 1',
    )
  if (packet === undefined) return check('client', address, title, 'unknown', 'no IPMsg answer: cannot tell')
  return check(
    'client',
    address,
    title,
    'ok',
    `${implications(packet)} (user ${JSON.stringify(packet.user.slice(0, 40))})`,
  )
}

export function tcpCheck(address: string, port: number, result: TcpProbeResult | undefined): Check {
  const title = `TCP ${port} (file transfer)`
  if (result === undefined) return check('tcp', address, title, 'unknown', 'not probed')
  switch (result.outcome) {
    case 'open': {
      return check('tcp', address, title, 'ok', `accepts connections (${result.ms} ms): files can be fetched`)
    }

    case 'refused': {
      return check(
        'tcp',
        address,
        title,
        'fail',
        'connection refused: nothing accepts TCP there, so file transfers fail while messages work',
        `allow TCP ${port} in on that host, or enable file transfer in its client`,
      )
    }

    case 'timeout': {
      return check(
        'tcp',
        address,
        title,
        'fail',
        `no answer to a connection in ${Math.round(result.ms / 1000)} s: a firewall drops TCP ${port}, so file transfers fail`,
        `allow TCP ${port} in on that host and on the way`,
      )
    }

    case 'unreachable': {
      return check('tcp', address, title, 'fail', `host unreachable (${result.code})`, 'check the route to it (ping)')
    }

    default: {
      return check('tcp', address, title, 'unknown', `the connection failed with ${result.code ?? 'an error'}`)
    }
  }
}

export interface MtuOutcome {
  bytes: number
  delivered: boolean
  attempts: number
}

export function mtuCheck(address: string, outcome: MtuOutcome | undefined, udp: UdpOutcome | undefined): Check {
  const title = 'A datagram larger than the MTU'
  if (outcome === undefined)
    return check(
      'mtu',
      address,
      title,
      'unknown',
      'not tested: the test is a message the peer shows',
      'run with --mtu to send it a 3000-byte message that asks for a receipt',
    )
  if (outcome.delivered)
    return check('mtu', address, title, 'ok', `a ${outcome.bytes}-byte message (IP fragments) was acknowledged`)
  if (!udp?.delivered)
    return check(
      'mtu',
      address,
      title,
      'unknown',
      `no receipt for a ${outcome.bytes}-byte message, but no answer to small packets either`,
    )
  return check(
    'mtu',
    address,
    title,
    'fail',
    `it answers small packets, but ${outcome.attempts} sends of a ${outcome.bytes}-byte message got no receipt: IP fragments are dropped`,
    'a firewall or tunnel drops fragments: allow them (or lower the MTU consistently); keep messages under ~1400 bytes meanwhile',
  )
}
