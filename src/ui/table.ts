// Aligned plain-text tables for people: every cell is made terminal-safe, then measured in display columns so
// that CJK names and emoji line up.
import {paint} from './color.js'
import {displayWidth, padToWidth, truncateToWidth} from './display-width.js'
import {safeText} from './terminal-safe.js'

export interface Column {
  header: string
  key: string
  align?: 'left' | 'right'
  maxWidth?: number
}

/** A cell that is already terminal-safe (e.g. an escaped byte preview): shown as is, not escaped twice. */
export class EscapedText {
  constructor(readonly text: string) {}
}

export type Row = Record<string, EscapedText | number | string | undefined>

export interface TableOptions {
  /** Terminal width: the widest columns are shrunk (cells cut with `…`) until a row fits. */
  width?: number
  /** Dim header instead of a `─` rule. */
  color?: boolean
}

const GAP = '  '
const MIN_SHRUNK_WIDTH = 3

function cellText(value: EscapedText | number | string | undefined): string {
  if (value instanceof EscapedText) return value.text
  return value === undefined ? '' : safeText(String(value))
}

/** Column widths in display columns: the widest cell or header, capped by maxWidth, shrunk to fit opts.width. */
export function columnWidths(columns: Column[], rows: Row[], opts: {width?: number} = {}): number[] {
  const widths = columns.map((column) => {
    let width = displayWidth(safeText(column.header))
    for (const row of rows) width = Math.max(width, displayWidth(cellText(row[column.key])))
    return column.maxWidth === undefined ? width : Math.min(width, Math.max(1, column.maxWidth))
  })

  if (opts.width !== undefined) {
    const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * Math.max(0, widths.length - 1)
    const floors = widths.map((w) => Math.min(w, MIN_SHRUNK_WIDTH))
    let excess = total() - opts.width
    while (excess > 0) {
      let widest = -1
      for (const [i, w] of widths.entries()) if (w > floors[i] && (widest < 0 || w > widths[widest])) widest = i
      if (widest < 0) break // as narrow as it gets; the terminal wraps the rest
      widths[widest]--
      excess--
    }
  }

  return widths
}

function renderCells(columns: Column[], widths: number[], texts: string[]): string {
  const last = columns.length - 1
  const line = columns
    .map((column, i) => {
      const text = truncateToWidth(texts[i], widths[i])
      if (i === last && column.align !== 'right') return text
      return padToWidth(text, widths[i], column.align)
    })
    .join(GAP)
  // No trailing spaces (an empty last cell would leave padding and the gap behind).
  return line.replace(/ +$/, '')
}

/** One aligned row with fixed column widths, for printing rows as they arrive. */
export function renderRow(columns: Column[], widths: number[], row: Row): string {
  return renderCells(
    columns,
    widths,
    columns.map((column) => cellText(row[column.key])),
  )
}

/** The header: a dim line when colour is on, else the header line and a `─` rule. */
export function renderHeader(columns: Column[], widths: number[], opts: {color?: boolean} = {}): string {
  const line = renderCells(
    columns,
    widths,
    columns.map((column) => safeText(column.header)),
  )
  if (opts.color) return paint(true).dim(line)
  return `${line}\n${widths.map((w) => '─'.repeat(w)).join(GAP)}`
}

/** A whole table: header then one line per row, without a trailing newline; no rows gives just the header. */
export function renderTable(columns: Column[], rows: Row[], opts: TableOptions = {}): string {
  const widths = columnWidths(columns, rows, opts)
  return [renderHeader(columns, widths, opts), ...rows.map((row) => renderRow(columns, widths, row))].join('\n')
}
