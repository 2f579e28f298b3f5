// Who `listen --respond` says it is, checked before the socket opens: a BR_ENTRY that cannot be encoded (a
// 9,000-character nickname) is a usage error, not a failure after lanmsg has started answering on the port.
import type {ResponderSelf} from '../lan/responder-policy.js'

import {UsageError} from '../net/usage-error.js'
import {ABSENCEOPT, CAPUTF8OPT, MODES} from '../protocol/constants.js'
import {encode, EncodeError} from '../protocol/encode.js'

export interface IdentityFlags {
  respond: boolean
  user: string
  host: string
  nick?: string
  group: string
  absent?: string
}

/** Who `listen --respond` is (undefined without --respond), refused when it cannot be announced. */
export function responderSelf(flags: IdentityFlags, version: string): ResponderSelf | undefined {
  if (!flags.respond) return undefined
  return checkResponderIdentity({
    user: flags.user,
    host: flags.host,
    nickname: flags.nick ?? flags.user,
    group: flags.group,
    absent: flags.absent !== undefined,
    absenceText: flags.absent,
    version,
  })
}

function checkResponderIdentity(self: ResponderSelf): ResponderSelf {
  try {
    encode({
      packetNo: 1,
      user: self.user,
      host: self.host,
      command: MODES.BR_ENTRY | CAPUTF8OPT | (self.absent ? ABSENCEOPT : 0),
      nickname: self.nickname,
      group: self.group,
    })
  } catch (error) {
    if (error instanceof EncodeError) {
      throw new UsageError(
        `--user/--host/--nick/--group: cannot announce this identity: ${error.message}; shorten them`,
      )
    }

    throw error
  }

  return self
}
