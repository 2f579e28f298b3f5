import {EXIT_CODES as NET_EXIT_CODES} from '../net/net-error.js'

/** Every exit code lanmsg uses (documented in the README and in `announce --help`). */
export const EXIT_CODES = {
  ok: 0,
  ...NET_EXIT_CODES,
  /** A unicast target of a packet that asks for a receipt never acknowledged it. */
  notDelivered: 6,
  /** Fewer peers answered than --expect asked for, or a discovery that nobody answered. */
  fewerAnswers: 7,
  /** The results could not be written to stdout (a full disk, a terminal that went away): one line on stderr. */
  outputFailed: 8,
} as const
