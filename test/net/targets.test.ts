import type {NetworkInterfaceInfo} from 'node:os'

import {expect} from 'chai'

import {NetError} from '../../src/net/net-error.js'
import {broadcastTargets, type NetworkInterfaces, parseTargetSpec, resolveTarget} from '../../src/net/targets.js'
import {UsageError} from '../../src/net/usage-error.js'

function v4(address: string, netmask: string, internal = false): NetworkInterfaceInfo {
  return {address, netmask, family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: null}
}

function v6(address: string): NetworkInterfaceInfo {
  return {
    address,
    netmask: 'ffff:ffff:ffff:ffff::',
    family: 'IPv6',
    mac: '00:00:00:00:00:00',
    internal: false,
    cidr: null,
    scopeid: 0,
  }
}

const FAKE: NetworkInterfaces = {
  lo: [v4('127.0.0.1', '255.0.0.0', true), {...v6('::1'), internal: true}],
  eth0: [v4('192.168.1.20', '255.255.255.0'), v6('fe80::1')],
  eth1: [v4('172.16.5.4', '255.255.0.0'), v4('172.16.9.9', '255.255.0.0')],
  p2p: [v4('10.9.0.1', '255.255.255.252')],
  ptp31: [v4('10.8.0.0', '255.255.255.254')],
  tun0: [v4('10.7.0.5', '255.255.255.255')],
  wg6: [v6('fd00::1')],
}

function expectUsageError(fn: () => unknown, pattern: RegExp): UsageError {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }

  expect(caught).to.be.instanceOf(UsageError)
  const error = caught as UsageError
  expect(error.message).to.match(pattern)
  return error
}

