import {expect} from 'chai'

import type {Target} from '../../src/net/targets.js'

import {type Delivery, DeliveryTracker} from '../../src/lan/delivery-tracker.js'

const t0 = 1_700_000_000_000
const target = (address: string): Target => ({address, kind: 'unicast', port: 2425}) as Target

function delivery(address: string): Delivery {
  const d = {target: target(address), round: 0, packetNo: 7, charset: 'utf8', lossy: false, delivered: false}
  return {...d, attempts: 1, rttMs: null, unreachable: false, cannotAnswer: false}
}

function tracker(addresses: string[], retries = 2, intervalMs = 1000) {
  return new DeliveryTracker(addresses.map(delivery), {startedAt: t0, retries, intervalMs})
}

describe('DeliveryTracker', () => {
  it('resends once an interval after the send, then each interval, up to the retries', () => {
    const t = tracker(['10.0.0.1'])
    expect(t.nextResendAt(t0 + 5000)).to.equal(t0 + 1000)
    expect(t.resend(t0 + 999).deliveries).to.have.length(0)
    expect(t.resend(t0 + 1000)).to.deep.include({attempt: 2})
    expect(t.deliveries[0].attempts).to.equal(2)
    expect(t.nextResendAt(t0 + 5000)).to.equal(t0 + 2000)
    expect(t.resend(t0 + 2000).attempt).to.equal(3)
    expect(t.nextResendAt(t0 + 5000)).to.equal(undefined)
    expect(t.resend(t0 + 3000).deliveries).to.have.length(0)
    expect(t.deliveries[0].attempts).to.equal(3)
  })

  it('gives the last resend its interval to be answered in', () => {
    expect(tracker(['10.0.0.1'], 2, 1000).retryUntil).to.equal(t0 + 3000)
    expect(tracker([], 2, 1000).retryUntil).to.equal(0)
  })

  it('does not resend when the window ends before the resend is due', () => {
    expect(tracker(['10.0.0.1']).nextResendAt(t0 + 1000)).to.equal(undefined)
    expect(tracker(['10.0.0.1']).nextResendAt(t0 + 1001)).to.equal(t0 + 1000)
  })

  it('resends only to the targets that have not answered', () => {
    const t = tracker(['10.0.0.1', '10.0.0.2'])
    t.acknowledged('10.0.0.1', 12)
    expect(t.deliveries[0]).to.deep.include({delivered: true, rttMs: 12})
    const {deliveries} = t.resend(t0 + 1000)
    expect(deliveries.map((d) => d.target.address)).to.deep.equal(['10.0.0.2'])
    expect(t.deliveries[0].attempts).to.equal(1)
  })

  it('keeps the first acknowledgement and ignores other addresses', () => {
    const t = tracker(['10.0.0.1'])
    t.acknowledged('10.0.0.9', 5)
    expect(t.deliveries[0].delivered).to.equal(false)
    t.acknowledged('10.0.0.1', 20)
    t.acknowledged('10.0.0.1', 30)
    expect(t.deliveries[0].rttMs).to.equal(20)
  })

  it('says all-delivered when every target answered', () => {
    const t = tracker(['10.0.0.1', '10.0.0.2'])
    expect(t.outcome()).to.equal(null)
    t.acknowledged('10.0.0.1', 1)
    expect(t.outcome()).to.equal(null)
    t.acknowledged('10.0.0.2', 1)
    expect(t.outcome()).to.equal('all-delivered')
    expect(t.nextResendAt(t0 + 5000)).to.equal(undefined)
  })

  it('says all-settled when the rest are unreachable or cannot answer, and stops resending to them', () => {
    const t = tracker(['10.0.0.1', '10.0.0.2', '10.0.0.3'])
    t.acknowledged('10.0.0.1', 1)
    t.unreachable((x) => x.address === '10.0.0.2')
    expect(t.deliveries[1].unreachable).to.equal(true)
    t.cannotAnswer('10.0.0.3')
    expect(t.deliveries[2].cannotAnswer).to.equal(true)
    expect(t.outcome()).to.equal('all-settled')
    expect(t.resend(t0 + 1000).deliveries).to.have.length(0)
  })

  it('does not mark a delivered target unreachable', () => {
    const t = tracker(['10.0.0.1'])
    t.acknowledged('10.0.0.1', 1)
    t.unreachable(() => true)
    expect(t.deliveries[0].unreachable).to.equal(false)
  })

  it('has no outcome without deliveries (nothing asked for an answer)', () => {
    expect(tracker([]).outcome()).to.equal(null)
    expect(tracker([]).nextResendAt(t0 + 5000)).to.equal(undefined)
  })
})
