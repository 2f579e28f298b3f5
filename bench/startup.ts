// Start-up: median wall time of the built CLI against `node -e ''` on the same machine, in the same run.
// Runs are interleaved (one of each command per round) so that a noisy neighbour slows all of them alike.
// Then what each start-up mechanism of bin/run.js buys: the same command with that one mechanism taken out
// ("without …" rows, against the full CLI), so that every mechanism kept is justified by a figure of this run.
// CPU time (user + system, the mean of the rounds) is printed beside wall time: on a shared machine it varies
// far less, and shows gains of a few milliseconds that the wall-time medians hide.
import {readFileSync} from 'node:fs'

import type {Benchmark, Row} from './support/report.js'

import {
  announceAlone,
  asyncJsonReads,
  bundleReadAsUtf8,
  cryptoTaskIds,
  dnsLoaded,
  eagerOclif,
  esmEntry,
  helpTrainedCache,
  localeOrder,
  nonAsciiBundle,
  plainSend,
  unpatchedHelp,
  withoutBundle,
  wslUtilsImported,
  wslUtilsPlatform,
} from './startup-variants.js'
import {cli, freeUdpPort, median, runTimed} from './support/proc.js'

type Run = ReturnType<typeof runTimed>

interface Case {
  name: string
  args: string[]
  /** Added to the environment of this command only. */
  env?: NodeJS.ProcessEnv
  /** Ratio to node that must not be exceeded, when there is a target. */
  maxRatio?: number
  /** For a "without …" row: the case (by name) that has the mechanism. */
  without?: string
  /** Its output must be byte for byte that of the case it is compared with. */
  sameOutput?: boolean
  /** A floor: what a leaner program doing the same would cost, against node (no target). */
  floor?: boolean
  check: (run: Run) => string | undefined
}

const exitedZero = (run: Run) =>
  run.code === 0 ? undefined : `exit ${run.code ?? run.signal}: ${(run.stderr || run.stdout).trim().slice(0, 200)}`

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1'}
  delete env.NODE_OPTIONS // the same bare node for every command and for the baseline
  delete env.DEBUG // DEBUG sends --version to oclif (bin/run.js); only the row that measures that sets it
  delete env.LANMSG_CODE_CACHE
  delete env.OCLIF_DISABLE_ENGINE_WARNING
  delete env.LANMSG_HOT_PATH
  // Node parses every certificate of this file at start (~50 ms of CPU here): a fixed cost that would pad the
  // baseline and flatter every ratio. lanmsg opens no TLS connection; the row below shows what it costs.
  delete env.NODE_EXTRA_CA_CERTS
  return env
}

