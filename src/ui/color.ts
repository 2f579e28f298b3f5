// Colour only for a person at a terminal: NO_COLOR (https://no-color.org) and FORCE_COLOR are honoured, and
// nothing here depends on a colour library.

/**
 * FORCE_COLOR=0/false disables and any other non-empty FORCE_COLOR enables, even in a pipe (it wins over NO_COLOR,
 * as in Node itself); otherwise colour needs a TTY, an unset or empty NO_COLOR and a TERM other than `dumb`.
 */
export function colorEnabled(stream: Pick<NodeJS.WriteStream, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false'
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  return stream.isTTY === true
}

export type Paint = (s: string) => string

export interface Palette {
  bold: Paint
  dim: Paint
  green: Paint
  yellow: Paint
  red: Paint
  cyan: Paint
}

function sgr(open: number, close: number): Paint {
  return (s) => `\u001B[${open}m${s}\u001B[${close}m`
}

const identity: Paint = (s) => s

/** ANSI SGR helpers, or identity functions when colour is off. */
export function paint(enabled: boolean): Palette {
  if (!enabled) return {bold: identity, dim: identity, green: identity, yellow: identity, red: identity, cyan: identity}
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    red: sgr(31, 39),
    cyan: sgr(36, 39),
  }
}

/**
 * Cursor movement and redrawing (a spinner, a table redrawn in place) only on a terminal that can do it: a TTY
 * whose TERM is set and not `dumb`. Decided for each stream from that stream.
 */
export function animationEnabled(
  stream: Pick<NodeJS.WriteStream, 'isTTY'>,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && env.TERM !== undefined && env.TERM !== '' && env.TERM !== 'dumb'
}
