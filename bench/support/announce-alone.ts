// The start-up benchmark's floor row for a complete announce without oclif: the same run as
// `lanmsg announce hi --to 127.0.0.1 --port PORT --bind-port 0 --wait 0` (the same plan, sockets, report and exit
// code, all from src/), with the flags given as oclif would parse them instead of parsed. Bundled on its own by
// startup-variants.ts (announceAlone) and run with a code cache, as bin/run.js runs the CLI: what is left when
// oclif's share of start-up is taken out. Not a way to run lanmsg.
import os from 'node:os'

import {announceExit} from '../../src/cli/announce-exit.js'
import {planAnnounce} from '../../src/cli/announce-plan.js'
import {onStopSignal} from '../../src/cli/stop-signals.js'
import {Announcer} from '../../src/lan/announce.js'
import {AnnounceOutput} from '../../src/ui/announce-output.js'

async function main(): Promise<void> {
  const warn = (message: string) => process.stderr.write(`Warning: ${message}\n`)
  // announce's defaults (src/cli/flags.ts) and the bench's own flags.
  const flags = {
    text: 'hi',
    to: ['127.0.0.1'],
    port: Number(process.argv[2]),
    'bind-port': 0,
    wait: 0,
    check: true,
    retries: 3,
    repeat: 1,
    interval: 5000,
    user: os.userInfo().username || 'lanmsg',
    host: os.hostname(),
    group: '',
  }
  const plan = await planAnnounce(flags, {warn})
  const announcer = new Announcer()
  const {targets, sweep} = plan.options
  const output = await AnnounceOutput.open(announcer, {json: false, targets, sweep, warn, notice: plan.shared})
  const stop = onStopSignal(() => announcer.abort())
  const run = announcer.run({...plan.options, maxReplies: output.maxReplies})
  const result = await output.follow(run, () => stop.signal).finally(() => stop.remove())
  const exit = announceExit(result, plan, stop.signal)
  await output.finish(result, exit.lines)
  if (exit.code !== undefined) process.exitCode = exit.code
}

// eslint-disable-next-line unicorn/prefer-top-level-await -- bundled as CommonJS, which has no top-level await
main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`)
  process.exitCode = 1
})
