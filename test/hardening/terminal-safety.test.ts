// Terminal safety: names and texts from the network carrying escape sequences, C1 controls, bidi overrides and
// zero-width characters reach a person's terminal only as visible escapes (listen rows and peer table, announce
// tables), while NDJSON and JSON keep the exact original strings.
// Network rule: the hostile peers live on 127.0.0.0/8 and answer only to loopback.
import {expect} from 'chai'

import {
  type CliExit,
  freeUdpPort,
  ipmsgHeader,
  LoopbackSocket,
  makeStateDir,
  nonEmptyLines,
  runCli,
  sleep,
  STACK_TRACE,
  startCli,
  waitForUdpBind,
} from '../support/hostile.js'

/** Hostile strings, each short enough to survive the narrowest table column, and without ':' or NUL. */
const HOSTILE: Array<{name: string; text: string; shown: string}> = [
  {name: 'SGR colour', text: '\u001B[31mRED\u001B[0m', shown: String.raw`\x1b[31mRED`},
  {name: 'clear screen, cursor home', text: '\u001B[2J\u001B[H', shown: String.raw`\x1b[2J\x1b[H`},
  {name: 'OSC 8 hyperlink', text: '\u001B]8;;evil.invalid\u0007click\u001B]8;;\u0007', shown: String.raw`\x1b]8;;evil`},
  {name: 'OSC 0 window title', text: '\u001B]0;pwned\u0007', shown: String.raw`\x1b]0;pwned\a`},
  {name: 'bracketed paste', text: '\u001B[200~rm -rf ~\u001B[201~', shown: String.raw`\x1b[200~rm`},
  {name: 'C1 CSI', text: '\u009B31mC1', shown: String.raw`\u{9b}31mC1`},
  {name: 'bidi override', text: 'cod\u202Eexe.txt', shown: String.raw`cod\u{202e}exe`},
  {name: 'bidi isolate', text: '\u2066iso\u2069', shown: String.raw`\u{2066}iso`},
  {name: 'zero-width space and BOM', text: 'a\u200Bb\uFEFFc', shown: String.raw`a\u{200b}b\u{feff}c`},
  {name: 'bell', text: 'ding\u0007', shown: String.raw`ding\a`},
]

const UTF8OPT = 0x0080_0000
const CAPUTF8OPT = 0x0100_0000
const BR_ENTRY = 0x01
const ANSENTRY = 0x03
const SENDMSG = 0x20

/** Bytes and characters that must never reach a terminal from the network. */
function expectTerminalSafe(stdout: Buffer, what: string): void {
  expect(stdout.includes(0x1b), `${what}: ESC byte`).to.equal(false)
  expect(stdout.includes(0x07), `${what}: BEL byte`).to.equal(false)
  expect(stdout.includes(Buffer.from([0xc2, 0x9b])), `${what}: U+009B (C1 CSI)`).to.equal(false)
  const text = stdout.toString('utf8')
  for (const ch of ['\u202E', '\u2066', '\u2069', '\u200B', '\uFEFF']) {
    expect(text.includes(ch), `${what}: U+${ch.codePointAt(0)!.toString(16).toUpperCase()}`).to.equal(false)
  }
}

function entry(packetNo: number, s: string, mode = BR_ENTRY, version = '1'): Buffer {
  // Names in the header and in the body, with the UTF-8 extension as Windows sends it (§1.4).
  const ext = `\nUN:${s}\nHN:${s}\nNN:${s}\nGN:${s}`
  return Buffer.from(`${version}:${packetNo}:${s}:${s}:${mode | CAPUTF8OPT}:${s}\0${s}\0${ext}\0`, 'utf8')
}

function message(packetNo: number, s: string): Buffer {
  return Buffer.from(`1:${packetNo}:mallory:evil:${SENDMSG | UTF8OPT}:${s}\0`, 'utf8')
}

