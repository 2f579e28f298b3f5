import {expect} from 'chai'

import {decode} from '../../src/protocol/index.js'
import {datagramJson} from '../../src/ui/datagram-json.js'
import {toDatagramRecord} from '../../src/ui/datagram-record.js'
import {packetSummary} from '../../src/ui/packet-summary.js'
import {feiqiuGroupDatagrams} from '../support/feiqiu-group.js'

describe('ui: a Feiqiu group message in --ndjson and in the table', () => {
  const [readable, wrongKey] = feiqiuGroupDatagrams([
    {mac: '1EB90DFD5A26', groupId: '3b199b07', time: 1_764_590_000, text: '大家好', font: '{/font;x}'},
    {mac: '1EB90DFD5A26', key: '0000DEADBEEF', groupId: '3b199b07', text: 'hidden'},
  ])
  const datagram = (data: Buffer) => ({
    data,
    from: {address: '10.0.0.1', port: 2425},
    receivedAt: 0,
    result: decode(data),
  })

  it('the fast writer and the record agree, groupChat included', () => {
    for (const data of [readable, wrongKey]) {
      const line = datagramJson(datagram(data))
      expect(line).to.equal(JSON.stringify(toDatagramRecord(datagram(data))))
      expect(JSON.parse(line).packet.groupChat).to.be.an('object')
    }

    expect(JSON.parse(datagramJson(datagram(readable))).packet).to.deep.include({
      text: '大家好',
      font: '{/font;x}',
      groupChat: {groupId: '3b199b07', time: 1_764_590_000},
    })
  })

  it('the summary: the group and the text, or why it stays encrypted', () => {
    const summary = (data: Buffer) => {
      const {result} = datagram(data)
      return result.ok ? packetSummary(result.packet) : result.error
    }

    expect(summary(readable)).to.equal('group 3b199b07: 大家好')
    expect(summary(wrongKey)).to.match(/^group message \(encrypted: wrong key \(MAC 1EB90DFD5A26\)/)
  })
})
