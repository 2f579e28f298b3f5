// The JSON record of one datagram: a line of `listen --ndjson`, an element of `announce --json`'s replies.
import type {ReceivedDatagram} from '../lan/received-datagram.js'
import type {Endpoint} from '../net/endpoint.js'
import type {FamilyField} from '../protocol/body-codec.js'
import type {Attachment, Dialect, Packet} from '../protocol/types.js'

import {bodyCodec} from '../protocol/body-codecs.js'

/** The members every packet has (those the codec may leave unset as null or []), then its family's. */
type CommonField =
  'charset' | 'client' | 'command' | 'host' | 'mode' | 'options' | 'packetNo' | 'text' | 'user' | 'version'

/** The members every packet has, then those of its mode's family (its body codec's `fields`, in that order). */
export interface PacketRecord extends Partial<Pick<Packet, FamilyField>>, Pick<Packet, CommonField> {
  nickname: null | string
  group: null | string
  acknowledges: null | number
  attachments: Attachment[]
}

export interface DatagramRecord {
  receivedAt: string
  from: Endpoint
  /** From a capture (--read): where it was going, and whether it was UDP or a TCP file-transfer request. */
  to?: Endpoint
  transport?: 'tcp' | 'udp'
  size: number
  ipmsg: boolean
  packet: null | PacketRecord
  raw: string
  error?: string
  /** A known dialect without the classic header (`ipmsg` false): Windows' bare IPDict, an IpMsg.Net V2 frame. */
  dialect?: Dialect
  /** Only when true: the same packet came from the same source a moment ago (see ReceivedDatagram). */
  duplicate?: true
}

export function toDatagramRecord(datagram: ReceivedDatagram): DatagramRecord {
  const {result} = datagram
  const record: DatagramRecord = {
    receivedAt: new Date(datagram.receivedAt).toISOString(),
    from: {address: datagram.from.address, port: datagram.from.port},
    ...(datagram.to && {to: {address: datagram.to.address, port: datagram.to.port}}),
    ...(datagram.transport && {transport: datagram.transport}),
    size: datagram.data.length,
    ipmsg: result.ok,
    packet: null,
    raw: Buffer.from(datagram.data.buffer, datagram.data.byteOffset, datagram.data.byteLength).toString('base64'),
  }
  if (!result.ok) {
    record.error = result.error
    if (result.dialect) record.dialect = result.dialect
    return record
  }

  if (datagram.duplicate) record.duplicate = true

  const p = result.packet
  record.packet = {
    version: p.version,
    client: p.client,
    packetNo: p.packetNo,
    user: p.user,
    host: p.host,
    command: p.command,
    mode: p.mode,
    options: p.options,
    text: p.text,
    nickname: p.nickname ?? null,
    group: p.group ?? null,
    charset: p.charset,
    acknowledges: p.acknowledges ?? null,
    attachments: p.attachments ?? [],
  }
  const family = record.packet as Record<FamilyField, unknown>
  for (const field of bodyCodec(p.command).fields) {
    if (p[field] !== undefined && p[field] !== false) family[field] = p[field]
  }

  return record
}