describe('hardening: terminal safety', function () {
  this.timeout(40_000)
  let state: ReturnType<typeof makeStateDir>

  beforeEach(() => {
    state = makeStateDir()
  })
  afterEach(() => state.remove())

  /** Runs `listen ARGS --port P` while one socket per hostile string sends its entry, a message, and an iptux entry. */
  async function listenTo(args: string[]): Promise<CliExit> {
    const port = await freeUdpPort()
    const senders = await Promise.all(HOSTILE.map(() => LoopbackSocket.open('127.0.0.1')))
    const cli = startCli(['listen', '--port', String(port), '--duration', '20s', ...args], {
      env: {LANMSG_STATE_DIR: state.dir},
    })
    try {
      await waitForUdpBind(port, cli)
      for (const [i, sample] of HOSTILE.entries()) {
        await senders[i].send(entry(100 + i, sample.text), port)
        await senders[i].send(message(200 + i, sample.text), port)
        await senders[i].send(entry(300 + i, 'tux', BR_ENTRY, `1_iptux ${sample.text}`), port)
      }

      await sleep(400)
      cli.kill('SIGINT')
      return await cli.exited
    } finally {
      cli.kill('SIGKILL')
      await Promise.all(senders.map((s) => s.close()))
    }
  }

  it('listen rows and peer table show escapes, never the raw sequences', async () => {
    const exit = await listenTo([])
    expect(exit.code, exit.stderr).to.equal(0)
    expectTerminalSafe(exit.stdoutBytes, 'listen rows')
    const [rows, table] = exit.stdout.split(/\n\n(?=ADDRESS)/)
    expect(table, 'a peer table after the rows').to.be.a('string')
    for (const sample of HOSTILE) {
      expect(rows, `${sample.name} in the rows`).to.include(sample.shown)
      expect(table, `${sample.name} in the peer table`).to.include(sample.shown.slice(0, 12))
    }

    expect(exit.stderr).not.to.match(STACK_TRACE)
  })

  it('listen --ndjson keeps every hostile string exactly', async () => {
    const exit = await listenTo(['--ndjson'])
    expect(exit.code, exit.stderr).to.equal(0)
    const records = nonEmptyLines(exit.stdout).map((line) => JSON.parse(line))
    for (const [i, sample] of HOSTILE.entries()) {
      const byNo = (n: number) => records.find((r) => r.packet?.packetNo === n)?.packet
      const e = byNo(100 + i)
      expect(e, sample.name).to.include({
        user: sample.text,
        host: sample.text,
        nickname: sample.text,
        group: sample.text,
      })
      expect(byNo(200 + i)?.text, sample.name).to.equal(sample.text)
      expect(byNo(300 + i)?.version, sample.name).to.equal(`1_iptux ${sample.text}`)
    }
  })

  it('listen --json keeps every hostile string exactly, in packets and peers', async () => {
    const exit = await listenTo(['--json'])
    expect(exit.code, exit.stderr).to.equal(0)
    const doc = JSON.parse(exit.stdout)
    for (const sample of HOSTILE) {
      const peer = doc.peers.find((p: any) => p.user === sample.text)
      expect(peer, sample.name).to.include({host: sample.text, nickname: sample.text, group: sample.text})
      expect(doc.packets.some((r: any) => r.packet?.text === sample.text)).to.equal(true)
    }
  })

  describe('announce tables', () => {
    /**
     * Hostile peers behind one port: on BR_ENTRY, each sends an ANSENTRY full of its string, a raw datagram and a
     * message, from its own loopback address.
     */
    async function hostilePeers(): Promise<{port: number; close(): Promise<void>}> {
      const listener = await LoopbackSocket.open('127.0.0.1')
      const answerers = await Promise.all(HOSTILE.map((_, i) => LoopbackSocket.open(`127.0.0.${20 + i}`)))
      listener.socket.on('message', async (data, from) => {
        if (ipmsgHeader(data)?.mode !== BR_ENTRY) return
        for (const [i, sample] of HOSTILE.entries()) {
          await answerers[i].send(entry(400 + i, sample.text, ANSENTRY), from.port, from.address)
          await answerers[i].send(Buffer.from(`not ipmsg ${sample.text}`), from.port, from.address)
          await answerers[i].send(message(500 + i, sample.text), from.port, from.address)
        }

        // Last, the target itself answers (a plain name), so that the unicast counts as delivered (exit 0).
        await listener.send(entry(600, 'target', ANSENTRY), from.port, from.address)
      })
      return {
        port: listener.port,
        async close() {
          await listener.close()
          await Promise.all(answerers.map((s) => s.close()))
        },
      }
    }

    it('the peers and replies tables show escapes, never the raw sequences', async () => {
      const peers = await hostilePeers()
      try {
        const exit = await runCli(
          ['announce', '--to', '127.0.0.1', '--port', String(peers.port), '--bind-port', '0', '--wait', '1s'],
          {env: {LANMSG_STATE_DIR: state.dir}},
        )
        expect(exit.code, exit.stderr).to.equal(0)
        expectTerminalSafe(exit.stdoutBytes, 'announce tables')
        const [peerTable] = exit.stdout.split(/\n\nReplies/)
        for (const sample of HOSTILE) {
          expect(peerTable, `${sample.name} in the peers table`).to.include(sample.shown.slice(0, 12))
          expect(exit.stdout, `${sample.name} in the replies table`).to.include(sample.shown)
        }

        expect(exit.stderr).not.to.match(STACK_TRACE)
        expect(exit.stderr).not.to.include('\u001B]')
        expect(exit.stderr).not.to.include('\u202E')
      } finally {
        await peers.close()
      }
    })

    it('announce --json keeps every hostile string exactly', async () => {
      const peers = await hostilePeers()
      try {
        const exit = await runCli(
          ['announce', '--to', '127.0.0.1', '--port', String(peers.port), '--bind-port', '0', '--wait', '1s', '--json'],
          {env: {LANMSG_STATE_DIR: state.dir}},
        )
        expect(exit.code, exit.stderr).to.equal(0)
        const doc = JSON.parse(exit.stdout)
        for (const sample of HOSTILE) {
          const peer = doc.peers.find((p: any) => p.user === sample.text)
          expect(peer, sample.name).to.include({host: sample.text, nickname: sample.text, group: sample.text})
          expect(doc.replies.some((r: any) => r.packet?.text === sample.text)).to.equal(true)
          const raw = doc.replies.find(
            (r: any) => !r.ipmsg && Buffer.from(r.raw, 'base64').toString().endsWith(sample.text),
          )
          expect(raw, `${sample.name} as raw bytes`).not.to.equal(undefined)
        }
      } finally {
        await peers.close()
      }
    })
  })
})
