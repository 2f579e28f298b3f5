// BR_ENTRY, BR_EXIT, ANSENTRY, BR_ABSENCE, NOOPERATION: nickname, group, and the UTF-8 or iptux extension (§1.4);
// Windows' `VS:` line names the client's platform and version, its `IP:` line is a base64 IPDict (field notes §1.5).
import type {BodyCodec} from '../body-codec.js'
import type {Packet} from '../types.js'

import {Buffer} from 'node:buffer'

import {latin1Text} from '../charset.js'
import {withVsLine} from '../client.js'
import {checkField, concat, EncodeError, tooLarge} from '../encode-support.js'
import {encodeEntryBody, type EntrySpans, findEntrySpans, parseExtension, splitEntryBody} from '../entry-body.js'
import {IPDICT_MAGIC, parseIpDict} from '../ipdict.js'

const NUL = 0x00
const MAX_PARTS = 16

/**
 * Feige 5.1 and 内网通 put more NUL-separated fields after the group (field notes §2.1: Feige's MAC, phone, mail…;
 * 内网通's hex token) where iptux puts its icon and encoding: those parts as sent, trailing empty ones dropped.
 */
function partsAfterGroup(bytes: Uint8Array, start: number, text: (from: number, to: number) => string): string[] {
  const parts: string[] = []
  let at = bytes.indexOf(NUL, start)
  at = at === -1 ? bytes.length : bytes.indexOf(NUL, at + 1)
  while (at !== -1 && at < bytes.length && parts.length < MAX_PARTS) {
    const next = bytes.indexOf(NUL, at + 1)
    const end = next === -1 ? bytes.length : next
    parts.push(text(at + 1, end))
    at = next
  }

  while (parts.at(-1) === '') parts.pop()
  return parts
}

/** The IPDict of an `IP:` line: base64 of `IP2:…`, or undefined when it is not one. */
function ipLineDict(line: string) {
  const bytes = Buffer.from(line, 'base64')
  return IPDICT_MAGIC.every((b, i) => bytes[i] === b) ? parseIpDict(bytes) : undefined
}

// The spans of the body being decoded (decode runs to its end before it is called again).
const spans: EntrySpans = {
  nicknameEnd: 0,
  groupStart: -1,
  groupEnd: -1,
  extensionStart: -1,
  extensionEnd: -1,
  iconStart: -1,
  iconEnd: -1,
  encodingStart: -1,
  encodingEnd: -1,
}

export const entryBody: BodyCodec = {
  family: 'entry',
  fields: ['extension', 'iptux', 'dict', 'extraParts'],
  split: splitEntryBody,
  decode(packet, body) {
    const {bytes, start} = body
    findEntrySpans(bytes, start, spans)
    const {extensionStart, groupStart, iconStart, encodingStart, encodingEnd} = spans
    const extension = extensionStart < 0 ? undefined : parseExtension(body.utf8(extensionStart, spans.extensionEnd))
    // §1.4: the UTF-8 extension wins over the legacy fields, which are read only where it has no value.
    packet.nickname = extension?.NN ?? body.text(start, spans.nicknameEnd)
    packet.group = extension?.GN ?? (groupStart < 0 ? '' : body.text(groupStart, spans.groupEnd))
    if (extension) {
      packet.extension = extension
      if (extension.UN !== undefined) packet.user = extension.UN
      if (extension.HN !== undefined) packet.host = extension.HN
      if (extension.VS !== undefined) packet.client = withVsLine(packet.client, extension.VS)
      const dict = extension.IP === undefined ? undefined : ipLineDict(extension.IP)
      if (dict) packet.dict = dict
    }

    const {kind} = packet.client
    if (kind === 'feige' || kind === 'shiyeline') {
      const extra = partsAfterGroup(bytes, start, (from, to) => body.text(from, to))
      if (extra.length > 0) packet.extraParts = extra
    } else if (iconStart >= 0) {
      const iptux: NonNullable<Packet['iptux']> = {}
      if (spans.iconEnd > iconStart) iptux.icon = body.text(iconStart, spans.iconEnd)
      if (encodingEnd > encodingStart) iptux.encoding = latin1Text(bytes, encodingStart, encodingEnd)
      packet.iptux = iptux
    }
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
