// Feiqiu's FEIQ_SENDIMAGE (0xC0): with FILEATTACHOPT the body's first 8 bytes are the image id (field notes §2.2,
// compilelife/feiq RecvImage); how the image data travels is not known, so the rest is left as text.
import type {BodyCodec} from '../body-codec.js'

import {partEnd} from '../body-codec.js'
import {FILEATTACHOPT} from '../constants.js'
import {plainBody} from './plain.js'

const ID_BYTES = 8

export const imageBody: BodyCodec = {
  family: 'image',
  fields: ['imageId'],
  decode(packet, body) {
    const {bytes, start} = body
    if (!(packet.command & FILEATTACHOPT) || bytes.length - start < ID_BYTES) return plainBody.decode(packet, body)
    packet.imageId = body.text(start, start + ID_BYTES)
    packet.text = body.text(start + ID_BYTES, partEnd(bytes, start + ID_BYTES))
  },
  // lanmsg sends no images; a packet built with this code by --command carries its text as given.
  encode: plainBody.encode,
}
