// BR_ENTRY, BR_EXIT, ANSENTRY, BR_ABSENCE, NOOPERATION: nickname, group, and the UTF-8 or iptux extension (§1.4).
import type {BodyCodec} from '../body-codec.js'

import {checkField, concat, EncodeError, tooLarge} from '../encode-support.js'
import {decodeEntryBody, encodeEntryBody, type EntryBodyParts, splitEntryBody} from '../entry-body.js'

export const entryBody: BodyCodec = {
  family: 'entry',
  fields: ['extension', 'iptux'],
  split: splitEntryBody,
  decode(packet, body, split) {
    const parts = (split as EntryBodyParts | undefined) ?? splitEntryBody(body.bytes.subarray(body.start))
    const entry = decodeEntryBody(parts, body.charset)
    packet.nickname = entry.nickname
    packet.group = entry.group
    if (entry.extension) {
      packet.extension = entry.extension
      // §1.4: the UTF-8 extension wins over the legacy fields.
      if (entry.extension.UN !== undefined) packet.user = entry.extension.UN
      if (entry.extension.HN !== undefined) packet.host = entry.extension.HN
    }

    if (entry.iptux) packet.iptux = entry.iptux
  },
  encode(packet, {header, limits}) {
    const nickname = checkField(packet.nickname ?? '', 'the nickname')
    const group = checkField(packet.group ?? '', 'the group')
    const vs = packet.vs === undefined ? undefined : checkField(packet.vs, 'the VS version')
    if (vs?.includes('\n')) throw new EncodeError('INVALID_FIELD', 'the VS version must not contain a line break')
    const {user, host, utf8Extension} = packet
    const body = encodeEntryBody({nickname, group, user, host, vs, utf8Extension}, limits.charset)
    const error = tooLarge('entry packet', [header, body], header.length + body.length, limits)
    if (error) throw error
    return {bytes: concat([header, body]), truncated: false}
  },
}
