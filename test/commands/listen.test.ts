// `lanmsg listen`, run as a child process (bin/dev.js) and fed with datagrams built byte by byte by
// test/support/ipmsg-sender.ts. Network rule: UDP goes to 127.0.0.1, or to 127.255.255.255 only to sockets bound
// to 0.0.0.0 (every --respond run is given --to 127.255.255.255), and the child runs under the send guard.
// Independent runs are started together (in a `before`) to keep the whole file well under a minute.
import {expect} from 'chai'
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import dgram from 'node:dgram'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {CMD, ipmsgPacket, NUL, OPT, openSender, type Reply, type Sender, sleep} from '../support/ipmsg-sender.js'
import {runCli, type RunCliResult} from '../support/run-cli.js'
import {guardedEnv} from '../support/send-guard.js'
import {CLI_BIN} from '../support/cli-bin.js'

type Json = any

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DEV_BIN = CLI_BIN // the built CLI, kept fresh by the test setup (see cli-bin.ts)

// ---------------------------------------------------------------------------------------------------------------
// Running `listen` live: stdout is read as it comes, the process can be signalled, and every run has a hard limit.

interface Finished {
  code: null | number
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
  timedOut: boolean
  /** Date.now() when the process exited. */
  exitedAt: number
}

interface Live {
  readonly child: ChildProcessWithoutNullStreams
  readonly port: number
  stdout(): string
  stderr(): string
  running(): boolean
  waitForStdout(test: (stdout: string) => boolean, timeoutMs?: number, what?: string): Promise<void>
  readonly done: Promise<Finished>
}

let stateRoot = ''
const usedPorts = new Set<number>()

function listenEnv(): NodeJS.ProcessEnv {
  return guardedEnv({NO_COLOR: '1', LANMSG_STATE_DIR: mkdtempSync(join(stateRoot, 'run-'))})
}

/** Starts `node bin/dev.js listen --port <port> …args` (or, with `shell`, a bash pipeline around it). */
function startListen(port: number, args: string[], opts: {timeoutMs?: number; shell?: (cli: string) => string} = {}) {
  const cliArgs = ['listen', '--port', String(port), ...args]
  const quote = (s: string) => `'${s.replaceAll("'", String.raw`'\''`)}'`
  const child = opts.shell
    ? spawn('bash', ['-c', opts.shell([process.execPath, DEV_BIN, ...cliArgs].map((a) => quote(a)).join(' '))], {
        cwd: REPO_ROOT,
        env: listenEnv(),
      })
    : spawn(process.execPath, [DEV_BIN, ...cliArgs], {cwd: REPO_ROOT, env: listenEnv()})
  child.stdin.end()
  const out: Buffer[] = []
  const err: Buffer[] = []
  let exited = false
  let timedOut = false
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, opts.timeoutMs ?? 60_000)
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      exited = true
      clearTimeout(timer)
      const stdoutBytes = Buffer.concat(out)
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
        timedOut,
        exitedAt: Date.now(),
      })
    })
  })
  const live: Live = {
    child,
    port,
    done,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
    running: () => !exited,
    async waitForStdout(test, timeoutMs = 5000, what = 'output') {
      const deadline = Date.now() + timeoutMs
      while (!test(live.stdout())) {
        if (exited || Date.now() > deadline) {
          throw new Error(`no ${what} on stdout (exited: ${exited}); stdout: ${live.stdout()} stderr: ${live.stderr()}`)
        }

        await sleep(5)
      }
    },
  }
  return live
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({type: 'udp4', reuseAddr: false})
    socket.once('error', () => {
      socket.close()
      resolve(false)
    })
    socket.bind({port, address: '0.0.0.0'}, () => socket.close(() => resolve(true)))
  })
}

/** A random port from 30000 to 59999, free on 0.0.0.0 now and not handed out before in this file. */
async function freePort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = 30_000 + Math.floor(Math.random() * 30_000)
    if (!usedPorts.has(port) && (await canBind(port))) {
      usedPorts.add(port)
      return port
    }
  }

  throw new Error('no free UDP port in 30000-59999')
}

/** Sockets bound to this local UDP port (any address), from /proc/net/udp; undefined where there is none. */
function boundSockets(port: number): number | undefined {
  if (!existsSync('/proc/net/udp')) return undefined
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  return readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim().split(/\s+/)[1]?.endsWith(suffix)).length
}

/** Resolves once lanmsg has bound its port (more than `others` sockets on it), without sending it anything. */
async function waitBound(live: Live, others = 0): Promise<void> {
  const deadline = Date.now() + 45_000
  for (;;) {
    const n = boundSockets(live.port)
    if (n === undefined) return sleep(3000) // no /proc: give the CLI time to start
    if (n > others) return
    if (!live.running()) throw new Error(`listen exited before binding: ${live.stderr()}`)
    if (Date.now() > deadline) throw new Error(`listen did not bind port ${live.port}: ${live.stderr()}`)
    await sleep(10)
  }
}

