// What announce sends, encoded and remembered: the bytes (to know our own broadcasts heard back) and the packet
// numbers (to know which answers are to us). One round of a message is one packet number, a copy per charset read.
import type {Target} from '../net/targets.js'
import type {EncodeOptions, OutgoingPacket} from '../protocol/types.js'
import type {PacketNumberSource} from './packet-number-store.js'

import {decodeText, encodeText, normalizeCharset} from '../protocol/charset.js'
import {modeName, modeOf} from '../protocol/constants.js'
import {encode, EncodeError} from '../protocol/encode.js'
import {type Copy, copiesFor} from './target-charsets.js'

/** The packet (and its encode options) as it is written in one charset. */
export type WrittenPacket = {packet: Omit<OutgoingPacket, 'packetNo'>; encodeOptions?: EncodeOptions}

export type Outgoing =
  | {
      kind: 'packet'
      packet: Omit<OutgoingPacket, 'packetNo'>
      encodeOptions?: EncodeOptions
      /**
       * The packet written in another charset: given, each unicast target that answered the entry gets its copy in
       * the charset it reads (sendCharset), with the same packet number; broadcasts and the rest get `packet`.
       */
      writtenIn?: (charset: string) => WrittenPacket
    }
  | {kind: 'raw'; bytes: Uint8Array}

export interface SentPacket {
  round: number
  packetNo: null | number
  command: null | number
  mode: null | string
  bytes: number
  truncated: boolean
}

/** True when some of these texts do not come back the same from the charset (iconv-lite writes '?' instead). */
function lossy(texts: string[], charset: string): boolean {
  return texts.some((text) => decodeText(encodeText(text, charset), charset) !== text)
}

export class OurPackets {
  readonly packetNos = new Set<number>()
  private readonly payloads = new Set<string>()

  constructor(private readonly numbers: PacketNumberSource) {}

  /** True when these bytes are a datagram we sent. */
  isOurs(data: Buffer): boolean {
    return this.payloads.has(data.toString('latin1'))
  }

  /** Encodes a packet (with a new number unless given) and remembers it. Throws EncodeError. */
  write(written: WrittenPacket, round: number, packetNo = this.numbers.next()): {copy: Copy; sent: SentPacket} {
    const {packet, encodeOptions} = written
    const encoded = encode({...packet, packetNo}, encodeOptions)
    this.payloads.add(Buffer.from(encoded.bytes).toString('latin1'))
    this.packetNos.add(packetNo)
    const sent: SentPacket = {
      round,
      packetNo,
      command: packet.command,
      mode: modeName(modeOf(packet.command)),
      bytes: encoded.bytes.length,
      truncated: encoded.truncated,
    }
    const charset = normalizeCharset(encodeOptions?.charset ?? 'utf-8') ?? 'utf-8'
    const copy: Copy = {bytes: encoded.bytes, charset, truncated: encoded.truncated}
    if (charset !== 'utf-8' && lossy([packet.text ?? '', packet.user, packet.host], charset)) copy.lossy = true
    return {copy, sent}
  }

  /**
   * One round of the message: the copy for each target, in the order of `targets`. With `writtenIn`, a target
   * gets the copy in `charsetOf(target, main charset)`, same packet number; one that cannot be written, the main.
   * `sent` describes the main copy (`main`: what a sweep's probes carry), and says truncated when any copy sent was.
   */
  round(
    outgoing: Outgoing,
    targets: Target[],
    round: number,
    charsetOf: (target: Target, fallback: string) => string,
  ): {copies: Copy[]; main: Copy; sent: SentPacket} {
    if (outgoing.kind === 'raw') {
      this.payloads.add(Buffer.from(outgoing.bytes).toString('latin1'))
      const {length} = outgoing.bytes
      const sent = {round, packetNo: null, command: null, mode: null, bytes: length, truncated: false}
      const main = {bytes: outgoing.bytes, charset: '', truncated: false}
      return {copies: targets.map(() => main), main, sent}
    }

    const {copy: main, sent} = this.write(outgoing, round)
    const {writtenIn} = outgoing
    if (writtenIn === undefined) return {copies: targets.map(() => main), main, sent}
    const write = (charset: string) => {
      try {
        return this.write(writtenIn(charset), round, sent.packetNo!).copy
      } catch (error) {
        if (error instanceof EncodeError) return undefined // then the main copy, said in its own charset
        throw error
      }
    }

    const copies = copiesFor(targets, (t) => charsetOf(t, main.charset), main, write)
    // A copy in a charset that takes more bytes (GB18030's 4-byte forms) can be shortened where the main was not.
    sent.truncated = copies.some((c) => c.truncated)
    return {copies, main, sent}
  }
}
