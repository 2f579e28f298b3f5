// Output faults (issue 13, points 2, 5 and 6): stdout on a full filesystem (a real tmpfs, mounted in a private
// mount namespace), a --json capture larger than the memory it is allowed, and an error after listen's socket is
// open. Each ends with one clear line and a documented exit code — never a stack trace, a cut-off document with
// exit 0, or a process that keeps answering on the port.
// Network rule: every datagram goes to loopback.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'

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
  vmRssKiB,
  waitForUdpBind,
} from '../support/hostile.js'

const FULL_DISK = 'Error: the output could not be written to stdout: no space left on device (ENOSPC)'

function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false
  return (
    spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs /mnt'], {stdio: 'ignore'}).status === 0
  )
}

/**
 * Runs lanmsg with stdout in a file on a tmpfs of `sizeKiB` in a private mount namespace (nothing is mounted
 * outside it); `full` fills the tmpfs first, so that the first write fails.
 */
function onSmallDisk(dir: string, sizeKiB: number, full: boolean): string[] {
  const fill = full ? 'cat /dev/zero > "$0/fill" 2>/dev/null;' : ''
  const script = `mount -t tmpfs -o size=${sizeKiB}k tmpfs "$0" || exit 99; ${fill} exec "$@" > "$0/out"`
  return ['unshare', '-m', 'sh', '-c', script, dir]
}

function endsWithOneLine(exit: CliExit, line: string, code: number): void {
  expect(exit.stderr).not.to.match(STACK_TRACE)
  expect(exit.code, exit.stderr).to.equal(code)
  // Besides the error: announce's progress lines and listen's summary.
  const lines = nonEmptyLines(exit.stderr).filter((l) => !/^(?:[❯✔↓✖] |\d+ datagrams? received)/u.test(l))
  expect(lines, exit.stderr).to.deep.equal([line])
}

