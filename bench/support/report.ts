// What every benchmark returns, the table printed at the end, and the machine the figures came from.
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import os from 'node:os'
import {join} from 'node:path'

import {ROOT} from './proc.js'

export interface Row {
  /** Benchmark group, e.g. 'start-up'. */
  bench: string
  /** What was measured, e.g. 'lanmsg --version'. */
  measure: string
  value: number | string
  /** 'ms', 'ops/s', '%', 'MiB', 'dgrams', … */
  unit: string
  /** The figure of the baseline run in the same benchmark, when there is one. */
  baseline?: {name: string; value: number | string}
  /** value / baseline (start-up: times slower than node; throughput: times faster). */
  ratio?: number
  /** Human-readable target, e.g. '≤ 1.8× node'. */
  target?: string
  met?: boolean
  note?: string
}

export interface BenchOutcome {
  name: string
  rows: Row[]
  /** Raw figures for latest.json. */
  details?: unknown
  skipped?: string
  error?: string
  seconds?: number
}

export interface BenchContext {
  quick: boolean
  /** Progress on stderr; the table goes to stdout. */
  log: (message: string) => void
}

export interface Benchmark {
  name: string
  run: (context: BenchContext) => Promise<Omit<BenchOutcome, 'name'>>
}

function formatNumber(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value)
  if (unit === '%') return value === 0 ? '0 %' : `${value < 0.1 ? value.toFixed(3) : value.toFixed(2)} %`
  if (unit === 'ms') return `${value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ms`
  if (unit === 's') return `${value.toFixed(2)} s`
  if (unit === 'MiB') return `${value.toFixed(1)} MiB`
  const rounded = Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toFixed(2)))
  return unit ? `${rounded} ${unit}` : rounded
}

export function formatValue(value: number | string, unit: string): string {
  return typeof value === 'number' ? formatNumber(value, unit) : value
}

function status(row: Row): string {
  if (row.met === undefined) return row.target ? '?' : ''
  return row.met ? 'met' : 'MISSED'
}

/** The results as an aligned text table (plain ASCII separators, so it pastes anywhere). */
export function renderTable(outcomes: BenchOutcome[]): string {
  const header = ['Benchmark', 'Measure', 'Value', 'Baseline', 'Ratio', 'Target', 'Status']
  const lines: string[][] = [header]
  for (const outcome of outcomes) {
    if (outcome.skipped) lines.push([outcome.name, `skipped: ${outcome.skipped}`, '', '', '', '', ''])
    if (outcome.error) lines.push([outcome.name, `ERROR: ${outcome.error}`, '', '', '', '', 'ERROR'])
    for (const row of outcome.rows) {
      lines.push([
        row.bench,
        row.measure + (row.note ? ` (${row.note})` : ''),
        formatValue(row.value, row.unit),
        row.baseline ? `${row.baseline.name} ${formatValue(row.baseline.value, row.unit)}` : '',
        row.ratio === undefined || !Number.isFinite(row.ratio) ? '' : `${row.ratio.toFixed(2)}x`,
        row.target ?? '',
        status(row),
      ])
    }
  }

  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)))
  const render = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 2 || i === 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [render(lines[0]), rule, ...lines.slice(1).map((l) => render(l))].join('\n')
}

export interface MachineInfo {
  date: string
  cpu: string
  cores: number
  memoryGiB: number
  loadAverage: number[]
  os: string
  node: string
  python?: string
  commit?: string
  dirty?: boolean
  /** How listen reads: batches through the addon (built, not switched off), or one datagram at a time. */
  listenReads?: 'batched (recvmmsg)' | 'one at a time'
}

function tryExec(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, {cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
  } catch {
    return undefined
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus()
  const status = tryExec('git', ['status', '--porcelain', '--untracked-files=no'])
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python: tryExec(process.env.PYTHON ?? 'python3', ['--version'])?.replace(/^Python /, ''),
    commit: tryExec('git', ['rev-parse', '--short', 'HEAD']),
    dirty: status === undefined ? undefined : status !== '',
  }
}

/** How the built CLI's `listen` reads datagrams (call after the build). */
export function listenReads(): NonNullable<MachineInfo['listenReads']> {
  const addon = existsSync(join(ROOT, 'dist', 'lanmsg_recv.node'))
  return process.platform === 'linux' && process.env.LANMSG_BATCH_READ !== 'off' && addon
    ? 'batched (recvmmsg)'
    : 'one at a time'
}
