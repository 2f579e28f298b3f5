import {expect} from 'chai'
import {Buffer} from 'node:buffer'

import {printable, splitHeader} from '../../src/protocol/index.js'

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1')

describe('protocol header (§1.2)', () => {
  it('splits at the first five colons only', () => {
    const result = splitHeader(Buffer.from('1:100:alice:PC01:32:a:b::c', 'latin1'))
    if (!result.ok) expect.fail(result.reason)
    const {header} = result
    expect(latin1(header.version)).to.equal('1')
    expect(header.packetNo).to.equal(100)
    expect(latin1(header.user)).to.equal('alice')
    expect(latin1(header.host)).to.equal('PC01')
    expect(header.command).to.equal(32)
    expect(latin1(header.body)).to.equal('a:b::c')
  })

  it('allows empty user, host and body', () => {
    const result = splitHeader(Buffer.from('1:1:::32:', 'latin1'))
    if (!result.ok) expect.fail(result.reason)
    expect(result.header.user.length + result.header.host.length + result.header.body.length).to.equal(0)
  })

  it('counts the colons it found', () => {
    expect(splitHeader(Buffer.from('1:2:3', 'latin1'))).to.deep.equal({
      ok: false,
      reason: 'only 2 of the 5 header colons',
    })
  })

  it('checks the numeric fields', () => {
    expect(splitHeader(Buffer.from('1:1x:u:h:32:', 'latin1'))).to.deep.equal({
      ok: false,
      reason: 'packet number "1x" is not a decimal number',
    })
    expect(splitHeader(Buffer.from('1:1:u:h::', 'latin1'))).to.deep.equal({ok: false, reason: 'command is empty'})
    expect(splitHeader(Buffer.from('1:4294967296:u:h:1:', 'latin1'))).to.deep.equal({
      ok: false,
      reason: 'packet number 4294967296 is larger than 4294967295',
    })
    expect(splitHeader(Buffer.from('1: 1:u:h:1:', 'latin1')).ok).to.equal(false)
  })

  it('accepts numbers padded with many zeros', () => {
    const result = splitHeader(Buffer.from(`1:${'0'.repeat(1000)}42:u:h:0000:`, 'latin1'))
    if (!result.ok) expect.fail(result.reason)
    expect(result.header.packetNo).to.equal(42)
    expect(result.header.command).to.equal(0)
  })

  it('renders untrusted bytes printable and short', () => {
    expect(printable(new Uint8Array([0x61, 0x00, 0x1b, 0xff, 0x62]))).to.equal('a???b')
    expect(printable(Buffer.from('x'.repeat(30)), 24)).to.equal('x'.repeat(24) + '…')
  })
})
