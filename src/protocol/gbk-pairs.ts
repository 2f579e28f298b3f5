// GB18030 (GBK) text of ASCII and two-byte characters, read through a table made once from iconv-lite's own
// decoder: the characters iconv-lite gives, without the buffers it makes a call. Anything else is left to it.
import {Buffer} from 'node:buffer'

const FIRST_LEAD = 0x81
const LAST_LEAD = 0xfe
const FIRST_TRAIL = 0x40
const LAST_TRAIL = 0xfe
const TRAILS = LAST_TRAIL - FIRST_TRAIL + 1
/** Spans longer than this go to iconv-lite: the scratch buffer stays small. */
const MAX_SPAN = 4096

const {ucs2Slice} = Buffer.prototype as unknown as {
  ucs2Slice: (this: Uint8Array, start: number, end: number) => string
}

/** (lead, trail) → the UTF-16 unit iconv-lite decodes the pair to; 0 where it gives anything but one character. */
let table: Uint16Array | undefined
/** The UTF-16LE of the span being decoded (ucs2Slice copies it into the string). */
let scratch: Buffer | undefined

function makeTable(decode: (bytes: Buffer) => string): Uint16Array {
  const made = new Uint16Array((LAST_LEAD - FIRST_LEAD + 1) * TRAILS)
  // Every pair of one lead in one call, each followed by `\n`: no lead swallows it (isAsciiCompatible checks so).
  const row = Buffer.alloc(TRAILS * 3)
  for (let lead = FIRST_LEAD; lead <= LAST_LEAD; lead++) {
    for (let k = 0; k < TRAILS; k++) {
      row[k * 3] = lead
      row[k * 3 + 1] = FIRST_TRAIL + k
      row[k * 3 + 2] = 0x0a
    }

    const chars = decode(row).split('\n')
    if (chars.length !== TRAILS + 1) continue // not one piece a pair: leave the whole lead to iconv-lite
    for (let k = 0; k < TRAILS; k++) {
      const char = chars[k]
      if (char.length === 1 && char !== '\uFFFD') made[(lead - FIRST_LEAD) * TRAILS + k] = char.charCodeAt(0)
    }
  }

  return made
}

/**
 * bytes[from, to) in GB18030 exactly as `decode` (iconv-lite's) reads it, or undefined when the span holds anything
 * but ASCII and two-byte characters (four-byte sequences, invalid bytes, a lead cut off) or is long.
 */
export function decodeGbkPairs(
  bytes: Uint8Array,
  from: number,
  to: number,
  decode: (bytes: Buffer) => string,
): string | undefined {
  if (to - from > MAX_SPAN) return undefined
  table ??= makeTable(decode)
  scratch ??= Buffer.allocUnsafe(MAX_SPAN * 2)
  let at = 0
  for (let i = from; i < to; i++) {
    let unit = bytes[i]
    if (unit >= 0x80) {
      const trail = i + 1 < to ? bytes[i + 1] : 0
      const pair = unit >= FIRST_LEAD && unit <= LAST_LEAD && trail >= FIRST_TRAIL && trail <= LAST_TRAIL
      unit = pair ? table[(unit - FIRST_LEAD) * TRAILS + trail - FIRST_TRAIL] : 0
      if (unit === 0) return undefined
      i++
    }

    scratch[at] = unit & 0xff
    scratch[at + 1] = unit >> 8
    at += 2
  }

  return ucs2Slice.call(scratch, 0, at)
}
