// The packet announce sends, built from its flags in-process; what reaches the wire is checked through the real
// command in test/commands/announce-message.test.ts and charset-on-the-wire.test.ts.
import {expect} from 'chai'

import {buildOutgoing, entryPacket, type OutgoingFlags} from '../../src/cli/outgoing-packet.js'
import {UsageError} from '../../src/net/usage-error.js'
import {
  ABSENCEOPT,
  BROADCASTOPT,
  CAPUTF8OPT,
  MODES,
  SECRETOPT,
  SENDCHECKOPT,
  UTF8OPT,
} from '../../src/protocol/constants.js'
import {decode} from '../../src/protocol/index.js'

const base: OutgoingFlags = {user: 'alice', host: 'pc', group: 'Lab', check: true}

function packetOf(flags: Partial<OutgoingFlags>) {
  const outgoing = buildOutgoing({...base, ...flags})
  if (outgoing.kind !== 'packet') throw new Error('expected a packet')
  return outgoing
}

function usageError(flags: Partial<OutgoingFlags>): Error {
  try {
    buildOutgoing({...base, ...flags})
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError)
    return error as Error
  }

  throw new Error(`no error for ${JSON.stringify(flags)}`)
}

describe('cli/outgoing-packet', () => {
  it('no TEXT: BR_ENTRY with CAPUTF8OPT, the nickname defaulting to the user', () => {
    const {packet} = packetOf({})
    expect(packet).to.deep.include({user: 'alice', host: 'pc', nickname: 'alice', group: 'Lab'})
    expect(packet.command).to.equal(MODES.BR_ENTRY | CAPUTF8OPT)
    expect(packet.text).to.equal(undefined)
  })

  it('a TEXT: SENDMSG asking for a receipt; --no-check the plain 32 form, even for non-ASCII text', () => {
    expect(packetOf({text: 'hi'}).packet.command).to.equal(MODES.SENDMSG | SENDCHECKOPT)
    expect(packetOf({text: 'hi', check: false}).packet.command).to.equal(MODES.SENDMSG)
    expect(packetOf({text: '你好', check: false}).packet.command).to.equal(MODES.SENDMSG)
  })

  it('UTF8OPT only when something is not ASCII and the charset is UTF-8; BR_* never carry it (§1.4)', () => {
    expect(packetOf({text: '你好'}).packet.command).to.equal(MODES.SENDMSG | SENDCHECKOPT | UTF8OPT | CAPUTF8OPT)
    expect(packetOf({text: 'hi', nick: 'Zoë'}).packet.command).to.equal(
      MODES.SENDMSG | SENDCHECKOPT | UTF8OPT | CAPUTF8OPT,
    )
    expect(packetOf({nick: 'Zoë'}).packet.command).to.equal(MODES.BR_ENTRY | CAPUTF8OPT)
    const gbk = packetOf({text: '你好', encoding: 'gbk'})
    expect(gbk.packet.command).to.equal(MODES.SENDMSG | SENDCHECKOPT)
    expect(gbk.packet.utf8Extension, 'a legacy entry section is legacy throughout').to.equal(false)
    expect(gbk.encodeOptions).to.deep.include({charset: 'gbk'})
  })

  it('--command by name or number, --option by name or number; a mistake is a usage error naming the flag', () => {
    expect(packetOf({command: 'GETINFO'}).packet.command).to.equal(MODES.GETINFO)
    expect(packetOf({command: '0x40'}).packet.command).to.equal(MODES.GETINFO)
    expect(packetOf({command: 'BR_ENTRY', option: ['ABSENCEOPT']}).packet.command).to.equal(
      MODES.BR_ENTRY | CAPUTF8OPT | ABSENCEOPT,
    )
    expect(packetOf({text: 'x', option: ['SECRETOPT', '0x400']}).packet.command).to.equal(
      (MODES.SENDMSG | SENDCHECKOPT | SECRETOPT | BROADCASTOPT) >>> 0,
    )
    expect(usageError({command: 'NOPE'}).message).to.match(/^--command NOPE: unknown command; use a name such as/)
    expect(usageError({command: '256'}).message).to.match(/^--command 256: unknown command/)
    expect(usageError({text: 'x', option: ['NOPEOPT']}).message).to.match(
      /^--option NOPEOPT: unknown option for this command; use a name such as .*SENDCHECKOPT/,
    )
  })

  it('the packet is tried before any socket opens: too long is a usage error with a hint, --truncate lets it go', () => {
    const long = 'x'.repeat(20_000)
    expect(usageError({text: long}).message).to.match(/\(or use --truncate\)$/)
    usageError({user: 'a\0b'})
    const cut = packetOf({text: long, truncate: true})
    expect(cut.encodeOptions).to.deep.include({truncate: true})
  })

  it('--raw and --raw-hex: exactly those bytes, no packet', () => {
    expect(buildOutgoing({...base, raw: String.raw`1:\x00\n`})).to.deep.equal({
      kind: 'raw',
      bytes: Uint8Array.from([0x31, 0x3a, 0, 0x0a]),
    })
    expect(buildOutgoing({...base, rawHex: '31 3a'})).to.deep.equal({kind: 'raw', bytes: Uint8Array.from([0x31, 0x3a])})
  })

  it('without --encoding a non-ASCII message can be written per peer (writtenIn), with the same words', () => {
    expect(packetOf({text: 'hi'}).writtenIn).to.equal(undefined)
    expect(packetOf({text: '你好', encoding: 'utf-8'}).writtenIn).to.equal(undefined)
    expect(packetOf({}).writtenIn, 'a presence packet has no message').to.equal(undefined)
    const {writtenIn} = packetOf({text: '你好'})
    const gbk = writtenIn!('gbk')
    expect(gbk.packet).to.deep.include({text: '你好', command: MODES.SENDMSG | SENDCHECKOPT, utf8Extension: false})
    expect(gbk.encodeOptions).to.deep.include({charset: 'gbk'})
  })

  it('entryPacket: the BR_ENTRY of this identity, whatever --command, --option or TEXT say', () => {
    const entry = entryPacket({...base, nick: 'Al', text: 'hi', command: 'GETINFO', option: ['SECRETOPT']})
    expect(entry).to.deep.equal({
      user: 'alice',
      host: 'pc',
      command: MODES.BR_ENTRY | CAPUTF8OPT,
      nickname: 'Al',
      group: 'Lab',
    })
    const result = decode(Buffer.from(`1:1:alice:pc:${entry.command}:Al\0Lab\0`))
    expect(result.ok).to.equal(true)
  })
})
