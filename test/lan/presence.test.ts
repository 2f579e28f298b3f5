import {expect} from 'chai'
import v8 from 'node:v8'
import {runInNewContext} from 'node:vm'

import {ABSENCEOPT, CAPUTF8OPT, DIALUPOPT, MODES, SENDCHECKOPT, UTF8OPT} from '../../src/protocol/constants.js'
import {DEFAULT_PRESENCE_CAPACITY, Presence} from '../../src/lan/presence.js'
import {decode} from '../../src/protocol/decode.js'
import {makePacket} from './packet-factory.js'

const {ANSENTRY, BR_ABSENCE, BR_ENTRY, BR_EXIT, NOOPERATION, RECVMSG, SENDMSG} = MODES

describe('lan/presence', () => {
  const t0 = 1_700_000_000_000
  const alice = {address: '192.168.1.20', port: 2425}

  it('adds a peer from its BR_ENTRY as present, with names, client and entry options', () => {
    const presence = new Presence()
    const entry = makePacket(BR_ENTRY | CAPUTF8OPT, {
      version: '1_iptux 0.10.0',
      nickname: 'Alice',
      group: 'Dev',
    })
    const {row, previousStatus} = presence.observe(entry, alice, t0)
    expect(previousStatus).to.equal(undefined)
    expect(row).to.deep.include({
      address: '192.168.1.20',
      port: 2425,
      user: 'alice',
      host: 'PC01',
      nickname: 'Alice',
      group: 'Dev',
      firstSeen: t0,
      lastSeen: t0,
      status: 'present',
      packets: 1,
    })
    expect(row.client).to.deep.equal({kind: 'iptux', name: 'iptux', version: '0.10.0'})
    expect(row.options).to.deep.equal(['CAPUTF8OPT'])
    expect(presence.size).to.equal(1)
  })

  it('takes ABSENCEOPT on BR_ENTRY and ANSENTRY as absent', () => {
    const presence = new Presence()
    expect(presence.observe(makePacket(BR_ENTRY | ABSENCEOPT), alice, t0).row.status).to.equal('absent')
    const bob = {address: '192.168.1.21', port: 2425}
    expect(presence.observe(makePacket(ANSENTRY | ABSENCEOPT, {user: 'bob'}), bob, t0).row.status).to.equal('absent')
    expect(presence.observe(makePacket(ANSENTRY, {user: 'bob'}), bob, t0 + 1).row.status).to.equal('present')
  })

  it('lists iptux present although it sets ABSENCEOPT on every entry packet (it has no absence mode)', () => {
    // iptux 0.8.3's BR_ENTRY as on the wire (§9): 0x101 = BR_ENTRY|ABSENCEOPT, whatever its user does.
    const wire = Buffer.from('1_iptux 0.8.3:1:alice:laptop:257:Alice\u0000Dev\u0000icon-tux.png\u0000utf-8\u0000')
    const decoded = decode(wire)
    if (!decoded.ok) throw new Error(decoded.error)
    const presence = new Presence()
    expect(presence.observe(decoded.packet, alice, t0).row.status).to.equal('present')
    const iptux = {version: '1_iptux 0.8.3', user: 'alice', host: 'laptop'}
    expect(presence.observe(makePacket(ANSENTRY | ABSENCEOPT, iptux), alice, t0 + 1).row.status).to.equal('present')
    expect(presence.observe(makePacket(BR_ABSENCE | ABSENCEOPT, iptux), alice, t0 + 2).row.status).to.equal('present')
    expect(presence.observe(makePacket(SENDMSG, iptux), alice, t0 + 3).row.status).to.equal('present')
    // The same bit from IP Messenger still means away.
    const bob = {address: '192.168.1.21', port: 2425}
    expect(presence.observe(makePacket(BR_ENTRY | ABSENCEOPT, {user: 'bob'}), bob, t0).row.status).to.equal('absent')
  })

  it('follows present → absent → present → exited, updating names on BR_ABSENCE and keeping them on an empty BR_EXIT', () => {
    const presence = new Presence()
    presence.observe(makePacket(BR_ENTRY, {nickname: 'Alice', group: 'Dev'}), alice, t0)

    let update = presence.observe(
      makePacket(BR_ABSENCE | ABSENCEOPT, {nickname: 'Alice (lunch)', group: 'Dev'}),
      alice,
      t0 + 1,
    )
    expect(update.previousStatus).to.equal('present')
    expect(update.row).to.deep.include({status: 'absent', nickname: 'Alice (lunch)', group: 'Dev'})

    update = presence.observe(makePacket(BR_ABSENCE, {nickname: 'Alice', group: 'Ops'}), alice, t0 + 2)
    expect(update.previousStatus).to.equal('absent')
    expect(update.row).to.deep.include({status: 'present', nickname: 'Alice', group: 'Ops'})

    // iptux's BR_EXIT|DIALUPOPT has an empty body (§3.4) and must not overwrite the entry's options.
    update = presence.observe(makePacket(BR_EXIT | DIALUPOPT, {nickname: '', group: ''}), alice, t0 + 3)
    expect(update.previousStatus).to.equal('present')
    expect(update.row).to.deep.include({
      status: 'exited',
      nickname: 'Alice',
      group: 'Ops',
      packets: 4,
      lastSeen: t0 + 3,
    })
    expect(update.row.options).to.deep.equal([])
  })

  it('creates a row from any other packet with the user and host it carries', () => {
    const presence = new Presence()
    const {row, previousStatus} = presence.observe(
      makePacket(SENDMSG | SENDCHECKOPT, {user: 'carol', host: 'LAP'}),
      alice,
      t0,
    )
    expect(previousStatus).to.equal(undefined)
    expect(row).to.deep.include({user: 'carol', host: 'LAP', nickname: '', group: '', status: 'present', packets: 1})
    expect(row.options).to.deep.equal([])
  })

  it('observeChange returns a row only for a new peer or a change of status', () => {
    const presence = new Presence()
    expect(presence.observeChange(makePacket(BR_ENTRY, {user: 'alice', host: 'PC01'}), alice, t0)?.status).to.equal(
      'present',
    )
    expect(presence.observeChange(makePacket(SENDMSG, {user: 'alice', host: 'PC01'}), alice, t0 + 1)).to.equal(
      undefined,
    )
    expect(presence.observeChange(makePacket(BR_EXIT, {user: 'alice', host: 'PC01'}), alice, t0 + 2)?.status).to.equal(
      'exited',
    )
    expect(presence.get(alice.address, alice.port)?.packets).to.equal(3)
  })

  it('keeps two clients sharing one address and port apart by user and host (Windows keys on all four)', () => {
    const presence = new Presence()
    presence.observe(makePacket(BR_ENTRY, {user: 'alice', host: 'PC01', nickname: 'Alice'}), alice, t0)
    presence.observe(makePacket(ANSENTRY, {user: 'wang', host: 'PC02', nickname: '小王'}), alice, t0 + 1)
    expect(presence.rows().map((r) => r.nickname)).to.have.members(['Alice', '小王'])
    // With two rows at the endpoint, a packet with unknown names is a row of its own, not a guess.
    presence.observe(makePacket(SENDMSG, {user: 'carol', host: 'PC03'}), alice, t0 + 2)
    expect(presence.size).to.equal(3)
    // Still three (and more) rows there: no guess either.
    presence.observe(makePacket(SENDMSG, {user: 'dave', host: 'PC04'}), alice, t0 + 3)
    expect(presence.size).to.equal(4)
    // One row at another endpoint: a packet with other names there is that peer's (§5).
    presence.observe(makePacket(BR_ENTRY, {user: 'erin', host: 'PC05'}), {address: '192.168.1.21', port: 2425}, t0)
    presence.observe(makePacket(SENDMSG, {user: 'ERIN?', host: 'PC05?'}), {address: '192.168.1.21', port: 2425}, t0 + 4)
    expect(presence.size).to.equal(5)
    expect(presence.get('192.168.1.21', 2425)).to.include({user: 'erin', packets: 2})
  })

  it('refreshes lastSeen on other packets without touching names or entry options', () => {
    const presence = new Presence()
    presence.observe(makePacket(BR_ENTRY | CAPUTF8OPT, {user: 'alice', host: 'PC01', nickname: 'Alice'}), alice, t0)
    // §5: the same peer's names may arrive in another encoding when UTF8OPT differs.
    const {row} = presence.observe(
      makePacket(SENDMSG | SENDCHECKOPT | UTF8OPT, {user: 'ALICE?', host: 'PC?'}),
      alice,
      t0 + 5000,
    )
    expect(row).to.deep.include({
      user: 'alice',
      host: 'PC01',
      nickname: 'Alice',
      lastSeen: t0 + 5000,
      firstSeen: t0,
      packets: 2,
    })
    expect(row.options).to.deep.equal(['CAPUTF8OPT'])
  })

  it('brings an exited or expired peer back when it sends anything, remembering absence', () => {
    const presence = new Presence()
    presence.observe(makePacket(BR_ENTRY), alice, t0)
    presence.observe(makePacket(BR_EXIT), alice, t0 + 1)
    expect(presence.observe(makePacket(NOOPERATION), alice, t0 + 2).row.status).to.equal('present')

    const bob = {address: '192.168.1.21', port: 2425}
    presence.observe(makePacket(BR_ABSENCE | ABSENCEOPT, {user: 'bob'}), bob, t0)
    presence.expire(t0 + 60_000, 30_000)
    const update = presence.observe(makePacket(RECVMSG, {user: 'bob'}), bob, t0 + 61_000)
    expect(update.previousStatus).to.equal('expired')
    expect(update.row.status).to.equal('absent')
  })

  it('expires present and absent rows not seen for longer than expireAfterMs, keeping them', () => {
    const presence = new Presence()
    const peers = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((address) => ({address, port: 2425}))
    presence.observe(makePacket(BR_ENTRY), peers[0], t0)
    presence.observe(makePacket(BR_ENTRY | ABSENCEOPT), peers[1], t0)
    presence.observe(makePacket(BR_EXIT), peers[2], t0)
    presence.observe(makePacket(BR_ENTRY), peers[3], t0 + 10_000)

    expect(presence.expire(t0 + 30_000, 30_000)).to.deep.equal([]) // exactly expireAfterMs: not yet
    const changed = presence.expire(t0 + 30_001, 30_000)
    expect(changed.map((row) => [row.address, row.status])).to.deep.equal([
      ['10.0.0.1', 'expired'],
      ['10.0.0.2', 'expired'],
    ])
    expect(presence.expire(t0 + 30_002, 30_000)).to.deep.equal([]) // reported once
    expect(presence.rows().map((row) => row.status)).to.deep.equal(['expired', 'expired', 'exited', 'present'])
    expect(presence.size).to.equal(4)
    expect(() => presence.expire(t0, -1)).to.throw(RangeError)
  })

  it('keeps lastSeen from going backwards when observations arrive out of order', () => {
    const presence = new Presence()
    presence.observe(makePacket(BR_ENTRY), alice, t0 + 1000)
    expect(presence.observe(makePacket(SENDMSG), alice, t0).row.lastSeen).to.equal(t0 + 1000)
  })

  it('sorts rows by address numerically, then port, IPv4 before anything else', () => {
    const presence = new Presence()
    const sources = [
      {address: '192.168.1.10', port: 2425},
      {address: '10.0.0.10', port: 2425},
      {address: 'fe80::1', port: 2425},
      {address: '10.0.0.9', port: 2425},
      {address: '9.255.255.255', port: 2425},
      {address: '10.0.0.10', port: 2000},
    ]
    for (const from of sources) presence.observe(makePacket(BR_ENTRY), from, t0)
    expect(presence.rows().map((row) => `${row.address}:${row.port}`)).to.deep.equal([
      '9.255.255.255:2425',
      '10.0.0.9:2425',
      '10.0.0.10:2000',
      '10.0.0.10:2425',
      '192.168.1.10:2425',
      'fe80::1:2425',
    ])
  })

  it('keeps one row per address and port', () => {
    const presence = new Presence()
    presence.observe(makePacket(BR_ENTRY, {user: 'a'}), {address: '10.0.0.1', port: 2425}, t0)
    presence.observe(makePacket(BR_ENTRY, {user: 'b'}), {address: '10.0.0.1', port: 2426}, t0)
    expect(presence.size).to.equal(2)
    expect(presence.get('10.0.0.1', 2426)?.user).to.equal('b')
    expect(presence.get('10.0.0.1', 2427)).to.equal(undefined)
  })

  it('hands out copies, not its own state', () => {
    const presence = new Presence()
    const {row} = presence.observe(makePacket(BR_ENTRY | CAPUTF8OPT), alice, t0)
    row.status = 'exited'
    row.options.push('X')
    row.client.name = 'changed'
    expect(presence.get(alice.address, alice.port)).to.deep.include({status: 'present', options: ['CAPUTF8OPT']})
    expect(presence.rows()[0].client.name).to.equal('IP Messenger')
  })

  it('holds at most capacity rows, dropping the least recently seen and counting it', () => {
    expect(DEFAULT_PRESENCE_CAPACITY).to.equal(10_000)
    const presence = new Presence({capacity: 3})
    const at = (address: string) => ({address, port: 2425})
    presence.observe(makePacket(BR_ENTRY), at('10.0.0.1'), t0)
    presence.observe(makePacket(BR_ENTRY), at('10.0.0.2'), t0 + 1)
    presence.observe(makePacket(BR_ENTRY), at('10.0.0.3'), t0 + 2)
    presence.observe(makePacket(SENDMSG), at('10.0.0.1'), t0 + 3) // 10.0.0.1 is fresh again
    presence.observe(makePacket(BR_ENTRY), at('10.0.0.4'), t0 + 4)
    expect(presence.rows().map((row) => row.address)).to.deep.equal(['10.0.0.1', '10.0.0.3', '10.0.0.4'])
    expect(presence.evictions).to.equal(1)
  })

  it('a full table gives a new peer a row of its own, nothing of the row it replaces', () => {
    const presence = new Presence({capacity: 1})
    const old = {address: '10.0.0.1', port: 2425}
    presence.observe(
      makePacket(BR_ENTRY | ABSENCEOPT | DIALUPOPT, {
        version: '1_lbt6_0#128#001122334455#0#0#0#4001#9',
        nickname: 'Old',
        group: 'G',
      }),
      old,
      t0,
    )
    presence.observe(makePacket(SENDMSG, {text: '你好', charset: 'gb18030'}), old, t0 + 1)
    const evicted = presence.get(old.address, old.port)!
    const fresh = {address: '10.0.0.2', port: 3000}
    const {row, previousStatus} = presence.observe(makePacket(SENDMSG, {user: 'bob', host: 'PC02'}), fresh, t0 + 5)
    expect(previousStatus).to.equal(undefined)
    expect(row).to.deep.equal({
      address: '10.0.0.2',
      port: 3000,
      user: 'bob',
      host: 'PC02',
      nickname: '',
      group: '',
      client: {kind: 'ipmsg', name: 'IP Messenger'},
      firstSeen: t0 + 5,
      lastSeen: t0 + 5,
      status: 'present',
      packets: 1,
      options: [],
      charset: undefined,
    })
    expect(evicted).to.include({nickname: 'Old', status: 'absent', packets: 2, charset: 'gb18030'})
    expect(presence.rows()).to.deep.equal([row])
    expect(presence.evictions).to.equal(1)
  })

  it('record() updates the table as observe() does, without returning a row', () => {
    const observed = new Presence({capacity: 2})
    const recorded = new Presence({capacity: 2})
    const packets = [
      makePacket(BR_ENTRY, {nickname: 'A'}),
      makePacket(SENDMSG, {user: 'x', host: 'y'}), // names that match no row: the endpoint's only row
      makePacket(BR_ABSENCE | ABSENCEOPT),
      makePacket(BR_EXIT),
    ]
    const from = [alice, alice, {address: '10.0.0.7', port: 1}, {address: '10.0.0.8', port: 2}]
    for (const [i, packet] of packets.entries()) {
      observed.observe(packet, from[i], t0 + i)
      expect(recorded.record(packet, from[i], t0 + i)).to.equal(undefined)
      expect(recorded.rows()).to.deep.equal(observed.rows())
    }

    expect(recorded.evictions).to.equal(observed.evictions)
  })

  it('rows keep no string of the packet they came in: a full table of long names holds one copy of each', () => {
    // Every decoded packet brings strings of its own; rows that kept them carried them into the old generation,
    // ~130 bytes a datagram of a flood from new sources (bench: memory). Measured on the heap after full collections.
    v8.setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const used = () => {
      gc()
      gc()
      return v8.getHeapStatistics().used_heap_size
    }

    const rows = 10_000
    const names = ['u', 'h', 'n', 'g'].map((c) => c.repeat(500))
    const copy = (name: string) => Buffer.from(name).toString() // a new string, as each decoded packet has
    const presence = new Presence({capacity: rows})
    const before = used()
    for (let i = 0; i < rows; i++) {
      const [user, host, nickname, group] = names.map((name) => copy(name))
      presence.record(
        makePacket(BR_ENTRY, {user, host, nickname, group}),
        {address: `10.0.${i >> 8}.${i & 255}`, port: 2425},
        t0,
      )
    }

    const grown = used() - before
    expect(presence.size).to.equal(rows)
    // The rows themselves take ~150 bytes each; their own copies of the names would be 4 x 500 bytes more.
    expect(grown, `${grown} bytes for ${rows} rows`).to.be.below(rows * 400)
    expect(presence.get('10.0.39.15', 2425)).to.deep.include({user: names[0], host: names[1], nickname: names[2]})
  })

  it('keeps every kind of address as given (IPv4 rows hold a number)', () => {
    const presence = new Presence()
    const addresses = ['10.0.0.1', '255.255.255.255', '0.0.0.0', 'fe80::1', '::ffff:10.0.0.2', '010.0.0.1']
    for (const [i, address] of addresses.entries())
      presence.observe(makePacket(BR_ENTRY), {address, port: 2425}, t0 + i)
    expect(presence.rows().map((row) => row.address)).to.have.members(addresses)
    for (const address of addresses) expect(presence.get(address, 2425)?.address).to.equal(address)
    expect(presence.get('10.0.0.1', 2426)).to.equal(undefined)
  })

  it('stays at capacity under 100,000 spoofed sources', () => {
    const presence = new Presence({capacity: 500})
    const packet = makePacket(BR_ENTRY)
    for (let i = 0; i < 100_000; i++) {
      presence.observe(packet, {address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 2425}, t0 + i)
    }

    expect(presence.size).to.equal(500)
    expect(presence.evictions).to.equal(100_000 - 500)
  })

  describe('peerCharset', () => {
    it('never remembers the encoding an iptux entry declares: iptux writes utf-8 there whatever it sends', () => {
      const presence = new Presence()
      const {row} = presence.observe(
        makePacket(BR_ENTRY, {
          version: '1_iptux 0.8.3',
          iptux: {encoding: 'utf-8'},
          nickname: '张三',
          charset: 'gb18030',
        }),
        alice,
        t0,
      )
      expect(presence.peerCharset(alice.address)).to.equal('gb18030')
      expect(row.charset).to.equal('gb18030')
      const bob = {address: '192.168.1.21', port: 2425}
      presence.observe(makePacket(BR_ENTRY, {iptux: {encoding: 'hex'}}), bob, t0)
      expect(presence.peerCharset(bob.address)).to.equal(undefined)
    })

    it('remembers only charsets that keep the ASCII header intact (13.4: never hex or UTF-16)', () => {
      const presence = new Presence()
      presence.observe(makePacket(SENDMSG, {text: '你好', charset: 'hex'}), alice, t0)
      presence.observe(makePacket(SENDMSG, {text: '你好', charset: 'utf-16le'}), alice, t0)
      expect(presence.peerCharset(alice.address)).to.equal(undefined)
      presence.observe(makePacket(SENDMSG, {text: '你好', charset: 'gbk'}), alice, t0)
      presence.observe(makePacket(SENDMSG, {text: '你好', charset: 'hex'}), alice, t0)
      expect(presence.peerCharset(alice.address)).to.equal('gbk')
    })

    it('learns the charset of non-ASCII legacy text', () => {
      const presence = new Presence()
      presence.observe(makePacket(SENDMSG, {text: '你好', charset: 'gb18030'}), alice, t0)
      expect(presence.peerCharset(alice.address)).to.equal('gb18030')
    })

    it('learns nothing from pure ASCII, UTF8OPT or the UTF-8 extension', () => {
      const presence = new Presence()
      presence.observe(makePacket(SENDMSG, {text: 'hello', charset: 'utf-8'}), alice, t0)
      presence.observe(makePacket(SENDMSG | UTF8OPT, {text: '你好', charset: 'utf-8'}), alice, t0)
      presence.observe(
        makePacket(BR_ENTRY | CAPUTF8OPT, {nickname: '爱丽丝', charset: 'utf-8', extension: {NN: '爱丽丝'}}),
        alice,
        t0,
      )
      expect(presence.peerCharset(alice.address)).to.equal(undefined)
    })

    it('learns it from non-ASCII names alone, in each packet, whether the row is found by them or they differ', () => {
      const presence = new Presence()
      const bob = {address: '192.168.1.21', port: 2425}
      // Entries with UTF8OPT teach nothing, but make the rows; the SENDMSGs after them are found by their names.
      presence.observe(makePacket(BR_ENTRY | UTF8OPT, {user: '张三', charset: 'utf-8'}), alice, t0)
      presence.observe(makePacket(BR_ENTRY | UTF8OPT, {host: 'ПК', charset: 'utf-8'}), bob, t0)
      expect([presence.peerCharset(alice.address), presence.peerCharset(bob.address)]).to.deep.equal([
        undefined,
        undefined,
      ])
      presence.observe(makePacket(SENDMSG, {user: '张三', text: 'hi', charset: 'gbk'}), alice, t0 + 1)
      presence.observe(makePacket(SENDMSG, {host: 'ПК', text: 'hi', charset: 'cp1251'}), bob, t0 + 1)
      expect([presence.peerCharset(alice.address), presence.peerCharset(bob.address)]).to.deep.equal(['gbk', 'cp1251'])
      // An ASCII row, and a packet at its endpoint whose names are not ASCII (another encoding): the row's own.
      const carol = {address: '192.168.1.22', port: 2425}
      presence.observe(makePacket(BR_ENTRY, {user: 'carol'}), carol, t0)
      presence.observe(makePacket(SENDMSG, {user: '卡罗尔', text: 'hi', charset: 'gb18030'}), carol, t0 + 1)
      expect(presence.size).to.equal(3)
      expect(presence.peerCharset(carol.address)).to.equal('gb18030')
    })

    it('keeps the latest charset per address, across ports', () => {
      const presence = new Presence()
      presence.observe(makePacket(SENDMSG, {text: '你好', charset: 'gb18030'}), alice, t0)
      presence.observe(makePacket(SENDMSG, {text: 'こんにちは', charset: 'cp932'}), {...alice, port: 3000}, t0)
      expect(presence.peerCharset(alice.address)).to.equal('cp932')
      expect(presence.get(alice.address, 3000)?.charset).to.equal('cp932')
      expect(presence.peerCharset('192.168.1.99')).to.equal(undefined)
    })
  })
})
