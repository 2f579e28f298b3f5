// Durations as users type them: `3s`, `500ms`, `2m`, `1.5s`, `1h`; a bare number means seconds. Views format them
// with ui/duration-text.ts.
const UNITS: Record<string, number> = {'': 1000, h: 3_600_000, m: 60_000, min: 60_000, ms: 1, s: 1000}

/** Milliseconds for a duration string, or undefined when it is not one. Negative values are not durations. */
export function parseDuration(input: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|min|h)?\s*$/i.exec(input)
  if (!match) return undefined
  const value = Number(match[1]) * UNITS[(match[2] ?? '').toLowerCase()]
  return Number.isFinite(value) ? Math.round(value) : undefined
}
