import {expect} from 'chai'

import {decodeAttachmentList, decodeAttachments, encodeAttachments} from '../../src/protocol/index.js'

const bashrc = {id: 0, name: 'bashrc', size: 2 ** 64, sizeHex: 'ffffffffffffffff', mtime: 0, attr: 1, type: 'REGULAR'}

describe('protocol attachments (§1.6)', () => {
  it('decodes vector V18 once, twice, and not with attr 0', () => {
    expect(decodeAttachments('0:bashrc:ffffffffffffffff:0:1:\u0007:')).to.deep.equal([bashrc])
    expect(
      decodeAttachments('0:bashrc:ffffffffffffffff:0:1:\u0007:0:bashrc:ffffffffffffffff:0:1:\u0007:'),
    ).to.deep.equal([bashrc, bashrc])
    expect(decodeAttachments('0:bashrc:ffffffffffffffff:0:0:\u0007:')).to.deep.equal([])
  })

  it(String.raw`accepts the separators \a, :\a, \a: and :\a:`, () => {
    const file = (id: number) => ({id, name: 'f', size: 1, sizeHex: '1', mtime: 2, attr: 1, type: 'REGULAR'})
    expect(decodeAttachments('1:f:1:2:1\u00072:f:1:2:1')).to.deep.equal([file(1), file(2)])
    expect(decodeAttachments('1:f:1:2:1:\u00072:f:1:2:1:\u0007')).to.deep.equal([file(1), file(2)])
    expect(decodeAttachments('1:f:1:2:1\u0007:2:f:1:2:1')).to.deep.equal([file(1), file(2)])
    expect(decodeAttachments('1:f:1:2:1:\u0007:2:f:1:2:1:\u0007:')).to.deep.equal([file(1), file(2)])
  })

  it('unescapes :: in names, including at the edges', () => {
    expect(decodeAttachments('1:a::b:1:0:1:\u0007').map((a) => a.name)).to.deep.equal(['a:b'])
    expect(decodeAttachments('1:::a:::1:0:1:\u0007').map((a) => a.name)).to.deep.equal([':a:'])
  })

  it('keeps extended attributes keyed by their hex id', () => {
    const [file] = decodeAttachments('9:d:0:0:2:14=65f0c000:16=1,2:junk:=x:\u0007')
    expect(file).to.deep.include({type: 'DIR', extAttrs: {'14': '65f0c000', '16': '1,2'}})
  })

  it('names unknown non-zero types in hex', () => {
    expect(decodeAttachments('1:x:1:0:e:\u0007')[0]).to.include({attr: 14, type: '0x0E'})
  })

  it('skips malformed records', () => {
    for (const record of [
      'x:f:1:0:1:',
      '-1:f:1:0:1:',
      '12345678901:f:1:0:1:',
      '4294967296:f:1:0:1:',
      '1:f:zz:0:1:',
      '1:f:1:0:',
      '1:f:1',
      '1:f',
      '1',
      '1:f:' + 'f'.repeat(17) + ':0:1:',
      '1:f:1:0:100000000:',
      '',
    ]) {
      expect(decodeAttachments(record + '\u0007'), record).to.deep.equal([])
    }
  })

  it('accepts 16 hex digits of size behind leading zeros', () => {
    expect(decodeAttachments('1:f:0000000000000000001:0:1:')[0]).to.include({size: 1, sizeHex: '0000000000000000001'})
  })

  it('encodes records the Windows way and decodes them back', () => {
    const files = [
      {id: 1073741825, name: 'a:b.txt', size: 6699, mtime: 1710276608, attr: 0x101, extAttrs: {'14': '65f0c000'}},
      {id: 2, name: 'big', size: 0, sizeHex: 'ffffffffffffffff', mtime: 0, attr: 1},
    ]
    const text = encodeAttachments(files)
    expect(text).to.equal('1073741825:a::b.txt:1a2b:65f0c000:101:14=65f0c000:\u00072:big:ffffffffffffffff:0:1:\u0007')
    expect(decodeAttachments(text)).to.deep.equal([
      {...files[0], sizeHex: '1a2b', type: 'REGULAR'},
      {...files[1], size: 2 ** 64, type: 'REGULAR'},
    ])
  })

  it('reads a name whose `:` was not doubled (libipmsg), with or without extended attributes', () => {
    const file = {id: 0, name: '你好测试 a:b.txt', size: 17, sizeHex: '11', mtime: 0x65937d25, attr: 1, type: 'REGULAR'}
    expect(decodeAttachments('0:你好测试 a:b.txt:11:65937d25:1:\u0007')).to.deep.equal([file])
    expect(decodeAttachments('0:你好测试 a::b.txt:11:65937d25:1:\u0007')).to.deep.equal([file])
    expect(decodeAttachments('0:a:b:c:11:65937d25:1:14=1:\u0007')).to.deep.equal([
      {...file, name: 'a:b:c', extAttrs: {'14': '1'}},
    ])
    // `a:1` unescaped also parses the escaped way (name a, size 1, …) but leaves a field over: the bare reading wins.
    expect(decodeAttachments('0:a:1:11:65937d25:1:\u0007').map((a) => a.name)).to.deep.equal(['a:1'])
  })

  it('keeps what it can read and lists the records it cannot, with why', () => {
    const list = decodeAttachmentList('0:ok:1:2:1:\u0007zz:bad\u00071:none:1:2:0:\u0007:')
    expect(list.attachments.map((a) => a.name)).to.deep.equal(['ok'])
    expect(list.errors).to.deep.equal([
      {record: 'zz:bad', error: 'not id:name:size:mtime:attr'},
      {record: '1:none:1:2:0:', error: 'file type 0 (no file)'},
    ])
    expect(decodeAttachmentList('0:ok:1:2:1:\u0007').errors).to.deep.equal([])
  })
})