describe('hardening: output faults', function () {
  this.timeout(60_000)
  let state: ReturnType<typeof makeStateDir>
  beforeEach(() => {
    state = makeStateDir()
  })
  afterEach(() => state.remove())

  describe('stdout on a full filesystem (tmpfs): one line on stderr, exit 8', () => {
    before(function () {
      if (!canMountTmpfs()) this.skip()
    })

    for (const mode of [[], ['--json']]) {
      it(`announce ${mode.join(' ') || '(table)'}`, async () => {
        const silent = await LoopbackSocket.open('127.0.0.1')
        try {
          const exit = await runCli(
            [
              'announce',
              '--to',
              '127.0.0.1',
              '--port',
              String(silent.port),
              '--bind-port',
              '0',
              '--wait',
              '0.3s',
              ...mode,
            ],
            {env: {LANMSG_STATE_DIR: state.dir}, prefix: onSmallDisk(state.dir, 16, true)},
          )
          endsWithOneLine(exit, FULL_DISK, 8)
        } finally {
          await silent.close()
        }
      })
    }

    for (const mode of [[], ['--json'], ['--ndjson']]) {
      it(`listen ${mode.join(' ') || '(rows)'}, the disk filling up under it`, async () => {
        const port = await freeUdpPort()
        const sender = await LoopbackSocket.open('127.0.0.1')
        // 64 KiB of room: the first lines fit, the rest does not.
        const cli = startCli(
          ['listen', '--address', '127.0.0.1', '--port', String(port), '--duration', '20s', ...mode],
          {
            env: {LANMSG_STATE_DIR: state.dir},
            prefix: onSmallDisk(state.dir, 64, false),
          },
        )
        try {
          await waitForUdpBind(port, cli)
          for (let i = 0; i < 1500 && cli.child.exitCode === null; i++) {
            await sender.send(`1:${i + 1}:u:h:32:${'x'.repeat(200)} ${i}\0`, port)
            if (i % 100 === 99) await sleep(20)
          }

          // The document is written as it goes, so the disk fills and lanmsg ends by itself. The signal only ends a
          // run whose disk never filled; sent at once, it could come while lanmsg was ending with the error.
          if (mode[0] === '--json') await Promise.race([cli.exited, sleep(10_000)]).then(() => cli.kill('SIGINT'))
          const exit = await cli.exited
          expect(exit.timedOut).to.equal(false)
          endsWithOneLine(exit, FULL_DISK, 8)
        } finally {
          cli.kill('SIGKILL')
          await sender.close()
        }
      })
    }
  })

  it('listen --respond whose stdout fails: exit 8, and the responder says goodbye and closes its socket', async function () {
    if (!canMountTmpfs()) this.skip()
    const port = await freeUdpPort()
    const peer = await LoopbackSocket.open('127.0.0.2', port)
    try {
      const exit = await runCli(
        ['listen', '--respond', '--address', '127.0.0.1', '--port', String(port), '--to', '127.0.0.2', '--user', 'al'],
        {env: {LANMSG_STATE_DIR: state.dir}, prefix: onSmallDisk(state.dir, 16, true), timeoutMs: 20_000},
      )
      expect(exit.timedOut, 'still answering after the error').to.equal(false)
      endsWithOneLine(exit, FULL_DISK, 8)
      await sleep(200)
      const modes = peer.received.map((r) => r.data.toString('latin1').split(':')[4])
      expect(modes.map((m) => Number(m) & 0xff)).to.deep.equal([1, 2, 2]) // BR_ENTRY, then BR_EXIT twice
    } finally {
      await peer.close()
    }
  })

  it('listen --json: a capture far larger than the heap it may use is still one valid document', async () => {
    const port = await freeUdpPort()
    const sender = await LoopbackSocket.open('127.0.0.1')
    // 64 MiB of heap for ~45 MB of records (60 KB each): kept in memory to the end, they do not fit.
    const cli = startCli(['listen', '--json', '--address', '127.0.0.1', '--port', String(port), '--duration', '30s'], {
      env: {LANMSG_STATE_DIR: state.dir},
      nodeArgs: ['--max-old-space-size=64'],
    })
    const count = 300
    try {
      await sleep(1500)
      const big = 'a'.repeat(60_000)
      for (let i = 0; i < count; i++) {
        await sender.send(`1:${i + 1}:u:h:32:${big}\0`, port)
        if (i % 20 === 19) await sleep(30)
      }

      await sleep(500)
      cli.kill('SIGINT')
      const exit = await cli.exited
      expect(exit.code, exit.stderr).to.equal(0)
      const doc = JSON.parse(exit.stdout)
      expect(doc.packets).to.have.length(count)
      expect(doc.datagrams).to.equal(count)
      expect(doc.packets[count - 1].packet.text).to.equal(big)
    } finally {
      cli.kill('SIGKILL')
      await sender.close()
    }
  })

  it('listen --ndjson into a reader that stopped reading: memory stays bounded, and the drops are counted', async () => {
    const port = await freeUdpPort()
    const sender = await LoopbackSocket.open('127.0.0.1')
    const cli = startCli(
      ['listen', '--ndjson', '--address', '127.0.0.1', '--port', String(port), '--duration', '60s'],
      {
        env: {LANMSG_STATE_DIR: state.dir},
        keepStdout: false,
      },
    )
    try {
      await sleep(1500)
      cli.child.stdout.pause() // like `| (sleep 60; jq …)`: the pipe fills, and stays full
      let peakKiB = 0
      for (let i = 0; i < 300_000; i++) {
        sender.socket.send(`1:${i + 1}:alice:ALICE-PC:288:Lunch at noon? Room 42, ok?\0`, port, '127.0.0.1')
        if (i % 500 === 499) {
          await sleep(2)
          peakKiB = Math.max(peakKiB, vmRssKiB(cli.pid) ?? 0)
        }
      }

      await sleep(1000)
      peakKiB = Math.max(peakKiB, vmRssKiB(cli.pid) ?? 0)
      // Without the hold, Node kept every line for the pipe: ~275 MiB here, growing with the flood.
      expect(peakKiB / 1024, 'MiB').to.be.below(160)
      cli.kill('SIGINT')
      cli.child.stdout.resume()
      const exit = await cli.exited
      expect(exit.code, exit.stderr).to.equal(0)
      expect(exit.stderr).to.match(/\d+ dropped \(queue full\)/)
    } finally {
      cli.kill('SIGKILL')
      await sender.close()
    }
  })

  it('listen --respond with an identity too large to announce: exit 2 before the socket opens, nothing sent', async () => {
    const port = await freeUdpPort()
    const peer = await LoopbackSocket.open('127.0.0.2', port)
    try {
      const exit = await runCli(
        [
          'listen',
          '--respond',
          '--address',
          '127.0.0.1',
          '--port',
          String(port),
          '--to',
          '127.0.0.2',
          '--nick',
          'n'.repeat(9000),
        ],
        {env: {LANMSG_STATE_DIR: state.dir}, timeoutMs: 15_000},
      )
      expect(exit.timedOut, 'lanmsg kept running after the error').to.equal(false)
      expect(exit.code, exit.stderr).to.equal(2)
      expect(exit.stderr).to.match(/^Error: --user\/--host\/--nick\/--group: .*limit is 8191 bytes/)
      expect(nonEmptyLines(exit.stderr)).to.have.length(1)
      await sleep(200)
      expect(peer.received).to.have.length(0)
    } finally {
      await peer.close()
    }
  })
})
