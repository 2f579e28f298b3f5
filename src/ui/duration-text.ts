// Durations as a person reads them in progress lines: `800ms`, `2.5s`, `1.5m` (units cli/duration.ts parses back).

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))}s`
  return `${Number((ms / 60_000).toFixed(2))}m`
}
