import {expect} from 'chai'

import {displayWidth, padToWidth, truncateToWidth} from '../../src/ui/display-width.js'

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
})
