// `lanmsg listen` refusing bad flags and a port in use: one line, no stack trace, a documented exit code. Nothing
// is sent; the flag errors fail before binding.
import {expect} from 'chai'
import dgram from 'node:dgram'

import {freeUdpPort} from '../support/listen-child.js'
import {makeStateDir, runCli, type RunCliResult} from '../support/run-cli.js'

describe('listen', function () {
  // Generous limits: the machine may be shared.
  this.timeout(120_000)

  describe('errors: one line, no stack trace, an exit code', () => {
    const results: Record<string, RunCliResult> = {}
    let heldPort: number
    const cases: Array<{name: string; args: () => string[]; code: number; message: RegExp | (() => RegExp)}> = [
      {
        name: 'a port held by a socket without SO_REUSEADDR',
        args: () => ['--port', String(heldPort), '--duration', '1s'],
        code: 3,
        message: () => new RegExp(`\\b${heldPort}\\b.*--port`),
      },
      {name: '--port 0', args: () => ['--port', '0', '--duration', '1s'], code: 2, message: /--port/},
      {name: '--port 70000', args: () => ['--port', '70000', '--duration', '1s'], code: 2, message: /--port.*70000/},
      {
        name: '--from 300.1.1.1',
        args: () => ['--from', '300.1.1.1', '--duration', '1s'],
        code: 2,
        message: /300\.1\.1\.1/,
      },
      {name: '--mode NOPE', args: () => ['--mode', 'NOPE', '--duration', '1s'], code: 2, message: /--mode NOPE/},
      {
        name: '--encoding nope',
        args: () => ['--encoding', 'nope', '--duration', '1s'],
        code: 2,
        message: /--encoding.*nope/,
      },
      {name: '--duration -1', args: () => ['--duration', '-1'], code: 2, message: /--duration/},
    ]

    before(async () => {
      heldPort = await freeUdpPort()
      const holder = dgram.createSocket({type: 'udp4', reuseAddr: false})
      await new Promise<void>((resolve) => {
        holder.bind({port: heldPort, address: '0.0.0.0'}, () => resolve())
      })
      try {
        const freeForOthers = await freeUdpPort() // the flag errors must fail before binding anything
        const runs = await Promise.all(
          cases.map((c) => {
            const args = c.args()
            const withPort = args.includes('--port') ? args : [...args, '--port', String(freeForOthers)]
            const state = makeStateDir()
            return runCli(['listen', ...withPort], {env: {LANMSG_STATE_DIR: state.dir}, timeoutMs: 60_000}).finally(
              () => state.remove(),
            )
          }),
        )
        for (const [i, c] of cases.entries()) results[c.name] = runs[i]
      } finally {
        holder.close()
      }
    })

    for (const c of cases) {
      it(`${c.name} → exit ${c.code}`, () => {
        const run = results[c.name]
        expect(run.code, `${run.stderr} (timed out: ${run.timedOut})`).to.equal(c.code)
        expect(run.stdout).to.equal('')
        const lines = run.stderr.split('\n').filter((l) => l !== '')
        expect(lines, run.stderr).to.have.length(1)
        expect(lines[0]).to.match(/^Error: /)
        expect(lines[0]).to.match(typeof c.message === 'function' ? c.message() : c.message)
        expect(run.stderr).to.not.match(/\n\s+at |node:internal/)
      })
    }
  })
})
