import {expect} from 'chai'

import {
  ABSENCEOPT,
  AUTORETOPT,
  BROADCASTOPT,
  CAPUTF8OPT,
  DIALUPOPT,
  ENCRYPTOPT,
  FILEATTACHOPT,
  MODES,
  RETRYOPT,
  SENDCHECKOPT,
  UTF8OPT,
} from '../../src/protocol/constants.js'
import {encode} from '../../src/protocol/encode.js'
import {RateLimiter, type RateLimits} from '../../src/lan/rate-limit.js'
import {
  DEFAULT_ENTRY_REPLY_INTERVAL_MS,
  ENTRY_REPLY_MAX_DELAY_MS,
  NOT_ABSENT_TEXT,
  ResponderPolicy,
  type ResponderPolicyOptions,
} from '../../src/lan/responder-policy.js'
import {makePacket} from './packet-factory.js'

const {ANSENTRY, BR_ABSENCE, BR_ENTRY, BR_EXIT, GETABSENCEINFO, GETINFO, GETLIST, NOOPERATION, RECVMSG, SENDMSG} = MODES

const t0 = 1_700_000_000_000
const me = {user: 'lan', host: 'box', nickname: 'Lan Msg', group: 'Ops'}
const OWN = '192.168.1.5'
const peer = {address: '192.168.1.20', port: 40_000}

function makePolicy(options: Partial<ResponderPolicyOptions> = {}, limits: Partial<RateLimits> = {}) {
  const limiter = new RateLimiter({perSourcePerInterval: 1000, intervalMs: 1000, globalPerSecond: 1e6, ...limits})
  const policy = new ResponderPolicy({
    self: me,
    ownAddresses: [OWN, '127.0.0.1'],
    ownPort: 2425,
    limiter,
    random: () => 0.5,
    isBroadcast: (address) => address === '192.168.1.255',
    ...options,
  })
  return {policy, limiter}
}

const noStats = {
  answered: 0,
  suppressedSelf: 0,
  suppressedInvalidSource: 0,
  suppressedRateLimit: 0,
  suppressedDuplicateEntry: 0,
}

