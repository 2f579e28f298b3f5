// `lanmsg announce` mistakes and failures: one line on stderr (or {"error": …} with --json), no stack trace, and
// the documented exit code. Every run names a loopback target; none of them gets as far as sending.
import {expect} from 'chai'

import {freeUdpPort, holdPort} from '../support/ipmsg-peers.js'
import {makeStateDir, runCli, type RunCliResult} from '../support/run-cli.js'

/** Exactly one line that starts with "Error:", and it is the last; no stack trace (progress lines may precede it). */
function expectOneLineError(run: RunCliResult, code: number, pattern: RegExp): void {
  expect(run.code, `exit code; stderr: ${run.stderr}`).to.equal(code)
  const lines = run.stderr.split('\n')
  expect(lines.at(-1)).to.equal('')
  expect(lines.filter((l) => l.startsWith('Error:'))).to.have.length(1)
  expect(lines.at(-2))
    .to.match(/^Error: /)
    .and.match(pattern)
  expect(run.stderr).to.not.include('    at ')
  expect(run.stdout).to.equal('')
}

/** Runs `tasks` with at most `limit` at a time (these machines have two cores). */
async function pool<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = []
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++

      results[i] = await tasks[i]()
    }
  }

  await Promise.all(Array.from({length: Math.min(limit, tasks.length)}, () => worker()))
  return results
}

/** A loopback target, an ephemeral local port and no wait, unless the case says otherwise. */
function withDefaults(args: string[], port: number): string[] {
  const out = ['announce', ...args]
  const has = (flag: string) => args.includes(flag)
  if (!has('--to')) out.push('--to', '127.0.0.1')
  if (!has('--port')) out.push('--port', String(port))
  if (!has('--bind-port')) out.push('--bind-port', '0')
  if (!has('--wait')) out.push('--wait', '0')
  return out
}

describe('announce errors', function () {
  this.timeout(60_000)
  const state = makeStateDir()
  const env = {LANMSG_STATE_DIR: state.dir}
  after(() => state.remove())

  // Usage mistakes are independent: run them side by side to keep the file fast.
  const cases: Array<{name: string; args: string[]; pattern: RegExp}> = [
    {name: '--to 300.1.1.1', args: ['--to', '300.1.1.1'], pattern: /--to 300\.1\.1\.1: not a valid IPv4 address/},
    {name: '--to ::1 (IPv6)', args: ['--to', '::1'], pattern: /--to ::1: .*IPv6 is not supported/},
    {name: '--port 0', args: ['--port', '0'], pattern: /--port: .*from 1 to 65535, got "0"/},
    {name: '--port 70000', args: ['--port', '70000'], pattern: /--port: .*got "70000"/},
    {name: '--bind-port 70000', args: ['--bind-port', '70000'], pattern: /--bind-port: .*0 to 65535/},
    {name: '--wait -1', args: ['--wait', '-1'], pattern: /--wait: expected a duration.*got "-1"/},
    {
      name: '--encoding foo',
      args: ['--encoding', 'foo'],
      pattern: /--encoding: unknown encoding "foo"; use one of utf-8, gbk, gb18030, cp932/,
    },
    {name: '--command NOPE', args: ['--command', 'NOPE'], pattern: /--command NOPE: unknown command/},
    {name: '--option NOPE', args: ['hi', '--option', 'NOPE'], pattern: /--option NOPE: unknown option/},
    {name: String.raw`--raw 'bad\q'`, args: ['--raw', String.raw`bad\q`], pattern: /--raw: unknown escape "\\q"/},
    {name: "--raw-hex 'zz'", args: ['--raw-hex', 'zz'], pattern: /--raw-hex: expected pairs of hex digits/},
    {name: '--expect 0', args: ['--expect', '0'], pattern: /--expect: .*at least 1/},
    {name: 'an unknown flag', args: ['--nope'], pattern: /--nope/},
    {name: 'a flag given twice', args: ['--wait', '1s', '--wait', '2s'], pattern: /--wait/},
  ]
  let results: RunCliResult[]
  before(async function () {
    this.timeout(120_000) // 14 start-ups of the CLI, two at a time; slow when the machine is shared
    const port = await freeUdpPort()
    results = await pool(
      2,
      cases.map((c) => () => runCli(withDefaults(c.args, port), {env})),
    )
  })

  for (const [i, c] of cases.entries()) {
    it(`${c.name}: exit 2 with one line`, () => expectOneLineError(results[i], 2, c.pattern))
  }

  it('--json: a usage error is {"error": {message, exitCode, code}} on stdout, exit 2', async () => {
    const run = await runCli(['announce', '--to', '300.1.1.1', '--wait', '0', '--json'], {env})
    expect(run.code).to.equal(2)
    const doc = JSON.parse(run.stdout)
    expect(doc).to.have.all.keys('error')
    expect(doc.error).to.include({exitCode: 2, code: 'EINVALIDTARGET'})
    expect(doc.error.message).to.match(/^--to 300\.1\.1\.1: not a valid IPv4 address/)
    expect(run.stderr).to.not.include('    at ')
  })

  describe('--bind-port on a port held without reuseAddr', () => {
    let port: number
    let holder: {close(): Promise<void>}
    before(async () => {
      port = await freeUdpPort()
      holder = await holdPort(port)
    })
    after(() => holder.close())

    it('exits 3 and names the port', async () => {
      const args = ['announce', '--to', '127.0.0.1', '--port', String(port + 1), '--bind-port', String(port)]
      const run = await runCli([...args, '--wait', '300ms'], {env})
      expectOneLineError(run, 3, new RegExp(`UDP port ${port} .*already in use.*--bind-port`))
    })

    it('with --json: {"error": …} on stdout with exitCode 3 and EADDRINUSE', async () => {
      const args = ['announce', '--to', '127.0.0.1', '--port', String(port + 1), '--bind-port', String(port)]
      const run = await runCli([...args, '--wait', '300ms', '--json'], {env})
      expect(run.code).to.equal(3)
      const doc = JSON.parse(run.stdout)
      expect(doc.error).to.include({exitCode: 3, code: 'EADDRINUSE'})
      expect(doc.error.message).to.include(`UDP port ${port}`)
      expect(run.stderr).to.equal('')
    })
  })
})
