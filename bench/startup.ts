// Start-up: median wall time of the built CLI against `node -e ''` on the same machine, in the same run.
// Runs are interleaved (one of each command per round) so that a noisy neighbour slows all of them alike.
import type {Benchmark, Row} from './support/report.js'

import {cli, freeUdpPort, median, runTimed} from './support/proc.js'

interface Case {
  name: string
  args: string[]
  /** Ratio to node that must not be exceeded, when there is a target. */
  maxRatio?: number
  check: (run: ReturnType<typeof runTimed>) => string | undefined
}

const exitedZero = (run: ReturnType<typeof runTimed>) =>
  run.code === 0 ? undefined : `exit ${run.code ?? run.signal}: ${(run.stderr || run.stdout).trim().slice(0, 200)}`

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1'}
  delete env.NODE_OPTIONS // the same bare node for every command and for the baseline
  return env
}

export const startup: Benchmark = {
  name: 'start-up',
  // eslint-disable-next-line max-lines-per-function -- one scenario read top to bottom: set up, measure, report
  async run({quick, log}) {
    const port = await freeUdpPort() // nothing listens there: announce sends one datagram and exits
    const cases: Case[] = [
      {name: "node -e ''", args: ['-e', ''], check: exitedZero},
      {
        name: 'lanmsg --version',
        args: [cli.bin, '--version'],
        maxRatio: 1.8,
        check: (run) =>
          exitedZero(run) ??
          (/^lanmsg\/\S+ \S+-\S+ node-v\S+\n$/.test(run.stdout) ? undefined : `unexpected output ${run.stdout}`),
      },
      {
        name: 'lanmsg announce --help',
        args: [cli.bin, 'announce', '--help'],
        check: (run) => exitedZero(run) ?? (run.stdout.includes('USAGE') ? undefined : 'no USAGE in the help'),
      },
      {
        name: 'lanmsg announce hi --to 127.0.0.1 --wait 0',
        args: [
          cli.bin,
          'announce',
          'hi',
          '--to',
          '127.0.0.1',
          '--port',
          String(port),
          '--bind-port',
          '0',
          '--wait',
          '0',
        ],
        maxRatio: 2.5,
        check: exitedZero,
      },
    ]
    const warmups = 2
    const rounds = quick ? 5 : 15
    const env = childEnv()
    const times: number[][] = cases.map(() => [])
    for (let round = 0; round < warmups + rounds; round++) {
      for (const [i, c] of cases.entries()) {
        const run = runTimed(process.execPath, c.args, 30_000, env)
        const problem = c.check(run)
        if (problem) throw new Error(`${c.name}: ${problem}`)
        if (round >= warmups) times[i].push(run.ms)
      }
    }

    const medians = times.map((t) => median(t))
    const node = medians[0]
    log(`start-up medians (ms): ${cases.map((c, i) => `${c.name} ${medians[i].toFixed(1)}`).join(', ')}`)
    const rows: Row[] = cases.map((c, i) => {
      const row: Row = {bench: 'start-up', measure: c.name, value: medians[i], unit: 'ms'}
      if (i === 0) return {...row, note: `baseline, median of ${rounds}`}
      const ratio = medians[i] / node
      return {
        ...row,
        baseline: {name: 'node', value: node},
        ratio,
        ...(c.maxRatio === undefined ? {} : {target: `<= ${c.maxRatio}x node`, met: ratio <= c.maxRatio}),
      }
    })
    return {
      rows,
      details: {
        port,
        warmups,
        rounds,
        commands: cases.map((c, i) => ({
          name: c.name,
          argv: ['node', ...c.args.map((a) => (a === cli.bin ? 'bin/run.js' : a))],
          medianMs: medians[i],
          ratioToNode: medians[i] / node,
          runsMs: times[i].map((t) => Math.round(t * 100) / 100),
        })),
      },
    }
  },
}
