// What lanmsg sends is in the charset the peer reads, and what it shows is what the peer wrote: `listen --respond`
// and `announce` run as child processes, fed and observed with raw bytes from test/support/ipmsg-sender.ts.
// Network rule: UDP goes to 127.0.0.0/8 only (127.255.255.255 reaches the sockets bound to 0.0.0.0 on loopback).
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import iconv from 'iconv-lite'

import {CMD, ipmsgPacket, NUL, OPT, openSender, type Reply, type Sender, sleep} from '../support/ipmsg-sender.js'
import {CLI_BIN} from '../support/cli-bin.js'
import {eventually, type FakePeer, freeUdpPort, startFakePeer} from '../support/ipmsg-peers.js'
import {makeStateDir, REPO_ROOT, runCli} from '../support/run-cli.js'
import {guardedEnv} from '../support/send-guard.js'

type Json = any

const FEIQIU = '1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9'
// Three CJK characters: 9 bytes of UTF-8, an odd count that GBK conversion of a UTF-8 extension would trip on.
const ME = ['--user', 'lanbot', '--host', 'testhost', '--nick', '小王子', '--group', '研发']
const gbk = (text: string) => iconv.encode(text, 'gbk')
const NICK_GBK = Buffer.concat([gbk('小王子'), NUL, gbk('研发'), NUL])
const NICK_UTF8 = Buffer.concat([Buffer.from('小王子'), NUL, Buffer.from('研发'), NUL])

/** `listen` in a child process; stop() sends SIGINT and resolves with its output. */
function startListen(args: string[], stateDir: string) {
  const child = spawn(process.execPath, [CLI_BIN, 'listen', ...args], {
    cwd: REPO_ROOT,
    env: guardedEnv({NO_COLOR: '1', LANMSG_STATE_DIR: stateDir}),
  })
  child.stdin.end()
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const kill = setTimeout(() => child.kill('SIGKILL'), 90_000)
  const done = new Promise<{code: null | number; stderr: string; stdout: string}>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(kill)
      resolve({code, stdout, stderr})
    })
  })
  return {
    done,
    stop() {
      child.kill('SIGINT')
      return done
    },
  }
}

/** The bytes of the body after the fifth colon, up to the UTF-8 extension (`\n`) if any. */
const legacyBody = (reply: Reply) => {
  const body = reply.body!
  const ext = body.indexOf(0x0a)
  return ext === -1 ? body : body.subarray(0, ext)
}

