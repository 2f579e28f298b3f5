// Attachment lists of SENDMSG|FILEATTACHOPT (§1.6): `fileID:filename:size:mtime:fileattr[:extattr=val…]:\a`.
import type {Attachment} from './types.js'

import {fileTypeName} from './constants.js'

const SEPARATOR = '\u0007'

/** What encodeAttachments needs; sizeHex, when given, is sent instead of size (sizes above 2^53). */
export type AttachmentInput = Pick<Attachment, 'attr' | 'id' | 'mtime' | 'name' | 'size'> &
  Partial<Pick<Attachment, 'extAttrs' | 'sizeHex'>>

const DECIMAL_ID = /^\d{1,10}$/
// Sizes and times are 64-bit, the attribute word 32-bit: longer hex is not trusted (§8.2).
const HEX64 = /^0*[\da-f]{1,16}$/i
const HEX32 = /^0*[\da-f]{1,8}$/i
const EXT_ATTR = /^[\da-f]+=/i
const NOT_A_RECORD = 'not id:name:size:mtime:attr'

/** Reads the name field, turning `::` into `:`; returns the name and the index after its closing colon. */
function readName(record: string, from: number): [string, number] | undefined {
  let name = ''
  let i = from
  while (i < record.length) {
    const colon = record.indexOf(':', i)
    if (colon === -1) return undefined
    name += record.slice(i, colon)
    if (record[colon + 1] === ':') {
      name += ':'
      i = colon + 2
    } else {
      return [name, colon + 1]
    }
  }

  return undefined
}

interface Read {
  attachment: Attachment
  /** Fields after attr that are neither an extended attribute nor the closing colon: something was misread. */
  skipped: number
}

/** The fields after the name: size, mtime, attr and extended attributes (§1.6); a reason when they do not parse. */
function readTail(id: number, name: string, fields: string[]): Read | string {
  const [sizeHex, mtimeHex, attrHex, ...extra] = fields
  if (!HEX64.test(sizeHex ?? '') || !HEX64.test(mtimeHex ?? '') || !HEX32.test(attrHex ?? '')) return NOT_A_RECORD
  const attr = Number.parseInt(attrHex, 16)
  // §1.6: iptux rejects a record whose type is not valid (attr 0 → no file).
  if ((attr & 0xff) === 0) return 'file type 0 (no file)'
  const attachment: Attachment = {
    id,
    name,
    size: Number.parseInt(sizeHex, 16),
    sizeHex,
    mtime: Number.parseInt(mtimeHex, 16),
    attr,
    type: fileTypeName(attr),
  }
  let skipped = 0
  for (const [i, field] of extra.entries()) {
    if (!EXT_ATTR.test(field)) {
      if (field !== '' || i < extra.length - 1) skipped++
      continue
    }

    const eq = field.indexOf('=')
    attachment.extAttrs ??= {}
    attachment.extAttrs[field.slice(0, eq)] = field.slice(eq + 1)
  }

  return {attachment, skipped}
}

/** `id:name:size:mtime:attr[:ext…]:` with `::` in the name (§1.6). */
function readEscaped(record: string, id: number, idEnd: number): Read | string {
  const named = readName(record, idEnd + 1)
  if (!named) return NOT_A_RECORD
  const [name, rest] = named
  return readTail(id, name, record.slice(rest).split(':'))
}

/**
 * The same record read from the right, for names whose `:` was not doubled (libipmsg: `0:a:b.txt:11:…:1:`): the
 * fields after the name are fixed, so everything between the id and them is the name.
 */
function readUnescaped(record: string, id: number): Read | string {
  const fields = record.split(':')
  let end = fields.length
  while (end > 0 && (fields[end - 1] === '' || EXT_ATTR.test(fields[end - 1]))) end--
  if (end < 5) return NOT_A_RECORD
  return readTail(id, fields.slice(1, end - 3).join(':'), fields.slice(end - 3))
}

/** The record as the sender meant it: with `::` escapes when that reads cleanly, else with a bare `:` in the name. */
function decodeRecord(text: string): Attachment | string {
  // §1.6: records may start with an extra `:` (`\a:`) and end with `:` (`:\a`).
  const record = text.startsWith(':') ? text.slice(1) : text
  const idEnd = record.indexOf(':')
  const idText = record.slice(0, idEnd)
  if (idEnd === -1 || !DECIMAL_ID.test(idText) || Number(idText) > 0xffffffff) return NOT_A_RECORD
  const id = Number(idText)
  const escaped = readEscaped(record, id, idEnd)
  if (typeof escaped !== 'string' && escaped.skipped === 0) return escaped.attachment
  const unescaped = readUnescaped(record, id)
  if (typeof unescaped !== 'string' && unescaped.skipped === 0) return unescaped.attachment
  return typeof escaped === 'string' ? escaped : escaped.attachment
}

export interface AttachmentList {
  attachments: Attachment[]
  /** Records that could not be read, as sent, and why: nothing is dropped silently. */
  errors: Array<{error: string; record: string}>
}

/** Decodes an attachment list (already decoded to text); what cannot be read is listed in `errors`. */
export function decodeAttachmentList(text: string): AttachmentList {
  const list: AttachmentList = {attachments: [], errors: []}
  for (const record of text.split(SEPARATOR)) {
    // The list ends with a separator, sometimes followed by one `:` (iptux): nothing there.
    if (record === '' || record === ':') continue
    const attachment = decodeRecord(record)
    if (typeof attachment === 'string') list.errors.push({record, error: attachment})
    else list.attachments.push(attachment)
  }

  return list
}

/** Decodes an attachment list (already decoded to text); records that cannot be read are left out. */
export function decodeAttachments(text: string): Attachment[] {
  return decodeAttachmentList(text).attachments
}

/** Encodes records the way Windows does (`"%d:%s:%llx:%llx:%x%s:\a"`, §1.6), `:` in names doubled. */
export function encodeAttachments(attachments: readonly AttachmentInput[]): string {
  return attachments
    .map((a) => {
      const ext = Object.entries(a.extAttrs ?? {})
        .map(([key, value]) => `:${key}=${value}`)
        .join('')
      const size = a.sizeHex ?? a.size.toString(16)
      return `${a.id}:${a.name.replaceAll(':', '::')}:${size}:${a.mtime.toString(16)}:${a.attr.toString(16)}${ext}:${SEPARATOR}`
    })
    .join('')
}
