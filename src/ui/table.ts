// Aligned plain-text tables for people: every cell is made terminal-safe, then measured in display columns so
// that CJK names and emoji line up. A cell costs what it shows: only the part of a text that can fit in its column
// is escaped and measured, however long the text that came from the network.
import {paint} from './color.js'
import {displayWidth, padToWidth, truncateToWidth} from './display-width.js'
import {safePrefix, safeText} from './terminal-safe.js'

export interface Column {
  header: string
  key: string
  align?: 'left' | 'right'
  /** Cells longer than this are cut with `…` (unless the table is wide). */
  maxWidth?: number
  /** Never cut to fit the screen (addresses, times, numbers): the other columns shrink or go first. */
  keep?: boolean
  /** When the screen is too narrow even with the other columns shrunk, columns with a `drop` rank go, lowest first. */
  drop?: number
}

/** A cell that is already terminal-safe (e.g. an escaped byte preview): shown as is, not escaped twice. */
export class EscapedText {
  constructor(readonly text: string) {}
}

export type Row = Record<string, EscapedText | number | string | undefined>

export interface TableOptions {
  /** Terminal width: columns are shrunk (cells cut with `…`) or dropped until a row fits. */
  width?: number
  /** Dim header instead of a `─` rule. */
  color?: boolean
  /** Cut nothing: no maxWidth, no terminal width. */
  wide?: boolean
}

const GAP = '  '
/** Columns shrink to this before any is dropped, and to MIN_SHRUNK_WIDTH only when all droppable ones are gone. */
const COMFORTABLE_WIDTH = 8
const MIN_SHRUNK_WIDTH = 3
/** A column of n display columns shows at most this many UTF-16 units per column of its text (see cellText). */
const UNITS_PER_COLUMN = 16

/**
 * The text of a cell, escaped and cut to `limit` display columns. Only as much of the value is looked at as can
 * fit: safePrefix stops once it has `limit` + 1 columns, and never gets more than UNITS_PER_COLUMN units a column
 * (a character with its capped marks, an emoji sequence, a flag take fewer), so a run of zero-width characters
 * cannot make it walk the whole text either.
 */
export function cellText(value: EscapedText | number | string | undefined, limit = Number.POSITIVE_INFINITY): string {
  if (value === undefined) return ''
  const escaped = value instanceof EscapedText
  let text = escaped ? value.text : String(value)
  if (limit === Number.POSITIVE_INFINITY) return escaped ? text : safeText(text)
  const max = (Math.max(0, limit) + 1) * UNITS_PER_COLUMN
  let cut = text.length > max
  if (cut) {
    const end = text.charCodeAt(max - 1) >= 0xd8_00 && text.charCodeAt(max - 1) <= 0xdb_ff ? max - 1 : max
    text = text.slice(0, end)
  }

  if (!escaped) {
    const safe = safePrefix(text, limit + 1)
    text = safe.text
    cut ||= safe.cut
  }

  return truncateToWidth(text, limit, cut)
}

function total(widths: number[]): number {
  return widths.reduce((sum, w) => sum + w, 0) + GAP.length * Math.max(0, widths.length - 1)
}

/** The display columns a row of this layout takes when every cell fills its column. */
export function totalWidth(layout: Layout): number {
  return total(layout.widths)
}

/** Shrinks the widest columns that may shrink, down to `floor`, until the total fits; returns what is still over. */
function shrink(columns: Column[], widths: number[], width: number, floor: number): number {
  const floors = columns.map((c, i) => (c.keep ? widths[i] : Math.min(widths[i], floor)))
  let excess = total(widths) - width
  while (excess > 0) {
    let widest = -1
    for (const [i, w] of widths.entries()) if (w > floors[i] && (widest < 0 || w > widths[widest])) widest = i
    if (widest < 0) break
    // Down to the next widest (or just enough) in one step, not one column at a time.
    let next = floors[widest]
    for (const [i, w] of widths.entries()) if (i !== widest && w < widths[widest] && w > next) next = w
    const step = Math.max(1, Math.min(excess, widths[widest] - next))
    widths[widest] -= step
    excess -= step
  }

  return excess
}

export interface Layout {
  /** The columns shown, in order. */
  columns: Column[]
  widths: number[]
  /** Cells are not cut (--wide): a longer cell pushes the rest of its row right. */
  wide: boolean
  /** The last column is shown whole (rows into a pipe: nothing follows it on the line). */
  wholeLast?: boolean
}

