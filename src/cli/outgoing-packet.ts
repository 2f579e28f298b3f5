// The packet that `announce` sends, built from its flags and checked before any socket opens.
import type {Outgoing, WrittenPacket} from '../lan/announce.js'
import type {OutgoingPacket} from '../protocol/types.js'

import {UsageError} from '../net/usage-error.js'
import {CAPUTF8OPT, MODES, optionTable, parseMode, parseOption, SENDCHECKOPT, UTF8OPT} from '../protocol/constants.js'
import {encode, EncodeError} from '../protocol/encode.js'
import {parseRawEscapes, parseRawHex} from './raw-payload.js'

export interface OutgoingFlags {
  text?: string
  user: string
  host: string
  nick?: string
  group: string
  /** --encoding; undefined: UTF-8, and a non-ASCII message to a unicast target in the charset it reads. */
  encoding?: string
  truncate?: boolean
  check: boolean
  command?: string
  option?: string[]
  raw?: string
  rawHex?: string
}

const NON_ASCII = /[^\u0000-\u007F]/

/** The command word: SENDMSG with receipts for a text, BR_ENTRY for presence, or what --command/--option say. */
// eslint-disable-next-line complexity -- each rule of --command/--text/--check/--option, in the order they apply
function commandWord(flags: OutgoingFlags, encoding: string): number {
  let mode: number
  if (flags.command === undefined) {
    mode = flags.text === undefined ? MODES.BR_ENTRY : MODES.SENDMSG
  } else {
    const parsed = parseMode(flags.command)
    if (parsed === undefined) {
      throw new UsageError(
        `--command ${flags.command}: unknown command; use a name such as SENDMSG, BR_ENTRY, GETINFO, or a number 0-255 (e.g. 0x20)`,
      )
    }

    mode = parsed
  }

  let command = mode
  const plain = flags.command === undefined && flags.text !== undefined && !flags.check
  if (mode === MODES.SENDMSG && flags.check) command |= SENDCHECKOPT
  const names = [flags.user, flags.host, flags.nick ?? '', flags.group, flags.text ?? '']
  if (mode === MODES.BR_ENTRY || mode === MODES.BR_EXIT || mode === MODES.BR_ABSENCE || mode === MODES.ANSENTRY) {
    // BR_* never carry UTF8OPT (§1.4): they announce the capability and put UTF-8 names in the extension.
    command |= CAPUTF8OPT
  } else if (!plain && encoding === 'utf-8' && names.some((n) => NON_ASCII.test(n))) {
    command |= UTF8OPT | CAPUTF8OPT // §5: UTF8OPT says the whole packet is UTF-8
  }

  for (const option of flags.option ?? []) {
    const bit = parseOption(option, mode)
    if (bit === undefined) {
      const known = Object.keys(optionTable(mode)).slice(0, 8).join(', ')
      throw new UsageError(
        `--option ${option}: unknown option for ${flags.command ?? 'this command'}; use a name such as ${known}, or a number`,
      )
    }

    command = (command | bit) >>> 0
  }

  return command >>> 0
}

/** The packet as `--encoding <encoding>` writes it: text, names and the command's UTF-8 bits. */
function writePacket(flags: OutgoingFlags, encoding: string): WrittenPacket {
  const command = commandWord(flags, encoding)
  const packet: Omit<OutgoingPacket, 'packetNo'> = {
    user: flags.user,
    host: flags.host,
    command,
    nickname: flags.nick ?? flags.user,
    group: flags.group,
  }
  if (flags.text !== undefined) packet.text = flags.text
  // An entry packet in a legacy charset is legacy throughout: Feiqiu and iptux convert the whole section from GBK.
  if (encoding !== 'utf-8') packet.utf8Extension = false
  return {packet, encodeOptions: {charset: encoding, truncate: flags.truncate}}
}

export function buildOutgoing(flags: OutgoingFlags): Outgoing {
  if (flags.raw !== undefined) return {kind: 'raw', bytes: parseRawEscapes(flags.raw)}
  if (flags.rawHex !== undefined) return {kind: 'raw', bytes: parseRawHex(flags.rawHex)}
  const {packet, encodeOptions} = writePacket(flags, flags.encoding ?? 'utf-8')
  try {
    // A trial encode, so that a message too long or a name with a NUL is refused before any socket opens.
    encode({...packet, packetNo: 1}, encodeOptions)
  } catch (error) {
    if (error instanceof EncodeError) {
      const hint = error.code === 'TOO_LARGE' ? ' (or use --truncate)' : ''
      throw new UsageError(`${error.message}${hint}`)
    }

    throw error
  }

  // Without --encoding, a message that is not ASCII is written per unicast target (Feiqiu reads only GBK).
  const perPeer =
    flags.encoding === undefined &&
    flags.text !== undefined &&
    [flags.text, flags.user, flags.host].some((n) => NON_ASCII.test(n))
  return perPeer
    ? {kind: 'packet', packet, encodeOptions, writtenIn: (charset) => writePacket(flags, charset)}
    : {kind: 'packet', packet, encodeOptions}
}

/** The BR_ENTRY (nickname, group) that enters lanmsg before it talks, as a client entered at start-up would be. */
export function entryPacket(flags: OutgoingFlags): Omit<OutgoingPacket, 'packetNo'> {
  const entry = buildOutgoing({
    ...flags,
    text: undefined,
    command: undefined,
    option: [],
    raw: undefined,
    rawHex: undefined,
  })
  if (entry.kind !== 'packet') throw new Error('an entry is a packet')
  return entry.packet
}
