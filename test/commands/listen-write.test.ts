// `listen --write FILE` on a live socket (loopback only: the network rule): the datagrams shown are saved as a
// pcap file that `listen --read` gives back as the same records, addressed to the bound address and port, and
// that tcpdump (when installed) reads as UDP. A --write file that cannot be written is exit 8, one line.
import {expect} from 'chai'
import {spawn, spawnSync} from 'node:child_process'
import {createReadStream, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {pcapFileHeader, pcapRecord} from '../../src/net/capture-writer.js'
import {CLI_BIN} from '../support/cli-bin.js'
import {startListen, waitBound} from '../support/listen-child.js'
import {guardedEnv} from '../support/send-guard.js'

const COUNT = 5

function send(port: number): void {
  const script = `
    const s = require('node:dgram').createSocket('udp4')
    s.bind(0, '127.0.0.1', async () => {
      for (let i = 0; i < ${COUNT}; i++)
        await new Promise((ok) => s.send(Buffer.from('1:' + (i + 1) + ':u:h:32:msg ' + i + '\\0'), ${port}, '127.0.0.1', ok))
      await new Promise((ok) => s.send(Buffer.from('not ipmsg'), ${port}, '127.0.0.1', ok))
      s.close()
    })`
  const result = spawnSync(process.execPath, ['-e', script], {encoding: 'utf8', timeout: 20_000})
  expect(result.status, result.stderr).to.equal(0)
}

function cli(args: string[]): {code: null | number; stdout: string; stderr: string} {
  const run = spawnSync(process.execPath, [CLI_BIN, ...args], {
    encoding: 'utf8',
    env: guardedEnv({NO_COLOR: '1'}),
    maxBuffer: 256 << 20,
    timeout: 30_000,
  })
  return {code: run.status, stdout: run.stdout, stderr: run.stderr}
}

async function listenAndWrite(port: number, file: string) {
  const args = [
    '--address',
    '127.0.0.1',
    '--ndjson',
    '--write',
    file,
    '--count',
    String(COUNT + 1),
    '--duration',
    '20s',
  ]
  const live = startListen(port, args)
  await waitBound(live)
  send(port)
  const {code, stdout, stderr} = await live.done
  return {code, stdout, stderr}
}

describe('listen --write', function () {
  this.timeout(60_000)
  const port = 30_000 + (process.pid % 10_000)
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lanmsg-write-'))
  })
  after(() => rmSync(dir, {force: true, recursive: true}))

  it('saves what the socket received; --read gives the same records, to the bound address', async () => {
    const file = join(dir, 'live.pcap')
    const live = await listenAndWrite(port, file)
    expect(live.code, live.stderr).to.equal(0)
    const heard = live.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(heard).to.have.length(COUNT + 1)

    const replay = cli(['listen', '--read', file, '--port', String(port), '--ndjson'])
    expect(replay.code, replay.stderr).to.equal(0)
    const records = replay.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(records.map((r) => ({...r, to: undefined, transport: undefined}))).to.deep.equal(
      heard.map((r) => ({...r, to: undefined, transport: undefined})),
    )
    for (const record of records) {
      expect(record.to).to.deep.equal({address: '127.0.0.1', port})
      expect(record.transport).to.equal('udp')
    }

    const dump = spawnSync('tcpdump', ['-r', file, '-n'], {encoding: 'utf8'})
    if (!dump.error) {
      expect(dump.status, dump.stderr).to.equal(0)
      const lines = dump.stdout.trim().split('\n')
      expect(lines).to.have.length(COUNT + 1)
      expect(lines[0]).to.match(new RegExp(`IP 127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${port}: UDP, length \\d+`))
    }
  })

  it('--read is held while the --write file is backed up (a stalled reader of a FIFO), then saves every datagram', async () => {
    const count = 100_000
    const capture = join(dir, 'many.pcap')
    const records = Array.from({length: count}, (_, i) =>
      pcapRecord(1_764_000_000_000_000 + i, {
        transport: 'udp',
        from: {address: '10.0.0.1', port: 2425},
        to: {address: '10.0.0.255', port: 2425},
        payload: Buffer.from(`1:${i + 1}:u:h:32:message ${i}\0`),
      }),
    )
    writeFileSync(capture, Buffer.concat([pcapFileHeader(), ...records]))
    const fifo = join(dir, 'fifo.pcap')
    expect(spawnSync('mkfifo', [fifo]).status).to.equal(0)
    const child = spawn(process.execPath, [CLI_BIN, 'listen', '--read', capture, '--ndjson', '--write', fifo], {
      env: guardedEnv({NO_COLOR: '1'}),
    })
    let lines = 0
    child.stdout.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) lines++
    })
    const exited = new Promise<null | number>((resolve) => child.on('close', resolve))
    const reader = createReadStream(fifo)
    reader.pause() // opened, and nothing read: the pipe fills, then lanmsg's writes wait
    const readerClosed = new Promise<void>((resolve) => reader.on('close', () => resolve()))
    try {
      // Until nothing more is shown for a second: held (or, without the hold, done).
      const deadline = Date.now() + 30_000
      for (let last = -1; last !== lines || last === 0;) {
        expect(Date.now(), 'lanmsg never settled').to.be.below(deadline)
        last = lines
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }

      expect(lines, 'held: far from every datagram shown while the file waits').to.be.below(count / 2)
      const saved: Buffer[] = []
      reader.on('data', (chunk) => saved.push(chunk as Buffer))
      reader.resume()
      expect(await exited).to.equal(0)
      expect(lines).to.equal(count)
      await readerClosed
      writeFileSync(join(dir, 'saved.pcap'), Buffer.concat(saved))
      const replay = cli(['listen', '--read', join(dir, 'saved.pcap'), '--ndjson'])
      expect(replay.stderr).to.include(`${count} datagrams received, ${count} shown`)
    } finally {
      child.kill('SIGKILL')
      reader.destroy()
    }
  })

  it('a --write file that cannot be written: one line, exit 8', () => {
    const capture = join(dir, 'live.pcap')
    const run = cli([
      'listen',
      '--read',
      capture,
      '--port',
      String(port),
      '--ndjson',
      '--write',
      join(dir, 'no/such/dir.pcap'),
    ])
    expect(run.code).to.equal(8)
    expect(run.stderr.trim().split('\n')).to.have.length(1)
    expect(run.stderr).to.match(/^Error: the output could not be written to .*no\/such\/dir\.pcap: .*ENOENT/)
  })

  it('usage errors, before anything is read or bound: --read with --respond or --address, --port twice without --read', () => {
    const capture = join(dir, 'live.pcap')
    for (const args of [
      ['listen', '--read', capture, '--respond'],
      ['listen', '--read', capture, '--address', '127.0.0.1'],
      ['listen', '--port', '40001', '--port', '40002', '--address', '127.0.0.1', '--duration', '1s'],
    ]) {
      const run = cli(args)
      expect(run.code, args.join(' ')).to.equal(2)
      expect(run.stdout).to.equal('')
      expect(run.stderr.trim().split('\n')).to.have.length(1)
    }
  })
})
