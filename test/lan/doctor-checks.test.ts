// The judgements of doctor's checks, from facts passed in: what is ✓, ✗ and ? (the netns tests plant the faults).
import {expect} from 'chai'

import {
  interfacesCheck,
  localSubnets,
  packetNumberCheck,
  subnetOf,
  udpPortCheck,
} from '../../src/lan/doctor/host-checks.js'
import {broadcastRepliesCheck, echoCheck} from '../../src/lan/doctor/lan-checks.js'
import {clientCheck, mtuCheck, subnetCheck, udpCheck} from '../../src/lan/doctor/target-checks.js'
import {decode} from '../../src/protocol/decode.js'
import {ASCII_MARKS, marksFor, renderDoctorReport, UNICODE_MARKS} from '../../src/ui/doctor-report.js'

const itf = (address: string, netmask = '255.255.255.0', internal = false) =>
  ({address, netmask, family: 'IPv4', internal, mac: '00:00:00:00:00:00', cidr: null}) as const

function packet(text: string) {
  const result = decode(Buffer.from(text))
  if (!result.ok) throw new Error(result.error)
  return result.packet
}

describe('lan/doctor checks', () => {
  it('interfaces: ✓ one card; ✗ two cards on one subnet; ? a virtual one; ✗ none with a broadcast address', () => {
    expect(
      interfacesCheck(localSubnets({eth0: [itf('10.1.0.5')], lo: [itf('127.0.0.1', '255.0.0.0', true)]})),
    ).to.include({
      status: 'ok',
      detail: 'eth0 10.1.0.5/24 -> 10.1.0.255',
    })
    const twice = interfacesCheck(localSubnets({eth0: [itf('10.1.0.5')], wlan0: [itf('10.1.0.9')]}))
    expect(twice.status).to.equal('fail')
    expect(twice.detail).to.include('eth0 and wlan0 are both on 10.1.0.0/24')
    const docker = interfacesCheck(localSubnets({eth0: [itf('10.1.0.5')], docker0: [itf('172.17.0.1', '255.255.0.0')]}))
    expect(docker.status).to.equal('unknown')
    expect(docker.advice).to.include('--interface eth0')
    expect(interfacesCheck(localSubnets({eth0: [itf('10.1.0.5', '255.255.255.255')]})).status).to.equal('fail')
  })

  it('a TARGET on a local subnet or not (the /16 of a card counts)', () => {
    const subnets = localSubnets({eth0: [itf('10.1.0.5', '255.255.0.0')]})
    expect(subnetCheck('10.1.200.7', subnetOf('10.1.200.7', subnets), 2425).status).to.equal('ok')
    const far = subnetCheck('10.2.0.7', subnetOf('10.2.0.7', subnets), 2425)
    expect(far.status).to.equal('fail')
    expect(far.advice).to.include('announce --to 10.2.0.7')
  })

  it('UDP 2425: ✓ free, ? shared with a client here, ✗ held without sharing, ? when the system does not say', () => {
    const iptux = [{address: '0.0.0.0', port: 2425, inode: 1, pid: 42, program: 'iptux'}]
    expect(udpPortCheck(2425, [], true).status).to.equal('ok')
    expect(udpPortCheck(2425, iptux, true)).to.include({status: 'unknown'})
    expect(udpPortCheck(2425, iptux, false).detail).to.include('iptux (pid 42) without sharing')
    expect(udpPortCheck(2425, iptux, false).status).to.equal('fail')
    expect(udpPortCheck(2425, undefined, true).status).to.equal('unknown')
  })

  it('packet numbers: ✓ at the clock, ✗ an hour ahead of it, ✗ a clock before 2001', () => {
    const now = Date.UTC(2026, 11, 1, 18, 0, 0)
    const clock = now / 1000
    expect(packetNumberCheck(clock + 5, now).status).to.equal('ok')
    expect(packetNumberCheck(clock + 3601, now).status).to.equal('fail')
    expect(packetNumberCheck(100, 100_000).status).to.equal('fail')
  })

  it('echo and the broadcast/unicast comparison: ✗ only for a peer heard by unicast alone', () => {
    expect(echoCheck(0, ['10.1.0.255']).status).to.equal('fail')
    expect(echoCheck(2, ['10.1.0.255']).status).to.equal('ok')
    const firewall = broadcastRepliesCheck(['10.1.0.7'], ['10.1.0.7', '10.1.0.8'], ['10.1.0.0/24'])
    expect(firewall.status).to.equal('fail')
    expect(firewall.detail).to.include('1 of 2 peers').and.include('10.1.0.8')
    expect(broadcastRepliesCheck(['10.1.0.7', '10.1.0.9'], ['10.1.0.7'], ['10.1.0.0/24']).status).to.equal('ok')
    expect(broadcastRepliesCheck([], [], ['10.1.0.0/24']).status).to.equal('unknown')
    expect(broadcastRepliesCheck(['10.1.0.7'], [], []).status).to.equal('unknown')
  })

  it('UDP outcome and the MTU probe: ✗ unreachable or silent; the MTU ✗ only when small packets are answered', () => {
    const answered = {delivered: true, unreachable: false, attempts: 1, rttMs: 12}
    const silent = {delivered: false, unreachable: false, attempts: 3, rttMs: null}
    expect(udpCheck('10.1.0.7', 2425, answered).status).to.equal('ok')
    expect(udpCheck('10.1.0.7', 2425, {...silent, unreachable: true}).detail).to.include('ICMP port unreachable')
    expect(udpCheck('10.1.0.7', 2425, silent).detail).to.include('silence')
    expect(mtuCheck('10.1.0.7', {bytes: 2947, delivered: false, attempts: 3}, answered).status).to.equal('fail')
    expect(mtuCheck('10.1.0.7', {bytes: 2947, delivered: false, attempts: 3}, silent).status).to.equal('unknown')
    expect(mtuCheck('10.1.0.7', undefined, answered)).to.include({status: 'unknown'})
  })

  it('the client from its version field: Feiqiu reads GBK; a version that is not 1 is ✗ (Windows drops it)', () => {
    const feiq = clientCheck(
      '10.1.0.7',
      packet('1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9:2:feiq-h1:feiqhost1:3:feiq-h1\0'),
    )
    expect(feiq.status).to.equal('ok')
    expect(feiq.detail).to.include('GBK')
    const two = decode(Buffer.from('2:5:u:h:3:nick\0\0'))
    expect(two.ok).to.equal(false)
    const refused = clientCheck('10.1.0.7', undefined, two.ok ? undefined : two.error)
    expect(refused.status).to.equal('fail')
    expect(refused.detail).to.include('version "2" is not 1').and.include('IP Messenger for Windows drops')
    expect(clientCheck('10.1.0.7', undefined).status).to.equal('unknown')
  })

  it('the checklist: ASCII marks outside a UTF-8 terminal, network text escaped, advice only for what failed', () => {
    expect(marksFor({isTTY: true}, {TERM: 'xterm', LANG: 'en_US.UTF-8'})).to.equal(UNICODE_MARKS)
    expect(marksFor({isTTY: false}, {TERM: 'xterm', LANG: 'en_US.UTF-8'})).to.equal(ASCII_MARKS)
    expect(marksFor({isTTY: true}, {TERM: 'xterm', LANG: 'C'})).to.equal(ASCII_MARKS)
    const hostile = clientCheck('10.1.0.7', packet('1:5:evil\u001B[2J:h:3:nick\0\0'))
    const text = renderDoctorReport(
      {checks: [hostile, echoCheck(0, ['10.1.0.255'])], ok: 1, failed: 1, unknown: 0},
      {wide: true},
    )
    expect(text).to.not.include('\u001B')
    expect(text).to.include('What to do:\nFAIL this host, Our broadcast heard back:')
    const advice = text.slice(text.indexOf('What to do:')).split('\n\n')[0].split('\n').slice(1)
    expect(advice).to.have.length(1)
    expect(text).to.match(/1 ok, 1 failed, 0 could not tell\.$/)
  })
})
