// The shape of a body codec: what one family of modes puts after the header's fifth colon (§1.4), both ways.
import type {EncodeContext} from './encode-support.js'
import type {EncodeResult, OutgoingPacket, Packet} from './types.js'

/** The families of modes whose bodies read alike; the views choose their wording by family. */
export type BodyFamily = 'acknowledgement' | 'entry' | 'groupChat' | 'hostList' | 'image' | 'message' | 'plain'

/** The optional Packet fields a family fills, in the order the JSON views write them (after the common ones). */
export type FamilyField =
  | 'attachmentErrors'
  | 'dict'
  | 'encrypted'
  | 'extension'
  | 'extraParts'
  | 'font'
  | 'groupChat'
  | 'hostList'
  | 'imageId'
  | 'iptux'
  | 'listStart'

/** The body of a datagram being decoded, once its charset is known; valid only while the codec decodes. */
export interface BodyText {
  /** The whole datagram; the body is bytes[start, bytes.length). */
  readonly bytes: Uint8Array
  readonly start: number
  readonly charset: string
  /** Where the body's first part ends (what partEnd(bytes, start) gives), when the reader found it already. */
  readonly firstEnd?: number
  /** bytes[from, to) as text in the packet's charset. */
  text(from: number, to: number): string
  /** bytes[from, to) as UTF-8, whatever the packet's charset (an entry packet's extension, §1.4). */
  utf8(from: number, to: number): string
}

/** The byte spans of a body cut before any decoding (§5); `legacy` are the ones in the legacy charset. */
export interface BodySplit {
  readonly legacy: readonly Uint8Array[]
}

export interface BodyCodec {
  readonly family: BodyFamily
  /** The Packet fields this family may add, for the JSON views. */
  readonly fields: readonly FamilyField[]
  /**
   * Cuts the body into spans when some of it is not in the legacy charset (the entry family's UTF-8 extension, §1.4):
   * the charset is chosen (§5) from the spans in the legacy charset. Codecs without it read the whole body in one.
   */
  split?(body: Uint8Array): BodySplit
  /**
   * Sets `packet.text` and the family's fields from the body (`packet.user` and `packet.host` are read after it,
   * unless it set them); `split` is what split() returned, when the caller has it.
   */
  decode(packet: Packet, body: BodyText, split?: BodySplit): void
  /** The datagram: ctx.header followed by this family's body for `packet`. Throws EncodeError. */
  encode(packet: OutgoingPacket, ctx: EncodeContext): EncodeResult
}

const NUL = 0x00

/** The end of the body's first part: up to the first NUL (§1.4); the terminator itself is optional (§1.5). */
export function partEnd(bytes: Uint8Array, from: number): number {
  const nul = bytes.indexOf(NUL, from)
  return nul === -1 ? bytes.length : nul
}

/** The text of the body's first part, which every family but the entry family carries in `text`. */
export function firstPartText(body: BodyText): {end: number; text: string} {
  const end = body.firstEnd ?? partEnd(body.bytes, body.start)
  return {end, text: body.text(body.start, end)}
}
