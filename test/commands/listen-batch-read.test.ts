// `lanmsg listen` under a burst, with batched reads (the native addon, when built) and with LANMSG_BATCH_READ=off:
// the same records, in the same order. Loopback only (the network rule); the child runs under the send guard.
import {expect} from 'chai'

import {sendBurst} from '../support/loopback-burst.js'
import {startListen, waitBound} from '../support/listen-child.js'

const COUNT = 3000

const burst = (port: number) => sendBurst(port, COUNT, 20_000)

async function listenToBurst(
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<{stdout: string; stderr: string; code: null | number}> {
  const args = ['--address', '127.0.0.1', '--ndjson', '--count', String(COUNT), '--duration', '30s']
  const live = startListen(port, args, {env, timeoutMs: 45_000})
  await waitBound(live)
  burst(port)
  const {code, stdout, stderr} = await live.done
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
