// Simulated LAN: a unicast message with receipts (`announce "ping" --to HOST`). A responder acknowledges it at
// and the sending stops; without one, the same packet is resent every second and the run ends with exit code 6.
import {expect} from 'chai'

import {NetnsProcess, type SimulatedLan, useSimulatedLan} from '../support/netns.js'

type Json = any

const NOT_DELIVERED = 6
const RETRIES = 3

describe('simulated LAN: unicast with receipts', function () {
  this.timeout(60_000)
  let lan: SimulatedLan
  useSimulatedLan(this, {hosts: 2, start: (built) => (lan = built)})
  // A failed assertion must not leave a listener on host 2 that answers in the next test.
  let started: NetnsProcess[] = []
  const track = (p: NetnsProcess) => {
    started.push(p)
    return p
  }

  afterEach(async () => {
    for (const p of started) {
      p.kill('SIGKILL')
      await p.wait(10_000)
    }

    started = []
  })

  it('a responder on host 2 acknowledges: delivered, no resend after the receipt, exit 0', async () => {
    const [me, peer] = lan.hosts
    const responder = track(lan.cli(peer, ['listen', '--respond', '--ndjson', '--user', 'bob', '--duration', '60s']))
    await responder.waitBound(2425, 30_000)
    const run = await lan
      .cli(me, ['announce', 'ping', '--to', peer.address, '--json', '--wait', '3s', '--retries', String(RETRIES)])
      .wait(30_000)
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(doc.targets).to.deep.equal([{address: peer.address, port: 2425, interface: null, kind: 'unicast'}])
    expect(doc.deliveries).to.have.length(1)
    const [delivery] = doc.deliveries
    expect(delivery).to.include({address: peer.address, packetNo: doc.sent.packetNo, delivered: true})
    expect(delivery.rttMs).to.be.a('number')
    // Normally the first copy is answered within milliseconds; a busy machine may need a resend. Either way the
    // sending stops at the receipt, well before the retries run out.
    expect(delivery.attempts).to.be.within(1, RETRIES)
    const ack = doc.replies.find((r: Json) => r.acknowledges)
    expect(ack.from).to.deep.equal({address: peer.address, port: 2425})
    expect(ack.packet).to.include({mode: 'RECVMSG', user: 'bob', acknowledges: doc.sent.packetNo})

    const isPing = (d: Json) => d.packet?.mode === 'SENDMSG' && d.packet.packetNo === doc.sent.packetNo
    await responder.waitForRecords(isPing, delivery.attempts, 5000)
    responder.kill('SIGINT')
    const stopped = await responder.wait(10_000)
    expect(stopped.code, responder.describe()).to.equal(0)
    // The announce has ended, so it sent nothing after these: exactly as many copies as attempts.
    const copies = responder.records().filter(isPing)
    expect(copies, responder.describe()).to.have.length(delivery.attempts)
    for (const copy of copies) {
      expect(copy.from).to.deep.equal({address: me.address, port: 2425})
      expect(copy.packet).to.include({text: 'ping'})
    }
  })

  it('nothing listens on host 2: its ICMP port unreachable is said at once, no resends, not delivered, exit 6', async () => {
    const [me, peer] = lan.hosts
    const run = await lan
      .cli(me, ['announce', 'ping', '--to', peer.address, '--retries', '2', '--wait', '500ms', '--json'])
      .wait(30_000)
    expect(run.code, run.stderr).to.equal(NOT_DELIVERED)
    const doc = JSON.parse(run.stdout)
    expect(doc.deliveries).to.deep.equal([
      {
        address: peer.address,
        port: 2425,
        round: 0,
        packetNo: doc.sent.packetNo,
        charset: 'utf-8',
        lossy: false,
        delivered: false,
        attempts: 1,
        rttMs: null,
        unreachable: true,
        cannotAnswer: false,
      },
    ])
    expect(doc.replies).to.deep.equal([]) // the ICMP port unreachables are no replies (and no errors)
    expect(doc.sendErrors).to.deep.equal([])
    expect(doc.waited.reason).to.equal('all-settled') // it did not sit out the retries
  })

  it('a plain listener (no --respond) on host 2 counts exactly 3 copies of the same packet', async () => {
    const [me, peer] = lan.hosts
    const counter = track(lan.cli(peer, ['listen', '--ndjson', '--duration', '60s']))
    await counter.waitBound(2425, 30_000)
    const run = await lan
      .cli(me, ['announce', 'ping', '--to', peer.address, '--retries', '2', '--wait', '500ms', '--json'])
      .wait(30_000)
    expect(run.code, run.stderr).to.equal(NOT_DELIVERED)
    const {packetNo} = JSON.parse(run.stdout).sent
    // The announce has ended, so every copy it sent is already on its way: stop and count.
    await counter.waitForRecords((d: Json) => d.packet?.packetNo === packetNo, 3, 5000)
    counter.kill('SIGINT')
    const stopped = await counter.wait(10_000)
    expect(stopped.code, counter.describe()).to.equal(0)
    // Entered before the message and left after it (its own test is in announce-message).
    expect(counter.records().map((d: Json) => d.packet.mode)).to.deep.equal([
      'BR_ENTRY',
      'SENDMSG',
      'SENDMSG',
      'SENDMSG',
      'BR_EXIT',
    ])
    const copies = counter.records().filter((d: Json) => d.packet.mode === 'SENDMSG')
    expect(copies, counter.describe()).to.have.length(3)
    for (const copy of copies) {
      expect(copy.from).to.deep.equal({address: me.address, port: 2425})
      expect(copy.packet).to.include({mode: 'SENDMSG', text: 'ping', packetNo})
      expect(copy.raw).to.equal(copies[0].raw) // the very same bytes each time (§3.6)
    }

    // Resent about once a second.
    const times = copies.map((c: Json) => Date.parse(c.receivedAt))
    expect(times[1] - times[0]).to.be.within(500, 3000)
    expect(times[2] - times[1]).to.be.within(500, 3000)
  })
})
