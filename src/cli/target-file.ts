// `--to @FILE`: a dial-up list, as IP Messenger keeps one: targets one a line (addresses, CIDRs, host names),
// `#` starts a comment, blank lines are skipped. A mistake names its line.
import {readFileSync, statSync} from 'node:fs'

import {UsageError} from '../net/usage-error.js'

/** A list larger than this is not a hand-kept dial-up list (a sweep is --sweep). */
export const MAX_TARGET_FILE_BYTES = 1024 * 1024

export interface TargetLine {
  /** 1-based, as an editor shows it. */
  line: number
  spec: string
}

/** The targets of the file, in order, with their line numbers; an unreadable file is a UsageError. */
export function readTargetFile(path: string): TargetLine[] {
  let text: string
  try {
    const {size} = statSync(path)
    if (size > MAX_TARGET_FILE_BYTES)
      throw new UsageError(
        `--to @${path}: ${size} bytes is not a target list (at most 1 MiB; to probe ranges use --sweep)`,
      )
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (error instanceof UsageError) throw error
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    throw new UsageError(`--to @${path}: cannot read the target list: ${reason}`, 'ETARGETFILE')
  }

  const targets: TargetLine[] = []
  for (const [i, raw] of text.split('\n').entries()) {
    const spec = raw.replace(/#.*/, '').trim()
    if (spec !== '') targets.push({line: i + 1, spec})
  }

  if (targets.length === 0) throw new UsageError(`--to @${path}: the file names no target`, 'ETARGETFILE')
  return targets
}
