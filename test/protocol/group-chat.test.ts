import {expect} from 'chai'
import {Buffer} from 'node:buffer'

import {decode} from '../../src/protocol/index.js'
import {decodeGroupChat, MAX_GROUP_CIPHERTEXT} from '../../src/protocol/group-chat.js'
import {feiqiuGroupDatagram, feiqiuGroupDatagrams, opensslBlowfishCbc} from '../support/feiqiu-group.js'

// pigercc's sample plaintext (field notes §2.3) and the MAC of the feiq peer in peers-on-the-wire.md.
const FONT = '{/font;-16 0 0 0 400 0 0 0 134 0 0 2 32 微软雅黑 8404992;}'
const MAC = '1eb90dfd5a26'

function packetOf(datagram: Uint8Array) {
  const result = decode(datagram)
  if (!result.ok) throw new Error(result.error)
  return result.packet
}

describe('protocol Feiqiu group chat (field notes §2.3)', () => {
  it('decrypts a fixed vector made once with OpenSSL (key 1EB90DFD5A26, zero IV, PKCS#5)', () => {
    // node --openssl-legacy-provider: createCipheriv('bf-cbc', Buffer.from('1EB90DFD5A26'), Buffer.alloc(8))
    const cipher = Buffer.from(
      'aef133cb81a203925b6c921d565f6e3c59b1a32003a3899864ed70206dde7fe9c198403fb00d1783',
      'hex',
    )
    const parts = ['1_lbt4_0', '128', '1EB90DFD5A26', '0', '0', String(cipher.length), '4000', '9']
    expect(decodeGroupChat(parts, 0x400023, cipher)).to.deep.equal({
      groupChat: {groupId: '3b199b07', time: 24901708},
      text: 'hi',
      font: '{/font;}',
    })
  })

  it('decodes a group message as Feiqiu sends it: group id, time, GBK text, font, sender', () => {
    const datagram = feiqiuGroupDatagram({
      mac: MAC,
      groupId: '3b199b07',
      time: 24901708,
      text: '/:bomb 大家好',
      font: FONT,
    })
    const packet = packetOf(datagram)
    expect(packet.mode).to.equal('FEIQ_GROUPMSG')
    expect(packet.user).to.equal('qunuser')
    expect(packet.host).to.equal('qunhost')
    expect(packet.groupChat).to.deep.equal({groupId: '3b199b07', time: 24901708})
    expect(packet.text).to.equal('/:bomb 大家好')
    expect(packet.font).to.equal(FONT)
    expect(packet.encrypted).to.equal(undefined)
  })

  it('reads the older form without a time, zero padding, and the 0xC9 group announce (its name)', () => {
    const old = packetOf(feiqiuGroupDatagram({mac: MAC, groupId: 'a1', text: 'old build', padding: 'zero'}))
    expect(old.groupChat).to.deep.equal({groupId: 'a1'})
    expect(old.text).to.equal('old build')
    const announce = packetOf(feiqiuGroupDatagram({mac: MAC, groupId: '3b199b07', text: '测试群', command: 0x2000c9}))
    expect(announce.mode).to.equal('FEIQ_GROUP_ANNOUNCE')
    expect(announce.groupChat).to.deep.equal({groupId: '3b199b07'})
    expect(announce.text).to.equal('测试群')
  })

  it('takes only the declared ciphertext length (a trailing NUL after it is not ciphertext)', () => {
    const datagram = Buffer.concat([
      feiqiuGroupDatagram({mac: MAC, groupId: 'b2', time: 1, text: 'x'}),
      Buffer.from([0]),
    ])
    expect(packetOf(datagram).text).to.equal('x')
  })

  it('a wrong key is a reason, not garbage: encrypted, text empty', () => {
    const packet = packetOf(feiqiuGroupDatagram({mac: MAC, key: '001122334455', groupId: 'b2', text: 'secret'}))
    expect(packet.encrypted).to.equal(true)
    expect(packet.text).to.equal('')
    expect(packet.groupChat?.encrypted).to.match(/wrong key \(MAC 1eb90dfd5a26\)/)
  })

  it('senders with different MACs, one after the other: each message with its own key', () => {
    const macs = Array.from({length: 70}, (_, i) => `0000000000${i.toString(16).padStart(2, '0')}`)
    const datagrams = feiqiuGroupDatagrams(macs.map((mac) => ({mac, groupId: 'c3', text: `from ${mac}`})))
    for (const round of [1, 2]) {
      for (const [i, mac] of macs.entries())
        expect(packetOf(datagrams[i]).text, `round ${round}`).to.equal(`from ${mac}`)
    }
  })

  it(`does not decrypt more than ${MAX_GROUP_CIPHERTEXT} bytes (its cost is bounded): says so`, () => {
    const parts = ['1_lbt4_0', '128', MAC, '0', '0', String(MAX_GROUP_CIPHERTEXT + 8)]
    const result = decodeGroupChat(parts, 0x400023, new Uint8Array(MAX_GROUP_CIPHERTEXT + 8))
    expect(result.groupChat.encrypted).to.match(/more than lanmsg decrypts/)
  })

  it('says why for a missing MAC, a short or cut ciphertext; never throws', () => {
    const noMac = decodeGroupChat(['1_lbt4_0', '128'], 0x400023, new Uint8Array(16))
    expect(noMac.groupChat.encrypted).to.match(/no MAC/)
    const parts = ['1_lbt4_0', '128', MAC, '0', '0', '64']
    expect(decodeGroupChat(parts, 0x400023, new Uint8Array(16)).groupChat.encrypted).to.match(/says 64 bytes.*16 came/)
    expect(decodeGroupChat(parts.slice(0, 5), 0x400023, new Uint8Array(5)).groupChat.encrypted).to.match(
      /less than one/,
    )
    const cipher = opensslBlowfishCbc(MAC, Buffer.from('QUNMSGMARK#zz#no id'))
    expect(
      decodeGroupChat([...parts.slice(0, 5), String(cipher.length)], 0x400023, cipher).groupChat.encrypted,
    ).to.match(/no group id/)
  })
})
