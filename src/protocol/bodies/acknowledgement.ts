// RECVMSG, READMSG, ANSREADMSG, RELEASEFILES: the body is the number of the packet they answer (§3.6, §3.8).
import type {BodyCodec} from '../body-codec.js'

import {firstPartText} from '../body-codec.js'
import {encodeDecimalBody, parseDecimalBody} from './decimal.js'
import {encodeTextBody} from './plain.js'

export const acknowledgementBody: BodyCodec = {
  family: 'acknowledgement',
  fields: [],
  decode(packet, body) {
    packet.text = firstPartText(body).text
    const acknowledges = parseDecimalBody(packet.text)
    if (acknowledges !== undefined) packet.acknowledges = acknowledges
  },
  encode(packet, ctx) {
    if (packet.acknowledges === undefined) return encodeTextBody(packet.text ?? '', ctx)
    return encodeDecimalBody(packet.acknowledges, 'the acknowledged packet number', ctx)
  },
}
