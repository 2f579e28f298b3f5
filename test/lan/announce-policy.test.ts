// The protocol's decisions around announce's packet, as a pure function: the look at this host's port and the
// identity are passed in, so every rule is checked without a socket. Through the real command:
// test/commands/announce-outcomes.test.ts (the shared port) and test/commands/announce-discovery.test.ts.
import {expect} from 'chai'

import type {Outgoing} from '../../src/lan/our-packets.js'

import {type AnnounceAsk, announcePolicy, farewellCommand} from '../../src/lan/announce-policy.js'
import {NetError} from '../../src/net/net-error.js'
import {ABSENCEOPT, CAPUTF8OPT, MODES, modeOf, SENDCHECKOPT} from '../../src/protocol/constants.js'

const names = {user: 'alice', host: 'pc', nickname: 'Alice', group: 'Lab'}
const presence: Outgoing = {kind: 'packet', packet: {...names, command: MODES.BR_ENTRY | CAPUTF8OPT | ABSENCEOPT}}
const message: Outgoing = {kind: 'packet', packet: {...names, command: MODES.SENDMSG | SENDCHECKOPT, text: 'hi'}}
const getinfo: Outgoing = {kind: 'packet', packet: {...names, command: MODES.GETINFO}}
const raw: Outgoing = {kind: 'raw', bytes: Uint8Array.from([0x31, 0x3a])}
const identity = {...names, command: MODES.BR_ENTRY | CAPUTF8OPT}

/** An ask with counters: how often the identity was built and the port looked at. */
function ask(outgoing: Outgoing, more: Partial<AnnounceAsk> & {holder?: string} = {}) {
  const calls = {identity: 0, otherClient: [] as number[]}
  const {holder, ...rest} = more
  const full: AnnounceAsk = {
    outgoing,
    commandChosen: false,
    identity() {
      calls.identity++
      return identity
    },
    port: 2425,
    bindPort: 2425,
    stay: false,
    otherClient(port) {
      calls.otherClient.push(port)
      return holder
    },
    ...rest,
  }
  return {ask: full, calls}
}

describe('lan/announce-policy', () => {
  it('a presence announcement is a discovery: no entry before it, BR_EXIT with its options after it', () => {
    const {ask: a, calls} = ask(presence)
    const policy = announcePolicy(a)
    expect(policy.discovery).to.equal(true)
    expect(policy.entry).to.equal(undefined)
    expect(policy.farewell).to.deep.equal({...names, command: MODES.BR_EXIT | CAPUTF8OPT | ABSENCEOPT})
    expect(calls.identity, 'a discovery is its own entry').to.equal(0)
    expect(calls.otherClient).to.deep.equal([2425])
  })

  it('a message is preceded by the identity BR_ENTRY and followed by its BR_EXIT; --stay keeps lanmsg listed', () => {
    const policy = announcePolicy(ask(message).ask)
    expect(policy).to.deep.include({discovery: false, entry: identity})
    expect(policy.farewell).to.deep.equal({...identity, command: MODES.BR_EXIT | CAPUTF8OPT})
    const stayed = announcePolicy(ask(message, {stay: true}).ask)
    expect(stayed.entry).to.deep.equal(identity)
    expect(stayed.farewell).to.equal(undefined)
    expect(announcePolicy(ask(presence, {stay: true}).ask).farewell).to.equal(undefined)
  })

  it('GETINFO and GETABSENCEINFO ask as a client (entry first); another chosen command is sent as it is', () => {
    const info = announcePolicy(ask(getinfo, {commandChosen: true}).ask)
    expect(info).to.deep.include({discovery: false, entry: identity})
    const absence = {kind: 'packet', packet: {...names, command: MODES.GETABSENCEINFO}} as const
    expect(announcePolicy(ask(absence, {commandChosen: true}).ask).entry).to.deep.equal(identity)
    // --command BR_ENTRY: the same bytes as a discovery, but sent on purpose: no exit follows, no refusal.
    const {ask: chosen, calls} = ask(presence, {commandChosen: true, holder: 'iptux (pid 7)'})
    const entry = announcePolicy(chosen)
    expect(entry).to.deep.include({discovery: false, entry: undefined, farewell: undefined, shared: undefined})
    expect(calls.otherClient, 'nothing is sent under this host’s name: the port holder does not matter').to.deep.equal(
      [],
    )
  })

  it('raw bytes: nothing around them, and neither the identity nor the port is looked at', () => {
    const {ask: a, calls} = ask(raw, {holder: 'iptux (pid 7)'})
    expect(announcePolicy(a)).to.deep.include({discovery: false, entry: undefined, farewell: undefined})
    expect(calls).to.deep.equal({identity: 0, otherClient: []})
  })

  it('beside another client on this host: a discovery is refused (ESHAREDPORT), a message goes without entry or exit', () => {
    const {ask: discovery} = ask(presence, {holder: 'iptux (pid 4242)'})
    const error = (() => {
      try {
        announcePolicy(discovery)
      } catch (error_) {
        return error_
      }
    })()
    expect(error).to.be.instanceOf(NetError)
    expect(error).to.include({code: 'ESHAREDPORT'})
    expect((error as Error).message).to.match(
      /^iptux \(pid 4242\) holds UDP port 2425 on this host: .*--command BR_ENTRY$/,
    )

    const {ask: talk, calls} = ask(message, {holder: 'iptux (pid 4242)'})
    const policy = announcePolicy(talk)
    expect(policy).to.deep.include({entry: undefined, farewell: undefined})
    expect(policy.shared).to.match(/^iptux \(pid 4242\) also holds UDP port 2425 on this host: lanmsg sends no entry/)
    expect(calls.identity).to.equal(0)
  })

  it('bound to another port than the destination (--bind-port), lanmsg is not this host’s client: no look, entry sent', () => {
    const {ask: a, calls} = ask(message, {bindPort: 0, holder: 'iptux (pid 4242)'})
    const policy = announcePolicy(a)
    expect(calls.otherClient).to.deep.equal([])
    expect(policy).to.deep.include({shared: undefined, entry: identity})
    expect(announcePolicy(ask(presence, {port: 2426, holder: 'iptux (pid 1)'}).ask).discovery).to.equal(true)
  })

  it('replies are read in --encoding only when it is a legacy charset (utf-8 is the default reading)', () => {
    expect(announcePolicy(ask(presence).ask).decodeOptions).to.deep.equal({})
    expect(announcePolicy(ask(presence, {encoding: 'utf-8'}).ask).decodeOptions).to.deep.equal({})
    expect(announcePolicy(ask(presence, {encoding: 'gbk'}).ask).decodeOptions).to.deep.equal({legacyCharset: 'gbk'})
  })

  it('farewellCommand: BR_EXIT, the status options kept, the mode replaced', () => {
    const exit = farewellCommand(MODES.BR_ENTRY | CAPUTF8OPT | ABSENCEOPT)
    expect(modeOf(exit)).to.equal(MODES.BR_EXIT)
    expect(exit).to.equal((MODES.BR_EXIT | CAPUTF8OPT | ABSENCEOPT) >>> 0)
    expect(farewellCommand(0xffff_ff00 | MODES.BR_ENTRY)).to.equal((0xffff_ff00 | MODES.BR_EXIT) >>> 0)
  })
})
