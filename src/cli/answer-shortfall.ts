// Exit code 7 and its words: fewer peers answered than --expect asked for, or nobody answered a discovery.
import type {AnnounceResult} from '../lan/announce.js'

export const NOBODY_ANSWERED_HINT = [
  'Nobody answered. Likely: a firewall here drops the replies (they answer a broadcast, so they are not',
  '"established" traffic: allow UDP port 2425 in), the peers block UDP 2425, or they are on another subnet (use --to).',
]

/** The lines to print (stderr) when fewer answered than asked for; undefined when the answers were enough. */
export function answerShortfall(
  result: AnnounceResult,
  options: {discovery: boolean; expect?: number; waited: boolean},
): string[] | undefined {
  const {answered} = result
  if (options.expect !== undefined && answered < options.expect) {
    const lines = [`Only ${answered} of the ${options.expect} peers expected answered.`]
    return answered === 0 ? [...lines, ...NOBODY_ANSWERED_HINT] : lines
  }

  // A message that nobody acknowledged has its table; a discovery that nobody answered found nothing at all.
  if (options.discovery && options.waited && result.answered === 0) {
    return NOBODY_ANSWERED_HINT
  }

  return undefined
}
