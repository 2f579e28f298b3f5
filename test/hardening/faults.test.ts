// Faults: a port in use, a port that needs privileges, no route, a stdout pipe closed under lanmsg, signals in
// the middle of an announce, and the network interface deleted while listen runs. Each ends as one clear line (or
// a clean exit) with the documented exit code, never a stack trace.
// Network rule: from the machine's namespace only loopback; the no-route and interface cases run in a host of a
// simulated LAN (test/support/netns.ts), deleted afterwards.
import {expect} from 'chai'
import {chmodSync} from 'node:fs'

import {EXIT_CODES, exitCodeOf} from '../../src/cli/exit-codes.js'
import {describeSocketError} from '../../src/net/net-error.js'
import {
  type CliExit,
  freeUdpPort,
  LoopbackSocket,
  makeStateDir,
  nonEmptyLines,
  runCli,
  sleep,
  STACK_TRACE,
  startCli,
} from '../support/hostile.js'
import {type Host, type SimulatedLan, useSimulatedLan} from '../support/netns.js'

/** stderr holds exactly one error line (after announce's progress lines, if any) and no stack trace. */
function oneErrorLine(exit: Pick<CliExit, 'stderr'>): string {
  expect(exit.stderr).not.to.match(STACK_TRACE)
  const lines = nonEmptyLines(exit.stderr)
  const errors = lines.filter((l) => l.startsWith('Error: '))
  expect(errors, exit.stderr).to.have.length(1)
  // Anything else is announce's progress (❯ ✔ ↓ ✖) or a warning line.
  for (const line of lines)
    if (!line.startsWith('Error: ')) expect(line, exit.stderr).to.match(/^(?:[❯✔↓✖] |Warning: )/u)
  return errors[0]
}

function canSwitchToNobody(): boolean {
  return process.getuid?.() === 0
}

