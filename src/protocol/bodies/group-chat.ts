// Feiqiu group chat (0x23 message, 0xC9 announce; field notes §2.3): from a Feiqiu sender the body is Blowfish
// ciphertext keyed by its MAC (group-chat.ts); from anyone else these private codes carry plain text.
import type {BodyCodec} from '../body-codec.js'

import {applyGroupChat} from '../group-chat.js'
import {plainBody} from './plain.js'

export const groupChatBody: BodyCodec = {
  family: 'groupChat',
  fields: ['font', 'encrypted', 'groupChat'],
  decode(packet, body) {
    if (packet.client.kind === 'feiqiu') applyGroupChat(packet, body.bytes.subarray(body.start))
    else plainBody.decode(packet, body)
  },
  // lanmsg sends no group chat; a packet built with one of these codes by --command carries its text as given.
  encode: plainBody.encode,
}
