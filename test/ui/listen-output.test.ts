// ListenOutput in-process: a fake session (events and counters, no socket) and a stream that records what is
// written. The same behaviours through the real command are in test/commands/listen*.test.ts and
// test/hardening/output-faults.test.ts.
import {expect} from 'chai'
import {EventEmitter} from 'node:events'
import {Writable} from 'node:stream'

import type {ListenEvents, ListenStats} from '../../src/lan/listen-session.js'
import type {ReceivedDatagram} from '../../src/lan/received-datagram.js'

import {Presence} from '../../src/lan/presence.js'
import {MODES} from '../../src/protocol/constants.js'
import {decode} from '../../src/protocol/index.js'
import {ListenOutput, type ListenOutputOptions, type ListenSource} from '../../src/ui/listen-output.js'
import {makePacket} from '../lan/packet-factory.js'

const SGR = /\u001B\[[\d;]*[A-Za-z]/g

/** A stdout that records what it takes; `slow` holds every write until release() (a reader like `| jq`). */
function fakeStdout(opts: {columns?: number; isTTY?: boolean; slow?: boolean} = {}) {
  const chunks: string[] = []
  const held: Array<() => void> = []
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk))
      if (opts.slow) held.push(callback)
      else callback()
    },
  })
  Object.assign(stream, {isTTY: opts.isTTY ?? false, columns: opts.columns ?? 100, rows: 24})
  return {
    stream: stream as unknown as NodeJS.WriteStream,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean),
    release: () => held.splice(0).forEach((callback) => callback()),
  }
}

function fakeStderr() {
  const chunks: string[] = []
  return {
    stream: {write: (s: string) => chunks.push(s) > 0} as unknown as NodeJS.WritableStream,
    text: () => chunks.join(''),
  }
}

/** What the output sees of a session: events it can be sent, counters, and how often it was held and resumed. */
function fakeSession(stats: Partial<ListenStats> = {}) {
  const held = {holds: 0, resumes: 0}
  const session = Object.assign(new EventEmitter<ListenEvents>(), {
    presence: new Presence(),
    responder: undefined,
    stats: {
      datagrams: 0,
      filtered: 0,
      ipmsg: 0,
      fromSelf: 0,
      duplicates: 0,
      replies: 0,
      replyErrors: 0,
      overflow: 0,
      unprocessed: 0,
      queuePeak: 0,
      kernelDrops: null,
      ...stats,
    },
    holdOutput: () => held.holds++,
    resumeOutput: () => held.resumes++,
  })
  return {session: session as unknown as ListenSource & EventEmitter<ListenEvents>, held}
}

function datagram(text: string, fields: Partial<ReceivedDatagram> = {}): ReceivedDatagram {
  const data = Buffer.from(`1:${text.length}:alice:pc:32:${text}\0`)
  return {
    data,
    from: {address: '10.79.0.12', port: 2425},
    receivedAt: 1_700_000_000_123,
    result: decode(data),
    ...fields,
  }
}