describe('hardening: faults', function () {
  this.timeout(40_000)
  let state: ReturnType<typeof makeStateDir>

  beforeEach(() => {
    state = makeStateDir()
  })
  afterEach(() => state.remove())

  it('EADDRINUSE: a port held by a program that does not share it → exit 3, one line naming the flag', async () => {
    const port = await freeUdpPort()
    const holder = await LoopbackSocket.open('0.0.0.0', port, {reuseAddr: false})
    try {
      const env = {LANMSG_STATE_DIR: state.dir}
      const [listen, announce, json] = await Promise.all([
        runCli(['listen', '--port', String(port), '--duration', '1s'], {env}),
        runCli(['announce', 'hi', '--to', '127.0.0.1', '--port', String(port), '--bind-port', String(port)], {env}),
        runCli(['listen', '--port', String(port), '--duration', '1s', '--json'], {env}),
      ])
      expect(listen.code).to.equal(EXIT_CODES.addressInUse)
      expect(nonEmptyLines(listen.stderr)).to.deep.equal([
        `Error: UDP port ${port} on 0.0.0.0 is already in use by another program; stop it or choose another port with --port`,
      ])
      expect(announce.code).to.equal(EXIT_CODES.addressInUse)
      expect(nonEmptyLines(announce.stderr)).to.have.length(1)
      expect(oneErrorLine(announce)).to.include('choose another port with --bind-port')
      expect(json.code).to.equal(EXIT_CODES.addressInUse)
      expect(json.stderr).to.equal('')
      expect(JSON.parse(json.stdout).error).to.include({code: 'EADDRINUSE', exitCode: 3})
    } finally {
      await holder.close()
    }
  })

  it('EACCES: port 80 as user nobody → exit 4, one line saying ports below 1024 need rights', async function () {
    if (!canSwitchToNobody()) {
      // Not root: the mapping alone (the message is what a user would read).
      const error = describeSocketError(Object.assign(new Error('bind EACCES'), {code: 'EACCES'}), {
        action: 'bind',
        address: '0.0.0.0',
        port: 80,
        portFlag: '--port',
      })
      expect(exitCodeOf(error)).to.equal(4)
      expect(error.message).to.match(/ports below 1024 need root .* or above with --port$/)
      this.skip()
    }

    chmodSync(state.dir, 0o777) // nobody writes packet numbers there
    const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']
    // Not NODE_V8_COVERAGE: under c8, nobody could not write coverage files into the repo and would say so.
    const env = {LANMSG_STATE_DIR: state.dir, HOME: state.dir, NODE_V8_COVERAGE: undefined}
    const [listen, announce] = await Promise.all([
      runCli(['listen', '--port', '80', '--duration', '1s'], {env, prefix: asNobody}),
      runCli(['announce', 'hi', '--to', '127.0.0.1', '--port', '9', '--bind-port', '80', '--wait', '0'], {
        env,
        prefix: asNobody,
      }),
    ])
    expect(listen.code, listen.stderr).to.equal(EXIT_CODES.permission)
    expect(nonEmptyLines(listen.stderr)).to.deep.equal([
      'Error: cannot use UDP port 80 on 0.0.0.0: ports below 1024 need root (administrator) rights; choose a port of 1024 or above with --port',
    ])
    expect(announce.code, announce.stderr).to.equal(EXIT_CODES.permission)
    expect(oneErrorLine(announce)).to.include('choose a port of 1024 or above with --bind-port')
  })

  describe('ENETUNREACH inside a namespace without routes', function () {
    let lan: SimulatedLan
    let host: Host
    useSimulatedLan(this, {
      hosts: 1,
      async start(built) {
        lan = built
        host = lan.hosts[0]
        await lan.removeInterface(host, 'eth0') // lo alone is left: no route anywhere
      },
    })

    it('announce --limited and --to 10.99.0.1 → exit 5, one line saying there is no route', async () => {
      const run = (args: string[]) => lan.cli(host, args).wait(30_000)
      const [limited, unicast, json] = await Promise.all([
        run(['announce', 'hi', '--limited', '--bind-port', '0', '--wait', '1s']),
        run(['announce', 'hi', '--to', '10.99.0.1', '--bind-port', '0', '--wait', '1s']),
        run(['announce', '--to', '10.99.0.1', '--bind-port', '0', '--wait', '1s', '--json']),
      ])
      expect(limited.code, limited.stderr).to.equal(EXIT_CODES.networkUnreachable)
      expect(oneErrorLine(limited)).to.match(/^Error: no route to 255\.255\.255\.255: the network is unreachable/)
      expect(unicast.code, unicast.stderr).to.equal(EXIT_CODES.networkUnreachable)
      expect(oneErrorLine(unicast)).to.match(/^Error: no route to 10\.99\.0\.1: the network is unreachable/)
      expect(json.code).to.equal(EXIT_CODES.networkUnreachable)
      expect(json.stderr).to.equal('')
      expect(JSON.parse(json.stdout).error).to.include({code: 'ENETUNREACH', exitCode: 5})
    })
  })

  describe('a stdout pipe closed under lanmsg (| head -1)', () => {
    for (const mode of [['--ndjson'], [], ['--peers']]) {
      it(`listen ${mode.join(' ') || '(rows)'}: clean exit 0, no EPIPE, no stack trace`, async () => {
        const port = await freeUdpPort()
        const sender = await LoopbackSocket.open('127.0.0.1')
        // --peers writes nothing before the end on a pipe: close it at once (head -c0); otherwise after a line.
        const peers = mode[0] === '--peers'
        const cli = startCli(['listen', ...mode, '--port', String(port), '--duration', peers ? '2s' : '6s'], {
          env: {LANMSG_STATE_DIR: state.dir},
          onLine: () => cli.child.stdout.destroy(), // head -1: read one line, then close the pipe
        })
        if (peers) cli.child.stdout.destroy()
        try {
          let n = 0
          const deadline = Date.now() + 10_000
          // Traffic until it exits: the closed pipe must end it (rows, NDJSON) or --duration does (--peers).
          while (cli.child.exitCode === null && Date.now() < deadline) {
            await sender.send(`1:${++n}:u:h:32:hello ${n}\0`, port)
            await sleep(20)
          }

          const exit = await cli.exited
          expect(exit.code, exit.stderr).to.equal(0)
          expect(exit.stderr).not.to.include('EPIPE')
          expect(exit.stderr).not.to.match(STACK_TRACE)
          for (const line of nonEmptyLines(exit.stderr)) expect(line).to.match(/^\d+ datagrams? received/)
          if (mode[0] === '--ndjson') expect(exit.elapsedMs, 'ended by the closed pipe').to.be.below(5500)
        } finally {
          cli.kill('SIGKILL')
          await sender.close()
        }
      })
    }
  })

  describe('SIGINT and SIGTERM during an announce', () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${signal} while waiting for a receipt: prompt exit ${signal === 'SIGINT' ? 130 : 143} (128 + signal) with the report of what was collected`, async () => {
        const silent = await LoopbackSocket.open('127.0.0.1') // receives, never acknowledges
        const cli = startCli(
          ['announce', 'hi', '--to', '127.0.0.1', '--port', String(silent.port), '--bind-port', '0', '--wait', '20s'],
          {env: {LANMSG_STATE_DIR: state.dir}},
        )
        try {
          await cli.until(() => silent.received.length > 0, 15_000, 'the first SENDMSG')
          await sleep(300)
          const signalled = Date.now()
          cli.kill(signal)
          const exit = await cli.exited
          expect(Date.now() - signalled, 'ms from the signal to the exit').to.be.below(3000)
          // Interrupted: the report says what was seen so far, the exit code that it is not the whole answer.
          expect(exit.code, exit.stderr).to.equal(signal === 'SIGINT' ? 130 : 143)
          expect(exit.stdout).to.include('Delivery:')
          expect(exit.stdout).to.match(new RegExp(`127\\.0\\.0\\.1:${silent.port} +\\d+ +NO`))
          expect(exit.stderr).not.to.match(STACK_TRACE)
          expect(exit.stderr).not.to.include('Error')
        } finally {
          cli.kill('SIGKILL')
          await silent.close()
        }
      })
    }

    it('SIGINT during a discovery with --json: exit 130 and the JSON document of what was collected', async () => {
      const peer = await LoopbackSocket.open('127.0.0.1')
      peer.socket.on('message', (_data, from) => {
        peer.send('1:7:bob:pc2:3:Bob\0Dev\0', from.port, from.address).catch(() => {})
      })
      // A second target that never answers keeps the wait open (once every target has answered it ends by itself).
      const silent = await LoopbackSocket.open('127.0.0.2', peer.port)
      const cli = startCli(
        [
          'announce',
          '--to',
          '127.0.0.1',
          '--to',
          '127.0.0.2',
          '--port',
          String(peer.port),
          '--bind-port',
          '0',
          '--wait',
          '20s',
          '--json',
        ],
        {env: {LANMSG_STATE_DIR: state.dir}},
      )
      try {
        await cli.until(() => peer.received.length > 0, 15_000, 'the BR_ENTRY')
        await sleep(300)
        expect(cli.child.exitCode, 'still waiting when the signal comes').to.equal(null)
        cli.kill('SIGINT')
        const exit = await cli.exited
        expect(exit.code, exit.stderr).to.equal(130)
        expect(exit.stderr).to.equal('')
        const doc = JSON.parse(exit.stdout)
        expect(doc.peers.map((p: any) => p.nickname)).to.deep.equal(['Bob'])
        expect(doc.deliveries.map((d: any) => d.delivered)).to.deep.equal([true, false])
      } finally {
        cli.kill('SIGKILL')
        await peer.close()
        await silent.close()
      }
    })
  })

  describe('the network interface deleted while listen --respond runs (namespace)', function () {
    let lan: SimulatedLan
    useSimulatedLan(this, {hosts: 1, start: (built) => (lan = built)})

    it('keeps running, then exits 0 with one warning per BR_EXIT that has no route left; no stack trace', async () => {
      const host = lan.hosts[0]
      const {broadcast} = host.interfaces[0]
      const cli = lan.cli(host, [
        'listen',
        '--ndjson',
        '--respond',
        '--to',
        broadcast,
        '--port',
        '2425',
        '--duration',
        '20s',
        '--user',
        'me',
      ])
      try {
        // Its own BR_ENTRY to the broadcast address comes back to it: the interface is up and it is listening.
        const [first] = await cli.waitForRecords(() => true, 1, 15_000, 'its own BR_ENTRY')
        expect(first.packet.mode).to.equal('BR_ENTRY')
        await lan.removeInterface(host, 'eth0') // takes its switch port and its address with it
        await sleep(500)
        expect(cli.exited, 'still running without the interface').to.equal(false)
        cli.kill('SIGINT')
        const exit = await cli.wait(20_000)
        expect(exit.code, exit.stderr).to.equal(0)
        expect(exit.stderr).not.to.match(STACK_TRACE)
        const lines = nonEmptyLines(exit.stderr)
        const warnings = lines.filter((l) => l.startsWith('Warning: '))
        // Recorded behaviour: BR_EXIT (sent twice, §3.4) cannot leave any more; each failure is one warning line.
        expect(warnings.length).to.be.within(1, 2)
        for (const w of warnings)
          expect(w).to.match(new RegExp(`could not send BR_EXIT to ${broadcast.replaceAll('.', String.raw`\.`)}`))
        expect(lines.at(-1)).to.match(/^\d+ datagrams? received/)
        expect(lines).to.have.length(warnings.length + 1)
      } finally {
        cli.kill('SIGKILL')
      }
    })
  })
})
