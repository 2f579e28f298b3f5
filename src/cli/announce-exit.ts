// How an announce ends: its exit code, and the lines on stderr that explain a 7 (cli/answer-shortfall.ts).
import type {AnnounceResult} from '../lan/announce.js'
import type {AnnouncePlan} from './announce-plan.js'
import type {StopSignal} from './stop-signals.js'

import {answerShortfall} from './answer-shortfall.js'
import {EXIT_CODES} from './exit-codes.js'
import {interruptedExitCode} from './stop-signals.js'

export interface AnnounceExit {
  /** Undefined: the run did all it was asked (exit 0). */
  code?: number
  /** Said on stderr after the report: why fewer answered than asked for. */
  lines: string[]
}

export function announceExit(result: AnnounceResult, plan: AnnouncePlan, signal?: StopSignal): AnnounceExit {
  const {discovery, options} = plan
  const shortfall = answerShortfall(result, {discovery, expect: options.expect, waited: options.waitMs !== 0})
  const undelivered = result.deliveries.some((d) => !d.delivered && !d.cannotAnswer)
  const code = undelivered ? EXIT_CODES.notDelivered : shortfall ? EXIT_CODES.fewerAnswers : undefined
  // Cut short by a signal: what was collected is printed, and the exit code says it is not the whole answer.
  return {code: signal ? interruptedExitCode(signal) : code, lines: undelivered ? [] : (shortfall ?? [])}
}
