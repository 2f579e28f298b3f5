// Text from the network never reaches the terminal raw: control, bidi and invisible characters become visible
// escapes, so a peer cannot move the cursor, set the window title, plant hyperlinks or disguise a name.
import {lazyPattern} from './lazy-pattern.js'

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

/** Combining marks kept on one character (Vietnamese, Thai, Indic and pointed Hebrew need at most 4); more are escaped. */
export const MAX_MARKS_PER_CHARACTER = 6
/** Joiners kept in one emoji sequence (the longest standard ones, 👩‍❤️‍💋‍👨 and 👨‍👩‍👧‍👦, have 3). */
const MAX_EMOJI_JOINERS = 3
/** Tag characters kept after 🏴 in a subdivision flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿 has 5 and a cancel tag). */
const MAX_FLAG_TAGS = 8

function hex2(code: number): string {
  return code.toString(16).padStart(2, '0')
}

// Controls, format characters (bidi, zero-width, tags, U+0600, U+110BD, …), lone surrogates, line and paragraph
// separators and the default-ignorable characters that draw nothing (Hangul fillers, variation selectors, CGJ).
const HIDDEN = lazyPattern(() => /^[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]$/u)
const MARK = lazyPattern(() => /^\p{M}$/u)
const PICTOGRAPHIC = lazyPattern(() => /^\p{Extended_Pictographic}$/u)
const EMOJI_MODIFIER = lazyPattern(() => /^\p{Emoji_Modifier}$/u)
// Fast path: a string without any of these, and without a long run of marks, is shown as it is.
const NEEDS_ESCAPE = lazyPattern(
  () =>
    new RegExp(
      `[\\\\\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}]|^\\p{M}|\\p{M}{${MAX_MARKS_PER_CHARACTER + 1}}`,
      'u',
    ),
)
const ZWJ = 0x20_0d
const BLACK_FLAG = 0x1_f3_f4
const CANCEL_TAG = 0xe_00_7f

function isVariationSelector(code: number): boolean {
  return (code >= 0xfe00 && code <= 0xfe0f) || (code >= 0xe_01_00 && code <= 0xe_01_ef)
}

function isTag(code: number): boolean {
  return code >= 0xe_00_20 && code <= 0xe_00_7e
}

/** Length (in UTF-16 units) of a valid subdivision-flag tag run starting at `i` (tags then a cancel tag), or 0. */
function flagTagsAt(s: string, i: number): number {
  let j = i
  let tags = 0
  while (j < s.length && tags <= MAX_FLAG_TAGS) {
    const code = s.codePointAt(j)!
    if (code === CANCEL_TAG) return tags > 0 ? j + 2 - i : 0
    if (!isTag(code)) return 0
    tags++
    j += 2
  }

  return 0
}

function isPlainAscii(code: number): boolean {
  return code >= 0x20 && code < 0x7f && code !== 0x5c
}

function escapeControl(code: number): string {
  if (code < 0x20) return C0_NAMES[code] ?? `\\x${hex2(code)}`
  if (code === 0x7f) return String.raw`\x7f`
  return `\\u{${code.toString(16).padStart(2, '0')}}`
}

/**
 * Every character that a terminal would interpret or that would hide itself becomes a visible escape (`\x1b`,
 * `\u{202e}`); emoji sequences keep their joiners, one variation selector and a flag's tags. Linear in `s`.
 */
export function safeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? safePrefix(s, Number.POSITIVE_INFINITY).text : s
}

/**
 * safeText of the start of `s`, stopping once the text made safe takes at least `columns` display columns: what a
 * cell of that width needs, whatever the length of `s`. `cut` says that some of `s` was left out.
 */
// eslint-disable-next-line complexity, max-lines-per-function -- one pass, a branch per kind of character
export function safePrefix(s: string, columns: number): {text: string; cut: boolean} {
  let out = ''
  let shownColumns = 0 // a lower bound: one for each character and escape character, none for what attaches
  // State of the character being shown: its marks, whether a variation selector follows it, whether it is an
  // emoji (sequence) and how many joiners that has. Nothing may attach to the start or to an escape.
  let marks = MAX_MARKS_PER_CHARACTER
  let selector = true
  let emoji = false
  let joiners = 0
  let joined = false // the last character kept was a joiner inside an emoji sequence
  let keepUntil = -1 // a flag's tag run is kept up to this index
  let i = 0
  while (i < s.length && shownColumns < columns) {
    const code = s.codePointAt(i)!
    if (code >= 0x20 && code < 0x7f && code !== 0x5c && i >= keepUntil) {
      // A run of plain ASCII is copied in one piece.
      const start = i
      while (++i < s.length && isPlainAscii(s.charCodeAt(i)));
      out += s.slice(start, i)
      shownColumns += i - start
      marks = 0
      selector = false
      emoji = false
      joined = false
      continue
    }

    const size = code > 0xff_ff ? 2 : 1
    const char = size === 1 ? s[i] : s.slice(i, i + 2)
    let shown: string | undefined
    let attaches = true // a kept character that takes no column of its own
    if (i < keepUntil) {
      shown = char
    } else if (isVariationSelector(code)) {
      if (!selector) shown = char
      selector = true
    } else if (code === ZWJ) {
      const next = s.codePointAt(i + 1)
      if (emoji && joiners < MAX_EMOJI_JOINERS && next !== undefined && PICTOGRAPHIC.test(String.fromCodePoint(next))) {
        shown = char
        joiners++
        joined = true
      }
    } else if (code < 0xa0 || HIDDEN.test(char)) {
      shown = undefined // a backslash, a control character (the rest of ASCII went above) or a hidden one
    } else if (MARK.test(char)) {
      if (++marks <= MAX_MARKS_PER_CHARACTER) shown = char
      emoji = false // an emoji sequence joins emoji, not accented ones
    } else {
      shown = char
      attaches = false
      if (!emoji || !EMOJI_MODIFIER.test(char)) {
        if (!joined) joiners = 0
        emoji = PICTOGRAPHIC.test(char)
        marks = 0
        selector = false
      }

      joined = false
      if (code === BLACK_FLAG) keepUntil = i + size + flagTagsAt(s, i + size)
    }

    if (shown === undefined) {
      shown = code === 0x5c ? '\\\\' : code < 0xa0 ? escapeControl(code) : `\\u{${code.toString(16)}}`
      shownColumns += shown.length
      marks = MAX_MARKS_PER_CHARACTER
      selector = true
      emoji = false
      joined = false
    } else if (!attaches) {
      shownColumns++
    }

    out += shown
    i += size
  }

  return {text: out, cut: i < s.length}
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
