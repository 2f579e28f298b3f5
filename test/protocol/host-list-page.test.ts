import {expect} from 'chai'

import type {ListedHostInput} from '../../src/protocol/index.js'

import {decode, encode, hostListPage, MAX_PACKET_NO, MODES} from '../../src/protocol/index.js'

const packet = {user: 'lan', host: 'box', command: MODES.ANSLIST}

function hosts(n: number, nickname = 'Peer'): ListedHostInput[] {
  return Array.from({length: n}, (_, i) => ({
    user: `user${i}`,
    host: `host${i}`,
    status: 0x100,
    address: `10.0.${i >> 8}.${i & 0xff}`,
    port: 2425,
    nickname: `${nickname} ${i}`,
    group: 'Ops',
  }))
}

/** Every page as a client reads it, following `next` until 0. */
function pages(list: ListedHostInput[], options = {}) {
  const out = []
  let start = 0
  for (let i = 0; i < 1000; i++) {
    const page = hostListPage(packet, list, start, options)
    const {bytes} = encode({...packet, packetNo: MAX_PACKET_NO, hostList: page}, options)
    out.push({page, bytes})
    if (page.next === 0) return out
    expect(page.next).to.be.greaterThan(start)
    start = page.next
  }

  throw new Error('never ended')
}

describe('hostListPage (ANSLIST paging)', () => {
  it('puts a short list on one page that ends it (next 0)', () => {
    const page = hostListPage(packet, hosts(3), 0)
    expect(page).to.deep.equal({next: 0, hosts: hosts(3), skipped: 0})
  })

  it('splits a long list into pages that each fit the datagram limit, and loses or repeats no host', () => {
    const list = hosts(500)
    for (const maxBytes of [8191, 1400, 300]) {
      const all = pages(list, {maxBytes})
      expect(all.length, `pages at ${maxBytes} bytes`).to.be.greaterThan(1)
      for (const {bytes} of all) expect(bytes.length).to.be.at.most(maxBytes)
      const read = all.flatMap(({bytes}) => {
        const result = decode(bytes)
        if (!result.ok) throw new Error(result.error)
        return result.packet.hostList!.hosts.map((h) => h.user)
      })
      expect(read).to.deep.equal(list.map((h) => h.user))
      // Every page but the last is full: the next host would not have fitted.
      for (const {bytes, page} of all.slice(0, -1)) {
        const more = [...page.hosts, list[page.next]]
        expect(
          bytes.length +
            (encode({...packet, packetNo: MAX_PACKET_NO, hostList: {next: page.next, hosts: more}}, {maxBytes: 1e6})
              .bytes.length -
              bytes.length),
        ).to.be.greaterThan(maxBytes)
      }
    }
  })

  it('respects the UTF-8 limit of a legacy charset (GBK text grows by half on the way)', () => {
    const list = hosts(300, '小王小王小王')
    const all = pages(list, {charset: 'gbk', maxBytes: 8191, maxUtf8Bytes: 2000})
    expect(all.length).to.be.greaterThan(1)
    for (const {bytes} of all) expect(Buffer.from(new TextDecoder('gbk').decode(bytes)).length).to.be.at.most(2000)
  })

  it(String.raw`passes over a host that cannot be written (a \a from the network) or never fits, and goes on`, () => {
    const list = hosts(4)
    list[1] = {...list[1], nickname: 'evil\u0007name'}
    list[2] = {...list[2], nickname: 'x'.repeat(9000)}
    const page = hostListPage(packet, list, 0)
    expect(page.hosts.map((h) => h.user)).to.deep.equal(['user0', 'user3'])
    expect(page).to.include({next: 0, skipped: 2})
  })

  it('answers a start beyond the list (or not a number) without throwing', () => {
    expect(hostListPage(packet, hosts(2), 99)).to.deep.equal({next: 0, hosts: [], skipped: 0})
    expect(hostListPage(packet, hosts(2), Number.NaN).hosts).to.have.length(2)
  })
})
