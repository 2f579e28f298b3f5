// One line of doctor's checklist: what was checked, what was found, and what to do when it failed. "unknown" is
// the honest answer whenever the run could not tell (never a guess shown as ok).
export type CheckStatus = 'fail' | 'ok' | 'unknown'

export interface Check {
  /** Stable name for scripts: interfaces, udp-port, packet-numbers, echo, broadcast, broadcast-replies, … */
  id: string
  /** 'this host', 'LAN', or the target's address. */
  scope: string
  title: string
  status: CheckStatus
  /** What was found, in one line. */
  detail: string
  /** For a failure (and some unknowns): what to do, in one line. */
  advice?: string
}

// eslint-disable-next-line max-params -- the checklist's columns in their order: each call reads as a row of the table
export function check(
  id: string,
  scope: string,
  title: string,
  status: CheckStatus,
  detail: string,
  advice?: string,
): Check {
  return advice === undefined ? {id, scope, title, status, detail} : {id, scope, title, status, detail, advice}
}
