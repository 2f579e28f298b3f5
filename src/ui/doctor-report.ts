// Doctor's checklist for people: one row per check with its mark, then one line of advice per check that failed
// (or could not tell and has something to suggest). Marks fall back to ASCII where the terminal may not show ✓.
import type {DoctorReport} from '../lan/doctor/doctor.js'

import {paint} from './color.js'
import {type Column, renderTable, type Row, type TableOptions} from './table.js'
import {safeText} from './terminal-safe.js'

export interface Marks {
  ok: string
  fail: string
  unknown: string
}

export const UNICODE_MARKS: Marks = {ok: '✓', fail: '✗', unknown: '?'}
export const ASCII_MARKS: Marks = {ok: 'ok', fail: 'FAIL', unknown: '?'}

/** ✓ and ✗ on a terminal with a UTF-8 locale; ok/FAIL in a pipe, a file, a dumb terminal or a C locale. */
export function marksFor(stream: Pick<NodeJS.WriteStream, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): Marks {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || ''
  const utf8 = /utf-?8/i.test(locale)
  return stream.isTTY === true && env.TERM !== 'dumb' && utf8 ? UNICODE_MARKS : ASCII_MARKS
}

const COLUMNS: Column[] = [
  {header: '', key: 'mark', keep: true},
  {header: 'WHERE', key: 'scope', keep: true},
  {header: 'CHECK', key: 'title', maxWidth: 34},
  {header: 'FOUND', key: 'detail'},
]

export function renderDoctorReport(report: DoctorReport, opts: TableOptions & {marks?: Marks} = {}): string {
  const marks = opts.marks ?? ASCII_MARKS
  const colour = paint(opts.color ?? false)
  const tint = {ok: colour.green, fail: colour.red, unknown: colour.yellow}
  const rows: Row[] = report.checks.map((c) => ({
    mark: marks[c.status],
    scope: c.scope,
    title: c.title,
    detail: c.detail,
  }))
  const table = renderTable(COLUMNS, rows, opts)
    .split('\n')
    .map((line, i) => (i < 2 || !opts.color ? line : tint[report.checks[i - 2]?.status ?? 'ok'](line)))
    .join('\n')
  const advice = report.checks
    .filter((c) => c.advice !== undefined && c.status !== 'ok')
    .map((c) => `${marks[c.status]} ${safeText(c.scope)}, ${c.title}: ${safeText(c.advice!)}`)
  const sections = [table]
  if (advice.length > 0) sections.push(`What to do:\n${advice.join('\n')}`)
  sections.push(summary(report))
  return sections.join('\n\n')
}

export function summary(report: DoctorReport): string {
  const parts = [`${report.ok} ok`, `${report.failed} failed`, `${report.unknown} could not tell`]
  return `${parts.join(', ')}.`
}

export function doctorJson(report: DoctorReport) {
  return {checks: report.checks, ok: report.ok, failed: report.failed, unknown: report.unknown}
}
