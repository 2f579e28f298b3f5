// SENDMSG: the message, then (FILEATTACHOPT) the attachment list in the second part (§1.4, §1.6); Feiqiu's font
// directive is split off the end of the text (§6.2); an ENCRYPTOPT text is ciphertext and left as sent.
import type {BodyCodec} from '../body-codec.js'

import {firstPartText, partEnd} from '../body-codec.js'
import {decodeAttachmentList} from '../attachments.js'
import {ENCRYPTOPT, FILEATTACHOPT} from '../constants.js'
import {splitFont} from '../font.js'
import {encodeTextBody} from './plain.js'

export const messageBody: BodyCodec = {
  family: 'message',
  fields: ['attachmentErrors', 'font', 'encrypted'],
  decode(packet, body) {
    const {bytes} = body
    const first = firstPartText(body)
    if (packet.command & ENCRYPTOPT) {
      packet.text = first.text
      packet.encrypted = true
    } else {
      const {text, font} = splitFont(first.text)
      packet.text = text
      if (font !== undefined) packet.font = font
    }

    if (packet.command & FILEATTACHOPT) {
      const listStart = Math.min(first.end + 1, bytes.length)
      const list = decodeAttachmentList(body.text(listStart, partEnd(bytes, listStart)))
      packet.attachments = list.attachments
      if (list.errors.length > 0) packet.attachmentErrors = list.errors
    }
  },
  // Attachments are sent by the caller inside the text (encodeAttachments): lanmsg offers no files of its own.
  encode: (packet, ctx) => encodeTextBody(packet.text ?? '', ctx),
}