/** CPU time (user + system) of the children this process has waited for, in ms (clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[13]) + Number(fields[14])) * 10 // cutime, cstime (fields 16 and 17 of proc(5))
}

// eslint-disable-next-line max-lines-per-function -- a table of cases, one object each
function cases(port: number): Case[] {
  const version = (run: Run) =>
    exitedZero(run) ??
    (/^lanmsg\/\S+ \S+-\S+ node-v\S+\n$/.test(run.stdout) ? undefined : `unexpected output ${run.stdout}`)
  const help = (run: Run) => exitedZero(run) ?? (run.stdout.includes('USAGE') ? undefined : 'no USAGE in the help')
  const announce = ['announce', 'hi', '--to', '127.0.0.1', '--port', String(port), '--bind-port', '0', '--wait', '0']
  const ANNOUNCE = 'lanmsg announce hi --to 127.0.0.1 --wait 0'
  const eager = eagerOclif()
  const esm = esmEntry()
  const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS
  return [
    {name: "node -e ''", args: ['-e', ''], check: exitedZero},
    ...(extraCaCerts
      ? [
          {
            name: "node -e '' with this environment's NODE_EXTRA_CA_CERTS (left out of every other row)",
            args: ['-e', ''],
            env: {NODE_EXTRA_CA_CERTS: extraCaCerts},
            without: "node -e ''",
            check: exitedZero,
          },
        ]
      : []),
    {name: 'lanmsg --version', args: [cli.bin, '--version'], maxRatio: 1.8, check: version},
    {name: 'lanmsg announce --help', args: [cli.bin, 'announce', '--help'], maxRatio: 1.5, check: help},
    {name: ANNOUNCE, args: [cli.bin, ...announce], maxRatio: 1.3, check: exitedZero},
    {
      name: 'floor: the same announce without oclif (src/ alone, flags given; bench/support/announce-alone.ts)',
      args: [announceAlone(), String(port)],
      floor: true,
      check: (run) => exitedZero(run) ?? (run.stdout.includes('0 replies') ? undefined : 'no report'),
    },
    {
      name: 'floor: a plain Node script binding a UDP socket, sending one datagram, writing one line',
      args: [plainSend(), String(port)],
      floor: true,
      check: (run) => exitedZero(run) ?? (run.stdout === 'sent\n' ? undefined : `unexpected output ${run.stdout}`),
    },
    {
      name: '--version without the shortcut (oclif answers: DEBUG=<none>)',
      args: [cli.bin, '--version'],
      env: {DEBUG: 'lanmsg-bench-matches-nothing'},
      without: 'lanmsg --version',
      sameOutput: true,
      check: version,
    },
    {
      name: 'announce --help without the code cache (LANMSG_CODE_CACHE=off)',
      args: [cli.bin, 'announce', '--help'],
      env: {LANMSG_CODE_CACHE: 'off'},
      without: 'lanmsg announce --help',
      sameOutput: true,
      check: help,
    },
    {
      name: 'announce without the code cache (LANMSG_CODE_CACHE=off)',
      args: [cli.bin, ...announce],
      env: {LANMSG_CODE_CACHE: 'off'},
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: 'announce without the bundle (oclif loads dist/commands)',
      args: [withoutBundle(), ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: 'announce from a bundle with non-ASCII characters in comments (its source UTF-16)',
      args: [nonAsciiBundle(), ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: "announce with node:crypto loaded (listr2's task ids from randomUUID)",
      args: [cryptoTaskIds(), ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: "announce with Node's dns modules loaded (dgram's default lookup)",
      args: [dnsLoaded(), ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: "announce with oclif's manifest read through fs/promises",
      args: [asyncJsonReads(), ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: "announce with the bundle read by readFileSync(file, 'utf8')",
      args: [bundleReadAsUtf8(), ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: 'announce with wsl-utils imported, not bundled',
      args: [wslUtilsImported(), ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: "announce with @oclif/core's modules all evaluated on load",
      args: [eager, ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: "announce --help with @oclif/core's modules all evaluated on load",
      args: [eager, 'announce', '--help'],
      without: 'lanmsg announce --help',
      sameOutput: true,
      check: help,
    },
    {
      name: 'announce with the commands sorted by localeCompare (ICU initialised)',
      args: [localeOrder(), ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: 'announce with the plugins loaded and localeCompare (LANMSG_HOT_PATH=off)',
      args: [cli.bin, ...announce],
      env: {LANMSG_HOT_PATH: 'off'},
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: 'announce from an ES module entry (bin/run.js required from an .mjs)',
      args: [esm, ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: 'announce --help from an ES module entry',
      args: [esm, 'announce', '--help'],
      without: 'lanmsg announce --help',
      sameOutput: true,
      check: help,
    },
    {
      name: 'announce --help rendered as oclif does (ejs for every text, widths code point by code point)',
      args: [unpatchedHelp(), 'announce', '--help'],
      without: 'lanmsg announce --help',
      sameOutput: true,
      check: help,
    },
    {
      name: 'announce with the code cache trained by announce --help alone',
      args: [helpTrainedCache(), ...announce],
      without: ANNOUNCE,
      check: exitedZero,
    },
    {
      name: "announce --help with oclif's platform from wsl-utils",
      args: [wslUtilsPlatform(), 'announce', '--help'],
      without: 'lanmsg announce --help',
      sameOutput: true,
      check: help,
    },
    {
      name: "announce with oclif's engines check (OCLIF_DISABLE_ENGINE_WARNING=0)",
      args: [cli.bin, ...announce],
      env: {OCLIF_DISABLE_ENGINE_WARNING: '0'},
      without: ANNOUNCE,
      check: exitedZero,
    },
  ]
}

export const startup: Benchmark = {
  name: 'start-up',
  // eslint-disable-next-line max-lines-per-function -- one scenario read top to bottom: set up, measure, report
  async run({quick, log}) {
    const port = await freeUdpPort() // nothing listens there: announce sends one datagram and exits
    const all = cases(port)
    const warmups = 2
    const rounds = quick ? 5 : 15
    const env = childEnv()
    const times: number[][] = all.map(() => [])
    const cpuMs = all.map(() => 0)
    const outputs = new Map<string, string>()
    for (let round = 0; round < warmups + rounds; round++) {
      for (const [i, c] of all.entries()) {
        const cpuBefore = childrenCpuMs()
        const run = runTimed(process.execPath, c.args, 30_000, {...env, ...c.env})
        const differs = c.sameOutput && c.without && run.stdout !== outputs.get(c.without)
        const problem = c.check(run) ?? (differs ? `output differs from ${c.without}` : undefined)
        if (problem) throw new Error(`${c.name}: ${problem}`)
        outputs.set(c.name, run.stdout)
        if (round < warmups) continue
        times[i].push(run.ms)
        cpuMs[i] += childrenCpuMs() - cpuBefore
      }
    }

    const medians = times.map((t) => median(t))
    const cpu = cpuMs.map((total) => total / rounds)
    const at = (name: string) => all.findIndex((c) => c.name === name)
    const node = medians[0]
    log(`start-up medians (ms): ${all.map((c, i) => `${c.name} ${medians[i].toFixed(1)}`).join(', ')}`)
    const rows: Row[] = all.map((c, i) => {
      const row: Row = {bench: 'start-up', measure: c.name, value: medians[i], unit: 'ms'}
      if (i === 0) return {...row, note: `baseline, median of ${rounds}; CPU ${cpu[0].toFixed(0)} ms`}
      if (c.without) {
        const w = at(c.without)
        const signed = (ms: number, digits: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(digits)}`
        const gain = `${signed(medians[i] - medians[w], 1)} ms wall, ${signed(cpu[i] - cpu[w], 0)} ms CPU`
        return {...row, baseline: {name: 'with it', value: medians[w]}, ratio: medians[i] / medians[w], note: gain}
      }

      const ratio = medians[i] / node
      return {
        ...row,
        baseline: {name: 'node', value: node},
        ratio,
        note: `CPU ${cpu[i].toFixed(0)} ms${c.floor ? '; a floor for the target above, not a target' : ''}`,
        ...(c.maxRatio === undefined ? {} : {target: `<= ${c.maxRatio}x node`, met: ratio <= c.maxRatio}),
      }
    })
    return {
      rows,
      details: {
        port,
        warmups,
        rounds,
        commands: all.map((c, i) => ({
          name: c.name,
          argv: ['node', ...c.args.map((a) => (a.endsWith('/bin/run.js') ? 'bin/run.js' : a))],
          env: c.env,
          comparedWith: c.without,
          medianMs: medians[i],
          meanCpuMs: cpu[i],
          ratioToNode: medians[i] / node,
          runsMs: times[i].map((t) => Math.round(t * 100) / 100),
        })),
      },
    }
  },
}
