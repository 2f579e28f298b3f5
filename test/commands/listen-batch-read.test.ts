// `lanmsg listen` under a burst, with batched reads (the native addon, when built) and with LANMSG_BATCH_READ=off:
// the same records, in the same order. Loopback only (the network rule); the child runs under the send guard.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CLI_BIN} from '../support/cli-bin.js'
import {sendBurst} from '../support/loopback-burst.js'
import {guardedEnv} from '../support/send-guard.js'

const COUNT = 3000

/** True once something is bound to 127.0.0.1:port (UDP). */
function bound(port: number): boolean {
  const needle = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`
  return readFileSync('/proc/net/udp', 'utf8').includes(needle)
}

const burst = (port: number) => sendBurst(port, COUNT, 20_000)

async function listenToBurst(
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<{stdout: string; stderr: string; code: null | number}> {
  const child = spawn(
    process.execPath,
    [
      CLI_BIN,
      'listen',
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--ndjson',
      '--count',
      String(COUNT),
      '--duration',
      '30s',
    ],
    {env: guardedEnv({NO_COLOR: '1', LANMSG_STATE_DIR: mkdtempSync(join(tmpdir(), 'lanmsg-batch-')), ...env})},
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const done = new Promise<null | number>((resolve) => child.on('close', resolve))
  const deadline = Date.now() + 15_000
  while (!bound(port) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  burst(port)
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await done
  clearTimeout(timer)
  return {stdout, stderr, code}
}

describe('listen: batched reads (LANMSG_BATCH_READ)', function () {
  this.timeout(60_000)
  const base = 20_000 + (process.pid % 10_000)

  for (const [name, env, port] of [
    ['batched where available', {}, base],
    ['LANMSG_BATCH_READ=off: one datagram at a time', {LANMSG_BATCH_READ: 'off'}, base + 1],
  ] as const) {
    it(`${name}: every datagram of a ${COUNT}-datagram burst, in order, exit 0`, async () => {
      const run = await listenToBurst(port, env)
      expect(run.code, run.stderr).to.equal(0)
      const texts = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).packet.text)
      expect(texts).to.deep.equal(Array.from({length: COUNT}, (_, i) => `n${i}`))
      expect(run.stderr).to.include(`${COUNT} datagrams received, ${COUNT} shown`)
    })
  }
})
