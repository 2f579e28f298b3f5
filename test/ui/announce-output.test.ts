// AnnounceOutput in-process: a fake announcer (events and abort, no socket) and streams that record what is
// written. The same behaviours through the real command are in test/commands/announce-*.test.ts and
// test/hardening/output-faults.test.ts.
import {expect} from 'chai'
import {EventEmitter} from 'node:events'
import {Writable} from 'node:stream'

import type {Announcer, AnnounceEvents, AnnounceResult, ReceivedReply} from '../../src/lan/announce.js'

import {decode} from '../../src/protocol/index.js'
import {AnnounceOutput, type AnnounceOutputOptions} from '../../src/ui/announce-output.js'

const SGR = /\u001B\[[\d;]*[A-Za-z]/g
const target = {address: '10.79.0.255', port: 2425, kind: 'broadcast', interface: 'eth0'} as const

/** A stdout that records what it takes, or fails every write with `failWith`. */
function fakeStdout(failWith?: string) {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      if (failWith) return callback(Object.assign(new Error(`write ${failWith}`), {code: failWith}))
      chunks.push(String(chunk))
      callback()
    },
  })
  Object.assign(stream, {isTTY: false, columns: 100})
  return {stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('')}
}

function fakeStderr() {
  const chunks: string[] = []
  return {
    stream: {write: (s: string) => chunks.push(s) > 0} as unknown as NodeJS.WritableStream,
    text: () => chunks.join(''),
  }
}

function reply(nickname: string, address = '10.79.0.12'): ReceivedReply {
  const data = Buffer.from(`1:100:${nickname}:pc:3:${nickname}\0Lab\0`)
  return {
    data,
    from: {address, port: 2425},
    receivedAt: 1_700_000_000_000,
    result: decode(data),
    rttMs: 12,
    acknowledges: true,
  }
}

function result(replies: ReceivedReply[], local?: AnnounceResult['local']): AnnounceResult {
  return {
    local: local ?? {address: '0.0.0.0', fellBack: false, port: 2425},
    targets: [target],
    sent: [{round: 0, packetNo: 7, command: 0x101, mode: 'BR_ENTRY', bytes: 30, truncated: false}],
    replies,
    peers: [],
    deliveries: [],
    echoes: 1,
    repliesDropped: 0,
    duplicates: 0,
    kernelDrops: 0,
    sendErrors: [],
    stoppedEarly: null,
    answered: replies.length,
    entry: null,
    waited: {mode: 'auto', ms: 1100, reason: 'replies stopped'},
  }
}

function setUp(options: Partial<AnnounceOutputOptions> = {}, failWith?: string) {
  const announcer = Object.assign(new EventEmitter<AnnounceEvents>(), {aborted: 0})
  Object.assign(announcer, {abort: () => announcer.aborted++})
  const stdout = fakeStdout(failWith)
  const stderr = fakeStderr()
  const warnings: string[] = []
  const output = new AnnounceOutput(announcer as unknown as Announcer, {
    json: false,
    targets: [target],
    warn: (m) => warnings.push(m),
    stdout: stdout.stream,
    stderr: stderr.stream,
    ...options,
  })
  return {announcer, output, stdout, stderr, warnings}
}

