// Any mode without a family of its own (GETINFO, SENDINFO, SENDABSENCEINFO, private codes…): the first
// NUL-terminated part of the body is the text (§1.4), sent in the packet's charset.
import type {BodyCodec} from '../body-codec.js'
import type {EncodeResult, OutgoingPacket} from '../types.js'

import {firstPartText} from '../body-codec.js'
import {encodeText} from '../charset.js'
import {concat, type EncodeContext, EncodeError, fitText, NUL_BYTE, tooLarge} from '../encode-support.js'

/** `text \0`, CRLF as LF (§1.5); shortened to fit when ctx.truncate, else a TOO_LARGE EncodeError. */
export function encodeTextBody(text: unknown, {header, limits, truncate}: EncodeContext): EncodeResult {
  if (typeof text !== 'string') throw new EncodeError('INVALID_TEXT', 'the text must be a string')
  if (text.includes('\0')) throw new EncodeError('INVALID_TEXT', 'the text contains a NUL character')
  const wire = text.replaceAll('\r\n', '\n')
  const body = encodeText(wire, limits.charset)
  const room = limits.maxBytes - header.length - 1
  const what = text === '' || room < 0 ? 'packet' : 'message'
  const error = tooLarge(what, [header, body, NUL_BYTE], header.length + body.length + 1, limits)
  if (error === undefined) return {bytes: concat([header, body, NUL_BYTE]), truncated: false}
  if (!truncate || room < 0 || tooLarge(what, [header, NUL_BYTE], header.length + 1, limits)) throw error
  const fits = (fitted: Uint8Array) =>
    !tooLarge(what, [header, fitted, NUL_BYTE], header.length + fitted.length + 1, limits)
  const fitted = fitText(wire, room, limits.charset, fits)
  return {bytes: concat([header, fitted, NUL_BYTE]), truncated: true}
}

export const plainBody: BodyCodec = {
  family: 'plain',
  fields: [],
  decode(packet, body) {
    packet.text = firstPartText(body).text
  },
  encode: (packet: OutgoingPacket, ctx) => encodeTextBody(packet.text ?? '', ctx),
}
