import {expect} from 'chai'

import {CAPUTF8OPT, MODES, SENDCHECKOPT, UTF8OPT} from '../../src/protocol/constants.js'
import {peerInputs, sendCharset, writtenCharset} from '../../src/lan/send-charset.js'
import {makePacket} from './packet-factory.js'

const {BR_ENTRY, SENDMSG} = MODES
const FEIQIU = '1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9'

describe('lan/send-charset', () => {
  describe('sendCharset', () => {
    it('is UTF-8 when nothing is known (broadcasts, a new peer)', () => {
      expect(sendCharset()).to.equal('utf-8')
      expect(sendCharset({client: {kind: 'ipmsg'}})).to.equal('utf-8')
    })

    it('is GBK for Feiqiu, which ignores UTF8OPT, even when it set CAPUTF8OPT', () => {
      expect(sendCharset({client: {kind: 'feiqiu'}})).to.equal('gbk')
      expect(sendCharset({client: {kind: 'feiqiu'}, readsUtf8: true, writes: 'utf-8'})).to.equal('gbk')
    })

    it('is what the peer writes in (GBK/GB18030/CP932) unless it announced UTF-8', () => {
      expect(sendCharset({writes: 'gb18030'})).to.equal('gb18030')
      expect(sendCharset({writes: 'GBK'})).to.equal('gbk')
      expect(sendCharset({writes: 'cp932'})).to.equal('cp932')
      expect(sendCharset({writes: 'gb18030', readsUtf8: true})).to.equal('utf-8')
    })

    it('is what the user asked for, whatever the peer', () => {
      expect(sendCharset({requested: 'utf-8', client: {kind: 'feiqiu'}})).to.equal('utf-8')
      expect(sendCharset({requested: 'gbk', readsUtf8: true})).to.equal('gbk')
      expect(sendCharset({requested: 'Shift_JIS'})).to.equal('shift_jis')
    })

    it('never picks a charset that cannot carry the ASCII header (13.4)', () => {
      expect(sendCharset({writes: 'hex'})).to.equal('utf-8')
      expect(sendCharset({writes: 'utf-16le', client: {kind: 'iptux'}})).to.equal('utf-8')
      expect(sendCharset({requested: 'base64', writes: 'gbk'})).to.equal('gbk')
    })
  })

  describe('writtenCharset', () => {
    it('is the charset non-ASCII legacy text was decoded with', () => {
      expect(writtenCharset(makePacket(SENDMSG, {text: '你好', charset: 'gb18030'}))).to.equal('gb18030')
      expect(writtenCharset(makePacket(BR_ENTRY, {nickname: '张三', charset: 'gbk'}))).to.equal('gbk')
      expect(writtenCharset(makePacket(SENDMSG, {text: '你好', charset: 'utf-8'}))).to.equal('utf-8')
    })

    it('is undefined for ASCII, UTF8OPT, the UTF-8 extension, or a charset that cannot carry the header', () => {
      expect(writtenCharset(makePacket(SENDMSG, {text: 'hello', charset: 'gb18030'}))).to.equal(undefined)
      expect(writtenCharset(makePacket(SENDMSG | UTF8OPT, {text: '你好'}))).to.equal(undefined)
      const windows = makePacket(BR_ENTRY | CAPUTF8OPT, {nickname: '张三', extension: {NN: '张三'}})
      expect(writtenCharset(windows)).to.equal(undefined)
      expect(writtenCharset(makePacket(SENDMSG, {text: '你好', charset: 'hex'}))).to.equal(undefined)
    })
  })

  describe('peerInputs', () => {
    it('takes the client and UTF-8 capability from the packet, and its charset before the remembered one', () => {
      const feiqiu = makePacket(SENDMSG | SENDCHECKOPT, {version: FEIQIU, text: 'hi', charset: 'gbk'})
      expect(sendCharset(peerInputs(feiqiu, undefined))).to.equal('gbk')
      const gbk = makePacket(SENDMSG | SENDCHECKOPT, {text: '你好', charset: 'gb18030'})
      expect(sendCharset(peerInputs(gbk, 'utf-8'))).to.equal('gb18030')
      const ascii = makePacket(SENDMSG | SENDCHECKOPT, {text: 'hi'})
      expect(sendCharset(peerInputs(ascii, 'gb18030'))).to.equal('gb18030')
      const windows = makePacket(BR_ENTRY | CAPUTF8OPT, {nickname: 'W'})
      expect(sendCharset(peerInputs(windows, 'gb18030'))).to.equal('utf-8')
    })
  })
})
