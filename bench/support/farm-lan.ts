// The test bed's simulated LAN (test/support/netns.ts: router, responder farm) for the benchmarks: the staged
// CLI run in a host, its memory sampled while it runs, and the LAN removed whatever happens.
import type {Host, LanOptions, NetnsProcess} from '../../test/support/netns.js'

import {namespaceEnv, netnsSkipReason, SimulatedLan} from '../../test/support/netns.js'
import {onCleanup} from './netns.js'
import {cli, memoryMiB} from './proc.js'

/** Why the simulated LAN cannot be built here, or undefined. */
export function farmLanUnavailable(): string | undefined {
  try {
    return netnsSkipReason()
  } catch (error) {
    return (error as Error).message
  }
}

/** Builds the LAN and starts its farm (every farm host answering), removed at the end of the benchmark. */
export async function farmLan(
  options: LanOptions,
  farmSeconds: number,
): Promise<{farm: NetnsProcess; lan: SimulatedLan}> {
  const lan = await SimulatedLan.create(options)
  onCleanup(() => lan.destroySync())
  const farm = lan.startFarm({durationS: farmSeconds})
  const count = lan.farm.length
  await farm.waitForRecords((r: {ready?: number}) => r.ready === count, 1, 120_000, `the farm's ${count} sockets`)
  return {farm, lan}
}

export interface MeasuredRun {
  code: null | number
  stdout: string
  stderr: string
  wallMs: number
  /** Peak RSS (VmHWM) at the last sample before the exit; RSS at each sample. */
  peakMiB: number
  samples: Array<{atMs: number; rssMiB: number}>
}

/** `lanmsg ARGS` (the staged CLI) in `host`, its memory sampled every `everyMs`, killed after timeoutMs. */
// eslint-disable-next-line max-params -- the LAN, the host and the command, then how to sample and when to stop
export async function measuredCli(
  lan: SimulatedLan,
  host: Host,
  args: string[],
  timeoutMs: number,
  everyMs = 500,
): Promise<MeasuredRun> {
  const started = performance.now()
  const proc = lan.exec(host, [process.execPath, cli.bin, ...args], {
    env: namespaceEnv({NO_COLOR: '1', LANMSG_STATE_DIR: host.stateDir}),
  })
  let peakMiB = 0
  const samples: MeasuredRun['samples'] = []
  const sampler = setInterval(() => {
    const m = memoryMiB(proc.pid)
    if (!m || Number.isNaN(m.hwm)) return
    peakMiB = Math.max(peakMiB, m.hwm)
    samples.push({atMs: Math.round(performance.now() - started), rssMiB: m.rss})
  }, everyMs)
  const result = await proc.wait(timeoutMs)
  clearInterval(sampler)
  return {
    code: result.code,
    stdout: result.stdout,
    stderr: result.stderr,
    wallMs: performance.now() - started,
    peakMiB,
    samples,
  }
}