/** Every stdout line parsed as JSON (a line that is not JSON fails the test). */
function ndjson(stdout: string): Json[] {
  expect(stdout.endsWith('\n'), 'stdout ends with a newline').to.equal(stdout !== '')
  return stdout
    .split('\n')
    .slice(0, -1)
    .map((line, i) => {
      try {
        return JSON.parse(line)
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${JSON.stringify(line)}`)
      }
    })
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const gbk = (hex: string) => Buffer.from(hex, 'hex')
const FEIQIU_VERSION = '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9'
const EVIL_NICK = 'red\u001B[31mX\u001B]0;title\u0007\u202Eevil'
const EVIL_TEXT = 'text \u001B[31mred\u001B[0m \u001B]0;title\u0007 \u202Eevil'
const JUNK = Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x07, 0x80, 0x41])

// eslint-disable-next-line max-params -- header fields in the order IPMsg writes them
const sendmsg = (packetNo: number, text: string, command: number = CMD.SENDMSG, user = 'alice', host = 'alice-pc') =>
  ipmsgPacket({packetNo, user, host, command}, text, NUL)
// eslint-disable-next-line max-params -- header fields in the order IPMsg writes them
const entry = (packetNo: number, command: number, user: string, nick: string, group = '') =>
  ipmsgPacket({packetNo, user, host: `${user}-pc`, command}, nick, NUL, group, NUL)

async function senders(addresses: string[]): Promise<Sender[]> {
  return Promise.all(addresses.map((address) => openSender({address})))
}

async function closeAll(list: Array<Sender | undefined>): Promise<void> {
  await Promise.all(list.map((s) => s?.close()))
}

// ---------------------------------------------------------------------------------------------------------------

/** stderr without the one line that says another socket (here the test's observer) shares the port. */
function withoutSharedPortLine(stderr: string): string {
  return stderr.replace(/^Warning: .* also holds UDP port \d+ on this host: .*\n/, '')
}

describe('listen', function () {
  // Generous limits: the machine may be shared; a run on an idle machine takes about half a minute in all.
  this.timeout(120_000)
  before(() => {
    stateRoot = mkdtempSync(join(tmpdir(), 'lanmsg-listen-test-'))
  })
  after(() => {
    if (stateRoot) rmSync(stateRoot, {force: true, recursive: true})
  })

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
          client: {kind: 'ipmsg', name: 'IP Messenger'},
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
      const port = await freePort()
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
        const keys = ['receivedAt', 'from', 'size', 'ipmsg', 'packet', 'raw', ...(c.error ? ['error'] : [])]
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
    const port = await freePort()
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

  describe('people output (rows, --hex, escaping, peers table)', () => {
    let plain: Finished
    let hex: Finished
    let plainFrom: Sender[]
    let hexFrom: Sender[]
    const datagrams = (): Array<[number, Buffer]> => [
      [0, entry(2001, CMD.BR_ENTRY, 'mallory', EVIL_NICK, 'g')],
      [1, entry(2002, CMD.BR_ENTRY, 'bob', 'Bob', 'QA')],
      [1, sendmsg(2003, 'hello people', 288, 'bob', 'bob-pc')],
      [1, JUNK],
      [0, sendmsg(2005, EVIL_TEXT, CMD.SENDMSG, 'mallory', 'mallory-pc')],
      [1, entry(2006, CMD.BR_EXIT, 'bob', 'Bob', 'QA')],
    ]
    const sizes = datagrams().map(([, b]) => b.length)

    async function feed(extra: string[], from: Sender[]): Promise<Finished> {
      const port = await freePort()
      const live = startListen(port, ['--count', '6', ...extra])
      await waitBound(live)
      for (const [who, bytes] of datagrams()) {
        await from[who].send(bytes, port)
        await sleep(5)
      }

      return live.done
    }

    before(async () => {
      // Two peers per run: 127.0.0.2 (mallory) and 127.0.0.3 (bob).
      plainFrom = await senders(['127.0.0.2', '127.0.0.3'])
      hexFrom = await senders(['127.0.0.2', '127.0.0.3'])
      ;[plain, hex] = await Promise.all([feed([], plainFrom), feed(['--hex'], hexFrom)])
    })
    after(() => closeAll([...plainFrom, ...hexFrom]))

    const ROW = /^\d{2}:\d{2}:\d{2}\.\d{3} {2}127\.0\.0\.[23]:\d+ +/
    const DUMP = /^[\da-f]{8} {2}/

    it('prints a header, then one row per datagram, then the peers table and the summary', () => {
      expect(plain.code, plain.stderr).to.equal(0)
      const lines = plain.stdout.split('\n')
      expect(lines[0]).to.match(/^TIME +FROM +MODE +OPTIONS +SENDER +CLIENT +CONTENT$/)
      expect(lines[1]).to.match(/^─+( {2}─+){6}$/)
      const rows = lines.filter((l) => ROW.test(l))
      expect(rows).to.have.length(6)
      expect(lines.slice(2, 8)).to.deep.equal(rows)
      const modes = rows.map((r) => r.split(/ {2,}/)[2])
      expect(modes).to.deep.equal(['BR_ENTRY', 'BR_ENTRY', 'SENDMSG', '(not IPMsg)', 'SENDMSG', 'BR_EXIT'])
      expect(rows[0]).to.include(`127.0.0.2:${plainFrom[0].port}`).and.include('mallory@mallory-pc')
      expect(rows[2]).to.include(`127.0.0.3:${plainFrom[1].port}`).and.include('bob@bob-pc').and.include('hello people')
      expect(plain.stdout.trimEnd().split('\n').at(-1)).to.equal('6 datagrams received, 6 shown; 2 peers')
    })

    it('shows a datagram that is not IPMsg as an escaped preview with its byte count', () => {
      const row = plain.stdout.split('\n').find((l) => l.includes('(not IPMsg)'))!
      expect(row).to.include('11 bytes')
      expect(row).to.include(String.raw`\x00\xff\xfe\x1b[31m`)
    })

    it('shows escape sequences and bidi overrides from the network escaped, never raw', () => {
      for (const run of [plain, hex]) {
        const controls = [...run.stdoutBytes].filter((b) => (b < 0x20 && b !== 0x0a) || b === 0x7f)
        expect(controls, 'control bytes on stdout').to.deep.equal([])
        expect(run.stdout).to.not.include('\u202E')
        expect(run.stdout).to.not.include('\u009B') // C1 CSI
      }

      const rows = plain.stdout.split('\n').filter((l) => ROW.test(l))
      expect(rows[0]).to.include(String.raw`red\x1b[31mX\x1b]0;title`)
      expect(rows[4]).to.include(String.raw`text \x1b[31mred\x1b[0m`)
      expect(plain.stdout).to.match(/\\u\{?202e/i)
    })

    it('lists the senders with their status in the peers table printed at exit', () => {
      const lines = plain.stdout.split('\n')
      const head = lines.findIndex((l) =>
        /^ADDRESS +USER +HOST +NICKNAME +GROUP +CLIENT +OPTIONS +LAST SEEN +STATUS$/.test(l),
      )
      expect(head, 'peers table header').to.be.greaterThan(7)
      const peers = lines.slice(head + 2).filter((l) => l.startsWith('127.'))
      expect(peers).to.have.length(2)
      expect(peers[0]).to.match(new RegExp(`^127\\.0\\.0\\.2:${plainFrom[0].port} +mallory +mallory-pc +red\\\\x1b`))
      expect(peers[0]).to.match(/ present$/)
      expect(peers[1]).to.match(new RegExp(`^127\\.0\\.0\\.3:${plainFrom[1].port} +bob +bob-pc +Bob +QA `))
      expect(peers[1]).to.match(/ exited$/)
    })

    it('--hex adds a hex dump under each row (none without it)', () => {
      expect(hex.code, hex.stderr).to.equal(0)
      expect(plain.stdout.split('\n').filter((l) => DUMP.test(l))).to.deep.equal([])
      const lines = hex.stdout.split('\n')
      const rowAt = lines.map((l, i) => (ROW.test(l) ? i : -1)).filter((i) => i >= 0)
      expect(rowAt).to.have.length(6)
      for (const [k, at] of rowAt.entries()) {
        const dump: string[] = []
        for (let j = at + 1; DUMP.test(lines[j]); j++) dump.push(lines[j])
        expect(dump, `dump of datagram ${k + 1}`).to.have.length(Math.ceil(sizes[k] / 16))
        expect(dump[0]).to.match(/^00000000 {2}/)
      }

      const junkDump = lines[rowAt[3] + 1]
      expect(junkDump).to.match(/^00000000 {2}00 ff fe 1b 5b 33 31 6d {2}07 80 41 +\|\.\.\.\.\[31m\.\.A\|$/)
    })
  })

  it('--json --count 3 prints one document {datagrams, packets: [records], peers}', async () => {
    const port = await freePort()
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

  describe('filters', () => {
    let fromRun: Finished
    let modeRun: Finished
    let onlyRun: Finished
    let list: Sender[] = []

    before(async () => {
      list = await senders(['127.0.0.1', '127.0.0.2', '127.0.0.1', '127.0.0.1'])
      const [one, two, three, four] = list
      const scenario = async (args: string[], steps: Array<[Sender, Buffer]>) => {
        const port = await freePort()
        const live = startListen(port, ['--ndjson', ...args])
        await waitBound(live)
        for (const [sender, bytes] of steps) {
          await sender.send(bytes, port)
          await sleep(5)
        }

        return live.done
      }

      ;[fromRun, modeRun, onlyRun] = await Promise.all([
        scenario(
          ['--from', '127.0.0.2/32', '--count', '2'],
          [
            [one, sendmsg(1, 'from .1 (a)')],
            [two, sendmsg(2, 'from .2 (a)')],
            [one, sendmsg(3, 'from .1 (b)')],
            [one, JUNK],
            [two, sendmsg(5, 'from .2 (b)')],
          ],
        ),
        scenario(
          ['--mode', 'SENDMSG', '--mode', 'RECVMSG', '--count', '3'],
          [
            [three, entry(1, CMD.BR_ENTRY, 'alice', 'Alice')],
            [three, sendmsg(2, 'one')],
            [three, JUNK],
            [three, ipmsgPacket({packetNo: 4, user: 'alice', host: 'alice-pc', command: CMD.RECVMSG}, '2', NUL)],
            [three, ipmsgPacket({packetNo: 5, user: 'alice', host: 'alice-pc', command: CMD.GETINFO})],
            [three, sendmsg(6, 'two', 288)],
          ],
        ),
        scenario(
          ['--ipmsg-only', '--count', '2'],
          [
            [four, JUNK],
            [four, sendmsg(2, 'kept')],
            [four, Buffer.from('IP2:3d:key1:3:3e8:Z')],
            [four, Buffer.from('1:4:a:b:32')],
            [four, entry(5, CMD.BR_ENTRY, 'alice', 'Alice')],
          ],
        ),
      ])
    })
    after(() => closeAll(list))

    it('--from 127.0.0.2/32 shows only datagrams from that address', () => {
      expect(fromRun.code, fromRun.stderr).to.equal(0)
      const records = ndjson(fromRun.stdout)
      expect(records.map((r) => r.from)).to.deep.equal([
        {address: '127.0.0.2', port: list[1].port},
        {address: '127.0.0.2', port: list[1].port},
      ])
      expect(records.map((r) => r.packet.text)).to.deep.equal(['from .2 (a)', 'from .2 (b)'])
      expect(fromRun.stderr).to.equal('5 datagrams received, 2 shown, 3 filtered out; 1 peer\n')
    })

    it('--mode (repeatable) shows only those commands', () => {
      expect(modeRun.code, modeRun.stderr).to.equal(0)
      const records = ndjson(modeRun.stdout)
      expect(records.map((r) => [r.packet.mode, r.packet.packetNo])).to.deep.equal([
        ['SENDMSG', 2],
        ['RECVMSG', 4],
        ['SENDMSG', 6],
      ])
      expect(modeRun.stderr).to.match(/^6 datagrams received, 3 shown, 3 filtered out; /)
    })

    it('--ipmsg-only hides datagrams that are not IPMsg', () => {
      expect(onlyRun.code, onlyRun.stderr).to.equal(0)
      const records = ndjson(onlyRun.stdout)
      expect(records.map((r) => [r.ipmsg, r.packet.packetNo])).to.deep.equal([
        [true, 2],
        [true, 5],
      ])
      expect(onlyRun.stderr).to.match(/^5 datagrams received, 2 shown, 3 filtered out; /)
    })
  })

  describe('--respond (a polite peer)', () => {
    const ME = ['--user', 'lanbot', '--host', 'testhost', '--nick', 'Bot']
    let port: number
    let absentPort: number
    let observer: Sender
    let absentObserver: Sender
    let run: Finished
    let absentRun: Finished
    let absentReadyAt: number
    let signalAt: number
    const opened: Sender[] = []
    const r: Record<string, Json> = {}

    const open = async (address: string) => {
      const s = await openSender({address})
      opened.push(s)
      return s
    }

    const brEntries = (s: Sender) => s.replies(CMD.BR_ENTRY)
    const brExits = (s: Sender) => s.replies(CMD.BR_EXIT)

    // Scenarios of the main run, each from its own source address (the rate limit is per source address).
    async function entryUtf8() {
      const alice = await open('127.0.0.2')
      const sentAt = Date.now()
      await alice.send(entry(10, CMD.BR_ENTRY | OPT.CAPUTF8OPT, 'alice', 'Alice'), port)
      // SENDINFO is sent at once: its arrival is the turnaround time of this machine right now.
      await alice.send(ipmsgPacket({packetNo: 12, user: 'alice', host: 'alice-pc', command: CMD.GETINFO}, NUL), port)
      await alice.waitFor(() => alice.replies(CMD.ANSENTRY).length > 0, 10_000, 'ANSENTRY')
      const first = alice.replies(CMD.ANSENTRY)[0]
      // The same source enters again within 2 s: no second ANSENTRY.
      await alice.send(entry(11, CMD.BR_ENTRY | OPT.CAPUTF8OPT, 'alice', 'Alice'), port)
      await sleep(1300)
      const sendinfo = alice.replies(CMD.SENDINFO)[0]
      return {alice, sentAt, first, baseline: sendinfo === undefined ? undefined : sendinfo.at - sentAt}
    }

    async function entryPlain() {
      const dave = await open('127.0.0.3')
      await dave.send(entry(20, CMD.BR_ENTRY, 'dave', 'Dave'), port)
      await dave.waitFor(() => dave.replies(CMD.ANSENTRY).length > 0, 10_000, 'ANSENTRY')
      return {dave, answer: dave.replies(CMD.ANSENTRY)[0]}
    }

    async function acks() {
      const erin = await open('127.0.0.4')
      const m = (no: number, command: number) => sendmsg(no, `message ${no}`, command, 'erin', 'erin-pc')
      await erin.sendAll(
        [
          m(7001, CMD.SENDMSG | OPT.SENDCHECKOPT),
          m(7001, CMD.SENDMSG | OPT.SENDCHECKOPT), // a resend: acknowledged again
          m(7002, CMD.SENDMSG | OPT.SENDCHECKOPT | OPT.BROADCASTOPT),
          m(7003, CMD.SENDMSG | OPT.SENDCHECKOPT | OPT.AUTORETOPT),
          m(7004, CMD.SENDMSG),
        ],
        port,
      )
      await erin.waitFor((got) => got.length >= 2, 10_000, 'two RECVMSG')
      await sleep(500) // room for a wrong third one
      return {erin}
    }

    async function info() {
      const frank = await open('127.0.0.5')
      const q = (no: number, command: number) => ipmsgPacket({packetNo: no, user: 'frank', host: 'f-pc', command}, NUL)
      await frank.sendAll([q(30, CMD.GETINFO), q(31, CMD.GETABSENCEINFO)], port)
      await frank.waitFor(() => frank.replies().length >= 2, 10_000, 'SENDINFO and SENDABSENCEINFO')
      return {frank}
    }

    async function self() {
      // Our own user and host from one of our addresses: lanmsg itself (another socket, another run).
      const me = await open('127.0.0.1')
      const own = (no: number, command: number, body: string) =>
        ipmsgPacket({packetNo: no, user: 'lanbot', host: 'testhost', command}, body, NUL)
      await me.sendAll(
        [own(40, CMD.BR_ENTRY, 'Bot'), own(41, CMD.SENDMSG | OPT.SENDCHECKOPT, 'hi me'), own(42, CMD.GETINFO, '')],
        port,
      )
      await sleep(1300)
      const silent = me.received.length
      // The same socket as somebody else is answered: the silence above is about identity.
      await me.send(ipmsgPacket({packetNo: 43, user: 'grace', host: 'g-pc', command: CMD.GETINFO}, NUL), port)
      await me.waitFor(() => me.received.length > silent, 10_000, 'SENDINFO to grace')
      return {me, silent}
    }

    async function burst() {
      const heidi = await open('127.0.0.6')
      for (let i = 0; i < 30; i++) {
        await heidi.send(sendmsg(8000 + i, `burst ${i}`, CMD.SENDMSG | OPT.SENDCHECKOPT, 'heidi', 'h-pc'), port)
      }

      await heidi.waitFor((got) => got.length >= 5, 10_000, 'five RECVMSG')
      await sleep(500) // room for a wrong sixth one
      return {heidi}
    }

    async function absentScenario() {
      const ivan = await open('127.0.0.7')
      await ivan.send(entry(50, CMD.BR_ENTRY, 'ivan', 'Ivan'), absentPort)
      await ivan.send(
        ipmsgPacket({packetNo: 51, user: 'ivan', host: 'i-pc', command: CMD.GETABSENCEINFO}, NUL),
        absentPort,
      )
      await ivan.waitFor(() => ivan.replies().length >= 2, 10_000, 'SENDABSENCEINFO and ANSENTRY')
      return {ivan}
    }

    before(async () => {
      port = await freePort()
      absentPort = await freePort()
      // Bound before lanmsg, with SO_REUSEADDR: they hear lanmsg's broadcasts to 127.255.255.255, while unicasts to
      // the port still reach lanmsg (on Linux the socket bound last gets them).
      observer = await openSender({address: '0.0.0.0', port})
      absentObserver = await openSender({address: '0.0.0.0', port: absentPort})
      // The main run is ended by SIGINT once every scenario is done; the absent one by --duration.
      const main = startListen(port, ['--respond', '--to', '127.255.255.255', ...ME, '--ndjson', '--duration', '60s'])
      const absent = startListen(absentPort, [
        '--respond',
        '--to',
        '127.255.255.255',
        ...ME,
        '--absent',
        'at lunch',
        '--ndjson',
        '--duration',
        '3s',
      ])
      await Promise.all([
        observer.waitFor(() => brEntries(observer).length > 0, 45_000, "lanmsg's BR_ENTRY"),
        absentObserver
          .waitFor(() => brEntries(absentObserver).length > 0, 45_000, "lanmsg's BR_ENTRY (absent)")
          .then(() => {
            absentReadyAt = Date.now()
          }),
      ])
      ;[r.entryUtf8, r.entryPlain, r.acks, r.info, r.self, r.burst, r.absent] = await Promise.all([
        entryUtf8(),
        entryPlain(),
        acks(),
        info(),
        self(),
        burst(),
        absentScenario(),
      ])
      r.exitsBeforeSignal = brExits(observer).length
      signalAt = Date.now()
      main.child.kill('SIGINT')
      ;[run, absentRun] = await Promise.all([main.done, absent.done])
      await sleep(50)
    })
    after(() => closeAll([observer, absentObserver, ...opened]))

    it('announces itself with BR_ENTRY (CAPUTF8OPT, nickname Bot) to the --to address at start', () => {
      const [br] = brEntries(observer)
      expect(br.from).to.deep.equal({address: '127.0.0.1', port})
      expect(br.header).to.include({version: '1', user: 'lanbot', host: 'testhost'})
      expect(br.header.command & 0xff).to.equal(CMD.BR_ENTRY)
      expect(br.header.command & OPT.CAPUTF8OPT).to.not.equal(0)
      expect(br.header.command & OPT.UTF8OPT, 'no UTF8OPT on BR packets (§1.4)').to.equal(0)
      expect(br.header.command & OPT.ABSENCEOPT).to.equal(0)
      expect(br.parts![0]).to.equal('Bot')
      expect(br.body!.toString('utf8')).to.include('\nNN:Bot')
      expect(brEntries(observer)).to.have.length(1)
    })

    it('answers BR_ENTRY with one unicast ANSENTRY to the source address and port within ~1.1 s, UTF8OPT for CAPUTF8OPT', () => {
      const {alice, sentAt, first, baseline} = r.entryUtf8
      expect(first.from).to.deep.equal({address: '127.0.0.1', port}) // sent from the listening socket
      // At most 1023 ms of spread (§3.2) on top of what an immediate answer (SENDINFO) took on this machine.
      expect(baseline, 'SENDINFO arrived').to.be.a('number')
      expect(first.at - sentAt).to.be.below(1100 + baseline)
      expect(first.header).to.include({user: 'lanbot', host: 'testhost'})
      expect(first.header.command & 0xff).to.equal(CMD.ANSENTRY)
      expect(first.header.command & OPT.UTF8OPT).to.not.equal(0)
      expect(first.parts[0]).to.equal('Bot')
      expect(alice.replies().map((x: Reply) => x.mode)).to.have.members([CMD.SENDINFO, CMD.ANSENTRY])
      expect(observer.replies(CMD.ANSENTRY), 'not broadcast').to.deep.equal([])
    })

    it('answers a BR_ENTRY without CAPUTF8OPT with an ANSENTRY without UTF8OPT', () => {
      const {answer, dave} = r.entryPlain
      expect(answer.header.command & 0xff).to.equal(CMD.ANSENTRY)
      expect(answer.header.command & OPT.UTF8OPT).to.equal(0)
      expect(answer.parts[0]).to.equal('Bot')
      expect(dave.replies(CMD.ANSENTRY)).to.have.length(1)
    })

    it('sends no second ANSENTRY to a source that enters again within 2 s', () => {
      expect(r.entryUtf8.alice.replies(CMD.ANSENTRY)).to.have.length(1)
    })

    it('acknowledges SENDMSG|SENDCHECKOPT with RECVMSG 33 + packet number, resends too; not BROADCAST/AUTORET/unchecked', () => {
      const {erin} = r.acks
      const acksSeen = erin.received as Reply[]
      expect(acksSeen.map((a) => a.header?.command)).to.deep.equal([33, 33])
      expect(acksSeen.map((a) => a.body!.toString('latin1'))).to.deep.equal(['7001\0', '7001\0'])
      expect(acksSeen.map((a) => a.from)).to.deep.equal([
        {address: '127.0.0.1', port},
        {address: '127.0.0.1', port},
      ])
    })

    it('answers GETINFO with SENDINFO "lanmsg …" and GETABSENCEINFO with "Not Absence mode"', () => {
      const {frank} = r.info
      const [sendinfo] = frank.replies(CMD.SENDINFO)
      const [absence] = frank.replies(CMD.SENDABSENCEINFO)
      expect(sendinfo.parts[0]).to.match(/^lanmsg\b/)
      expect(absence.parts[0]).to.equal('Not Absence mode')
      expect(frank.received).to.have.length(2)
    })

    it('does not answer its own packets (our user and host from our address; its own broadcast)', () => {
      const {me, silent} = r.self
      expect(silent).to.equal(0)
      expect(me.replies(CMD.SENDINFO)).to.have.length(1)
      // Had lanmsg answered its own BR_ENTRY, the ANSENTRY would have come back to its own socket.
      const own = ndjson(run.stdout).filter((x) => x.from.port === port && x.packet?.mode === 'ANSENTRY')
      expect(own).to.deep.equal([])
    })

    it('acknowledges at most 5 of a burst of 30 from one source and says how many it suppressed', () => {
      const {heidi} = r.burst
      const acked = heidi.replies(CMD.RECVMSG).map((a: Reply) => a.body!.toString('latin1'))
      expect(acked).to.deep.equal(['8000\0', '8001\0', '8002\0', '8003\0', '8004\0'])
      // 2 (alice: ANSENTRY, SENDINFO) + 1 (dave) + 2 (erin) + 2 (frank) + 1 (grace) + 5 (heidi); 25 refused.
      expect(run.stderr).to.match(/; 13 replies sent \(25 suppressed by the rate limit\)\n$/)
    })

    it('says goodbye with BR_EXIT (twice) on SIGINT, exits 0 and prints the summary', () => {
      expect(run.code, run.stderr).to.equal(0)
      expect(run.signal).to.equal(null)
      expect(r.exitsBeforeSignal).to.equal(0)
      const exits = brExits(observer)
      expect(exits).to.have.length(2)
      expect(exits[0].at - signalAt).to.be.below(10_000)
      for (const x of exits) {
        expect(x.from).to.deep.equal({address: '127.0.0.1', port})
        expect(x.header).to.include({user: 'lanbot', host: 'testhost'})
        expect(x.header.command & 0xff).to.equal(CMD.BR_EXIT)
        expect(x.parts![0]).to.equal('Bot')
      }

      // erin's resend is shown once and counted; it was acknowledged again all the same (13 replies).
      // The observer shares the port, so a one-line warning comes first (listen-shared-port.test.ts).
      expect(withoutSharedPortLine(run.stderr)).to.match(
        /^\d+ datagrams received, \d+ shown, 1 duplicate; \d+ peers; 13 replies sent/,
      )
    })

    it('with --absent "at lunch": ABSENCEOPT on BR_ENTRY and ANSENTRY, the absence text on GETABSENCEINFO', () => {
      const [br] = brEntries(absentObserver)
      expect(br.header.command & OPT.ABSENCEOPT).to.not.equal(0)
      const {ivan} = r.absent
      expect(ivan.replies(CMD.SENDABSENCEINFO).map((x: Reply) => x.parts![0])).to.deep.equal(['at lunch'])
      const [ans] = ivan.replies(CMD.ANSENTRY)
      expect(ans.header.command & OPT.ABSENCEOPT).to.not.equal(0)
      expect(ans.parts[0]).to.equal('Bot')
    })

    it('says goodbye with BR_EXIT (twice) when --duration ends, and exits 0', () => {
      expect(absentRun.code, absentRun.stderr).to.equal(0)
      expect(absentRun.timedOut).to.equal(false)
      expect(absentRun.exitedAt - absentReadyAt).to.be.within(2800, 20_000)
      const exits = brExits(absentObserver)
      expect(exits).to.have.length(2)
      expect(exits[0].at).to.be.at.least(absentReadyAt + 2800)
      for (const x of exits) {
        expect(x.from).to.deep.equal({address: '127.0.0.1', port: absentPort})
        expect(x.header.command & 0xff).to.equal(CMD.BR_EXIT)
        expect(x.header.command & OPT.ABSENCEOPT).to.not.equal(0)
        expect(x.parts![0]).to.equal('Bot')
      }

      expect(withoutSharedPortLine(absentRun.stderr)).to.match(
        /^3 datagrams received, 3 shown; 1 peer; 2 replies sent\n$/,
      )
    })
  })

  describe('duplicates: resends and one broadcast heard twice', () => {
    // SENDMSG #11 three times (a client resending), BR_ENTRY #12 twice (sent to two broadcast addresses), and
    // packet #11 again with another command (not a duplicate): 6 datagrams, 3 distinct.
    const burst = () => [
      sendmsg(11, 'once'),
      sendmsg(11, 'once'),
      entry(12, CMD.BR_ENTRY, 'lib', 'Lib'),
      entry(12, CMD.BR_ENTRY, 'lib', 'Lib'),
      sendmsg(11, 'once'),
      sendmsg(11, 'checked', CMD.SENDMSG | OPT.SENDCHECKOPT),
    ]
    const ROW = /^\d{2}:\d{2}:\d{2}\.\d{3} {2}127\.0\.0\.2:\d+ +/
    const run = async (args: string[]) => {
      const port = await freePort()
      const [s] = await senders(['127.0.0.2'])
      try {
        const live = startListen(port, [...args, '--count', '3'])
        await waitBound(live)
        await s.sendAll(burst(), port)
        const done = await live.done
        expect(done.code, done.stderr).to.equal(0)
        return done
      } finally {
        await closeAll([s])
      }
    }

    it('the table shows each once and the summary counts the duplicates', async () => {
      const done = await run([])
      const rows = done.stdout.split('\n').filter((l) => ROW.test(l))
      expect(rows.map((r) => r.split(/\s+/)[2])).to.deep.equal(['SENDMSG', 'BR_ENTRY', 'SENDMSG'])
      expect(done.stdout.trimEnd().split('\n').at(-1)).to.equal('6 datagrams received, 3 shown, 3 duplicates; 2 peers')
    })

    it('NDJSON writes every datagram and marks the repeats "duplicate": true; --json counts them in stats', async () => {
      const lines = (await run(['--ndjson'])).stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Json)
      expect(lines.map((r) => r.duplicate ?? false)).to.deep.equal([false, true, false, true, true, false])
      const doc = JSON.parse((await run(['--json'])).stdout)
      expect(doc.packets.filter((r: Json) => r.duplicate === true)).to.have.length(3)
      expect(doc.stats).to.include({datagrams: 6, duplicates: 3})
    })
  })

  it('expires nobody by default: --help says so, and the flag has no default (IPMsg clients send no heartbeat)', async () => {
    const {default: Listen} = await import('../../src/commands/listen.js')
    expect(Listen.flags.expire.default).to.equal(undefined)
    const help = await runCli(['listen', '--help'])
    expect(help.stdout.replaceAll(/\s+/g, ' ')).to.include('Default: never')
  })

  it('presence (--json --expire 300ms): expired after silence, exited after BR_EXIT, absent after BR_ABSENCE', async () => {
    const port = await freePort()
    const [a, b, c] = await senders(['127.0.0.2', '127.0.0.3', '127.0.0.4'])
    try {
      const live = startListen(port, ['--json', '--expire', '300ms', '--count', '4'])
      await waitBound(live)
      await a.send(entry(1, CMD.BR_ENTRY, 'amy', 'Amy'), port)
      await sleep(700)
      await b.sendAll([entry(2, CMD.BR_ENTRY, 'ben', 'Ben'), entry(3, CMD.BR_EXIT, 'ben', 'Ben')], port)
      await c.send(entry(4, CMD.BR_ABSENCE | OPT.ABSENCEOPT, 'cat', 'Cat (away)'), port)
      const run = await live.done
      expect(run.code, run.stderr).to.equal(0)
      const doc = JSON.parse(run.stdout)
      const byUser = Object.fromEntries(doc.peers.map((p: Json) => [p.user, p]))
      expect(Object.keys(byUser)).to.have.members(['amy', 'ben', 'cat'])
      expect(byUser.amy).to.include({address: '127.0.0.2', port: a.port, nickname: 'Amy', status: 'expired'})
      expect(byUser.ben).to.include({address: '127.0.0.3', port: b.port, status: 'exited', packets: 2})
      expect(byUser.cat).to.include({address: '127.0.0.4', port: c.port, nickname: 'Cat (away)', status: 'absent'})
    } finally {
      await closeAll([a, b, c])
    }
  })

  describe('ending: --count, --duration, SIGINT, SIGTERM', () => {
    let countRun: Finished
    let countSecondAt: number
    let durationRun: Finished
    let durationBoundAt: number
    const signalled: Record<string, {run: Finished; killedAt: number; sent: number}> = {}
    let list: Sender[] = []

    before(async () => {
      list = await senders(['127.0.0.1', '127.0.0.1', '127.0.0.1'])
      const counted = async () => {
        const port = await freePort()
        const live = startListen(port, ['--ndjson', '--count', '2'])
        await waitBound(live)
        await list[0].send(sendmsg(1, 'one'), port)
        await sleep(100)
        await list[0].send(sendmsg(2, 'two'), port)
        countSecondAt = Date.now()
        await sleep(300)
        for (const no of [3, 4]) await list[0].send(sendmsg(no, 'more'), port).catch(() => {})
        countRun = await live.done
      }

      const timed = async () => {
        const port = await freePort()
        const live = startListen(port, ['--duration', '500ms'])
        await waitBound(live)
        durationBoundAt = Date.now()
        durationRun = await live.done
      }

      const signal = async (name: NodeJS.Signals, sender: Sender) => {
        const port = await freePort()
        const live = startListen(port, ['--ndjson', '--duration', '20s'])
        await waitBound(live)
        const sent = 200
        for (let i = 0; i < sent; i++) await sender.send(sendmsg(i, `datagram ${i}`), port)
        const killedAt = Date.now()
        live.child.kill(name)
        signalled[name] = {run: await live.done, killedAt, sent}
      }

      await Promise.all([counted(), timed(), signal('SIGINT', list[1]), signal('SIGTERM', list[2])])
    })
    after(() => closeAll(list))

    it('--count 2 exits after two datagrams', () => {
      expect(countRun.code, countRun.stderr).to.equal(0)
      expect(ndjson(countRun.stdout).map((x) => x.packet.packetNo)).to.deep.equal([1, 2])
      expect(countRun.stderr).to.match(/^2 datagrams received, 2 shown; 1 peer\n$/)
      expect(countRun.exitedAt - countSecondAt).to.be.below(10_000)
    })

    it('--duration 500ms exits by itself with code 0', () => {
      expect(durationRun.timedOut).to.equal(false)
      expect(durationRun.code, durationRun.stderr).to.equal(0)
      expect(durationRun.signal).to.equal(null)
      expect(durationRun.exitedAt - durationBoundAt).to.be.within(450, 15_000)
      expect(durationRun.stdout).to.match(/^TIME +FROM/)
      expect(durationRun.stdout).to.include('No IPMsg peer seen.')
      expect(durationRun.stdout.trimEnd().split('\n').at(-1)).to.equal('0 datagrams received, 0 shown; 0 peers')
    })

    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      it(`${name} flushes: every datagram sent before the signal is in the NDJSON output, summary, exit 0`, () => {
        const {run, killedAt, sent} = signalled[name]
        expect(run.timedOut).to.equal(false)
        expect(run.signal).to.equal(null)
        expect(run.code, run.stderr).to.equal(0)
        const numbers = ndjson(run.stdout).map((x) => x.packet.packetNo)
        expect(numbers).to.deep.equal(Array.from({length: sent}, (_, i) => i))
        expect(run.stderr).to.equal(`${sent} datagrams received, ${sent} shown; 1 peer\n`)
        expect(run.exitedAt - killedAt).to.be.below(10_000)
      })
    }
  })

  it('`listen --ndjson | head -1` ends quietly: one line, no EPIPE or stack trace', async () => {
    const port = await freePort()
    const sender = await openSender()
    try {
      const live = startListen(port, ['--ndjson', '--duration', '30s'], {shell: (cli) => `${cli} | head -1`})
      await waitBound(live)
      const sentAt = Date.now()
      for (let i = 0; i < 20; i++) {
        await sender.send(sendmsg(100 + i, `line ${i}`), port)
        await sleep(20)
      }

      const run = await live.done
      expect(run.timedOut).to.equal(false)
      expect(run.code, run.stderr).to.equal(0)
      const lines = run.stdout.split('\n')
      expect(lines).to.have.length(2)
      expect(JSON.parse(lines[0]).packet.packetNo).to.equal(100)
      expect(run.stderr).to.not.match(/EPIPE|Error|\n\s+at /)
      expect(run.stderr).to.match(/^\d+ datagrams received, \d+ shown; 1 peer\n$/)
      // It noticed that nobody reads any more and stopped, long before --duration 30s.
      expect(run.exitedAt - sentAt).to.be.below(20_000)
    } finally {
      await sender.close()
    }
  })

  describe('errors: one line, no stack trace, an exit code', () => {
    const results: Record<string, RunCliResult> = {}
    let heldPort: number
    const cases: Array<{name: string; args: () => string[]; code: number; message: RegExp | (() => RegExp)}> = [
      {
        name: 'a port held by a socket without SO_REUSEADDR',
        args: () => ['--port', String(heldPort), '--duration', '1s'],
        code: 3,
        message: () => new RegExp(`\\b${heldPort}\\b.*--port`),
      },
      {name: '--port 0', args: () => ['--port', '0', '--duration', '1s'], code: 2, message: /--port/},
      {name: '--port 70000', args: () => ['--port', '70000', '--duration', '1s'], code: 2, message: /--port.*70000/},
      {
        name: '--from 300.1.1.1',
        args: () => ['--from', '300.1.1.1', '--duration', '1s'],
        code: 2,
        message: /300\.1\.1\.1/,
      },
      {name: '--mode NOPE', args: () => ['--mode', 'NOPE', '--duration', '1s'], code: 2, message: /--mode NOPE/},
      {
        name: '--encoding nope',
        args: () => ['--encoding', 'nope', '--duration', '1s'],
        code: 2,
        message: /--encoding.*nope/,
      },
      {name: '--duration -1', args: () => ['--duration', '-1'], code: 2, message: /--duration/},
    ]

    before(async () => {
      heldPort = await freePort()
      const holder = dgram.createSocket({type: 'udp4', reuseAddr: false})
      await new Promise<void>((resolve) => {
        holder.bind({port: heldPort, address: '0.0.0.0'}, () => resolve())
      })
      try {
        const freeForOthers = await freePort() // the flag errors must fail before binding anything
        const runs = await Promise.all(
          cases.map((c) => {
            const args = c.args()
            const withPort = args.includes('--port') ? args : [...args, '--port', String(freeForOthers)]
            return runCli(['listen', ...withPort], {
              env: {LANMSG_STATE_DIR: mkdtempSync(join(stateRoot, 'err-'))},
              timeoutMs: 60_000,
            })
          }),
        )
        for (const [i, c] of cases.entries()) results[c.name] = runs[i]
      } finally {
        holder.close()
      }
    })

    for (const c of cases) {
      it(`${c.name} → exit ${c.code}`, () => {
        const run = results[c.name]
        expect(run.code, `${run.stderr} (timed out: ${run.timedOut})`).to.equal(c.code)
        expect(run.stdout).to.equal('')
        const lines = run.stderr.split('\n').filter((l) => l !== '')
        expect(lines, run.stderr).to.have.length(1)
        expect(lines[0]).to.match(/^Error: /)
        expect(lines[0]).to.match(typeof c.message === 'function' ? c.message() : c.message)
        expect(run.stderr).to.not.match(/\n\s+at |node:internal/)
      })
    }
  })
})
