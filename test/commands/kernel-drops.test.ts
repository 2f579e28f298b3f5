// Kernel drops are reported: lanmsg is stopped (SIGSTOP) while a bounded burst overflows its socket's receive buffer
// on loopback, then resumed; `listen`'s summary and --json stats, and `announce --json`, count what the kernel
// dropped, as the kernel counts it (/proc/net/udp). With the native addon (SO_MEMINFO) and without
// (LANMSG_BATCH_READ=off). Loopback only (the network rule); the children run under the send guard.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {freeUdpPort} from '../support/ipmsg-peers.js'
import {CLI_BIN} from '../support/cli-bin.js'
import {sendBurst} from '../support/loopback-burst.js'
import {guardedEnv} from '../support/send-guard.js'

// Far more than an 8 MiB receive buffer holds of small datagrams (each takes ~1 KiB of it on loopback).
const COUNT = 40_000

/**
 * The kernel's drop count of the UDP sockets bound to this port (any address; announce adds a connected one per
 * unicast target), summed, or undefined when none is bound.
 */
function procDrops(port: number): number | undefined {
  const needle = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  const lines = readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .filter((l) => l.trim().split(/\s+/)[1]?.endsWith(needle))
  return lines.length === 0 ? undefined : lines.reduce((sum, l) => sum + Number(l.trim().split(/\s+/).at(-1)), 0)
}

const burst = (port: number) => sendBurst(port, COUNT, 60_000)

/** Runs lanmsg with `args` (its socket bound to `port`), stops it, overflows its socket, resumes it, ends it. */
async function stalled(port: number, args: string[], env: NodeJS.ProcessEnv = {}, interrupt = true) {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: guardedEnv({NO_COLOR: '1', LANMSG_STATE_DIR: mkdtempSync(join(tmpdir(), 'lanmsg-drops-')), ...env}),
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const done = new Promise<null | number>((resolve) => child.on('close', resolve))
  try {
    const deadline = Date.now() + 30_000
    while (procDrops(port) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    await new Promise((resolve) => setTimeout(resolve, 300)) // past start-up
    child.kill('SIGSTOP') // a stalled loop: nothing reads the socket
    burst(port)
    const kernel = procDrops(port)!
    child.kill('SIGCONT')
    await new Promise((resolve) => setTimeout(resolve, 1500))
    if (interrupt) child.kill('SIGINT')
    const code = await done
    return {code, stdout, stderr, kernel}
  } finally {
    child.kill('SIGKILL')
  }
}

async function stalledListener(args: string[], env: NodeJS.ProcessEnv = {}) {
  const port = await freeUdpPort()
  const listen = ['listen', '--address', '127.0.0.1', '--port', String(port), '--duration', '120s']
  return stalled(port, [...listen, ...args], env)
}

describe('kernel drops (SIGSTOP, a burst on loopback, SIGCONT)', function () {
  this.timeout(120_000)
  before(function () {
    if (process.platform !== 'linux') this.skip()
  })

  it('the summary says how many the kernel dropped, as the kernel counts them (native addon)', async () => {
    const run = await stalledListener(['--ndjson'])
    expect(run.code, run.stderr).to.equal(0)
    expect(run.kernel, 'the burst overflowed the buffer').to.be.greaterThan(0)
    const lines = run.stdout.trimEnd().split('\n').length
    expect(run.stderr).to.include(`${lines} datagrams received, ${lines} shown`)
    expect(run.stderr).to.include(`, ${run.kernel} dropped by the kernel (receive buffer full)`)
    expect(lines + run.kernel).to.equal(COUNT) // every datagram sent is either shown or counted
  })

  it('--json stats carry kernelDrops beside overflow, also without the addon (LANMSG_BATCH_READ=off)', async () => {
    const run = await stalledListener(['--json'], {LANMSG_BATCH_READ: 'off'})
    expect(run.code, run.stderr).to.equal(0)
    const {stats} = JSON.parse(run.stdout)
    expect(run.kernel).to.be.greaterThan(0)
    expect(stats).to.include({kernelDrops: run.kernel, overflow: 0})
    expect(stats.datagrams + stats.kernelDrops).to.equal(COUNT)
  })

  it('announce --json counts the replies the kernel dropped while it was stalled', async () => {
    const [port, nobody] = [await freeUdpPort(), await freeUdpPort()]
    const announce = ['announce', '--raw', 'x', '--to', '127.0.0.1', '--port', String(nobody), '--bind-port']
    const run = await stalled(port, [...announce, String(port), '--wait', '4s', '--json'], {}, false)
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(run.kernel).to.be.greaterThan(0)
    expect(doc.kernelDrops).to.equal(run.kernel)
    expect(doc.replies.length + doc.kernelDrops).to.equal(COUNT)
  })
})
