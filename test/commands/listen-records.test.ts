// `lanmsg listen --ndjson` and `--json`: the record of every packet family, streamed as it arrives, and the one
// document of --json. Run as a child process (test/support/listen-child.ts), fed with datagrams built byte by byte.
// Network rule: UDP goes to 127.0.0.1 only; the child runs under the send guard.
import {expect} from 'chai'

import {CMD, ipmsgPacket, NUL, OPT, openSender, type Sender, sleep} from '../support/ipmsg-sender.js'
import {type Finished, freeUdpPort, ndjson, startListen, waitBound} from '../support/listen-child.js'
import {
  closeAll,
  entry,
  EVIL_NICK,
  EVIL_TEXT,
  FEIQIU_VERSION,
  gbk,
  ISO,
  JUNK,
  senders,
  sendmsg,
} from '../support/listen-datagrams.js'

type Json = any

describe('listen', function () {
  // Generous limits: the machine may be shared.
  this.timeout(120_000)

  describe('--ndjson: one record per datagram, every family', () => {
    const GBK_NICK = gbk('cdf5d0a1c3f7') // 王小明
    const GBK_GROUP = gbk('d1d0b7a2b2bf') // 研发部
    const GBK_USER = gbk('c0eec0d7') // 李雷
    const FONT = '{/font;-16 0 0 0 400 0 0 0 134 0 0 2 32 微软雅黑 8404992;}'
    const cases: Array<{name: string; bytes: Buffer; packet?: Json; error?: RegExp; check?: (p: Json) => void}> = [
      {
        name: 'SENDMSG 288',
        bytes: sendmsg(1001, 'Hello, world', 288),
        packet: {
          version: '1',
          client: {kind: 'ipmsg', name: 'IP Messenger'},
          packetNo: 1001,
          user: 'alice',
          host: 'alice-pc',
          command: 288,
          mode: 'SENDMSG',
          options: ['SENDCHECKOPT'],
          text: 'Hello, world',
          nickname: null,
          group: null,
          charset: 'utf-8',
          acknowledges: null,
          attachments: [],
        },
      },
      {
        name: 'SENDMSG UTF8OPT, CJK text and user name',
        bytes: ipmsgPacket(
          {packetNo: 1002, user: '张三', host: 'zhang-pc', command: CMD.SENDMSG | OPT.SENDCHECKOPT | OPT.UTF8OPT},
          '你好，世界 こんにちは',
          NUL,
        ),
        packet: {
          version: '1',
          client: {kind: 'ipmsg', name: 'IP Messenger'},
          packetNo: 1002,
          user: '张三',
          host: 'zhang-pc',
          command: 0x80_0120,
          mode: 'SENDMSG',
          options: ['SENDCHECKOPT', 'UTF8OPT'],
          text: '你好，世界 こんにちは',
          nickname: null,
          group: null,
          charset: 'utf-8',
          acknowledges: null,
          attachments: [],
        },
      },
      {
        // §1.4: legacy fields in the ANSI code page (GBK here), the UTF-8 extension wins.
        name: 'BR_ENTRY Windows style with the UTF-8 extension',
        bytes: ipmsgPacket(
          {packetNo: 1003, user: GBK_USER, host: 'WIN-PC', command: CMD.BR_ENTRY | OPT.CAPUTF8OPT},
          GBK_NICK,
          NUL,
          GBK_GROUP,
          NUL,
          '\nUN:李雷\nHN:WIN-PC\nNN:王小明\nGN:研发部\nVS:00010002:4:99:103',
        ),
        packet: {
          version: '1',
          // Field notes §1.5: the VS line names the platform and version.
          client: {kind: 'ipmsg', name: 'IP Messenger', version: '4.99r3', platform: 'Win64'},
          packetNo: 1003,
          user: '李雷',
          host: 'WIN-PC',
          command: 0x100_0001,
          mode: 'BR_ENTRY',
          options: ['CAPUTF8OPT'],
          text: '',
          nickname: '王小明',
          group: '研发部',
          charset: 'gb18030',
          acknowledges: null,
          attachments: [],
          extension: {UN: '李雷', HN: 'WIN-PC', NN: '王小明', GN: '研发部', VS: '00010002:4:99:103'},
        },
      },
      {
        name: 'iptux BR_ENTRY',
        bytes: ipmsgPacket(
          {version: '1_iptux 0.10.0', packetNo: 1004, user: 'alice', host: 'laptop', command: 257},
          'Alice',
          NUL,
          'Dev',
          NUL,
          'icon.png',
          NUL,
          'utf-8',
          NUL,
        ),
        packet: {
          version: '1_iptux 0.10.0',
          client: {kind: 'iptux', name: 'iptux', version: '0.10.0'},
          packetNo: 1004,
          user: 'alice',
          host: 'laptop',
          command: 257,
          mode: 'BR_ENTRY',
          options: ['ABSENCEOPT'],
          text: '',
          nickname: 'Alice',
          group: 'Dev',
          charset: 'utf-8',
          acknowledges: null,
          attachments: [],
          iptux: {icon: 'icon.png', encoding: 'utf-8'},
        },
      },
      {
        name: 'Feiqiu BR_ENTRY 6291457 with a GBK nickname',
        bytes: ipmsgPacket(
          {version: FEIQIU_VERSION, packetNo: 1005, user: 'feiq', host: 'FEIQ-PC', command: 6_291_457},
          gbk('d5c5ceb0'), // 张伟
          NUL,
          NUL,
        ),
        check(p) {
          expect(p.charset).to.be.oneOf(['gbk', 'gb18030'])
          expect({...p, charset: 'gbk'}).to.deep.equal({
            version: FEIQIU_VERSION,
            client: {
              kind: 'feiqiu',
              name: 'Feiqiu',
              generation: 'lbt6',
              avatar: 0,
              mac: 'C85B76BD9F3F',
              parts: ['1_lbt6_0', '128', 'C85B76BD9F3F', '0', '0', '0', '4001', '9'],
            },
            packetNo: 1005,
            user: 'feiq',
            host: 'FEIQ-PC',
            command: 6_291_457,
            mode: 'BR_ENTRY',
            options: ['FILEATTACHOPT', 'ENCRYPTOPT'],
            text: '',
            nickname: '张伟',
            group: '',
            charset: 'gbk',
            acknowledges: null,
            attachments: [],
          })
        },
      },
      {
        name: 'Feiqiu SENDMSG with GBK text and a {/font;…} directive',
        bytes: ipmsgPacket(
          {version: FEIQIU_VERSION, packetNo: 1006, user: 'feiq', host: 'FEIQ-PC', command: 288},
          gbk('c4e3bac3'), // 你好
          '/:fd{/font;-16 0 0 0 400 0 0 0 134 0 0 2 32 ',
          gbk('cea2c8edd1c5bada'), // 微软雅黑
          ' 8404992;}',
          NUL,
        ),
        check(p) {
          expect(p).to.include({
            version: FEIQIU_VERSION,
            packetNo: 1006,
            user: 'feiq',
            command: 288,
            mode: 'SENDMSG',
            text: '你好/:fd',
            font: FONT,
            nickname: null,
            group: null,
            acknowledges: null,
          })
          expect(p.client).to.include({kind: 'feiqiu', name: 'Feiqiu', mac: 'C85B76BD9F3F'})
          expect(p.options).to.deep.equal(['SENDCHECKOPT'])
          expect(p.charset).to.be.oneOf(['gbk', 'gb18030'])
          expect(p.attachments).to.deep.equal([])
        },
      },
      {
        name: 'RECVMSG',
        bytes: ipmsgPacket({packetNo: 1007, user: 'bob', host: 'PC02', command: 33}, '1001', NUL),
        packet: {
          version: '1',
          client: {kind: 'ipmsg', name: 'IP Messenger'},
          packetNo: 1007,
          user: 'bob',
          host: 'PC02',
          command: 33,
          mode: 'RECVMSG',
          options: [],
          text: '1001',
          nickname: null,
          group: null,
          charset: 'utf-8',
          acknowledges: 1001,
          attachments: [],
        },
      },
      {
        name: 'SENDMSG with FILEATTACHOPT attachments',
        bytes: ipmsgPacket(
          {
            packetNo: 1008,
            user: 'alice',
            host: 'alice-pc',
            command: CMD.SENDMSG | OPT.SENDCHECKOPT | OPT.FILEATTACHOPT,
          },
          'two files',
          NUL,
          '0:report.pdf:1a2b:65f00000:1:\u0007',
          '1:dir::name:0:65f00000:2:\u0007',
        ),
        packet: {
          version: '1',
          client: {kind: 'ipmsg', name: 'IP Messenger'},
          packetNo: 1008,
          user: 'alice',
          host: 'alice-pc',
          command: 0x20_0120,
          mode: 'SENDMSG',
          options: ['SENDCHECKOPT', 'FILEATTACHOPT'],
          text: 'two files',
          nickname: null,
          group: null,
          charset: 'utf-8',
          acknowledges: null,
          attachments: [
            {id: 0, name: 'report.pdf', size: 0x1a2b, sizeHex: '1a2b', mtime: 0x65f0_0000, attr: 1, type: 'REGULAR'},
            {id: 1, name: 'dir:name', size: 0, sizeHex: '0', mtime: 0x65f0_0000, attr: 2, type: 'DIR'},
          ],
        },
      },
      {name: 'malformed: four colons', bytes: Buffer.from('1:1009:alice:pc:32'), error: /not IPMsg.*colon/},
      {name: 'binary junk', bytes: JUNK, error: /not IPMsg/},
      {
        name: 'IP2: dictionary',
        bytes: Buffer.from('IP2:3d:key1:3:3e8:key2:4:str1:key3:c:key31:4:-7d0:key4:b:3:3e8:3:7d0:Z'),
        error: /IPDict|IP2/,
      },
      {
        name: 'BR_ENTRY with escape sequences in the nickname',
        bytes: entry(1012, CMD.BR_ENTRY, 'mallory', EVIL_NICK, 'g'),
        check(p) {
          expect(p).to.include({mode: 'BR_ENTRY', user: 'mallory', nickname: EVIL_NICK, group: 'g'})
        },
      },
      {
        name: 'SENDMSG with escape sequences in the text',
        bytes: sendmsg(1013, EVIL_TEXT, CMD.SENDMSG, 'mallory', 'evil'),
        check(p) {
          expect(p).to.include({mode: 'SENDMSG', user: 'mallory', host: 'evil', text: EVIL_TEXT})
        },
      },
    ]
    let list: Sender[] = []
    let run: Finished
    let records: Json[]
    let sentFrom: number
    let sentUntil: number

    before(async () => {
      // One sender per case, each its own loopback host (as on a LAN, the charset memory of one does not touch another).
      list = await senders(cases.map((_, i) => `127.0.0.${10 + i}`))
      const port = await freeUdpPort()
      const live = startListen(port, ['--ndjson', '--count', String(cases.length)])
      await waitBound(live)
      sentFrom = Date.now()
      for (const [i, c] of cases.entries()) {
        await list[i].send(c.bytes, port)
        await sleep(5)
      }

      sentUntil = Date.now()
      run = await live.done
      records = ndjson(run.stdout)
    })
    after(() => closeAll(list))

    it('prints one JSON line per datagram and nothing else on stdout; exit 0 and the summary on stderr', () => {
      expect(run.timedOut).to.equal(false)
      expect(run.code, run.stderr).to.equal(0)
      expect(run.stdout.split('\n')).to.have.length(cases.length + 1)
      expect(records).to.have.length(cases.length)
      expect(run.stderr).to.equal(`${cases.length} datagrams received, ${cases.length} shown; 10 peers\n`)
    })

    it('gives every record receivedAt (ISO), from, size, ipmsg, packet and raw (base64 of the bytes sent)', () => {
      for (const [i, c] of cases.entries()) {
        const r = records[i]
        // A known dialect without the classic header (IP2:) is named in `dialect`, after the error.
        const dialect = c.bytes.subarray(0, 4).toString('latin1') === 'IP2:' ? ['dialect'] : []
        const keys = ['receivedAt', 'from', 'size', 'ipmsg', 'packet', 'raw', ...(c.error ? ['error', ...dialect] : [])]
        expect(Object.keys(r), c.name).to.have.members(keys)
        expect(r.receivedAt, c.name).to.match(ISO)
        expect(Date.parse(r.receivedAt), c.name).to.be.within(sentFrom - 5, sentUntil + 1000)
        expect(r.from, c.name).to.deep.equal({address: `127.0.0.${10 + i}`, port: list[i].port})
        expect(r.size, c.name).to.equal(c.bytes.length)
        expect(Buffer.from(r.raw, 'base64').equals(c.bytes), c.name).to.equal(true)
      }
    })

    for (const [i, c] of cases.entries()) {
      it(`${c.name}: ${c.error ? 'ipmsg false, packet null and the error' : 'every packet field'}`, () => {
        const r = records[i]
        if (c.error) {
          expect(r.ipmsg).to.equal(false)
          expect(r.packet).to.equal(null)
          expect(r.error).to.be.a('string').and.match(c.error)
          return
        }

        expect(r.ipmsg).to.equal(true)
        expect(r).to.not.have.property('error')
        if (c.packet) expect(r.packet).to.deep.equal(c.packet)
        c.check?.(r.packet)
      })
    }
  })

  it('--ndjson streams: the first record is on stdout while the process still runs (--duration 5s)', async () => {
    const port = await freeUdpPort()
    const sender = await openSender()
    const live = startListen(port, ['--ndjson', '--duration', '5s'])
    try {
      await waitBound(live)
      const sentAt = Date.now()
      await sender.send(sendmsg(77, 'first'), port)
      await live.waitForStdout((out) => out.includes('\n'), 4500, 'first record')
      const seenAt = Date.now()
      expect(live.running(), 'still running when the first record arrived').to.equal(true)
      expect(seenAt - sentAt).to.be.below(4000)
      const [record] = ndjson(live.stdout())
      expect(record.packet).to.include({packetNo: 77, text: 'first'})
      live.child.kill('SIGINT')
      const run = await live.done
      expect(run.code, run.stderr).to.equal(0)
      expect(run.exitedAt - sentAt, 'ended by SIGINT, not by --duration').to.be.below(15_000)
    } finally {
      live.child.kill('SIGKILL')
      await sender.close()
    }
  })

  it('--json --count 3 prints one document {datagrams, packets: [records], peers}', async () => {
    const port = await freeUdpPort()
    const [s1, s2] = await senders(['127.0.0.2', '127.0.0.3'])
    try {
      const live = startListen(port, ['--json', '--count', '3'])
      await waitBound(live)
      const sent = [entry(3001, CMD.BR_ENTRY, 'carol', 'Carol', 'Ops'), sendmsg(3002, 'hi', 288, 'carol', 'carol-pc')]
      await s1.sendAll(sent, port)
      await s2.send(JUNK, port)
      const run = await live.done
      expect(run.code, run.stderr).to.equal(0)
      expect(run.stderr).to.equal('')
      const doc = JSON.parse(run.stdout)
      expect(doc).to.include.keys('datagrams', 'packets', 'peers')
      expect(doc.datagrams).to.equal(3)
      expect(doc.packets).to.have.length(3)
      expect(doc.packets.map((r: Json) => r.packet?.mode ?? null)).to.deep.equal(['BR_ENTRY', 'SENDMSG', null])
      expect(doc.packets[0].from).to.deep.equal({address: '127.0.0.2', port: s1.port})
      expect(doc.packets[0].packet).to.include({packetNo: 3001, user: 'carol', nickname: 'Carol', group: 'Ops'})
      expect(doc.packets[1].packet).to.include({packetNo: 3002, text: 'hi', command: 288})
      expect(doc.packets[2]).to.include({ipmsg: false, packet: null, size: JUNK.length, raw: JUNK.toString('base64')})
      for (const r of doc.packets) expect(r.receivedAt).to.match(ISO)
      expect(doc.peers).to.have.length(1)
      expect(doc.peers[0]).to.include({
        address: '127.0.0.2',
        port: s1.port,
        user: 'carol',
        host: 'carol-pc',
        nickname: 'Carol',
        group: 'Ops',
        status: 'present',
        packets: 2,
      })
      expect(doc.peers[0].firstSeen).to.match(ISO)
      expect(doc.peers[0].lastSeen).to.match(ISO)
      // Nothing dropped on the way from the socket to the output; the queue held at most the three.
      expect(doc.stats).to.include({datagrams: 3, overflow: 0, unprocessed: 0})
      expect(doc.stats.queuePeak).to.be.within(1, 3)
    } finally {
      await closeAll([s1, s2])
    }
  })
})