function setUp(options: Partial<ListenOutputOptions> = {}, stats: Partial<ListenStats> = {}) {
  const stdout = fakeStdout()
  const stderr = fakeStderr()
  const {session, held} = fakeSession(stats)
  let ended = 0
  const output = new ListenOutput(
    {json: false, stdout: stdout.stream, stderr: stderr.stream, ...options},
    () => ended++,
  )
  output.attach(session)
  return {output, session, stdout, stderr, held, ended: () => ended}
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('ui/listen-output', () => {
  it('rows: a header, one row per datagram and per reply sent, a duplicate never again; then the peers and the summary', async () => {
    const {output, session, stdout, stderr} = setUp({respond: true}, {datagrams: 3, duplicates: 1, replies: 1})
    session.emit('datagram', datagram('first'))
    session.emit('datagram', datagram('first', {duplicate: true}))
    session.emit('replied', {to: {address: '10.79.0.12', port: 2425}, mode: 'RECVMSG', packetNo: 7, reason: 'asked'})
    session.emit('datagram', datagram('second'))
    await output.finish(session)
    const lines = stdout.lines().map((l) => l.replaceAll(SGR, ''))
    expect(lines[0]).to.match(/^TIME\s+FROM\s+MODE/)
    expect(lines[1]).to.match(/^─+ /)
    expect(lines.slice(2, 5).join('\n')).to.match(
      /first[^\n]*\n {2}→ RECVMSG #7 to 10\.79\.0\.12:2425 \(asked\)\n[^\n]*second/,
    )
    expect(stdout.text().match(/first/g)).to.have.lengthOf(1)
    expect(lines.slice(-2)).to.deep.equal([
      'No IPMsg peer seen.',
      '3 datagrams received, 2 shown, 1 duplicate; 0 peers; 1 reply sent',
    ])
    expect(stderr.text()).to.equal('')
  })

  it('--ndjson: one JSON line per datagram (a duplicate marked so), nothing else on stdout, the summary on stderr', async () => {
    const {output, session, stdout, stderr} = setUp({ndjson: true}, {datagrams: 2, duplicates: 1})
    session.emit('datagram', datagram('hello'))
    session.emit('datagram', datagram('hello', {duplicate: true}))
    session.emit('replied', {to: {address: '10.79.0.12', port: 2425}, mode: 'RECVMSG', packetNo: 7, reason: 'asked'})
    await output.finish(session)
    const records = stdout.lines().map((l) => JSON.parse(l))
    expect(records).to.have.lengthOf(2)
    expect(records[0].packet.text).to.equal('hello')
    expect(records[0]).to.not.have.property('duplicate')
    expect(records[1]).to.include({duplicate: true})
    expect(stderr.text()).to.equal('2 datagrams received, 1 shown, 1 duplicate; 0 peers\n')
  })

  it('--json: one document with every record, the peers (ISO times) and the counters', async () => {
    const {output, session, stdout, stderr} = setUp({json: true}, {datagrams: 2, ipmsg: 2})
    session.presence.observe(makePacket(MODES.BR_ENTRY), {address: '10.79.0.12', port: 2425}, 1_700_000_000_000)
    session.emit('datagram', datagram('one'))
    session.emit('datagram', datagram('one', {duplicate: true}))
    await output.finish(session)
    const document = JSON.parse(stdout.text())
    expect(document.packets.map((p: {duplicate?: boolean}) => p.duplicate ?? false)).to.deep.equal([false, true])
    expect(document.datagrams).to.equal(2)
    expect(document.peers).to.have.lengthOf(1)
    expect(document.peers[0]).to.include({address: '10.79.0.12', firstSeen: '2023-11-14T22:13:20.000Z'})
    expect(document.stats).to.include({ipmsg: 2, evictions: 0, responder: null})
    expect(stderr.text()).to.equal('')
  })

  it('--json: an error after the document began ends it as its "error" member; before, the command reports it', async () => {
    const before = setUp({json: true})
    expect(before.output.fail({message: 'boom'})).to.equal(false)
    const begun = setUp({json: true})
    begun.session.emit('datagram', datagram('one'))
    expect(begun.output.fail({message: 'boom'})).to.equal(true)
    await turn()
    expect(JSON.parse(begun.stdout.text())).to.deep.include({error: {message: 'boom'}})
  })

  it('--count: ends the run once that many were shown; duplicates do not count, later datagrams are not shown', async () => {
    const {output, session, stdout, ended} = setUp({ndjson: true, count: 2})
    session.emit('datagram', datagram('a'))
    session.emit('datagram', datagram('a', {duplicate: true}))
    expect(ended()).to.equal(0)
    session.emit('datagram', datagram('b'))
    expect(ended()).to.equal(1)
    session.emit('datagram', datagram('c'))
    session.emit('datagram', datagram('b', {duplicate: true}))
    await output.finish(session)
    expect(stdout.lines().map((l) => JSON.parse(l).packet.text)).to.deep.equal(['a', 'a', 'b'])
    expect(ended()).to.equal(1)
  })

  it('--peers off a terminal: no rows, only the table of peers and the summary at the end', async () => {
    const {output, session, stdout} = setUp({peers: true}, {datagrams: 1})
    session.presence.observe(makePacket(MODES.BR_ENTRY), {address: '10.79.0.12', port: 2425}, 1_700_000_000_000)
    session.emit('datagram', datagram('not a row'))
    await output.finish(session)
    expect(stdout.text()).to.not.include('not a row')
    expect(stdout.text()).to.not.include('TIME')
    expect(stdout.text()).to.include('alice').and.include('10.79.0.12')
    expect(stdout.lines().at(-1)).to.equal('1 datagram received, 1 shown; 1 peer')
  })

  it('--peers on a terminal: the live table is drawn at once, and the full table takes its place at the end', async () => {
    const term = process.env.TERM
    process.env.TERM = 'xterm'
    try {
      const stdout = fakeStdout({isTTY: true, columns: 100})
      const {session} = fakeSession()
      const output = new ListenOutput({json: false, peers: true, stdout: stdout.stream}, () => {})
      output.attach(session)
      expect(stdout.text().replaceAll(SGR, '')).to.include('No IPMsg peer seen.')
      session.presence.observe(makePacket(MODES.BR_ENTRY), {address: '10.79.0.12', port: 2425}, 1_700_000_000_000)
      await output.finish(session)
      const last = stdout.text().split('No IPMsg peer seen.').at(-1) ?? ''
      expect(last).to.match(/^\u001B\[K\n\u001B\[J\r\u001B\[1A/) // the frame is overwritten in place
      expect(last.replaceAll(SGR, '')).to.include('10.79.0.12')
    } finally {
      if (term === undefined) delete process.env.TERM
      else process.env.TERM = term
    }
  })

  it('holds the session while a slow reader has more than the backlog waiting, and resumes it once drained', async () => {
    const stdout = fakeStdout({slow: true})
    const {session, held} = fakeSession()
    const options = {json: false, ndjson: true, stdout: stdout.stream, stderr: fakeStderr().stream, backlogBytes: 100}
    const output = new ListenOutput(options, () => {})
    output.attach(session)
    session.emit('datagram', datagram('x'.repeat(300)))
    await turn() // the line is written at the end of the turn
    expect(held).to.deep.equal({holds: 0, resumes: 0})
    session.emit('datagram', datagram('y'))
    expect(held).to.deep.equal({holds: 1, resumes: 0})
    session.emit('datagram', datagram('z'))
    expect(held.holds).to.equal(1) // held once until it drains
    stdout.release()
    await turn()
    stdout.release()
    await turn()
    expect(held).to.deep.equal({holds: 1, resumes: 1})
    const ending = output.finish(session)
    for (let i = 0; i < 5; i++) {
      stdout.release()
      await turn()
    }

    await ending
  })

  it('a closed pipe ends the run quietly; a failed write ends it and is kept as the failure', async () => {
    for (const [code, failure] of [
      ['EPIPE', false],
      ['ENOSPC', true],
    ] as const) {
      const {output, stdout, ended} = setUp({ndjson: true})
      stdout.stream.emit('error', Object.assign(new Error(code), {code}))
      expect(ended(), code).to.equal(1)
      expect(output.failure?.code, code).to.equal(failure ? code : undefined)
    }
  })
})