describe('charsets on the wire (listen --respond, announce)', function () {
  this.timeout(120_000)
  const state = makeStateDir()
  after(() => state.remove())

  describe('listen --respond answers each peer in the charset it reads', () => {
    let port: number
    let observer: Sender
    const opened: Sender[] = []
    const r: Record<string, Json> = {}
    let run: {code: null | number; stderr: string; stdout: string}

    const open = async (address: string) => {
      const s = await openSender({address})
      opened.push(s)
      return s
    }

    before(async () => {
      port = await freeUdpPort()
      // Bound before lanmsg on 0.0.0.0 with SO_REUSEADDR: it hears lanmsg's BR_ENTRY to 127.255.255.255.
      observer = await openSender({address: '0.0.0.0', port})
      const listen = startListen(
        ['--port', String(port), '--respond', '--to', '127.255.255.255', ...ME, '--ndjson', '--duration', '60s'],
        state.dir,
      )
      await observer.waitFor(() => observer.replies(CMD.BR_ENTRY).length > 0, 45_000, "lanmsg's BR_ENTRY")

      // A Feiqiu (compilelife/feiq bytes, peers-on-the-wire.md): ASCII names, no option bits.
      const feiq = await open('127.0.0.2')
      await feiq.send(
        ipmsgPacket(
          {version: FEIQIU, packetNo: 1, user: 'feiq-h1', host: 'feiqhost1', command: CMD.BR_ENTRY},
          'feiq-h1',
          NUL,
        ),
        port,
      )
      // Nothing non-ASCII from it before the answer: only its version says it reads GBK.
      await feiq.waitFor(() => feiq.replies(CMD.ANSENTRY).length > 0, 15_000, 'ANSENTRY')
      await feiq.send(
        ipmsgPacket(
          {version: FEIQIU, packetNo: 2, user: 'feiq-h1', host: 'feiqhost1', command: CMD.SENDMSG | OPT.SENDCHECKOPT},
          'hello from feiq',
          NUL,
        ),
        port,
      )

      // A GBK-configured iptux 0.8.3: GBK names, yet `utf-8` in its entry extension (IXC CreateIptuxExtra).
      const iptux = await open('127.0.0.3')
      await iptux.send(
        ipmsgPacket(
          {
            version: '1_iptux 0.8.3',
            packetNo: 10,
            user: 'zhang',
            host: 'zhang-pc',
            command: CMD.BR_ENTRY | OPT.ABSENCEOPT,
          },
          gbk('张三'),
          NUL,
          gbk('研发'),
          NUL,
          'icon-tux.png',
          NUL,
          'utf-8',
          NUL,
        ),
        port,
      )

      // 13.4: a forged iptux entry declaring `hex`, then a message from the same address.
      const forger = await open('127.0.0.4')
      await forger.send(
        ipmsgPacket(
          {version: '1_iptux 0.8.3', packetNo: 20, user: 'evil', host: 'evil-pc', command: CMD.BR_ENTRY},
          'evil',
          NUL,
          NUL,
          'icon',
          NUL,
          'hex',
          NUL,
        ),
        port,
      )
      await sleep(50)
      await forger.send(
        ipmsgPacket(
          {packetNo: 21, user: 'evil', host: 'evil-pc', command: CMD.SENDMSG | OPT.SENDCHECKOPT},
          'hello',
          NUL,
        ),
        port,
      )

      // A Windows client that announced CAPUTF8OPT: UTF-8 with UTF8OPT, as before.
      const windows = await open('127.0.0.5')
      await windows.send(
        ipmsgPacket(
          {packetNo: 30, user: 'win', host: 'win-pc', command: CMD.BR_ENTRY | OPT.CAPUTF8OPT},
          'Win',
          NUL,
          NUL,
        ),
        port,
      )

      await Promise.all([
        feiq.waitFor(
          () => feiq.replies(CMD.ANSENTRY).length > 0 && feiq.replies(CMD.RECVMSG).length > 0,
          15_000,
          'ANSENTRY and RECVMSG',
        ),
        iptux.waitFor(() => iptux.replies(CMD.ANSENTRY).length > 0, 15_000, 'ANSENTRY'),
        forger.waitFor((got) => got.some((d) => d.data.toString('latin1').endsWith('21\0')), 15_000, 'an ack'),
        windows.waitFor(() => windows.replies(CMD.ANSENTRY).length > 0, 15_000, 'ANSENTRY'),
      ])
      Object.assign(r, {feiq, iptux, forger, windows})
      run = await listen.stop()
    })
    after(async () => {
      await Promise.all([observer, ...opened].map((s) => s?.close()))
    })

    it('answers a Feiqiu BR_ENTRY with its nickname and group in GBK, without UTF8OPT or the UTF-8 extension', () => {
      const [answer] = r.feiq.replies(CMD.ANSENTRY)
      expect(answer.header.command & OPT.UTF8OPT).to.equal(0)
      // Feiqiu converts the whole section from GBK: nothing but GBK may be in it (`nick\0group\0`, as it writes).
      expect(answer.body.toString('hex')).to.equal(NICK_GBK.toString('hex'))
    })

    it('acknowledges the Feiqiu message with a plain RECVMSG 33 and its packet number', () => {
      const [ack] = r.feiq.replies(CMD.RECVMSG)
      expect(ack.header).to.include({version: '1', user: 'lanbot', host: 'testhost', command: 33})
      expect(ack.body.toString('latin1')).to.equal('2\0')
    })

    it('shows a GBK iptux that declares utf-8 with its real names, and answers it in GBK', () => {
      const [answer] = r.iptux.replies(CMD.ANSENTRY)
      // Legacy throughout, no UTF-8 extension: iptux converts the whole packet from GBK (IXU ConvertEncode).
      expect(answer.body.toString('hex')).to.equal(NICK_GBK.toString('hex'))
      const lines = run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Json)
      const record = lines.find((l) => l.from.address === '127.0.0.3')
      expect(record.packet).to.include({nickname: '张三', group: '研发', charset: 'gb18030'})
      expect(record.packet.iptux).to.deep.equal({icon: 'icon-tux.png', encoding: 'utf-8'})
    })

    it('is not poisoned by a forged entry declaring hex: the message reads right and the ack is IPMsg', () => {
      // Every datagram it got (the ack, maybe an ANSENTRY) is IPMsg from lanbot: none is written in hex.
      const got = r.forger.received as Reply[]
      expect(got.map((d) => d.header && [d.header.version, d.header.user])).to.deep.equal(
        got.map(() => ['1', 'lanbot']),
      )
      expect(r.forger.replies(CMD.RECVMSG).map((a: Reply) => a.body!.toString('latin1'))).to.deep.equal(['21\0'])
      const lines = run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Json)
      const message = lines.find((l) => l.from.address === '127.0.0.4' && l.packet?.mode === 'SENDMSG')
      expect(message.packet).to.include({text: 'hello', charset: 'utf-8'})
    })

    it('still answers a CAPUTF8OPT peer in UTF-8 with UTF8OPT', () => {
      const [answer] = r.windows.replies(CMD.ANSENTRY)
      expect(answer.header.command & OPT.UTF8OPT).to.equal(OPT.UTF8OPT)
      expect(legacyBody(answer).toString('hex')).to.equal(NICK_UTF8.toString('hex'))
      expect(answer.body.toString('utf8')).to.include('\nNN:小王子\nGN:研发')
    })

    it('exits 0', () => {
      expect(run.code, run.stderr).to.equal(0)
    })
  })

  describe('listen --respond --encoding gbk: everything it sends is GBK, and GBK only', () => {
    it('broadcasts BR_ENTRY and answers even a CAPUTF8OPT peer in GBK, without UTF8OPT', async () => {
      const port = await freeUdpPort()
      const observer = await openSender({address: '0.0.0.0', port})
      const peer = await openSender({address: '127.0.0.6'})
      try {
        const listen = startListen(
          [
            '--port',
            String(port),
            '--respond',
            '--to',
            '127.255.255.255',
            ...ME,
            '--encoding',
            'gbk',
            '--duration',
            '60s',
          ],
          state.dir,
        )
        await observer.waitFor(() => observer.replies(CMD.BR_ENTRY).length > 0, 45_000, "lanmsg's BR_ENTRY")
        await peer.send(
          ipmsgPacket(
            {packetNo: 40, user: 'win', host: 'win-pc', command: CMD.BR_ENTRY | OPT.CAPUTF8OPT},
            'Win',
            NUL,
            NUL,
          ),
          port,
        )
        await peer.waitFor(() => peer.replies(CMD.ANSENTRY).length > 0, 15_000, 'ANSENTRY')
        const run = await listen.stop()
        expect(run.code, run.stderr).to.equal(0)
        // GBK throughout, no UTF-8 extension: Feiqiu and iptux convert the whole section from GBK.
        const [entry] = observer.replies(CMD.BR_ENTRY)
        expect(entry.body!.toString('hex')).to.equal(NICK_GBK.toString('hex'))
        const [answer] = peer.replies(CMD.ANSENTRY)
        expect(answer.header.command & OPT.UTF8OPT).to.equal(0)
        expect(answer.body!.toString('hex')).to.equal(NICK_GBK.toString('hex'))
      } finally {
        await Promise.all([observer.close(), peer.close()])
      }
    })
  })

  describe('--encoding refuses charsets that cannot carry the ASCII header (exit 2, one line)', () => {
    for (const [command, charset] of [
      ['listen', 'hex'],
      ['listen', 'utf-16le'],
      ['announce', 'utf-16le'],
      ['announce', 'base64'],
    ]) {
      it(`${command} --encoding ${charset}`, async () => {
        const args =
          command === 'listen'
            ? ['--duration', '1s', '--port', '9']
            : ['hi', '--to', '127.0.0.1', '--port', '9', '--bind-port', '0', '--wait', '0']
        const run = await runCli([command, ...args, '--encoding', charset], {env: {LANMSG_STATE_DIR: state.dir}})
        expect(run.code).to.equal(2)
        expect(run.stdout).to.equal('')
        const lines = run.stderr.split('\n').filter((l) => l !== '')
        expect(lines).to.have.length(1)
        expect(lines[0]).to.match(new RegExp(`^Error: .*encoding "${charset}" cannot carry the IPMsg header`))
      })
    }
  })

  describe('announce --encoding gbk: the entry packet is GBK only', () => {
    it(
      String.raw`sends BR_ENTRY as nick\0group\0 in GBK, without the UTF-8 extension (which it keeps in UTF-8)`,
      async () => {
        const receiver = await openSender({address: '127.0.0.1'})
        try {
          const to = ['--to', '127.0.0.1', '--port', String(receiver.port), '--bind-port', '0', '--wait', '0', ...ME]
          const env = {env: {LANMSG_STATE_DIR: state.dir}}
          const gbkRun = await runCli(['announce', ...to, '--encoding', 'gbk'], env)
          expect(gbkRun.code, gbkRun.stderr).to.equal(0)
          await receiver.waitFor(() => receiver.replies(CMD.BR_ENTRY).length > 0, 10_000, 'BR_ENTRY')
          const utf8Run = await runCli(['announce', ...to], env)
          expect(utf8Run.code, utf8Run.stderr).to.equal(0)
          await receiver.waitFor(() => receiver.replies(CMD.BR_ENTRY).length > 1, 10_000, 'a second BR_ENTRY')
          const [gbkEntry, utf8Entry] = receiver.replies(CMD.BR_ENTRY)
          expect(gbkEntry.body!.toString('hex')).to.equal(NICK_GBK.toString('hex'))
          expect(utf8Entry.body!.toString('utf8')).to.include('\nNN:小王子\nGN:研发')
        } finally {
          await receiver.close()
        }
      },
    )
  })

  describe('announce: a GBK message must fit what iptux holds once converted to UTF-8', () => {
    const text = '测'.repeat(4006) // the observed message: 8,030 bytes of GBK, shown cut at ~2,729 characters

    it('refuses it with one line and exit 2', async () => {
      const run = await runCli(
        ['announce', text, '--encoding', 'gbk', '--to', '127.0.0.1', '--port', '9', '--bind-port', '0', '--wait', '0'],
        {env: {LANMSG_STATE_DIR: state.dir}},
      )
      expect(run.code).to.equal(2)
      const lines = run.stderr.split('\n').filter((l) => l !== '')
      expect(lines).to.have.length(1)
      expect(lines[0]).to.match(
        /^Error: message is \d+ bytes once converted to UTF-8, as iptux does with gbk text; the limit is 8192 bytes \(or use --truncate\)$/,
      )
    })

    it('with --truncate sends a datagram that converts to at most 8192 bytes of UTF-8, and says it was shortened', async () => {
      const receiver = await openSender({address: '127.0.0.1'})
      try {
        const run = await runCli(
          [
            'announce',
            text,
            '--encoding',
            'gbk',
            '--truncate',
            '--to',
            '127.0.0.1',
            '--port',
            String(receiver.port),
            '--bind-port',
            '0',
            '--wait',
            '0',
            '--json',
          ],
          {env: {LANMSG_STATE_DIR: state.dir}},
        )
        expect(run.code, run.stderr).to.equal(0)
        expect(JSON.parse(run.stdout).sent).to.include({truncated: true})
        await receiver.waitFor(() => receiver.replies(CMD.SENDMSG).length > 0, 10_000, 'the message')
        const [datagram] = receiver.replies(CMD.SENDMSG) // the BR_ENTRY before it is ASCII
        const asUtf8 = Buffer.from(iconv.decode(datagram.data, 'gbk'), 'utf8')
        expect(asUtf8.length).to.be.at.most(8192).and.at.least(8190)
        expect(iconv.decode(datagram.body!.subarray(0, -1), 'gbk')).to.match(/^测+$/)
      } finally {
        await receiver.close()
      }
    })
  })

  describe('announce "你好" writes to each unicast peer in the charset it reads (issue 11.5)', () => {
    const WIN_ANSENTRY = 0x0180_0003 // ANSENTRY|UTF8OPT|CAPUTF8OPT: Windows answers a CAPUTF8OPT entry so (§3.2)
    const peers: Record<string, FakePeer> = {}
    let port: number
    const address = {feiq: '127.0.0.2', win: '127.0.0.3', qipmsg: '127.0.0.4', silent: '127.0.0.5'}
    const announce = (...extra: string[]) =>
      runCli(
        [
          'announce',
          '你好',
          ...Object.values(address).flatMap((a) => ['--to', a]),
          '--to',
          '127.255.255.255',
          '--port',
          String(port),
          '--bind-port',
          '0',
          '--wait',
          '1500ms',
          '--retries',
          '1',
          '--json',
          ...ME,
          ...extra,
        ],
        {env: {LANMSG_STATE_DIR: state.dir}},
      )
    // The SENDMSG copies a peer heard (unicast to its own address, and the broadcast), with their command and body.
    const messages = (peer: FakePeer) =>
      peer.heard
        .filter((h) => h.mode === CMD.SENDMSG)
        .map((h) => ({packetNo: h.header!.packetNo, command: h.header!.command, body: h.body!.toString('hex')}))
    const body = (bytes: Buffer) => Buffer.concat([bytes, NUL]).toString('hex')

    before(async () => {
      port = await freeUdpPort()
      // Each on 0.0.0.0 (hears the loopback broadcast) and on its own address (its unicasts), all on one port.
      const start = (name: keyof typeof address, options: Partial<Parameters<typeof startFakePeer>[0]>) =>
        startFakePeer({
          port,
          bindAddress: '0.0.0.0',
          address: address[name],
          user: name,
          host: `${name}-pc`,
          nick: name,
          ...options,
        })
      peers.feiq = await start('feiq', {version: FEIQIU, user: 'feiq-h1', nick: 'feiq-h1'})
      peers.win = await start('win', {ansEntryCommand: WIN_ANSENTRY})
      peers.qipmsg = await start('qipmsg', {nick: gbk('小张'), group: 'lanmsg-test'}) // QIpMsg writes GBK, no flag
      peers.silent = await start('silent', {answerEntry: false})
    })
    after(async () => {
      await Promise.all(Object.values(peers).map((p) => p.close()))
    })

    it('GBK without UTF8OPT to Feiqiu and to a peer that wrote GBK, UTF-8 to the rest, one packet number', async () => {
      const run = await announce()
      expect(run.code, run.stderr).to.equal(0)
      const doc = JSON.parse(run.stdout)
      const charsetOf = Object.fromEntries(doc.deliveries.map((d: Json) => [d.address, d.charset]))
      expect(charsetOf).to.deep.equal({
        [address.feiq]: 'gbk',
        [address.win]: 'utf-8',
        [address.qipmsg]: 'gb18030', // what its GBK was read as; a superset of GBK, the same bytes for 你好
        [address.silent]: 'utf-8', // it never answered the entry: nothing says it reads anything but UTF-8
      })
      expect(doc.deliveries.every((d: Json) => d.delivered && d.packetNo === doc.sent.packetNo)).to.equal(true)
      expect(doc.deliveries.map((d: Json) => d.lossy)).to.deep.equal([false, false, false, false])
      const {packetNo} = doc.sent
      const gbkCopy = {packetNo, command: CMD.SENDMSG | OPT.SENDCHECKOPT, body: body(gbk('你好'))}
      const utf8Copy = {
        packetNo,
        command: CMD.SENDMSG | OPT.SENDCHECKOPT | OPT.UTF8OPT | OPT.CAPUTF8OPT,
        body: body(Buffer.from('你好')),
      }
      // The broadcast copy reaches every peer too, in UTF-8: one datagram serves many peers.
      expect(messages(peers.feiq)).to.have.deep.members([gbkCopy, utf8Copy])
      expect(messages(peers.qipmsg)).to.have.deep.members([gbkCopy, utf8Copy])
      expect(messages(peers.win)).to.deep.equal([utf8Copy, utf8Copy])
      expect(messages(peers.silent)).to.deep.equal([utf8Copy, utf8Copy])
    })

    it("says when the Feiqiu's GBK cannot hold a character of the message (it gets '?')", async () => {
      for (const peer of Object.values(peers)) peer.heard.length = 0
      const run = await runCli(
        ['announce', '你好😀', '--to', address.feiq, '--port', String(port), '--bind-port', '0', ...ME],
        {env: {LANMSG_STATE_DIR: state.dir}},
      )
      expect(run.code, run.stderr).to.equal(0)
      expect(messages(peers.feiq).map((m) => m.body)).to.deep.equal([body(gbk('你好?'))])
      expect(run.stdout).to.match(/127\.0\.0\.2:\d+ +\d+ +yes +1 +\d+ms +gbk \(some as \?\)/)
      expect(run.stdout).to.include(
        `127.0.0.2:${port} reads gbk, which cannot hold some characters: it got '?' for them.`,
      )
    })

    it('stopped (SIGINT) while it waits for the answers to the entry, it still sends the message, then BR_EXIT', async () => {
      for (const peer of Object.values(peers)) peer.heard.length = 0
      const args = ['announce', '你好', '--to', address.silent, '--port', String(port), '--bind-port', '0', ...ME]
      const child = spawn(process.execPath, [CLI_BIN, ...args], {
        cwd: REPO_ROOT,
        env: guardedEnv({NO_COLOR: '1', LANMSG_STATE_DIR: state.dir}),
      })
      child.stdin.end()
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
      const closed = new Promise<null | number>((resolve) => child.on('close', resolve))
      try {
        // The silent peer never answers the entry: without the stop, lanmsg would wait a second for it.
        await eventually(() => peers.silent.heard.some((h) => h.mode === CMD.BR_ENTRY), 20_000, "lanmsg's BR_ENTRY")
        child.kill('SIGINT')
        expect(await closed, stderr).to.equal(130)
      } finally {
        child.kill('SIGKILL')
      }

      expect(peers.silent.heard.map((h) => h.mode)).to.deep.equal([CMD.BR_ENTRY, CMD.SENDMSG, CMD.BR_EXIT])
    })

    it('--encoding utf-8 forces UTF-8 on every target', async () => {
      for (const peer of Object.values(peers)) peer.heard.length = 0
      const run = await announce('--encoding', 'utf-8')
      expect(run.code, run.stderr).to.equal(0)
      const doc = JSON.parse(run.stdout)
      expect(doc.deliveries.map((d: Json) => d.charset)).to.deep.equal(['utf-8', 'utf-8', 'utf-8', 'utf-8'])
      const utf8 = body(Buffer.from('你好'))
      expect(messages(peers.feiq).map((m) => m.body)).to.deep.equal([utf8, utf8])
      expect(messages(peers.feiq).every((m) => m.command & OPT.UTF8OPT)).to.equal(true)
    })
  })
})
