// The one table from mode (low 8 bits of the command word) to body codec, shared by decode, encode and the views.
import type {BodyCodec} from './body-codec.js'

import {acknowledgementBody} from './bodies/acknowledgement.js'
import {entryBody} from './bodies/entry.js'
import {groupChatBody} from './bodies/group-chat.js'
import {hostListBody} from './bodies/host-list.js'
import {imageBody} from './bodies/image.js'
import {messageBody} from './bodies/message.js'
import {plainBody} from './bodies/plain.js'
import {MODE_MASK, MODES} from './constants.js'

const ROWS: ReadonlyArray<[BodyCodec, number[]]> = [
  [entryBody, [MODES.NOOPERATION, MODES.BR_ENTRY, MODES.BR_EXIT, MODES.ANSENTRY, MODES.BR_ABSENCE]],
  [messageBody, [MODES.SENDMSG]],
  [acknowledgementBody, [MODES.RECVMSG, MODES.READMSG, MODES.ANSREADMSG, MODES.RELEASEFILES]],
  [hostListBody, [MODES.BR_ISGETLIST, MODES.OKGETLIST, MODES.GETLIST, MODES.ANSLIST, MODES.BR_ISGETLIST2]],
  [groupChatBody, [MODES.FEIQ_GROUPMSG, MODES.FEIQ_GROUP_ANNOUNCE]],
  [imageBody, [MODES.FEIQ_SENDIMAGE]],
]

// Every other mode (GETINFO, SENDINFO, SENDABSENCEINFO, the private codes…) carries plain text.
const TABLE: readonly BodyCodec[] = (() => {
  const table = Array.from<BodyCodec>({length: MODE_MASK + 1}).fill(plainBody)
  for (const [codec, modes] of ROWS) for (const mode of modes) table[mode] = codec
  return table
})()

/** The body codec of a mode or a whole command word (only the low 8 bits count). */
export function bodyCodec(command: number): BodyCodec {
  return TABLE[command & MODE_MASK]
}
