// Which charset a packet to one peer is written in (§5 sender rules): what the user asked for, else what the peer
// is known to read. Pure: the inputs are what lanmsg has seen of the peer.
import type {ClientInfo, Packet} from '../protocol/types.js'

import {ipmsgCharset} from '../protocol/charset.js'
import {CAPUTF8OPT, UTF8OPT} from '../protocol/constants.js'

export interface SendCharsetInputs {
  /** The user's --encoding, when given: it wins. */
  requested?: string
  /** The peer's client, from the version field of its packets. */
  client?: Pick<ClientInfo, 'kind'>
  /** The peer's packet carried UTF8OPT or CAPUTF8OPT: it reads UTF-8 when the flag says so. */
  readsUtf8?: boolean
  /** The charset the peer's own non-ASCII text came in (writtenCharset, Presence.peerCharset). */
  writes?: string
}

/**
 * The charset for everything sent to one peer, entry fields included: --encoding; else GBK to Feiqiu, which
 * ignores UTF8OPT and reads GBK only (peers-on-the-wire.md); else UTF-8 to a peer that announced it reads it; else
 * the charset the peer writes in (a peer that sent GBK reads GBK: QIpMsg, a GBK-configured iptux); else UTF-8.
 * Only ASCII-compatible charsets come out: anything else could not carry the header.
 */
export function sendCharset(inputs: SendCharsetInputs = {}): string {
  const requested = ipmsgCharset(inputs.requested)
  if (requested !== undefined) return requested
  if (inputs.client?.kind === 'feiqiu') return 'gbk'
  if (inputs.readsUtf8) return 'utf-8'
  return ipmsgCharset(inputs.writes) ?? 'utf-8'
}

/** The inputs of sendCharset that one packet from the peer gives, with what was remembered of it before. */
export function peerInputs(packet: Packet, remembered: string | undefined): SendCharsetInputs {
  return {
    client: packet.client,
    readsUtf8: (packet.command & (UTF8OPT | CAPUTF8OPT)) !== 0,
    writes: writtenCharset(packet) ?? remembered,
  }
}

const NON_ASCII = /[^\u0000-\u007F]/

/** Whether the text has a character beyond ASCII (an empty or missing one asks no regex: ~280 instructions a test). */
export function hasNonAscii(text: string | undefined): boolean {
  return text !== undefined && text !== '' && NON_ASCII.test(text)
}

/**
 * The charset a packet shows its sender writes in: only when non-ASCII text was decoded with it, without UTF8OPT
 * (that flag speaks for one packet, §5) and without the UTF-8 extension (whose names are UTF-8 whatever the legacy
 * charset is, §1.4). Only an ASCII-compatible charset counts. `asciiNames`: the caller knows user and host to be
 * ASCII (presence, for a row found by them), so only the other fields are tested.
 */
export function writtenCharset(packet: Packet, asciiNames = false): string | undefined {
  if (packet.command & UTF8OPT || packet.extension !== undefined) return undefined
  const nonAscii =
    (!asciiNames && (hasNonAscii(packet.user) || hasNonAscii(packet.host))) ||
    hasNonAscii(packet.nickname) ||
    hasNonAscii(packet.group) ||
    hasNonAscii(packet.text)
  return nonAscii ? ipmsgCharset(packet.charset) : undefined
}
