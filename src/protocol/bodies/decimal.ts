// Bodies that are one decimal number: RECVMSG & co. (the packet acknowledged, §3.6) and GETLIST (a start index, §3.10).
import type {EncodeResult} from '../types.js'

import {encodeText} from '../charset.js'
import {checkInteger, concat, type EncodeContext, EncodeError, NUL_BYTE} from '../encode-support.js'

const MAX_UINT32 = 0xffffffff

/** Windows prints these with %d, so a number above 2^31 may come negative (§3.6, §4); undefined when not a number. */
export function parseDecimalBody(text: string): number | undefined {
  if (!/^-?\d{1,10}$/.test(text)) return undefined
  const value = Number(text)
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
