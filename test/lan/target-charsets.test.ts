import {expect} from 'chai'

import type {Target} from '../../src/net/targets.js'

import {type Copy, copiesFor, TargetCharsets} from '../../src/lan/target-charsets.js'
import {CAPUTF8OPT, MODES, UTF8OPT} from '../../src/protocol/constants.js'
import {makePacket} from './packet-factory.js'

const {ANSENTRY, RECVMSG} = MODES
const FEIQIU = '1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9'
const unicast = (address: string): Target => ({address, port: 2425, kind: 'unicast'})
const ADDRESSES = [2, 3, 4, 5, 6, 7].map((n) => `10.0.0.${n}`)
const copy = (charset: string): Copy => ({bytes: Uint8Array.of(charset.length), charset, truncated: false})

describe('lan/target-charsets', () => {
  describe('TargetCharsets', () => {
    it('writes GBK to a Feiqiu that answered, UTF-8 to a CAPUTF8OPT peer, the default to one never heard', () => {
      const charsets = new TargetCharsets(ADDRESSES)
      charsets.observe('10.0.0.2', makePacket(ANSENTRY, {version: FEIQIU, nickname: 'feiq-h1'}), undefined)
      charsets.observe('10.0.0.3', makePacket(ANSENTRY | UTF8OPT | CAPUTF8OPT, {nickname: 'Win'}), undefined)
      expect(charsets.charsetFor(unicast('10.0.0.2'), 'utf-8')).to.equal('gbk')
      expect(charsets.charsetFor(unicast('10.0.0.3'), 'utf-8')).to.equal('utf-8')
      expect(charsets.charsetFor(unicast('10.0.0.4'), 'utf-8')).to.equal('utf-8')
      expect([2, 3, 4].map((n) => charsets.heardFrom(`10.0.0.${n}`))).to.deep.equal([true, true, false])
    })

    it('writes to a peer that wrote GBK in GBK (QIpMsg), and keeps a broadcast in the default', () => {
      const charsets = new TargetCharsets(ADDRESSES)
      const qipmsg = makePacket(ANSENTRY, {nickname: '小张', charset: 'gbk'})
      charsets.observe('10.0.0.5', qipmsg, undefined)
      expect(charsets.charsetFor(unicast('10.0.0.5'), 'utf-8')).to.equal('gbk')
      const broadcast: Target = {address: '10.0.0.5', port: 2425, kind: 'broadcast'}
      expect(charsets.charsetFor(broadcast, 'utf-8')).to.equal('utf-8')
      expect(charsets.charsetFor({...broadcast, kind: 'limited'}, 'utf-8')).to.equal('utf-8')
    })

    it('uses the charset remembered for the address when this packet is ASCII', () => {
      const charsets = new TargetCharsets(ADDRESSES)
      charsets.observe('10.0.0.6', makePacket(ANSENTRY, {nickname: 'zhang'}), 'gb18030')
      expect(charsets.charsetFor(unicast('10.0.0.6'), 'utf-8')).to.equal('gb18030')
    })

    it('keeps CAPUTF8OPT once announced: a later RECVMSG without it does not turn the peer into GBK', () => {
      const charsets = new TargetCharsets(ADDRESSES)
      charsets.observe('10.0.0.7', makePacket(ANSENTRY | CAPUTF8OPT, {nickname: 'Win'}), 'gbk')
      charsets.observe('10.0.0.7', makePacket(RECVMSG, {text: '1'}), 'gbk')
      expect(charsets.charsetFor(unicast('10.0.0.7'), 'utf-8')).to.equal('utf-8')
    })

    it('follows only the unicast targets: a packet from any other address is not kept', () => {
      const charsets = new TargetCharsets(['10.0.0.2'])
      charsets.observe('10.0.0.9', makePacket(ANSENTRY, {version: FEIQIU, nickname: 'feiq-h1'}), undefined)
      expect(charsets.heardFrom('10.0.0.9')).to.equal(false)
      expect(charsets.charsetFor(unicast('10.0.0.9'), 'utf-8')).to.equal('utf-8')
    })
  })

  describe('copiesFor', () => {
    it('gives each target its charset, writes each charset once, and the main copy to the rest', () => {
      const written: string[] = []
      const targets = ['gbk', 'utf-8', 'gbk', 'cp932'].map((_, i) => unicast(`10.0.0.${i + 1}`))
      const charsetOf = (t: Target) => ['gbk', 'utf-8', 'gbk', 'cp932'][Number(t.address.split('.')[3]) - 1]
      const main = copy('utf-8')
      const copies = copiesFor(targets, charsetOf, main, (charset) => {
        written.push(charset)
        return copy(charset)
      })
      expect(copies.map((c) => c.charset)).to.deep.equal(['gbk', 'utf-8', 'gbk', 'cp932'])
      expect(copies[1]).to.equal(main)
      expect(copies[0]).to.equal(copies[2])
      expect(written).to.deep.equal(['gbk', 'cp932'])
    })

    it('sends the main copy where the other charset cannot be written', () => {
      const main = copy('utf-8')
      const copies = copiesFor(
        [unicast('10.0.0.1')],
        () => 'gbk',
        main,
        () => undefined,
      )
      expect(copies).to.deep.equal([main])
    })
  })
})
