import {expect} from 'chai'
import {Buffer} from 'node:buffer'

import {sameClient} from '../../src/protocol/client.js'
import {decode, identifyClient, isIpmsgVersion} from '../../src/protocol/index.js'

describe('protocol client identification (§1.3, §6.1)', () => {
  it('accepts versions whose atoi() is 1', () => {
    for (const version of [
      '1',
      '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9',
      '1_iptux 0.10.0',
      '1abc',
      '01',
      ' 1',
      '+1',
      '1.5',
    ]) {
      expect(isIpmsgVersion(version), version).to.equal(true)
    }
  })

  it('refuses versions whose atoi() is not 1', () => {
    for (const version of ['iptux 0.7.4', '2', '', '10', '-1', '0', '11_lbt', 'feiq_plus_plus#128', 'v1']) {
      expect(isIpmsgVersion(version), version).to.equal(false)
    }
  })

  it('identifies IP Messenger', () => {
    expect(identifyClient('1')).to.deep.equal({kind: 'ipmsg', name: 'IP Messenger'})
  })

  it('identifies iptux with its version', () => {
    expect(identifyClient('1_iptux 0.10.0')).to.deep.equal({kind: 'iptux', name: 'iptux', version: '0.10.0'})
    expect(identifyClient('1_iptux_0#5#2')).to.deep.equal({kind: 'iptux', name: 'iptux'})
  })

  it('identifies Feiqiu and its version parts', () => {
    expect(identifyClient('1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9')).to.deep.equal({
      kind: 'feiqiu',
      name: 'Feiqiu',
      generation: 'lbt6',
      avatar: 0,
      mac: 'C85B76BD9F3F',
      parts: ['1_lbt6_0', '128', 'C85B76BD9F3F', '0', '0', '0', '4001', '9'],
    })
    expect(identifyClient('1_lbt4_41#128#24F5AAD7C96A#0#0#0#311c#9')).to.include({generation: 'lbt4', avatar: 41})
    expect(identifyClient('1_lbt')).to.deep.equal({kind: 'feiqiu', name: 'Feiqiu', generation: 'lbt', parts: ['1_lbt']})
    expect(identifyClient('1_lbt6_x#1')).to.deep.equal({
      kind: 'feiqiu',
      name: 'Feiqiu',
      generation: 'lbt6',
      parts: ['1_lbt6_x', '1'],
    })
  })

  it('calls anything else unknown', () => {
    for (const version of ['1_foo', '1abc', '01', '1 ', 'iptux 0.7.4']) {
      expect(identifyClient(version), version).to.deep.equal({kind: 'unknown', name: 'unknown'})
    }
  })

  it('sameClient: equal when every field is, parts included', () => {
    const versions = [
      '1',
      '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9',
      '1_lbt6_0#128#C85B76BD9F3E#0#0#0#4001#9',
      '1_lbt4',
      '1_iptux 0.10.0',
      '1_iptux 0.9.4',
      '1_iptux_0#5#2',
      '1_x',
    ]
    for (const a of versions) {
      for (const b of versions) {
        expect(sameClient(identifyClient(a), identifyClient(b)), `${a} vs ${b}`).to.equal(
          JSON.stringify(identifyClient(a)) === JSON.stringify(identifyClient(b)),
        )
      }
    }
  })

  it('reads each Feiqiu version and VS line anew when it changes, and hands out copies of what it read', () => {
    const a = '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9'
    const b = '1_lbt4_12#0#00E04C6B5A11'
    const c = '1_lbtx'
    const first = identifyClient(a)
    first.parts!.push('changed')
    first.mac = 'changed'
    expect(identifyClient(a)).to.deep.equal({...first, mac: 'C85B76BD9F3F', parts: a.split('#')})
    expect(identifyClient(b)).to.deep.equal({
      kind: 'feiqiu',
      name: 'Feiqiu',
      parts: b.split('#'),
      generation: 'lbt4',
      avatar: 12,
      mac: '00E04C6B5A11',
    })
    expect(identifyClient(c)).to.deep.equal({kind: 'feiqiu', name: 'Feiqiu', parts: [c], generation: 'lbt'})
    expect(identifyClient(a)).to.deep.equal({...first, mac: 'C85B76BD9F3F', parts: a.split('#')})

    const entry = (vs: string) => {
      const result = decode(Buffer.from(`1:1:u:h:1:n\0g\0\nVS:${vs}`))
      return result.ok ? result.packet.client : undefined
    }

    const win64 = {kind: 'ipmsg', name: 'IP Messenger', version: '4.99r3', platform: 'Win64'}
    expect(entry('00010002:4:99:103')).to.deep.equal(win64)
    expect(entry('00020000:5:1:52')).to.deep.equal({...win64, version: '5.1b2', platform: 'Mac'})
    expect(entry('junk')).to.deep.equal({kind: 'ipmsg', name: 'IP Messenger'})
    expect(entry('00010002:4:99:103')).to.deep.equal(win64)
  })
})