describe('net/targets', () => {
  describe('broadcastTargets', () => {
    it('takes the directed broadcast of every external IPv4 address up to /30, deduplicated', () => {
      expect(broadcastTargets(FAKE, {port: 2425})).to.deep.equal([
        {address: '192.168.1.255', port: 2425, interface: 'eth0', kind: 'broadcast'},
        {address: '172.16.255.255', port: 2425, interface: 'eth1', kind: 'broadcast'},
        {address: '10.9.0.3', port: 2425, interface: 'p2p', kind: 'broadcast'},
      ])
    })

    it('limits to the named interfaces', () => {
      expect(broadcastTargets(FAKE, {port: 9, only: ['eth1']}).map((t) => t.address)).to.deep.equal(['172.16.255.255'])
      expect(broadcastTargets(FAKE, {port: 9, only: ['p2p', 'eth0', 'p2p']}).map((t) => t.interface)).to.deep.equal([
        'p2p',
        'eth0',
      ])
    })

    it('includes an internal interface only when named', () => {
      expect(broadcastTargets(FAKE, {port: 9, only: ['lo']})).to.deep.equal([
        {address: '127.255.255.255', port: 9, interface: 'lo', kind: 'broadcast'},
      ])
    })

    it('lists the available interfaces when a name is unknown', () => {
      const error = expectUsageError(
        () => broadcastTargets(FAKE, {port: 2425, only: ['eth9']}),
        /--interface eth9: no such network interface.*available: lo, eth0, eth1, p2p, ptp31, tun0, wg6/,
      )
      expect(error.code).to.equal('EUNKNOWNINTERFACE')
    })

    it('says so when a named interface has no broadcast address', () => {
      for (const name of ['ptp31', 'tun0', 'wg6']) {
        expectUsageError(
          () => broadcastTargets(FAKE, {port: 2425, only: [name]}),
          /has no IPv4 address with a broadcast/,
        )
      }
    })

    it('returns nothing for a machine without external IPv4 networks', () => {
      expect(broadcastTargets({lo: FAKE.lo, tun0: FAKE.tun0}, {port: 2425})).to.deep.equal([])
    })
  })

  describe('parseTargetSpec', () => {
    it('turns an address into a unicast, limited or known broadcast target', () => {
      expect(parseTargetSpec('10.1.2.3', 2425, FAKE)).to.deep.equal({address: '10.1.2.3', port: 2425, kind: 'unicast'})
      expect(parseTargetSpec('255.255.255.255', 2425, FAKE)).to.deep.equal({
        address: '255.255.255.255',
        port: 2425,
        kind: 'limited',
      })
      expect(parseTargetSpec(' 192.168.1.255 ', 2425, FAKE)).to.deep.equal({
        address: '192.168.1.255',
        port: 2425,
        interface: 'eth0',
        kind: 'broadcast',
      })
    })

    it('turns a CIDR into its broadcast address', () => {
      expect(parseTargetSpec('10.0.0.0/24', 2425, FAKE)).to.deep.equal({
        address: '10.0.0.255',
        port: 2425,
        kind: 'unicast',
      })
      expect(parseTargetSpec('192.168.1.0/24', 2425, FAKE)).to.include({address: '192.168.1.255', kind: 'broadcast'})
    })

    it('refuses /31 and /32 networks', () => {
      expectUsageError(
        () => parseTargetSpec('10.0.0.0/31', 2425, FAKE),
        /--to 10\.0\.0\.0\/31: a \/31 network has no broadcast/,
      )
      expectUsageError(() => parseTargetSpec('10.0.0.1/32', 2425, FAKE), /a \/32 network has no broadcast/)
    })

    it('refuses mistyped addresses with an example instead of resolving them', () => {
      for (const spec of [
        '300.1.1.1',
        '127.1',
        '012.1.2.3',
        '999.1.1.1',
        '10.0.0',
        '10.0.0.0/33',
        '10.0.0.0/abc',
        '1.2.3.4.',
      ]) {
        expectUsageError(
          () => parseTargetSpec(spec, 2425, FAKE),
          /not a valid IPv4 address or CIDR \(e\.g\. 192\.168\.1\.255/,
        )
      }

      expect(() => parseTargetSpec('300.1.1.1', 2425, FAKE)).to.throw(
        '--to 300.1.1.1: not a valid IPv4 address or CIDR (e.g. 192.168.1.255 or 192.168.1.0/24)',
      )
    })

    it('refuses IPv6, host:port, 0.0.0.0, multicast and garbage', () => {
      expectUsageError(() => parseTargetSpec('::1', 2425, FAKE), /IPv6 is not supported/)
      expectUsageError(() => parseTargetSpec('host:2425', 2425, FAKE), /the port is set with --port/)
      expectUsageError(() => parseTargetSpec('0.0.0.0', 2425, FAKE), /0\.0\.0\.0 is not a destination/)
      expectUsageError(() => parseTargetSpec('224.0.0.1', 2425, FAKE), /multicast/)
      expectUsageError(() => parseTargetSpec('bad name!', 2425, FAKE), /host name/)
      expectUsageError(() => parseTargetSpec('', 2425, FAKE), /not a valid/)
    })

    it('hands host names back for resolving', () => {
      expect(parseTargetSpec('printer-2.office.lan', 2425, FAKE)).to.deep.equal({name: 'printer-2.office.lan'})
      expect(parseTargetSpec('localhost', 2425, FAKE)).to.deep.equal({name: 'localhost'})
    })
  })

  describe('resolveTarget', () => {
    it('asks for IPv4 only and returns a unicast target', async () => {
      const asked: unknown[] = []
      const target = await resolveTarget('peer.lan', 2425, async (name, options) => {
        asked.push([name, options])
        return {address: '192.168.1.7', family: 4}
      })
      expect(asked).to.deep.equal([['peer.lan', {family: 4}]])
      expect(target).to.deep.equal({address: '192.168.1.7', port: 2425, kind: 'unicast'})
    })

    it("resolves with the system's resolver when given no lookup (dns loaded on demand)", async () => {
      expect(await resolveTarget('localhost', 2425)).to.deep.equal({address: '127.0.0.1', port: 2425, kind: 'unicast'})
    })

    it('turns a failed lookup into a NetError', async () => {
      const failing = async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nosuch.lan'), {code: 'ENOTFOUND'})
      }

      const error = await resolveTarget('nosuch.lan', 2425, failing).catch((error_: unknown) => error_)
      expect(error).to.be.instanceOf(NetError)
      expect((error as NetError).message).to.match(/host name nosuch\.lan could not be resolved/)
      expect((error as NetError).code).to.equal('ENOTFOUND')
    })
  })
})
