// Terminal columns taken by a string: East Asian Wide/Fullwidth and emoji take 2, combining and format
// characters 0, the rest 1. Measured per grapheme so that ZWJ emoji, flags and keycaps count once.

// East Asian Wide and Fullwidth blocks (Unicode EastAsianWidth.txt, condensed); emoji are matched by property.
const WIDE: Array<[number, number]> = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes, enclosed
  [0x3400, 0x4dbf], // CJK Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo Extended-A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff], // Tangut
  [0x1b000, 0x1b2ff], // Kana supplement, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x2fffd], // CJK Extensions B–F
  [0x30000, 0x3fffd], // CJK Extension G and later
]

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}\u1160-\u11ff\u200b]$/u
const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u
const ASCII_PRINTABLE = /^[\u0020-\u007e]*$/

function isWide(code: number): boolean {
  for (const [low, high] of WIDE) {
    if (code < low) return false
    if (code <= high) return true
  }

  return false
}

export function codePointWidth(char: string): 0 | 1 | 2 {
  const code = char.codePointAt(0)!
  if (code < 0x7f) return code >= 0x20 ? 1 : 0
  if (ZERO_WIDTH.test(char)) return 0
  if (isWide(code) || EMOJI_PRESENTATION.test(char)) return 2
  return 1
}

let segmenter: Intl.Segmenter | undefined

function graphemes(s: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, {granularity: 'grapheme'})
  return Array.from(segmenter.segment(s), (segment) => segment.segment)
}

function graphemeWidth(grapheme: string): number {
  let width = 0
  for (const char of grapheme) width = Math.max(width, codePointWidth(char))
  // VS16 asks for emoji presentation, which terminals draw two columns wide (❤️, 1️⃣).
  if (width === 1 && grapheme.includes('\uFE0F')) return 2
  return width
}

export function displayWidth(s: string): number {
  if (ASCII_PRINTABLE.test(s)) return s.length
  let width = 0
  for (const grapheme of graphemes(s)) width += graphemeWidth(grapheme)
  return width
}

/** Cut `s` to at most `width` columns, ending with `…` when something was cut. */
export function truncateToWidth(s: string, width: number): string {
  if (width <= 0) return ''
  if (displayWidth(s) <= width) return s
  let out = ''
  let used = 0
  for (const grapheme of graphemes(s)) {
    const w = graphemeWidth(grapheme)
    if (used + w > width - 1) break
    out += grapheme
    used += w
  }

  return `${out}…`
}

/** Pad `s` with spaces to `width` columns (never cuts; see truncateToWidth). */
export function padToWidth(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const padding = ' '.repeat(Math.max(0, width - displayWidth(s)))
  return align === 'right' ? padding + s : s + padding
}
