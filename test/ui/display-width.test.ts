import {expect} from 'chai'

import {clusters, displayWidth, padToWidth, truncateToWidth} from '../../src/ui/display-width.js'

describe('ui/display-width', () => {
  it('counts columns, not code units', () => {
    expect(displayWidth('')).to.equal(0)
    expect(displayWidth('alice')).to.equal(5)
    expect(displayWidth('张三')).to.equal(4)
    expect(displayWidth('飛秋ユーザー')).to.equal(12)
    expect(displayWidth('한국어')).to.equal(6)
    expect(displayWidth('ＡＢ')).to.equal(4)
    expect(displayWidth('ｱｲ')).to.equal(2) // halfwidth katakana
    expect(displayWidth('张三 (alice)')).to.equal(12)
  })

  it('gives combining and format characters no width', () => {
    expect(displayWidth('e\u0301')).to.equal(1)
    expect(displayWidth('café')).to.equal(4)
    expect(displayWidth('a\u200Bb')).to.equal(2)
  })

  it('counts emoji and emoji sequences as two columns', () => {
    expect(displayWidth('😀')).to.equal(2)
    expect(displayWidth('👍🏽')).to.equal(2)
    expect(displayWidth('👨‍👩‍👧')).to.equal(2)
    expect(displayWidth('🇨🇳')).to.equal(2)
    expect(displayWidth('❤️')).to.equal(2)
    expect(displayWidth('ok 😀!')).to.equal(6)
  })

  it('truncates to a width with an ellipsis, never splitting a wide character', () => {
    expect(truncateToWidth('alice', 5)).to.equal('alice')
    expect(truncateToWidth('alice-laptop', 6)).to.equal('alice…')
    expect(truncateToWidth('张三李四', 5)).to.equal('张三…')
    expect(truncateToWidth('张三李四', 4)).to.equal('张…')
    expect(displayWidth(truncateToWidth('张三李四', 4))).to.equal(3)
    expect(truncateToWidth('👨‍👩‍👧👨‍👩‍👧', 3)).to.equal('👨‍👩‍👧…')
    expect(truncateToWidth('abc', 1)).to.equal('…')
    expect(truncateToWidth('abc', 0)).to.equal('')
  })

  it('pads by display width on either side', () => {
    expect(padToWidth('张三', 6)).to.equal('张三  ')
    expect(padToWidth('张三', 6, 'right')).to.equal('  张三')
    expect(padToWidth('toolong', 3)).to.equal('toolong')
  })

  it('splits text into the same clusters as Intl.Segmenter for ordinary text', () => {
    const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'})
    for (const text of [
      'alice',
      '张三的电脑',
      'café naïve e\u0301\u0302',
      '👨‍👩‍👧👍🏽❤️‍🔥',
      '🇨🇳🇯🇵🇨',
      '1️⃣#️⃣',
      '한국어 \u1100\u1161\u11A8',
      '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}x',
      'क्षि', // Devanagari: the virama joins in newer Unicode only, so compare widths, not splits, below
    ]) {
      const expected = Array.from(segmenter.segment(text), (s) => s.segment)
      const ours = [...clusters(text)]
      expect(ours.join(''), text).to.equal(text)
      if (text !== 'क्षि') expect(ours, text).to.deep.equal(expected)
    }
  })

  it('cuts a text by looking only at what fits', function () {
    // Four million code units: the old code segmented all of it first (V8's segmenter takes time growing with the
    // square of the length), the new one stops after the fourth cluster.
    this.timeout(5000)
    const accents = 'e\u0301'.repeat(2_000_000)
    expect(truncateToWidth(accents, 4)).to.equal('e\u0301e\u0301e\u0301…')
    expect(truncateToWidth('x'.repeat(4_000_000), 3)).to.equal('xx…')
    expect(displayWidth('e\u0301'.repeat(32_000))).to.equal(32_000)
    expect(truncateToWidth('abc', 5, true)).to.equal('abc…')
  })
})
