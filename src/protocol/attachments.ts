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

function decodeRecord(text: string): Attachment | undefined {
  // §1.6: records may start with an extra `:` (`\a:`) and end with `:` (`:\a`).
  const record = text.startsWith(':') ? text.slice(1) : text
  const idEnd = record.indexOf(':')
  if (idEnd === -1) return undefined
  const idText = record.slice(0, idEnd)
  if (!DECIMAL_ID.test(idText) || Number(idText) > 0xffffffff) return undefined
  const named = readName(record, idEnd + 1)
  if (!named) return undefined
  const [name, rest] = named
  const [sizeHex, mtimeHex, attrHex, ...extra] = record.slice(rest).split(':')
  if (!HEX64.test(sizeHex ?? '') || !HEX64.test(mtimeHex ?? '') || !HEX32.test(attrHex ?? '')) return undefined
  const attr = Number.parseInt(attrHex, 16)
  // §1.6: iptux rejects a record whose type is not valid (attr 0 → no file).
  if ((attr & 0xff) === 0) return undefined
  const attachment: Attachment = {
    id: Number(idText),
    name,
    size: Number.parseInt(sizeHex, 16),
    sizeHex,
    mtime: Number.parseInt(mtimeHex, 16),
    attr,
    type: fileTypeName(attr),
  }
  for (const field of extra) {
    const eq = field.indexOf('=')
    const key = field.slice(0, eq)
    if (eq <= 0 || !/^[\da-f]+$/i.test(key)) continue
    attachment.extAttrs ??= {}
    attachment.extAttrs[key] = field.slice(eq + 1)
  }

  return attachment
}

/** Decodes an attachment list (already decoded to text); malformed or typeless records are skipped. */
export function decodeAttachments(text: string): Attachment[] {
  const attachments: Attachment[] = []
  for (const record of text.split(SEPARATOR)) {
    const attachment = decodeRecord(record)
    if (attachment) attachments.push(attachment)
  }

  return attachments
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