describe('lan/responder-policy', () => {
  describe('BR_ENTRY (§3.2)', () => {
    it('answers with one unicast ANSENTRY to the source address and source port, with our names', () => {
      const {policy} = makePolicy()
      const replies = policy.decide(makePacket(BR_ENTRY, {user: 'alice'}), peer, t0)
      expect(replies).to.have.length(1)
      const [reply] = replies
      expect(reply.to).to.deep.equal({address: '192.168.1.20', port: 40_000})
      expect(reply.packet).to.deep.equal({
        user: 'lan',
        host: 'box',
        command: ANSENTRY | CAPUTF8OPT,
        nickname: 'Lan Msg',
        group: 'Ops',
      })
      expect(reply.reason).to.match(/ANSENTRY/)
      expect(policy.stats).to.deep.equal({...noStats, answered: 1})
    })

    it('adds UTF8OPT only when the BR_ENTRY had CAPUTF8OPT', () => {
      const {policy} = makePolicy()
      const plain = policy.decide(makePacket(BR_ENTRY | FILEATTACHOPT | ENCRYPTOPT), peer, t0)
      expect(plain[0].packet.command).to.equal(ANSENTRY | CAPUTF8OPT)
      const capable = policy.decide(makePacket(BR_ENTRY | CAPUTF8OPT), {...peer, address: '192.168.1.21'}, t0)
      expect(capable[0].packet.command).to.equal(ANSENTRY | CAPUTF8OPT | UTF8OPT)
    })

    it('sets ABSENCEOPT while we are absent', () => {
      const {policy} = makePolicy({self: {...me, absent: true}})
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0)[0].packet.command).to.equal(
        ANSENTRY | CAPUTF8OPT | ABSENCEOPT,
      )
    })

    it('delays the answer by 0–1023 ms from the random source', () => {
      expect(ENTRY_REPLY_MAX_DELAY_MS).to.equal(1023)
      const delayFor = (r: number) => {
        const {policy} = makePolicy({random: () => r})
        return policy.decide(makePacket(BR_ENTRY), peer, t0)[0].delayMs
      }

      expect(delayFor(0)).to.equal(0)
      expect(delayFor(0.5)).to.equal(512)
      expect(delayFor(0.999_999_9)).to.equal(1023)
      // A random source outside its contract still gives a delay in range.
      expect(delayFor(1)).to.equal(1023)
      expect(delayFor(-3)).to.equal(0)
      expect(delayFor(Number.NaN)).to.equal(0)
      for (let i = 0; i < 200; i++) {
        const {policy} = makePolicy({random: Math.random})
        const {delayMs} = policy.decide(makePacket(BR_ENTRY), peer, t0)[0]
        expect(Number.isInteger(delayMs) && delayMs >= 0 && delayMs <= 1023, String(delayMs)).to.equal(true)
      }
    })

    it('answers a source address at most once per entryReplyIntervalMs (§8.2)', () => {
      expect(DEFAULT_ENTRY_REPLY_INTERVAL_MS).to.equal(2000)
      const {policy, limiter} = makePolicy()
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0)).to.have.length(1)
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0 + 1999)).to.deep.equal([])
      // Another port of the same address is the same amplification target.
      expect(policy.decide(makePacket(BR_ENTRY), {...peer, port: 2425}, t0 + 1000)).to.deep.equal([])
      expect(policy.stats.suppressedDuplicateEntry).to.equal(2)
      expect(limiter.allowed + limiter.refused).to.equal(1) // suppressed entries spend no token
      // Another source is not affected; the same source is answered again once the interval has passed.
      expect(policy.decide(makePacket(BR_ENTRY), {...peer, address: '192.168.1.21'}, t0 + 1000)).to.have.length(1)
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0 + 2000)).to.have.length(1)
      expect(policy.stats.answered).to.equal(3)
    })

    it('answers a second entry at once after the source said goodbye (back-to-back discoveries from one host)', () => {
      const {policy} = makePolicy()
      for (let run = 0; run < 4; run++) {
        const at = t0 + run * 300
        expect(policy.decide(makePacket(BR_ENTRY), peer, at), `discovery ${run + 1}`).to.have.length(1)
        expect(policy.decide(makePacket(BR_EXIT), peer, at + 100)).to.deep.equal([])
      }

      expect(policy.stats).to.deep.include({answered: 4, suppressedDuplicateEntry: 0})
      // Without a goodbye in between, a repeat is still held back.
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0 + 1300)).to.have.length(1)
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0 + 1400)).to.deep.equal([])
    })

    it('honours a custom entryReplyIntervalMs', () => {
      const {policy} = makePolicy({entryReplyIntervalMs: 10_000})
      policy.decide(makePacket(BR_ENTRY), peer, t0)
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0 + 9999)).to.deep.equal([])
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0 + 10_000)).to.have.length(1)
    })

    it('does not count an entry refused by the rate limiter as answered', () => {
      const {policy} = makePolicy({}, {perSourcePerInterval: 1, intervalMs: 60_000})
      policy.decide(makePacket(SENDMSG | SENDCHECKOPT), peer, t0) // spends the only token
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0)).to.deep.equal([])
      expect(policy.stats.suppressedRateLimit).to.equal(1)
      // Once a token is back, the entry is answered: the refused one did not start the interval.
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0 + 60_000)).to.have.length(1)
    })
  })

  describe('SENDMSG receipts (§3.6, §3.7)', () => {
    it('answers SENDCHECKOPT with RECVMSG, command exactly 33, acknowledging the packet number, at once', () => {
      const {policy} = makePolicy()
      const message = makePacket(SENDMSG | SENDCHECKOPT | UTF8OPT | CAPUTF8OPT, {packetNo: 1_700_000_123, text: 'hi'})
      const [reply] = policy.decide(message, peer, t0)
      expect(reply.to).to.deep.equal(peer)
      expect(reply.delayMs).to.equal(0)
      expect(reply.packet).to.deep.equal({user: 'lan', host: 'box', command: 33, acknowledges: 1_700_000_123})
      expect(RECVMSG).to.equal(0x21)
    })

    it('re-acks a duplicate so that a lost receipt is repaired', () => {
      const {policy} = makePolicy()
      const message = makePacket(SENDMSG | SENDCHECKOPT, {packetNo: 42})
      expect(policy.decide(message, peer, t0)).to.have.length(1)
      expect(policy.decide(message, peer, t0 + 1000)).to.have.length(1)
      expect(policy.stats.answered).to.equal(2)
    })

    it('stays silent for BROADCASTOPT, AUTORETOPT and messages without SENDCHECKOPT', () => {
      const {policy, limiter} = makePolicy()
      expect(policy.decide(makePacket(SENDMSG | SENDCHECKOPT | BROADCASTOPT), peer, t0)).to.deep.equal([])
      expect(policy.decide(makePacket(SENDMSG | SENDCHECKOPT | AUTORETOPT), peer, t0)).to.deep.equal([])
      expect(policy.decide(makePacket(SENDMSG), peer, t0)).to.deep.equal([])
      expect(policy.decide(makePacket(SENDMSG | BROADCASTOPT), peer, t0)).to.deep.equal([])
      expect(policy.stats).to.deep.equal(noStats)
      expect(limiter.allowed + limiter.refused).to.equal(0)
    })
  })

  describe('GETINFO and GETABSENCEINFO (§3.9)', () => {
    it('answers GETINFO with SENDINFO "lanmsg <version>"', () => {
      const {policy} = makePolicy({self: {...me, version: '0.1.0'}})
      const [reply] = policy.decide(makePacket(GETINFO), peer, t0)
      expect(reply.packet).to.deep.equal({user: 'lan', host: 'box', command: MODES.SENDINFO, text: 'lanmsg 0.1.0'})
      expect(reply.delayMs).to.equal(0)
      const bare = makePolicy().policy.decide(makePacket(GETINFO), peer, t0)
      expect(bare[0].packet.text).to.equal('lanmsg')
    })

    it('answers GETABSENCEINFO with "Not Absence mode", or the absence text while absent', () => {
      expect(NOT_ABSENT_TEXT).to.equal('Not Absence mode')
      const present = makePolicy().policy.decide(makePacket(GETABSENCEINFO), peer, t0)
      expect(present[0].packet).to.deep.equal({
        user: 'lan',
        host: 'box',
        command: MODES.SENDABSENCEINFO,
        text: 'Not Absence mode',
      })
      const {policy} = makePolicy({self: {...me, absent: true, absenceText: 'Back at 3'}})
      expect(policy.decide(makePacket(GETABSENCEINFO), peer, t0)[0].packet.text).to.equal('Back at 3')
    })

    it('answers in UTF-8 a request that carries UTF8OPT or CAPUTF8OPT', () => {
      const {policy} = makePolicy({self: {...me, absent: true, absenceText: '午饭'}})
      expect(policy.decide(makePacket(GETABSENCEINFO | UTF8OPT), peer, t0)[0].packet.command).to.equal(
        MODES.SENDABSENCEINFO | UTF8OPT,
      )
      expect(policy.decide(makePacket(GETINFO | CAPUTF8OPT), peer, t0)[0].packet.command).to.equal(
        MODES.SENDINFO | UTF8OPT,
      )
    })
  })

  describe('host lists with --serve-list (§3.10)', () => {
    const listed = Array.from({length: 400}, (_, i) => ({
      user: `u${i}`,
      host: `h${i}`,
      status: CAPUTF8OPT,
      address: `10.1.${i >> 8}.${i & 0xff}`,
      port: 2425,
      nickname: `Peer number ${i}`,
      group: 'Ops',
    }))
    const serving = () => makePolicy({hostList: () => listed})

    it('answers BR_ISGETLIST and BR_ISGETLIST2 with a bare OKGETLIST, to the source', () => {
      const {policy} = serving()
      for (const command of [MODES.BR_ISGETLIST, MODES.BR_ISGETLIST2, MODES.BR_ISGETLIST2 | RETRYOPT]) {
        const [reply] = policy.decide(makePacket(command), peer, t0)
        expect(reply.packet).to.deep.equal({user: 'lan', host: 'box', command: MODES.OKGETLIST})
        expect(reply).to.include({delayMs: 0, to: reply.to})
        expect(reply.to).to.deep.equal(peer)
      }
    })

    it('answers GETLIST with the page from its start index, cut to fit a datagram, and the next index', () => {
      const {policy} = serving()
      const [first] = policy.decide(makePacket(GETLIST, {listStart: 0}), peer, t0)
      expect(first.packet.command).to.equal(MODES.ANSLIST)
      const page = first.packet.hostList!
      expect(page.hosts.length).to.be.within(20, 399)
      expect(page.hosts[0]).to.equal(listed[0])
      expect(page.next).to.equal(page.hosts.length)
      const {bytes} = encode({...first.packet, packetNo: 1}, {charset: first.charset})
      expect(bytes.length).to.be.at.most(8191)
      const [second] = policy.decide(makePacket(GETLIST, {listStart: page.next}), peer, t0)
      expect(second.packet.hostList!.hosts[0]).to.equal(listed[page.next])
      const [last] = policy.decide(makePacket(GETLIST, {listStart: 390}), peer, t0)
      expect(last.packet.hostList).to.deep.equal({next: 0, hosts: listed.slice(390)})
    })

    it('starts at 0 when the GETLIST body is not an index, and answers UTF-8 to a UTF-8 peer', () => {
      const {policy} = serving()
      const [reply] = policy.decide(makePacket(GETLIST | UTF8OPT), peer, t0)
      expect(reply.packet.command).to.equal(MODES.ANSLIST | UTF8OPT)
      expect(reply.packet.hostList!.hosts[0]).to.equal(listed[0])
    })

    it('answers neither BR_ISGETLIST nor GETLIST without --serve-list', () => {
      const {policy} = makePolicy()
      for (const command of [MODES.BR_ISGETLIST, MODES.BR_ISGETLIST2, GETLIST]) {
        expect(policy.decide(makePacket(command, {listStart: 0}), peer, t0)).to.deep.equal([])
      }
    })

    it('rate-limits GETLIST like every answer, and never answers itself or a forged source', () => {
      let built = 0
      const {policy} = makePolicy(
        {
          hostList() {
            built++
            return listed
          },
        },
        {perSourcePerInterval: 5, intervalMs: 10_000},
      )
      const answers = Array.from({length: 20}, () => policy.decide(makePacket(GETLIST), peer, t0).length)
      expect(answers.reduce((a, b) => a + b)).to.equal(5)
      expect(policy.decide(makePacket(GETLIST), peer, t0 + 2000)).to.have.length(1) // one token back in 2 s
      expect(policy.decide(makePacket(GETLIST), {address: '192.168.1.255', port: 2425}, t0)).to.deep.equal([])
      expect(
        policy.decide(makePacket(GETLIST, {user: 'lan', host: 'box'}), {address: OWN, port: 2425}, t0),
      ).to.deep.equal([])
      // The list is read only for an answer that is sent: a flood costs nothing more than its answers.
      expect(built).to.equal(6)
      expect(policy.stats).to.deep.include({
        answered: 6,
        suppressedRateLimit: 15,
        suppressedSelf: 1,
        suppressedInvalidSource: 1,
      })
    })
  })

  it('answers nothing else: BR_ABSENCE, BR_EXIT, ANSENTRY, NOOPERATION, RECVMSG, GETLIST, private codes', () => {
    const {policy, limiter} = makePolicy()
    for (const command of [
      BR_ABSENCE,
      BR_ABSENCE | ABSENCEOPT,
      BR_EXIT,
      BR_EXIT | DIALUPOPT,
      ANSENTRY | CAPUTF8OPT,
      NOOPERATION,
      RECVMSG,
      GETLIST,
      0xd1,
      0x1d8,
      0xfe,
    ]) {
      expect(policy.decide(makePacket(command), peer, t0), command.toString(16)).to.deep.equal([])
    }

    expect(policy.stats).to.deep.equal(noStats)
    expect(limiter.allowed + limiter.refused).to.equal(0)
  })

  describe('the charset of a reply (§5, sendCharset)', () => {
    const FEIQIU = '1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9'

    it('answers a Feiqiu BR_ENTRY in GBK and without UTF8OPT, even with CAPUTF8OPT on it', () => {
      const {policy} = makePolicy()
      const [reply] = policy.decide(makePacket(BR_ENTRY | CAPUTF8OPT, {version: FEIQIU, nickname: 'feiq-h1'}), peer, t0)
      expect(reply.charset).to.equal('gbk')
      expect(reply.packet.command & UTF8OPT).to.equal(0)
      expect(reply.packet.command & 0xff).to.equal(ANSENTRY)
      // Feiqiu converts the whole section from GBK: the UTF-8 extension stays out of a GBK answer.
      expect(reply.packet.utf8Extension).to.equal(false)
      expect(policy.decide(makePacket(BR_ENTRY), peer, t0 + 10_000)[0].packet).not.to.have.property('utf8Extension')
    })

    it('answers a peer in the charset its text came in, or in what was remembered of it', () => {
      const remembered = new Map([['192.168.1.30', 'gb18030']])
      const {policy} = makePolicy({peerCharset: (address) => remembered.get(address)})
      const gbk = makePacket(SENDMSG | SENDCHECKOPT, {text: '你好', charset: 'gb18030'})
      expect(policy.decide(gbk, peer, t0)[0].charset).to.equal('gb18030')
      const ascii = makePacket(BR_ENTRY, {nickname: 'qip'})
      expect(policy.decide(ascii, {address: '192.168.1.30', port: 2425}, t0)[0].charset).to.equal('gb18030')
      expect(policy.decide(ascii, {address: '192.168.1.31', port: 2425}, t0)[0].charset).to.equal('utf-8')
    })

    it('keeps UTF-8 and UTF8OPT for a peer that announced CAPUTF8OPT', () => {
      const {policy} = makePolicy({peerCharset: () => 'gb18030'})
      const [reply] = policy.decide(makePacket(BR_ENTRY | CAPUTF8OPT), peer, t0)
      expect(reply.charset).to.equal('utf-8')
      expect(reply.packet.command & UTF8OPT).to.equal(UTF8OPT)
    })

    it('uses the charset the user asked for, and drops UTF8OPT when that is not UTF-8', () => {
      const {policy} = makePolicy({charset: 'gbk'})
      const [reply] = policy.decide(makePacket(BR_ENTRY | CAPUTF8OPT), peer, t0)
      expect(reply.charset).to.equal('gbk')
      expect(reply.packet.command & UTF8OPT).to.equal(0)
      expect(reply.packet.utf8Extension).to.equal(false)
      expect(reply.packet.command & CAPUTF8OPT).to.equal(CAPUTF8OPT)
    })

    it('never answers in a charset that cannot carry the header, whatever was remembered (13.4)', () => {
      const {policy} = makePolicy({peerCharset: () => 'hex'})
      const forged = makePacket(SENDMSG | SENDCHECKOPT, {version: '1_iptux 0.8.3', iptux: {encoding: 'hex'}})
      expect(policy.decide(forged, peer, t0)[0].charset).to.equal('utf-8')
    })
  })

  describe('never answering ourselves', () => {
    it('ignores packets from one of our addresses and our port', () => {
      const {policy} = makePolicy()
      expect(policy.decide(makePacket(BR_ENTRY, {user: 'x', host: 'y'}), {address: OWN, port: 2425}, t0)).to.deep.equal(
        [],
      )
      expect(policy.decide(makePacket(GETINFO), {address: '127.0.0.1', port: 2425}, t0)).to.deep.equal([])
      expect(policy.stats.suppressedSelf).to.equal(2)
    })

    it('ignores our user and host from one of our addresses on another port', () => {
      const {policy} = makePolicy()
      const own = makePacket(SENDMSG | SENDCHECKOPT, {user: 'lan', host: 'box'})
      expect(policy.decide(own, {address: OWN, port: 50_000}, t0)).to.deep.equal([])
      expect(policy.stats.suppressedSelf).to.equal(1)
    })

    it('answers another client on our machine, and our names from another machine', () => {
      const {policy} = makePolicy()
      const other = makePacket(SENDMSG | SENDCHECKOPT, {user: 'someone', host: 'box'})
      expect(policy.decide(other, {address: OWN, port: 50_000}, t0)).to.have.length(1)
      const sameNames = makePacket(SENDMSG | SENDCHECKOPT, {user: 'lan', host: 'box'})
      expect(policy.decide(sameNames, {address: '192.168.1.99', port: 2425}, t0)).to.have.length(1)
      expect(policy.stats.suppressedSelf).to.equal(0)
    })

    it('asks ownAddresses() on every decision and understands IPv4-mapped addresses', () => {
      let addresses = ['10.0.0.1']
      const {policy} = makePolicy({ownAddresses: () => addresses})
      const from = {address: '10.0.0.2', port: 2425}
      expect(policy.decide(makePacket(GETINFO), from, t0)).to.have.length(1)
      addresses = ['10.0.0.2']
      expect(policy.decide(makePacket(GETINFO), from, t0)).to.deep.equal([])
      expect(policy.decide(makePacket(GETINFO), {address: '::ffff:10.0.0.2', port: 2425}, t0)).to.deep.equal([])
      expect(policy.stats.suppressedSelf).to.equal(2)
    })
  })

  describe('never answering a source that cannot be real', () => {
    const invalid: Array<[string, {address: string; port: number}]> = [
      ['port 0', {address: '192.168.1.20', port: 0}],
      ['port above 65535', {address: '192.168.1.20', port: 70_000}],
      ['0.0.0.0', {address: '0.0.0.0', port: 2425}],
      ['0.0.0.0/8', {address: '0.1.2.3', port: 2425}],
      ['limited broadcast', {address: '255.255.255.255', port: 2425}],
      ['multicast 224.0.0.1', {address: '224.0.0.1', port: 2425}],
      ['Feiqiu group multicast (§6.4)', {address: '226.81.9.8', port: 2425}],
      ['multicast 239.255.255.250', {address: '239.255.255.250', port: 2425}],
      ['reserved 240.0.0.1', {address: '240.0.0.1', port: 2425}],
      ['a known directed broadcast', {address: '192.168.1.255', port: 2425}],
      ['a mapped directed broadcast', {address: '::ffff:192.168.1.255', port: 2425}],
      ['the link-local broadcast 169.254.255.255 (RFC 3927)', {address: '169.254.255.255', port: 2425}],
      ['the reserved link-local 169.254.0.0/24', {address: '169.254.0.7', port: 2425}],
      ['a short spelling', {address: '127.1', port: 2425}],
      ['leading zeros', {address: '010.0.0.1', port: 2425}],
      ['a host name', {address: 'localhost', port: 2425}],
      ['IPv6', {address: 'fe80::1', port: 2425}],
    ]
    for (const [name, from] of invalid) {
      it(`ignores ${name}`, () => {
        const {policy, limiter} = makePolicy()
        expect(policy.decide(makePacket(BR_ENTRY), from, t0)).to.deep.equal([])
        expect(policy.decide(makePacket(SENDMSG | SENDCHECKOPT), from, t0)).to.deep.equal([])
        expect(policy.stats).to.deep.equal({...noStats, suppressedInvalidSource: 2})
        expect(limiter.allowed + limiter.refused).to.equal(0)
      })
    }

    it("answers another subnet's broadcast address (10.99.0.255): it cannot be told from a host there (README)", () => {
      const {policy} = makePolicy()
      expect(policy.decide(makePacket(BR_ENTRY), {address: '10.99.0.255', port: 2425}, t0)).to.have.length(1)
      expect(policy.decide(makePacket(BR_ENTRY), {address: '169.254.3.255', port: 2425}, t0)).to.have.length(1)
    })

    it('answers ordinary unicast sources, loopback and IPv4-mapped ones included', () => {
      const {policy} = makePolicy({ownAddresses: [OWN]})
      for (const address of ['10.0.0.1', '172.16.5.4', '192.168.1.254', '127.0.0.1', '223.255.255.254']) {
        expect(policy.decide(makePacket(GETINFO), {address, port: 2425}, t0), address).to.have.length(1)
      }

      const [reply] = policy.decide(makePacket(GETINFO), {address: '::ffff:10.0.0.7', port: 2425}, t0)
      expect(reply.to.address).to.equal('::ffff:10.0.0.7')
    })
  })

  describe('rate limiting', () => {
    it('limits replies per source', () => {
      const {policy, limiter} = makePolicy({}, {perSourcePerInterval: 2, intervalMs: 10_000})
      const message = makePacket(SENDMSG | SENDCHECKOPT)
      expect(policy.decide(message, peer, t0)).to.have.length(1)
      expect(policy.decide(message, peer, t0)).to.have.length(1)
      expect(policy.decide(message, peer, t0)).to.deep.equal([])
      expect(policy.decide(makePacket(GETINFO), peer, t0)).to.deep.equal([])
      expect(policy.decide(message, {...peer, address: '192.168.1.21'}, t0)).to.have.length(1)
      expect(policy.decide(message, peer, t0 + 5000)).to.have.length(1) // refilled one token
      expect(policy.stats).to.deep.include({answered: 4, suppressedRateLimit: 2})
      expect(limiter.refused).to.equal(2)
    })

    it('limits replies in total, entries included', () => {
      const {policy} = makePolicy({}, {globalPerSecond: 3})
      const answered = Array.from(
        {length: 10},
        (_, i) => policy.decide(makePacket(BR_ENTRY), {address: `10.0.0.${i + 1}`, port: 2425}, t0).length,
      )
      expect(answered).to.deep.equal([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
      expect(policy.stats).to.deep.include({answered: 3, suppressedRateLimit: 7})
    })

    it('keeps a flood of spoofed entries from many sources at the global rate with default limits', () => {
      const policy = new ResponderPolicy({
        self: me,
        ownAddresses: [OWN],
        ownPort: 2425,
        limiter: new RateLimiter(),
        random: () => 0,
      })
      let replies = 0
      for (let i = 0; i < 20_000; i++) {
        const from = {address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 2425}
        replies += policy.decide(makePacket(BR_ENTRY), from, t0 + Math.floor(i / 10)).length // 20,000 in 2 s
      }

      // A full bucket of 50, then 50 a second for the 2 s of the flood.
      expect(replies).to.be.within(140, 150)
      expect(policy.stats.suppressedRateLimit).to.equal(20_000 - replies - policy.stats.suppressedInvalidSource)
    })
  })
})
