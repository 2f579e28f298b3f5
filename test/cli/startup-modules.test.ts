// What a complete announce loads: Node's modules cost start-up time when loaded (a complete announce is measured
// against `node -e ''`), so one that the run does not need must not be loaded. Network rule: loopback only.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {randomFill} from '../../src/lan/random-fill.js'
import {CLI_BIN} from '../support/cli-bin.js'
import {freeUdpPort} from '../support/ipmsg-peers.js'
import {makeStateDir} from '../support/run-cli.js'
import {guardedEnv} from '../support/send-guard.js'

/** Node's built-in modules that a run of the CLI with these arguments loaded (stdout and stderr pipes, no TTY). */
function builtinsLoaded(
  args: string[],
  env: NodeJS.ProcessEnv,
  guarded = true,
): {code: null | number; stderr: string; modules: string[]} {
  const dir = mkdtempSync(join(tmpdir(), 'lanmsg-modules-'))
  try {
    const preload = join(dir, 'report.cjs')
    writeFileSync(
      preload,
      "process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'))\n",
    )
    const run = spawnSync(process.execPath, ['--require', preload, CLI_BIN, ...args], {
      encoding: 'utf8',
      env: (guarded ? guardedEnv : (e: NodeJS.ProcessEnv) => ({...process.env, ...e}))({
        NO_COLOR: '1',
        NODE_V8_COVERAGE: undefined,
        ...env,
      }),
      timeout: 30_000,
    })
    const line = run.stderr.split('\n').find((l) => l.startsWith('LOADED ')) ?? 'LOADED []'
    const modules = (JSON.parse(line.slice('LOADED '.length)) as string[]).map((m) => m.replace(/^NativeModule /, ''))
    return {code: run.status, stderr: run.stderr, modules}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

describe('modules loaded by a complete announce', () => {
  const state = makeStateDir()
  after(() => state.remove())

  it('does not load node:crypto (random bytes from /dev/urandom, listr2 task ids from a counter)', async function () {
    this.timeout(60_000)
    const port = await freeUdpPort() // nothing listens there: one datagram, no answer
    const args = ['announce', 'hi', '--to', '127.0.0.1', '--port', String(port), '--bind-port', '0', '--wait', '0']
    const run = builtinsLoaded(args, {LANMSG_STATE_DIR: state.dir})
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stderr).to.include('Sent 2 datagrams to 1 target') // listr2's progress ran
    expect(run.modules).to.include('dgram') // the report is real
    expect(run.modules.filter((m) => /crypto/.test(m))).to.deep.equal([])
  })

  it('does not load dns (its sockets are given IPv4 literals, through their own lookup)', async function () {
    this.timeout(60_000)
    const port = await freeUdpPort()
    const args = ['announce', 'hi', '--to', '127.0.0.1', '--port', String(port), '--bind-port', '0', '--wait', '0']
    const run = builtinsLoaded(args, {LANMSG_STATE_DIR: state.dir})
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stderr).to.include('Sent 2 datagrams to 1 target')
    expect(run.modules).to.include('dgram') // the report is real
    const dns = run.modules.filter((m) => /^(dns|dns\/promises|internal\/dns\/promises)$|cares_wrap/.test(m))
    expect(dns).to.deep.equal([])
  })

  it("does not load fs/promises (oclif's manifest read with readFileSync in the bundle)", () => {
    // `announce --help` reads the manifest as a complete announce does and sends nothing, so it runs without the
    // send guard, whose --import loads fs/promises itself.
    const help = builtinsLoaded(['announce', '--help'], {NODE_OPTIONS: ''}, false)
    expect(help.code, help.stderr).to.equal(0)
    expect(help.modules).to.include('vm') // the report is real
    expect(help.modules).not.to.include('fs/promises')
  })
})

describe('randomFill', () => {
  it('fills every byte of a typed array with random bytes, different at each call', () => {
    const a = randomFill(new Uint32Array(256))
    const b = randomFill(new Uint32Array(256))
    expect(a.some((word, i) => word !== b[i])).to.equal(true)
    expect(a.filter((word) => word === 0).length).to.be.below(3) // 256 words of zeros would mean unfilled
    const tail = randomFill(new Uint8Array(new ArrayBuffer(64), 60, 4)) // a view: only its own bytes
    expect(new Uint8Array(tail.buffer, 0, 60).every((byte) => byte === 0)).to.equal(true)
  })
})
