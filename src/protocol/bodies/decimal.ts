// Bodies that are one decimal number: RECVMSG & co. (the packet acknowledged, §3.6) and GETLIST (a start index, §3.10).
import type {EncodeResult} from '../types.js'

import {encodeText} from '../charset.js'
import {checkInteger, concat, type EncodeContext, EncodeError, NUL_BYTE} from '../encode-support.js'

const MAX_UINT32 = 0xffffffff

/** Windows prints these with %d, so a number above 2^31 may come negative (§3.6, §4); undefined when not a number. */
export function parseDecimalBody(text: string): number | undefined {
  // `-?\d{1,10}` read by a loop: a regular expression and Number() cost more than the digits (one per RECVMSG).
  const from = text.charCodeAt(0) === 0x2d ? 1 : 0
  const digits = text.length - from
  if (digits < 1 || digits > 10) return undefined
  let value = 0
  for (let i = from; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30
    if (!(digit >= 0 && digit <= 9)) return undefined
    value = value * 10 + digit // exact: at most 10 digits
  }

  if (from === 1) value = -value // -0 stays -0, as Number('-0') gives
  if (value < -0x80000000 || value > MAX_UINT32) return undefined
  return value < 0 ? value + 0x100000000 : value
}

/** `value \0` in ASCII digits, whatever the charset. */
export function encodeDecimalBody(value: unknown, what: string, ctx: EncodeContext, max = MAX_UINT32): EncodeResult {
  const {header, limits} = ctx
  const checked = checkInteger(value, what, max)
  const bytes = concat([header, encodeText(String(checked), 'utf-8'), NUL_BYTE])
  if (bytes.length > limits.maxBytes) {
    throw new EncodeError('TOO_LARGE', `packet is ${bytes.length} bytes encoded; the limit is ${limits.maxBytes} bytes`)
  }

  return {bytes, truncated: false}
}