describe('ui/announce-output', () => {
  it('the report: the table of who answered at the end; then the port warning and the lines that explain the exit', async () => {
    const {output, stdout, stderr, warnings} = setUp()
    expect(output.maxReplies).to.equal(undefined)
    const local = {address: '0.0.0.0', fellBack: true, port: 40_000}
    await output.finish(result([reply('alice')], local), ['Only 1 of the 2 peers expected answered.'])
    expect(stdout.text().replaceAll(SGR, '')).to.match(/alice/)
    expect(warnings).to.deep.equal(['replies were collected on port 40000, not 2425'])
    expect(stderr.text()).to.equal('Only 1 of the 2 peers expected answered.\n')
  })

  it('--ndjson: one line per reply as it arrives, nothing else on stdout; the summary line on stderr', async () => {
    const {announcer, output, stdout, stderr} = setUp({ndjson: true})
    announcer.emit('reply', reply('alice'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(stdout.text().split('\n').filter(Boolean), 'written before the end').to.have.lengthOf(1)
    announcer.emit('reply', reply('bob', '10.79.0.13'))
    await output.finish(result([reply('alice'), reply('bob', '10.79.0.13')]), ['why'])
    const records = stdout
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(records.map((r) => r.packet.nickname)).to.deep.equal(['alice', 'bob'])
    expect(records[0]).to.include({rttMs: 12, acknowledges: true})
    expect(stderr.text()).to.equal(
      'Sent BR_ENTRY #7 (30 bytes) to 10.79.0.255:2425 from UDP port 2425; 2 replies from 0 peers.\nwhy\n',
    )
  })

  it('--json: the head once bound, each reply as it arrives (none kept by the announcer), the tail at the end', async () => {
    const {announcer, output, stdout} = setUp({json: true})
    expect(output.maxReplies).to.equal(0)
    announcer.emit('bound', {address: '0.0.0.0', fellBack: false, port: 2425})
    announcer.emit('reply', reply('alice'))
    announcer.emit('reply', reply('bob', '10.79.0.13'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(stdout.text()).to.match(/^\{"local":.*"replies":\[/s)
    await output.finish(result([]))
    const document = JSON.parse(stdout.text())
    expect(document.replies.map((r: {packet: {nickname: string}}) => r.packet.nickname)).to.deep.equal(['alice', 'bob'])
    expect(document.targets).to.deep.equal([{address: '10.79.0.255', port: 2425, interface: 'eth0', kind: 'broadcast'}])
    expect(document).to.deep.include({
      repliesDropped: 0,
      sent: {packetNo: 7, command: 0x101, mode: 'BR_ENTRY', bytes: 30, truncated: false},
    })
  })

  it('--json that failed after it began: the document ends with the error member (BaseCommand.openDocument)', async () => {
    const {announcer, output, stdout} = setUp({json: true})
    expect(output.fail({message: 'boom'}), 'nothing begun: the command reports').to.equal(false)
    announcer.emit('bound', {address: '0.0.0.0', fellBack: false, port: 2425})
    announcer.emit('reply', reply('alice'))
    expect(output.fail({message: 'boom'})).to.equal(true)
    await new Promise((resolve) => setImmediate(resolve))
    expect(JSON.parse(stdout.text())).to.deep.include({error: {message: 'boom'}})
  })

  it('the notice is said once the socket is bound, never when the bind failed', () => {
    const bound = setUp({notice: 'iptux (pid 7) also holds UDP port 2425'})
    expect(bound.warnings).to.deep.equal([])
    bound.announcer.emit('bound', {address: '0.0.0.0', fellBack: false, port: 2425})
    bound.announcer.emit('bound', {address: '0.0.0.0', fellBack: false, port: 2425})
    expect(bound.warnings).to.deep.equal(['iptux (pid 7) also holds UDP port 2425'])
  })

  it('a stdout that fails ends the wait (abort) and keeps the failure; nothing more is said after it', async () => {
    const {announcer, output, stderr, warnings} = setUp({ndjson: false}, 'ENOSPC')
    const local = {address: '0.0.0.0', fellBack: true, port: 40_000}
    await output.finish(result([reply('alice')], local), ['Only 1 of the 2 peers expected answered.'])
    expect(output.failure?.code).to.equal('ENOSPC')
    expect(announcer.aborted).to.be.greaterThan(0)
    expect(warnings).to.deep.equal([])
    expect(stderr.text()).to.equal('')
  })

  it('follow without progress (--json, --ndjson) is the run itself', async () => {
    const output = await AnnounceOutput.open(new EventEmitter() as unknown as Announcer, {
      json: true,
      targets: [],
      warn() {},
      stdout: fakeStdout().stream,
    })
    const done = result([])
    expect(await output.follow(Promise.resolve(done), () => undefined)).to.equal(done)
  })
})
