import {expect} from 'chai'
import dgram from 'node:dgram'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Announcer} from '../../src/lan/announce.js'
import {PacketNumberSource} from '../../src/lan/packet-number-store.js'
import {MODES} from '../../src/protocol/constants.js'

describe('Announcer (library level, loopback)', () => {
  it('keeps at most maxReplies replies and counts the rest', async () => {
    // A peer that answers each datagram with 10 ANSENTRY; as a broadcast target, nothing stops the window early.
    const peer = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve))
    peer.on('message', (_data, from) => {
      for (let i = 0; i < 10; i++)
        peer.send(Buffer.from(`1:${i + 1}:p${i}:h${i}:3:nick${i}\0\0`), from.port, from.address)
    })
    try {
      const announcer = new Announcer()
      const result = await announcer.run({
        targets: [{address: '127.0.0.1', port: peer.address().port, kind: 'broadcast'}],
        outgoing: {
          kind: 'packet',
          packet: {user: 'me', host: 'pc', command: MODES.BR_ENTRY, nickname: 'Me', group: ''},
        },
        bindPort: 0,
        waitMs: 600,
        retries: 0,
        maxReplies: 3,
        packetNumbers: new PacketNumberSource(mkdtempSync(join(tmpdir(), 'lanmsg-pn-'))),
      })
      expect(result.replies).to.have.length(3)
      expect(result.repliesDropped).to.equal(7)
      // Presence still saw every one of them: ten peers.
      expect(result.peers).to.have.length(10)
    } finally {
      peer.close()
    }
  })
})
