import {expect} from 'chai'
import fc from 'fast-check'
import {createRequire} from 'node:module'

import {renderPlainTemplate} from '../../src/ui/help-template.js'

// The ejs that oclif's help uses: what renderPlainTemplate must agree with, byte for byte.
const ejs = createRequire(import.meta.url)('ejs') as {render(text: string, data: object): string}

/** ejs's output, or the error it throws, as a comparable value. */
function viaEjs(text: string, data: object): string {
  try {
    return ejs.render(text, data)
  } catch (error) {
    return `threw ${(error as Error).name}`
  }
}

class HelpLike {
  command = {id: 'announce', nothing: undefined, none: null}
  config = {bin: 'lanmsg', name: 'a<b>&"c\'d'}
  opts = {maxWidth: 80}

  get computed() {
    return 'not an own member'
  }
}

describe('ui/help-template', () => {
  it('renders plain texts and <%= path %> tags as ejs does', () => {
    const data = new HelpLike()
    for (const text of [
      'Broadcast an IPMsg/Feiqiu packet and show every response.',
      '<%= config.bin %> <%= command.id %> "你好" --encoding gbk',
      'line one\nline "two" with a \\ and a \r',
      'escaped: <%= config.name %>, empty: [<%= command.nothing %>][<%= command.none %>]',
      '',
      '100% > 99% < 101%',
    ]) {
      const rendered = renderPlainTemplate(text, data)
      expect(rendered, text).not.to.equal(undefined)
      expect(rendered, text).to.equal(viaEjs(text, data))
    }
  })

  it('leaves to ejs what it does not render the same way itself', () => {
    const data = new HelpLike()
    for (const text of [
      '<% if (true) { %>code<% } %>', // a scriptlet
      '<%- config.bin %>', // unescaped output
      '<%=config.bin%>', // not the spacing lanmsg's texts use
      '<%= config.bin -%>\n', // trims the line break after it
      '<%= computed %>', // not an own member: ejs looks elsewhere
      '<%= missing.name %>', // ejs throws
      '<%= command.nothing.deeper %>', // ejs throws
      '<%= this.x %>',
      'a lone %> is dropped by ejs',
      '<%% is a literal',
      '<%= config.bin %> then <% x %>',
    ]) {
      expect(renderPlainTemplate(text, data), text).to.equal(undefined)
    }

    // data that names ejs options: ejs renders differently, so it does
    expect(renderPlainTemplate('plain', {delimiter: '?'})).to.equal(undefined)
    expect(renderPlainTemplate(42, data)).to.equal(undefined)
  })

  it('agrees with ejs on every text it renders (generated texts of plain parts, tags and delimiters)', () => {
    const piece = fc.oneof(
      fc.string({unit: fc.constantFrom('a', ' ', '<', '>', '%', '=', '-', '_', '\n', '\r', '"', '\\', '&', "'", '你')}),
      fc.constantFrom('<%= config.bin %>', '<%= command.id %>', '<%= config.name %>', '<%= command.none %>'),
      fc.constantFrom('<%', '%>', '<%=', '-%>', '<%%', '%%>', '<%= nope %>', '<%= command.none.x %>'),
    )
    let rendered = 0
    fc.assert(
      fc.property(fc.array(piece, {maxLength: 8}), (pieces) => {
        const text = pieces.join('')
        const data = new HelpLike()
        const result = renderPlainTemplate(text, data)
        if (result === undefined) return
        rendered++
        expect(result, JSON.stringify(text)).to.equal(viaEjs(text, data))
      }),
      {numRuns: 3000},
    )
    expect(rendered).to.be.greaterThan(500) // the property was not vacuous
  })
})
