import {expect} from 'chai'

import type {HostList} from '../../src/protocol/types.js'

import {HostListFetch} from '../../src/lan/host-list-fetch.js'
import {MODES} from '../../src/protocol/constants.js'
import {makePacket} from './packet-factory.js'

const server = {address: '10.2.0.5', port: 2425}
const via = {via: 'hub.example', ...server}

function host(i: number) {
  const address = `10.2.${i >> 8}.${i & 0xff}`
  return {
    user: `u${i}`,
    host: `h${i}`,
    status: 0,
    options: [],
    address,
    port: 2425,
    portAsSent: 31_049,
    nickname: '',
    group: '',
  }
}

function page(next: number, from: number, count: number, extra: Partial<HostList> = {}) {
  const hosts = Array.from({length: count}, (_, i) => host(from + i))
  return makePacket(MODES.ANSLIST, {hostList: {next, count, hosts, ...extra}})
}

describe('lan/host-list-fetch', () => {
  it('asks from index 0 and follows every page until next is 0', () => {
    const fetch = new HostListFetch(via)
    expect(fetch.step(0)).to.deep.equal({send: 0})
    expect(fetch.step(10)).to.deep.equal({waitUntil: 1000})
    expect(fetch.receive(page(3, 0, 3), server)).to.equal(true)
    expect(fetch.step(20)).to.deep.equal({send: 3})
    expect(fetch.receive(page(0, 3, 2), server)).to.equal(true)
    expect(fetch.step(30)).to.deep.equal({done: true})
    const report = fetch.result()
    expect(report).to.include({outcome: 'complete', pages: 2, requests: 2, ignored: 0, dropped: 0})
    expect(report.hosts.map((h) => h.user)).to.deep.equal(['u0', 'u1', 'u2', 'u3', 'u4'])
  })

  it('resends a page that is not answered in time, then gives up (no-answer, or timeout after some pages)', () => {
    const silent = new HostListFetch(via, {pageTimeoutMs: 1000, resends: 2})
    const sends = []
    for (let t = 0; t <= 5000; t += 100) {
      const step = silent.step(t)
      if ('send' in step) sends.push(t)
    }

    expect(sends).to.deep.equal([0, 1000, 2000])
    expect(silent.result()).to.include({outcome: 'no-answer', requests: 3, pages: 0})
    const halfway = new HostListFetch(via, {resends: 0})
    halfway.step(0)
    halfway.receive(page(2, 0, 2), server)
    expect(halfway.step(1)).to.deep.equal({send: 2})
    expect(halfway.step(5000)).to.deep.equal({done: true})
    expect(halfway.result()).to.include({outcome: 'timeout', pages: 1})
    expect(halfway.result().hosts).to.have.length(2)
  })

  it('stops a server that never ends at the page cap', () => {
    const fetch = new HostListFetch(via, {maxPages: 10})
    let pages = 0
    for (let t = 0; t < 1000 && !fetch.done; t++) {
      const step = fetch.step(t)
      if ('send' in step) fetch.receive(page(step.send + 1, step.send, 1), server) && pages++
    }

    expect(pages).to.equal(10)
    expect(fetch.result()).to.include({outcome: 'page-cap', pages: 10, requests: 10})
  })

  it('keeps at most maxHosts hosts whatever the pages claim, and counts the rest', () => {
    const fetch = new HostListFetch(via, {maxHosts: 50})
    fetch.step(0)
    fetch.receive(page(40, 0, 40, {count: 99_999}), server)
    fetch.step(1)
    fetch.receive(page(80, 40, 40), server)
    expect(fetch.done).to.equal(true)
    expect(fetch.result()).to.include({outcome: 'host-cap', dropped: 30})
    expect(fetch.result().hosts).to.have.length(50)
  })

  it('ignores pages that do not move forward, from anyone else, or before it asked; lists a host once', () => {
    const fetch = new HostListFetch(via)
    expect(fetch.receive(page(0, 0, 1), server)).to.equal(false) // nothing asked yet
    fetch.step(0)
    expect(fetch.receive(page(0, 0, 1), {address: '10.9.9.9', port: 2425})).to.equal(false)
    expect(fetch.receive(makePacket(MODES.ANSENTRY), server)).to.equal(false)
    fetch.receive(page(5, 0, 5), server)
    fetch.step(1)
    expect(fetch.receive(page(5, 0, 5), server)).to.equal(true) // the answer to a resend of page 1: stale
    expect(fetch.receive(page(2, 0, 5), server)).to.equal(true) // backwards
    expect(fetch.receive(makePacket(MODES.ANSLIST, {text: 'garbage'}), server)).to.equal(true)
    fetch.receive(page(0, 3, 4), server) // overlaps: 3 and 4 again
    expect(fetch.result()).to.include({outcome: 'complete', pages: 2, ignored: 3})
    expect(fetch.result().hosts.map((h) => h.user)).to.deep.equal(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6'])
  })

  it('keeps what was read when stopped', () => {
    const fetch = new HostListFetch(via)
    fetch.step(0)
    fetch.receive(page(1, 0, 1), server)
    fetch.stop()
    expect(fetch.step(5)).to.deep.equal({done: true})
    expect(fetch.result()).to.include({outcome: 'stopped', pages: 1})
  })
})
