import {expect} from 'chai'
import {Buffer} from 'node:buffer'

import {decodeEntryBody, encodeEntryBody, parseExtension, splitEntryBody} from '../../src/protocol/index.js'

const bytes = (s: string) => Buffer.from(s, 'utf8')
const decoded = (s: string, charset = 'utf-8') => decodeEntryBody(splitEntryBody(bytes(s)), charset)

describe('protocol entry body (§1.4)', () => {
  it('reads the Windows v4 form', () => {
    expect(decoded('Nick\0Grp\0\nUN:u\nHN:h\nNN:Nick\nGN:Grp\nVS:00010002:4:99:103')).to.deep.equal({
      nickname: 'Nick',
      group: 'Grp',
      extension: {UN: 'u', HN: 'h', NN: 'Nick', GN: 'Grp', VS: '00010002:4:99:103'},
    })
  })

  it('lets the extension win over the legacy nickname and group', () => {
    expect(decoded('old\0oldgrp\0\nNN:new\nGN:')).to.include({nickname: 'new', group: ''})
  })

  it('reads the spec form with trailing line ends and a trailing NUL', () => {
    expect(decoded('N\0G\0\nUN:u\nHN:h\n\0')).to.deep.equal({nickname: 'N', group: 'G', extension: {UN: 'u', HN: 'h'}})
  })

  it('reads the extension right after the first NUL', () => {
    expect(decoded('N\0\nNN:M')).to.deep.equal({nickname: 'M', group: '', extension: {NN: 'M'}})
  })

  it('keeps other keys verbatim and ignores lines without a key', () => {
    expect(decoded('N\0G\0\nPL:1\nIP:abc=\nnokey\n:x\nA-B:1\n__proto__:x').extension).to.deep.equal({
      PL: '1',
      IP: 'abc=',
    })
  })

  it('reads the iptux extension', () => {
    expect(decoded('N\0G\0icon.png\0utf-8\0')).to.deep.equal({
      nickname: 'N',
      group: 'G',
      iptux: {icon: 'icon.png', encoding: 'utf-8'},
    })
    expect(decoded('N\0G\0\0utf-8\0')).to.deep.equal({nickname: 'N', group: 'G', iptux: {encoding: 'utf-8'}})
  })

  it('does not mistake padding NULs for the iptux extension', () => {
    expect(decoded('N\0G\0\0\0\0\0')).to.deep.equal({nickname: 'N', group: 'G'})
  })

  it(String.raw`reads Feiqiu nick\0\0 and a bare nickname`, () => {
    expect(decoded('N\0\0')).to.deep.equal({nickname: 'N', group: ''})
    expect(decoded('N')).to.deep.equal({nickname: 'N', group: ''})
    expect(decoded('')).to.deep.equal({nickname: '', group: ''})
  })

  it('reports the bytes outside the extension', () => {
    const parts = splitEntryBody(bytes('N\0G\0\nUN:u\0tail'))
    expect(parts.legacy.map((b) => Buffer.from(b).toString())).to.deep.equal(['N\0G\0', '\0tail'])
  })

  it('parses extension lines', () => {
    expect(parseExtension('\nUN:a:b\nVS:1:2')).to.deep.equal({UN: 'a:b', VS: '1:2'})
    expect(parseExtension('\nUN:first\nUN:second')).to.deep.equal({UN: 'second'})
  })

  it('writes the Windows v4 form without a trailing NUL', () => {
    const body = encodeEntryBody({nickname: 'N', group: 'G', user: 'u:1', host: 'h', vs: '00010002:4:99:103'}, 'utf-8')
    expect(Buffer.from(body).toString()).to.equal('N\0G\0\nUN:u:1\nHN:h\nNN:N\nGN:G\nVS:00010002:4:99:103')
  })

  it('leaves out extension lines that would carry a line break', () => {
    const body = encodeEntryBody({nickname: 'a\nb', group: 'G', user: 'u', host: 'h\n'}, 'utf-8')
    expect(Buffer.from(body).toString()).to.equal('a\nb\0G\0\nUN:u\nGN:G')
  })

  it('keeps a group that starts with a line break a group, even with no extension line', () => {
    const body = encodeEntryBody({nickname: '\n', group: '\nG', user: '\n', host: '\n'}, 'utf-8')
    expect(Buffer.from(body).toString()).to.equal('\n\0\nG\0\n')
    expect(decodeEntryBody(splitEntryBody(body), 'utf-8')).to.include({nickname: '\n', group: '\nG'})
  })

  it('writes legacy fields in the legacy charset and the extension in UTF-8', () => {
    const body = encodeEntryBody({nickname: '张三', group: '', user: 'z', host: 'h'}, 'gbk')
    expect(Buffer.from(body).toString('hex')).to.equal(
      'd5c5c8fd0000' + Buffer.from('\nUN:z\nHN:h\nNN:张三\nGN:', 'utf8').toString('hex'),
    )
  })
})
