import {expect} from 'chai'

import {splitFont} from '../../src/protocol/index.js'

describe('protocol Feiqiu font directive (§6.2)', () => {
  const font = '{/font;-16 0 0 0 400 0 0 0 134 0 0 2 32 微软雅黑 8404992;}'

  it('splits a trailing directive', () => {
    expect(splitFont('你好' + font)).to.deep.equal({text: '你好', font})
    expect(splitFont(font)).to.deep.equal({text: '', font})
  })

  it('takes only the last directive', () => {
    expect(splitFont('a{/font;x}b{/font;y}')).to.deep.equal({text: 'a{/font;x}b', font: '{/font;y}'})
  })

  it('leaves other text alone', () => {
    expect(splitFont('plain')).to.deep.equal({text: 'plain'})
    expect(splitFont(font + ' tail')).to.deep.equal({text: font + ' tail'})
    expect(splitFont('{/font;a}b}')).to.deep.equal({text: '{/font;a}b}'})
    expect(splitFont('{font;a}')).to.deep.equal({text: '{font;a}'})
  })
})
