// `npm run bench [-- --quick] [-- --only codec,ingest]`: every figure that matters, against its baseline,
// in one run. Prints a table on stdout (progress on stderr) and writes bench/results/latest.json.
// Exit status: 0 when every benchmark ran (missed targets are reported, not fatal); 1 when one failed to run;
// with --strict, 1 also when a target was missed.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {Benchmark, BenchContext, BenchOutcome} from './support/report.js'

import {captureRead} from './capture-read.js'
import {ceiling} from './ceiling.js'
import {codec} from './codec.js'
import {collisions} from './collisions.js'
import {discovery} from './discovery.js'
import {discoveryFarm} from './discovery-farm.js'
import {ingest} from './ingest.js'
import {jsonMemory} from './json-memory.js'
import {memory} from './memory.js'
import {packetNumbers} from './packet-numbers.js'
import {replyBurst} from './reply-burst.js'
import {startup} from './startup.js'
import {sweep} from './sweep.js'
import {worstCase} from './worst-case.js'
import {ensureBuilt, stageCli} from './support/build.js'
import {runCleanups} from './support/netns.js'
import {killStragglers, ROOT} from './support/proc.js'
import {listenReads, machineInfo, renderTable} from './support/report.js'

const BENCHMARKS: Benchmark[] = [
  startup,
  codec,
  worstCase,
  ingest,
  ceiling,
  replyBurst,
  discovery,
  discoveryFarm,
  sweep,
  memory,
  jsonMemory,
  packetNumbers,
  collisions,
  captureRead,
]

function parseArgs(argv: string[]): {only?: Set<string>; quick: boolean; strict: boolean} {
  let only: Set<string> | undefined
  for (const [i, arg] of argv.entries()) {
    if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[i + 1] : arg.slice('--only='.length)
      only = new Set((value ?? '').split(',').map((s) => s.trim()))
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        `usage: npm run bench [-- --quick] [-- --strict] [-- --only ${BENCHMARKS.map((b) => b.name).join(',')}]\n`,
      )
      process.exit(0)
    }
  }

  if (only) {
    const unknown = [...only].filter((name) => !BENCHMARKS.some((b) => b.name === name))
    if (unknown.length > 0) {
      process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name)}\n`)
      process.exit(2)
    }
  }

  return {only, quick: argv.includes('--quick'), strict: argv.includes('--strict')}
}

function cleanUpAndExit(signal: NodeJS.Signals): void {
  process.stderr.write(`\n${signal}: stopping the benchmark processes and removing its network namespaces\n`)
  killStragglers()
  runCleanups()
  process.exit(130)
}

async function main(): Promise<number> {
  const {only, quick, strict} = parseArgs(process.argv.slice(2))
  process.once('SIGINT', cleanUpAndExit)
  process.once('SIGTERM', cleanUpAndExit)
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`)
  const machine = machineInfo()
  log(`${quick ? 'quick' : 'full'} run on ${machine.cpu} (${machine.cores} cores), node ${machine.node}`)
  const build = ensureBuilt(log)
  machine.listenReads = listenReads()
  const staged = stageCli()
  log(`measuring a snapshot of the built CLI: ${staged}/bin/run.js`)
  const context: BenchContext = {quick, log}
  const outcomes: BenchOutcome[] = []
  const started = Date.now()
  for (const bench of BENCHMARKS) {
    if (only && !only.has(bench.name)) continue
    log(`${bench.name}…`)
    const t0 = Date.now()
    try {
      outcomes.push({name: bench.name, ...(await bench.run(context)), seconds: (Date.now() - t0) / 1000})
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      log(`${bench.name} failed: ${message}`)
      outcomes.push({name: bench.name, rows: [], error: message, seconds: (Date.now() - t0) / 1000})
    } finally {
      killStragglers()
      runCleanups()
    }
  }

  const table = renderTable(outcomes)
  const seconds = (Date.now() - started) / 1000
  process.stdout.write(
    `\nlanmsg benchmarks (${quick ? 'quick' : 'full'}), ${machine.date}\n` +
      `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}` +
      `, load average ${machine.loadAverage.join(' ')} at start; listen reads ${machine.listenReads}\n\n${table}\n\n`,
  )
  const missed = outcomes.flatMap((o) => o.rows).filter((r) => r.met === false)
  const failed = outcomes.filter((o) => o.error)
  const skipped = outcomes.filter((o) => o.skipped)
  const resultsDir = join(ROOT, 'bench', 'results')
  mkdirSync(resultsDir, {recursive: true})
  const file = join(resultsDir, 'latest.json')
  writeFileSync(
    file,
    JSON.stringify({mode: quick ? 'quick' : 'full', machine, build, seconds, outcomes}, null, 2) + '\n',
  )
  process.stdout.write(
    `${outcomes.length} benchmark${outcomes.length === 1 ? '' : 's'} in ${seconds.toFixed(0)} s; ` +
      `${missed.length === 0 ? 'no target missed' : `${missed.length} target${missed.length === 1 ? '' : 's'} missed: ${missed.map((r) => `${r.bench} ${r.measure}`).join('; ')}`}` +
      `${skipped.length > 0 ? `; skipped: ${skipped.map((o) => o.name).join(', ')}` : ''}` +
      `${failed.length > 0 ? `; ${failed.length} benchmark${failed.length === 1 ? '' : 's'} FAILED to run` : ''}. ` +
      `Results: bench/results/latest.json\n`,
  )
  if (failed.length > 0) return 1
  return strict && missed.length > 0 ? 1 : 0
}

process.exitCode = await main()
