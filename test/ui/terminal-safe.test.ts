import {expect} from 'chai'
import fc from 'fast-check'

import {hexDump, MAX_MARKS_PER_CHARACTER, safeBytesPreview, safePrefix, safeText} from '../../src/ui/terminal-safe.js'

// Everything a terminal may interpret or hide: C0, DEL, C1, bidi controls, zero-width, separators, lone surrogates.
const FORBIDDEN =
  /[\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The output with joiners inside emoji sequences removed: those are allowed to stay. */
function withoutEmojiJoiners(s: string): string {
  return s.replaceAll(
    /(?<=[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F])\u200D(?=\p{Extended_Pictographic})/gu,
    '',
  )
}

/** Format characters and tags (U+0600, U+110BD, U+E0041, …): none may survive outside a subdivision flag. */
const FORMAT = /\p{Cf}/u

describe('ui/terminal-safe', () => {
  describe('safeText', () => {
    it('makes escape sequences visible text', () => {
      expect(safeText('\u001B[31mred\u001B[0m')).to.equal(String.raw`\x1b[31mred\x1b[0m`)
      expect(safeText('\u001B]8;;http://x\u0007click\u001B]8;;\u0007')).to.equal(
        String.raw`\x1b]8;;http://x\aclick\x1b]8;;\a`,
      )
      expect(safeText('\u001B]0;pwn\u0007')).to.equal(String.raw`\x1b]0;pwn\a`)
      expect(safeText('\u001B]0;pwn\u001B\\')).to.equal(String.raw`\x1b]0;pwn\x1b\\`)
      expect(safeText('\u001B[200~rm -rf ~\u001B[201~')).to.equal(String.raw`\x1b[200~rm -rf ~\x1b[201~`)
    })

    it('names the common C0 controls and writes the rest as hex escapes', () => {
      expect(safeText('a\nb\rc\td\0e\u0007f\bg\fh\vi')).to.equal(String.raw`a\nb\rc\td\0e\af\bg\fh\vi`)
      expect(safeText('\u0001\u001F\u007F')).to.equal(String.raw`\x01\x1f\x7f`)
    })

    it('escapes backslash so that escapes cannot be forged', () => {
      expect(safeText(String.raw`C:\new`)).to.equal(String.raw`C:\\new`)
      expect(safeText(String.raw`\x1b`)).to.equal(String.raw`\\x1b`)
    })

    it('escapes C1 controls, including the single-byte CSI', () => {
      expect(safeText('\u009B31m')).to.equal(String.raw`\u{9b}31m`)
      expect(safeText('\u0085\u0080\u009F')).to.equal(String.raw`\u{85}\u{80}\u{9f}`)
    })

    it('escapes bidi controls, zero-width and invisible characters', () => {
      expect(safeText('evil\u202Etxt.exe')).to.equal(String.raw`evil\u{202e}txt.exe`)
      expect(safeText('a\u200Bb\u200Cc\u200Dd')).to.equal(String.raw`a\u{200b}b\u{200c}c\u{200d}d`)
      expect(safeText('\u061C\u200E\u200F\u202A\u2066\u2069')).to.equal(
        String.raw`\u{61c}\u{200e}\u{200f}\u{202a}\u{2066}\u{2069}`,
      )
      expect(safeText('\uFEFF\u2060\u2064\u180E\u00AD')).to.equal(String.raw`\u{feff}\u{2060}\u{2064}\u{180e}\u{ad}`)
      expect(safeText('line\u2028para\u2029')).to.equal(String.raw`line\u{2028}para\u{2029}`)
      expect(safeText('\u3164')).to.equal(String.raw`\u{3164}`)
    })

    it('escapes invisible format characters: tags, Arabic and Syriac signs, musical and Kaithi format marks', () => {
      expect(safeText('admin\u{E0041}\u{E0001}')).to.equal(String.raw`admin\u{e0041}\u{e0001}`)
      expect(safeText('\u0600\u070F\u{110BD}\u{1D173}\u{1D17A}')).to.equal(
        String.raw`\u{600}\u{70f}\u{110bd}\u{1d173}\u{1d17a}`,
      )
      // Default-ignorable characters that draw nothing: the combining grapheme joiner, a second variation selector.
      expect(safeText('a\u034Fb')).to.equal(String.raw`a\u{34f}b`)
      expect(safeText('❤\uFE0F\uFE0F')).to.equal(String.raw`❤️\u{fe0f}`)
      // A subdivision flag keeps its tags; the same tags after anything else are escaped.
      const scotland = '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}'
      expect(safeText(scotland)).to.equal(scotland)
      expect(safeText('x\u{E0067}\u{E007F}')).to.equal(String.raw`x\u{e0067}\u{e007f}`)
    })

    it('caps combining marks per character and emoji joiners per sequence', () => {
      expect(safeText('e\u0301\u0302')).to.equal('e\u0301\u0302')
      const bomb = safeText(`a${'\u0301'.repeat(30_000)}b`)
      expect(bomb.startsWith(`a${'\u0301'.repeat(MAX_MARKS_PER_CHARACTER)}\\u{301}`), bomb.slice(0, 40)).to.equal(true)
      expect(bomb.match(/\u0301/g)).to.have.lengthOf(MAX_MARKS_PER_CHARACTER)
      expect(bomb.endsWith(String.raw`\u{301}b`)).to.equal(true)
      // Marks cannot attach to the start of the text or to an escape.
      expect(safeText('\u0301x')).to.equal(String.raw`\u{301}x`)
      expect(safeText('\u0007\u0301')).to.equal(String.raw`\a\u{301}`)
      expect(safeText('👨‍👩‍👧‍👦')).to.equal('👨‍👩‍👧‍👦')
      expect(safeText('👨‍👩‍👧‍👦‍👦')).to.equal(String.raw`👨‍👩‍👧‍👦\u{200d}👦`)
    })

    it('makes safe only the start of a text that a cell needs', () => {
      const bomb = `a${'\u0301'.repeat(30_000)}`
      const prefix = safePrefix(bomb, 10)
      expect(prefix.cut).to.equal(true)
      expect(prefix.text).to.equal(`a${'\u0301'.repeat(MAX_MARKS_PER_CHARACTER)}${String.raw`\u{301}\u{301}`}`)
      expect(safePrefix('plain', 10)).to.deep.equal({text: 'plain', cut: false})
      expect(safePrefix('\u001B[2J and more', 4)).to.deep.equal({text: String.raw`\x1b`, cut: true})
      expect(safePrefix('e\u0301e\u0301', 2)).to.deep.equal({text: 'e\u0301e', cut: true})
    })

    it('escapes lone surrogates and keeps U+FFFD', () => {
      expect(safeText('a\uD800b\uDC00')).to.equal(String.raw`a\u{d800}b\u{dc00}`)
      expect(safeText('bad \uFFFD byte')).to.equal('bad \uFFFD byte')
    })

    it('passes CJK, emoji, accents and emoji sequences through unchanged', () => {
      for (const text of [
        '张三的电脑',
        '飛秋 ユーザー',
        '한국어',
        'café naïve',
        '😀👍🏽',
        '👨‍👩‍👧',
        '🇨🇳',
        '❤️',
        'e\u0301',
        'plain text',
      ]) {
        expect(safeText(text), text).to.equal(text)
      }
    })

    it('never lets a control, bidi or invisible character through (property)', () => {
      fc.assert(
        fc.property(
          fc.string({unit: 'binary', maxLength: 80}),
          (s) => !FORBIDDEN.test(withoutEmojiJoiners(safeText(s))),
        ),
        {numRuns: 2000},
      )
      fc.assert(
        fc.property(
          fc.string({
            unit: fc.constantFrom('a', '\u0600', '\u{E0041}', '\u{110BD}', '\u0301', '\u200D', '😀', '\\'),
            maxLength: 30,
          }),
          (s) => !FORMAT.test(withoutEmojiJoiners(safeText(s))),
        ),
        {numRuns: 2000},
      )
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom('\u001B', '\u0007', '\u009B', '\u202E', '\u200D', '😀', '\\', 'a', '\uD800', '字'), {
            maxLength: 40,
          }),
          (parts) => !FORBIDDEN.test(withoutEmojiJoiners(safeText(parts.join('')))),
        ),
        {numRuns: 2000},
      )
    })

    it('is reversible in the sense that different inputs stay different (property)', () => {
      fc.assert(
        fc.property(fc.string({unit: 'binary', maxLength: 20}), fc.string({unit: 'binary', maxLength: 20}), (a, b) =>
          a === b ? true : safeText(a) !== safeText(b),
        ),
        {numRuns: 2000},
      )
    })
  })

  describe('safeBytesPreview', () => {
    it('shows printable ASCII as is and the rest as hex escapes', () => {
      expect(safeBytesPreview(Uint8Array.from([0x68, 0x69, 0x00, 0x1b, 0xff, 0x5c, 0x20]))).to.equal(
        String.raw`hi\x00\x1b\xff\\ `,
      )
    })

    it('cuts long input and says how long it was', () => {
      expect(safeBytesPreview(Buffer.alloc(100, 0x41), 10)).to.equal('AAAAAAAAAA… (100 bytes)')
      expect(safeBytesPreview(Buffer.alloc(64, 0x41))).to.equal('A'.repeat(64))
      expect(safeBytesPreview(new Uint8Array())).to.equal('')
    })
  })

  describe('hexDump', () => {
    it('prints 16 bytes per line with offsets and an ASCII column', () => {
      const bytes = Buffer.from('1:100:user:host:32:Hello\u0000\u00FF!', 'latin1')
      expect(hexDump(bytes)).to.equal(
        [
          '00000000  31 3a 31 30 30 3a 75 73  65 72 3a 68 6f 73 74 3a  |1:100:user:host:|',
          '00000010  33 32 3a 48 65 6c 6c 6f  00 ff 21                 |32:Hello..!|',
        ].join('\n'),
      )
    })

    it('prints nothing for no bytes and keeps later offsets in hex', () => {
      expect(hexDump(new Uint8Array())).to.equal('')
      const lines = hexDump(Buffer.alloc(40, 0x2e)).split('\n')
      expect(lines.map((line) => line.slice(0, 8))).to.deep.equal(['00000000', '00000010', '00000020'])
      expect(lines[0]).to.have.lengthOf(lines[1].length)
    })
  })
})
