// Terminal columns taken by a string: East Asian Wide/Fullwidth and emoji take 2, combining and format
// characters 0, the rest 1. Measured per character cluster (a character with its marks, an emoji sequence, a flag)
// so that ZWJ emoji, flags and keycaps count once. Intl.Segmenter is not used: in V8 its cost grows with the square
// of the string's length (64,000 characters took seconds), and a cell needs only the clusters that fit in it.
import {lazyPattern} from './lazy-pattern.js'

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

const ZERO_WIDTH = lazyPattern(() => /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}\u1160-\u11FF\u200B]$/u)
const EMOJI_PRESENTATION = lazyPattern(() => /^\p{Emoji_Presentation}$/u)
const ASCII_PRINTABLE = /^[\u0020-\u007E]*$/

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

const MARK = lazyPattern(() => /^\p{M}$/u)
const PICTOGRAPHIC = lazyPattern(() => /^\p{Extended_Pictographic}$/u)
const EMOJI_MODIFIER = lazyPattern(() => /^\p{Emoji_Modifier}$/u)
const ZWJ = 0x20_0d

function isRegionalIndicator(code: number): boolean {
  return code >= 0x1_f1_e6 && code <= 0x1_f1_ff
}

/** Characters that extend the cluster before them: marks, joiners, tags, Hangul vowel and final jamo. */
function extendsCluster(code: number, char: string): boolean {
  if (code < 0x3_00) return false
  return (
    code === ZWJ ||
    (code >= 0x11_60 && code <= 0x11_ff) ||
    (code >= 0xd7_b0 && code <= 0xd7_ff) ||
    (code >= 0xe_00_20 && code <= 0xe_00_7f) ||
    MARK.test(char) ||
    EMOJI_MODIFIER.test(char)
  )
}

/**
 * The clusters of `s` one at a time, in linear time: a character with what extends it, a joined emoji sequence,
 * a pair of regional indicators. Text made safe by safeText has no cluster longer than a few characters.
 * @yields each cluster, in order
 */
export function* clusters(s: string): Generator<string> {
  let start = 0
  let i = 0
  let previous = -1
  let regional = false // the cluster is one regional indicator, waiting for its pair
  while (i < s.length) {
    const code = s.codePointAt(i)!
    const size = code > 0xff_ff ? 2 : 1
    const char = size === 1 ? s[i] : s.slice(i, i + 2)
    const joins: boolean =
      i > start &&
      (extendsCluster(code, char) ||
        (previous === ZWJ && PICTOGRAPHIC.test(char)) ||
        (regional && isRegionalIndicator(code)))
    if (!joins && i > start) {
      yield s.slice(start, i)
      start = i
    }

    regional = !joins && isRegionalIndicator(code)
    previous = code
    i += size
  }

  if (i > start) yield s.slice(start, i)
}

function clusterWidth(cluster: string): number {
  if (cluster.length === 1) return codePointWidth(cluster)
  let width = 0
  for (const char of cluster) width = Math.max(width, codePointWidth(char))
  // VS16 asks for emoji presentation, which terminals draw two columns wide (❤️, 1️⃣).
  if (width === 1 && cluster.includes('\uFE0F')) return 2
  return width
}

export function displayWidth(s: string): number {
  if (ASCII_PRINTABLE.test(s)) return s.length
  let width = 0
  for (const cluster of clusters(s)) width += clusterWidth(cluster)
  return width
}

/**
 * Cut `s` to at most `width` columns, ending with `…` when something was cut (or when `cut` says that `s` itself
 * is already a cut-off prefix). Looks at no more of `s` than fits in `width` columns and one more cluster.
 */
export function truncateToWidth(s: string, width: number, cut = false): string {
  if (width <= 0) return ''
  if (!cut && s.length <= width && ASCII_PRINTABLE.test(s)) return s
  let used = 0
  let fitEnd = 0 // the end of the clusters that fit in width - 1 columns, leaving one for `…`
  for (const cluster of clusters(s)) {
    const w = clusterWidth(cluster)
    if (used + w > width) return `${s.slice(0, fitEnd)}…`
    used += w
    if (used <= width - 1) fitEnd += cluster.length
  }

  if (!cut) return s
  return used <= width - 1 ? `${s}…` : `${s.slice(0, fitEnd)}…`
}

/** Pad `s` with spaces to `width` columns (never cuts; see truncateToWidth). */
export function padToWidth(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const padding = ' '.repeat(Math.max(0, width - displayWidth(s)))
  return align === 'right' ? padding + s : s + padding
}