/**
 * Which columns to show and how wide, given each column's natural width: everything when it fits; else the columns
 * that are not `keep` shrink to COMFORTABLE_WIDTH, then `drop` columns go one by one, then the rest shrink further.
 */
export function fitColumns(columns: Column[], natural: number[], opts: {width?: number; wide?: boolean} = {}): Layout {
  if (opts.width === undefined || opts.wide) return {columns, widths: natural, wide: opts.wide === true}
  const {width} = opts
  const droppable = columns.filter((c) => c.drop !== undefined).sort((a, b) => a.drop! - b.drop!)
  let attempt: Layout = {columns, widths: natural, wide: false}
  for (let dropped = 0; dropped <= droppable.length; dropped++) {
    const gone = new Set(droppable.slice(0, dropped))
    const visible = columns.filter((c) => !gone.has(c))
    const widths = visible.map((c) => natural[columns.indexOf(c)])
    attempt = {columns: visible, widths, wide: false}
    if (shrink(visible, widths, width, COMFORTABLE_WIDTH) <= 0) return attempt
  }

  shrink(attempt.columns, attempt.widths, width, MIN_SHRUNK_WIDTH) // as narrow as it gets; the terminal wraps the rest
  return attempt
}

function layoutTable(columns: Column[], rows: Row[], opts: TableOptions): {layout: Layout; cells: string[][]} {
  // A cell never needs more than its column's cap or the whole screen.
  const limits = columns.map((c) =>
    opts.wide
      ? Number.POSITIVE_INFINITY
      : Math.min(c.maxWidth ?? Number.POSITIVE_INFINITY, opts.width ?? Number.POSITIVE_INFINITY),
  )
  // One column more than the limit, so that a cell that was cut still measures wider than the limit.
  const cells = rows.map((row) => columns.map((column, i) => cellText(row[column.key], limits[i] + 1)))
  const natural = columns.map((column, i) => {
    let width = displayWidth(safeText(column.header))
    for (const row of cells) width = Math.max(width, displayWidth(row[i]))
    return column.maxWidth === undefined || opts.wide ? width : Math.min(width, Math.max(1, column.maxWidth))
  })
  const layout = fitColumns(columns, natural, opts)
  const shown = layout.columns.map((c) => columns.indexOf(c))
  return {layout, cells: cells.map((row) => shown.map((i) => row[i]))}
}

function renderCells(layout: Layout, texts: string[]): string {
  const last = layout.columns.length - 1
  const line = layout.columns
    .map((column, i) => {
      const whole = layout.wide || (i === last && layout.wholeLast)
      const text = whole ? texts[i] : truncateToWidth(texts[i], layout.widths[i])
      if (i === last && column.align !== 'right') return text
      return padToWidth(text, layout.widths[i], column.align)
    })
    .join(GAP)
  // No trailing spaces (an empty last cell would leave padding and the gap behind). Not / +$/: that regex tries
  // every space of a long padding run that is not at the end (quadratic: 20 s for a 64 KiB name into a pipe).
  let end = line.length
  while (end > 0 && line.charCodeAt(end - 1) === 0x20) end--
  return end === line.length ? line : line.slice(0, end)
}

/** One aligned row in a fixed layout, for printing rows as they arrive. */
export function renderRow(layout: Layout, row: Row): string {
  const last = layout.columns.length - 1
  return renderCells(
    layout,
    layout.columns.map((column, i) =>
      cellText(
        row[column.key],
        layout.wide || (i === last && layout.wholeLast) ? Number.POSITIVE_INFINITY : layout.widths[i],
      ),
    ),
  )
}

/** The header: a dim line when colour is on, else the header line and a `─` rule. */
export function renderHeader(layout: Layout, opts: {color?: boolean} = {}): string {
  const line = renderCells(
    layout,
    layout.columns.map((column) => safeText(column.header)),
  )
  if (opts.color) return paint(true).dim(line)
  return `${line}\n${layout.widths.map((w) => '─'.repeat(w)).join(GAP)}`
}

/** A whole table: header then one line per row, without a trailing newline; no rows gives just the header. */
export function renderTable(columns: Column[], rows: Row[], opts: TableOptions = {}): string {
  const {layout, cells} = layoutTable(columns, rows, opts)
  return [renderHeader(layout, opts), ...cells.map((texts) => renderCells(layout, texts))].join('\n')
}
