// Packet numbers across real processes (issue 13 point 7, issue 11 point 4): every run is a real `lanmsg announce`
// unicasting to a UDP listener on 127.0.0.1, and the numbers are read off the datagrams that listener received.
// Network rule: loopback only (the listener's port; --bind-port 0).
import {expect} from 'chai'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'

import {type CliExit, LoopbackSocket, runCli, sleep} from '../support/hostile.js'

interface Sent {
  packetNo: number
  at: number
  text: string
  port: number
}

/**
 * What the listener received, one entry per distinct packet (a resend, same bytes from the same port, counts once;
 * two runs that happen to get the same ephemeral port send different numbers, so they still count twice).
 */
function packetNos(listener: LoopbackSocket): Sent[] {
  const distinct = new Map<string, Sent>()
  for (const {at, data, from} of listener.received) {
    const text = data.toString('latin1')
    const key = `${from.port} ${text}`
    if (!distinct.has(key)) distinct.set(key, {packetNo: Number(text.split(':')[1]), at, text, port: from.port})
  }

  return [...distinct.values()]
}

const nowSeconds = () => Math.floor(Date.now() / 1000)
const canSwitchToNobody = () => process.getuid?.() === 0 && existsSync('/usr/bin/setpriv')

describe('hardening: packet numbers across processes', function () {
  this.timeout(240_000) // 150 real processes on a shared machine
  let listener: LoopbackSocket
  let root: string
  const to = () => ['--to', '127.0.0.1', '--port', String(listener.port), '--bind-port', '0']
  // One datagram (BR_ENTRY), no resend, nothing collected.
  const once = () => ['announce', ...to(), '--wait', '0', '--user', 'pn', '--host', 'h']

  beforeEach(async () => {
    listener = await LoopbackSocket.open()
    root = mkdtempSync(join(tmpdir(), 'lanmsg-pn-proc-'))
  })
  afterEach(async () => {
    await listener.close()
    rmSync(root, {force: true, recursive: true})
  })

  /** Runs `count` announces at once with `env`; every one must succeed and send at least one datagram. */
  async function parallel(count: number, env: NodeJS.ProcessEnv, prefix?: string[], timeoutMs = 200_000) {
    const exits: CliExit[] = await Promise.all(
      Array.from({length: count}, () => runCli(once(), {env, prefix, timeoutMs})),
    )
    for (const exit of exits) expect(exit.code, exit.stderr).to.equal(0)
    // Every sender has exited: what is still on its way is in the listener's socket buffer.
    for (let seen = -1; seen !== listener.received.length;) {
      seen = listener.received.length
      await sleep(200)
    }

    const sent = packetNos(listener)
    // Each run enters once (its BR_ENTRY); source ports are no run's name: a port freed by one run can be the next's.
    const entries = sent.filter((s) => (Number(s.text.split(':')[4]) & 0xff) === 1)
    expect(entries.length, 'runs heard from').to.equal(count)
    return sent
  }

  function expectNoRepeats(sent: Sent[]): void {
    const seen = new Map<number, number>()
    for (const {packetNo} of sent) seen.set(packetNo, (seen.get(packetNo) ?? 0) + 1)
    const repeated = [...seen].filter(([, times]) => times > 1)
    expect(repeated, `${repeated.length} numbers sent more than once`).to.deep.equal([])
  }

  it('150 parallel runs never repeat a number and run ahead of the clock only by what they sent', async () => {
    const state = join(root, 'state')
    const sent = await parallel(150, {LANMSG_STATE_DIR: state})
    expectNoRepeats(sent)
    const numbers = sent.map((s) => s.packetNo)
    expect(Math.min(...numbers)).to.be.at.least(nowSeconds() - 240)
    expect(Math.max(...numbers)).to.be.at.most(nowSeconds() + sent.length)
    expect(Number(readFileSync(join(state, 'packet-number'), 'utf8'))).to.equal(Math.max(...numbers))
  })

  it('a lock held for a while (a descheduled holder) makes the others wait, never run unlocked', async () => {
    const state = join(root, 'state')
    mkdirSync(state)
    writeFileSync(join(state, 'packet-number'), `${nowSeconds()}\n`)
    // Held by this (live) process; the old store gave up waiting after 200 ms and went on without it.
    const lock = join(state, 'packet-number.lock')
    writeFileSync(lock, `${process.pid} ${hostname()}\n`)
    const release = sleep(1800).then(() => rmSync(lock))
    const sent = await parallel(20, {LANMSG_STATE_DIR: state})
    await release
    expectNoRepeats(sent)
  })

  it('many runs within a second leave the numbers no further ahead of the clock than they sent', async () => {
    const sent = await parallel(30, {LANMSG_STATE_DIR: join(root, 'state')})
    expectNoRepeats(sent)
    // No further ahead of the clock than the numbers sent (the old store reserved 64 per run: ~1,900 ahead).
    expect(Math.max(...sent.map((s) => s.packetNo))).to.be.at.most(nowSeconds() + sent.length)
    listener.received.length = 0
    const next = await parallel(1, {LANMSG_STATE_DIR: join(root, 'state')})
    expect(Math.max(...next.map((s) => s.packetNo))).to.be.at.most(nowSeconds() + sent.length + next.length)
  })

  it('never goes backwards: a long run and short runs beside it send ever higher numbers', async () => {
    const env = {LANMSG_STATE_DIR: join(root, 'state')}
    // Four BR_ENTRY 700 ms apart from one process (no resends, no BR_EXIT) …
    const long = runCli(
      ['announce', ...to(), '--repeat', '4', '--interval', '700ms', '--wait', '100ms', '--retries', '0', '--stay'],
      {env, timeoutMs: 60_000},
    )
    const deadline = Date.now() + 30_000
    while (listener.received.length === 0 && Date.now() < deadline) await sleep(10)
    // … and short runs started in between.
    for (let i = 0; i < 4; i++) {
      const exit = await runCli(once(), {env})
      expect(exit.code, exit.stderr).to.equal(0)
      await sleep(200)
    }

    const exit = await long
    expect(exit.code, exit.stderr).to.be.oneOf([0, 6]) // 6: nobody acknowledged its BR_ENTRY
    const sent = packetNos(listener)
    expect(new Set(sent.map((s) => s.port)).size).to.equal(5)
    // iptux compares each SENDMSG with the last number it saw from this address. Pairs that arrived within 250 ms
    // are left out: a process can be descheduled between taking a number and sending it.
    for (const [i, a] of sent.entries()) {
      for (const b of sent.slice(i + 1)) {
        if (b.at - a.at >= 250) expect(b.packetNo, `${b.text} after ${a.text}`).to.be.greaterThan(a.packetNo)
      }
    }
  })

  it('a corrupt state file is replaced and numbers go on from the clock', async () => {
    const state = join(root, 'state')
    mkdirSync(state)
    for (const corrupt of ['99999999999\n', '4294967296\n', 'garbage\n', '\0\0\0\0']) {
      writeFileSync(join(state, 'packet-number'), corrupt)
      listener.received.length = 0
      const before = nowSeconds()
      const numbers = (await parallel(1, {LANMSG_STATE_DIR: state})).map((s) => s.packetNo)
      for (const n of numbers) expect(n, JSON.stringify(corrupt)).to.be.within(before, nowSeconds() + 5)
      expect(readFileSync(join(state, 'packet-number'), 'utf8')).to.equal(`${Math.max(...numbers)}\n`)
    }
  })

  it('an unwritable state directory: a private one in the temporary directory is used, still without repeats', async () => {
    writeFileSync(join(root, 'a-file'), '')
    const temp = join(root, 'tmp')
    mkdirSync(temp)
    const sent = await parallel(40, {LANMSG_STATE_DIR: join(root, 'a-file', 'state'), TMPDIR: temp})
    expectNoRepeats(sent)
    expect(Math.max(...sent.map((s) => s.packetNo))).to.be.at.most(nowSeconds() + sent.length)
    const fallback = join(temp, `lanmsg-${process.getuid?.()}`)
    expect(lstatSync(fallback).mode & 0o777).to.equal(0o700)
    expect(Number(readFileSync(join(fallback, 'packet-number'), 'utf8'))).to.equal(
      Math.max(...sent.map((s) => s.packetNo)),
    )
  })

  it('a symlink planted at the state file or at a temporary file is not followed and its target not written', async () => {
    const state = join(root, 'state')
    mkdirSync(state)
    const victim = join(root, 'victim')
    writeFileSync(victim, '1999999999\n')
    symlinkSync(victim, join(state, 'packet-number'))
    // The old temporary name was packet-number.<pid>.tmp: plant one for every pid the next runs may get.
    const lastPid = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'))
    for (let pid = lastPid + 1; pid < lastPid + 3000; pid++)
      symlinkSync(victim, join(state, `packet-number.${pid}.tmp`))
    const before = nowSeconds()
    const sent = await parallel(3, {LANMSG_STATE_DIR: state})
    for (const {packetNo} of sent) expect(packetNo).to.be.within(before, nowSeconds() + 5)
    expect(readFileSync(victim, 'utf8')).to.equal('1999999999\n')
    expect(lstatSync(join(state, 'packet-number')).isFile()).to.equal(true)
  })

  it('a FIFO planted at the state file stalls nothing and is replaced', async function () {
    const state = join(root, 'state')
    mkdirSync(state)
    if (spawnSync('mkfifo', [join(state, 'packet-number')]).status !== 0) this.skip()
    const before = nowSeconds()
    // The old store read it and waited for a writer forever: killed after 20 s, it sent nothing.
    const sent = await parallel(1, {LANMSG_STATE_DIR: state}, undefined, 20_000)
    for (const {packetNo} of sent) expect(packetNo).to.be.within(before, nowSeconds() + 5)
    expect(lstatSync(join(state, 'packet-number')).isFile()).to.equal(true)
  })

  it('a full disk: the lock still locks and the sequence goes on from the stored number', async function () {
    if (process.getuid?.() !== 0 || spawnSync('unshare', ['-m', 'true']).status !== 0) this.skip()
    const disk = join(root, 'disk')
    mkdirSync(disk)
    const stored = nowSeconds() + 100
    // A 64 KiB tmpfs in a mount namespace of the run's own, filled up after the state file was written.
    const script = `mount -t tmpfs -o size=64k tmpfs "$D" && mkdir "$D/state" && echo "$N" > "$D/state/packet-number" && { dd if=/dev/zero of="$D/fill" bs=4k 2>/dev/null; true; } && exec "$@"`
    const env = {D: disk, N: String(stored), LANMSG_STATE_DIR: join(disk, 'state'), TMPDIR: join(root, 'tmp')}
    mkdirSync(env.TMPDIR)
    const sent = await parallel(1, env, ['unshare', '-m', 'sh', '-c', script, 'sh'])
    // Not from the clock (the old store, unable to write, went back to it) nor from the fallback directory.
    expect(sent.map((s) => s.packetNo).sort()).to.deep.equal(sent.map((_, i) => stored + 1 + i))
  })

  describe('odd HOME and XDG_STATE_HOME never put state under the current directory', () => {
    it('a relative XDG_STATE_HOME is ignored (the XDG rule): $HOME/.local/state/lanmsg', async () => {
      const cwd = join(root, 'cwd')
      const home = join(root, 'home')
      mkdirSync(cwd)
      mkdirSync(home)
      const env = {LANMSG_STATE_DIR: undefined, XDG_STATE_HOME: 'state', HOME: home}
      const numbers = (await parallel(1, env, ['env', '-C', cwd])).map((s) => s.packetNo)
      expect(readdirSync(cwd)).to.deep.equal([])
      const stored = readFileSync(join(home, '.local', 'state', 'lanmsg', 'packet-number'), 'utf8')
      expect(stored).to.equal(`${Math.max(...numbers)}\n`)
    })

    it('HOME="": the home directory of the user database (nobody: none, so the private temporary one)', async function () {
      if (!canSwitchToNobody()) this.skip() // as another user the real home directory would be written
      const cwd = join(root, 'cwd')
      const temp = join(root, 'tmp')
      mkdirSync(cwd)
      mkdirSync(temp)
      chmodSync(root, 0o755)
      chmodSync(cwd, 0o777) // nobody could write here: the old store did
      chmodSync(temp, 0o777)
      const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', '-C', cwd]
      // Not NODE_V8_COVERAGE: under c8, nobody could not write coverage files into the repo.
      const env = {LANMSG_STATE_DIR: undefined, XDG_STATE_HOME: undefined, HOME: '', TMPDIR: temp}
      const numbers = (await parallel(1, {...env, NODE_V8_COVERAGE: undefined}, asNobody)).map((s) => s.packetNo)
      expect(readdirSync(cwd)).to.deep.equal([])
      const stored = readFileSync(join(temp, 'lanmsg-65534', 'packet-number'), 'utf8')
      expect(stored).to.equal(`${Math.max(...numbers)}\n`)
    })
  })
})
