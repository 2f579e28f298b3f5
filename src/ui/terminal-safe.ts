// Text from the network never reaches the terminal raw: control, bidi and invisible characters become visible
// escapes, so a peer cannot move the cursor, set the window title, plant hyperlinks or disguise a name.

const C0_NAMES: Record<number, string> = {
  0x00: String.raw`\0`,
  0x07: String.raw`\a`,
  0x08: String.raw`\b`,
  0x09: String.raw`\t`,
  0x0a: String.raw`\n`,
  0x0b: String.raw`\v`,
  0x0c: String.raw`\f`,
  0x0d: String.raw`\r`,
}

// Bidi controls, zero-width and invisible characters, line/paragraph separators, Hangul fillers (used for blank
// names) and interlinear annotation marks. Checked per code point, so emoji, CJK and accents pass through.
const INVISIBLE: Array<[number, number]> = [
  [0x00ad, 0x00ad],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x2069],
  [0x3164, 0x3164],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff9, 0xfffb],
]

function hex2(code: number): string {
  return code.toString(16).padStart(2, '0')
}

function isInvisible(code: number): boolean {
  return INVISIBLE.some(([low, high]) => code >= low && code <= high)
}

function escapeCodePoint(code: number): string | undefined {
  if (code === 0x5c) return '\\\\'
  if (code < 0x20) return C0_NAMES[code] ?? `\\x${hex2(code)}`
  if (code === 0x7f) return String.raw`\x7f`
  if (code < 0x7f) return undefined
  if (code <= 0x9f) return `\\u{${hex2(code)}}`
  if (isInvisible(code) || (code >= 0xd800 && code <= 0xdfff)) return `\\u{${code.toString(16)}}`
  return undefined
}

// Fast path: printable ASCII without backslash, or anything at or above U+00A0 outside the risky ranges.
const NEEDS_ESCAPE =
  /[\u0000-\u001f\u005c\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\u3164\ufeff\uffa0\ufff9-\ufffb\ud800-\udfff]/

const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u
const ZWJ = 0x20_0d

export function safeText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s
  // Array.from walks code points; a lone surrogate comes through as one unpaired code unit.
  const chars = Array.from(s)
  let out = ''
  for (const [i, char] of chars.entries()) {
    const code = char.codePointAt(0)!
    // A joiner inside an emoji sequence (👨‍👩‍👧) is part of the emoji, not a hidden character.
    const inEmoji = code === ZWJ && PICTOGRAPHIC.test(chars[i - 1] ?? '') && PICTOGRAPHIC.test(chars[i + 1] ?? '')
    out += (char.length === 1 && !inEmoji ? escapeCodePoint(code) : undefined) ?? char
  }

  return out
}

function isPrintableAscii(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e
}

/** A one-line preview of bytes that are not an IPMsg packet: printable ASCII as is, the rest as `\xNN`. */
export function safeBytesPreview(bytes: Uint8Array, max = 64): string {
  let out = ''
  const shown = Math.min(bytes.length, Math.max(0, max))
  for (let i = 0; i < shown; i++) {
    const byte = bytes[i]
    out += byte === 0x5c ? '\\\\' : isPrintableAscii(byte) ? String.fromCharCode(byte) : `\\x${hex2(byte)}`
  }

  return bytes.length > shown ? `${out}… (${bytes.length} bytes)` : out
}

/** Classic hex dump: offset, 16 bytes in two groups of 8, and an ASCII column with `.` for non-printables. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = []
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const chunk = bytes.subarray(offset, offset + 16)
    let hex = ''
    let ascii = ''
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' '
      hex += i < chunk.length ? `${hex2(chunk[i])} ` : '   '
      if (i < chunk.length) ascii += isPrintableAscii(chunk[i]) ? String.fromCharCode(chunk[i]) : '.'
    }

    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`)
  }

  return lines.join('\n')
}
