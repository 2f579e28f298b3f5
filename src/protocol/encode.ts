// OutgoingPacket → bytes: `"%s:%u:%s:%s:%u:"` then the body of the mode's codec (§1.2, §1.4, WM MakeMsg).
import type {EncodeOptions, EncodeResult, OutgoingPacket} from './types.js'

import {bodyCodec} from './body-codecs.js'
import {encodeText, isAsciiCompatible, normalizeCharset} from './charset.js'
import {checkField, checkInteger, EncodeError, type Limits} from './encode-support.js'
import {MAX_PACKET_NO} from './packet-number.js'

export {EncodeError, type EncodeErrorCode} from './encode-support.js'

/** iptux reads at most 8191 bytes of a datagram (§1.7). */
export const DEFAULT_MAX_BYTES = 8191
/**
 * iptux converts a datagram that is not valid UTF-8 to UTF-8 into its 8192-byte buffer (IXU ConvertEncode: every
 * byte counts, header and NULs included) and cuts what does not fit: GBK text grows by half on the way.
 */
export const DEFAULT_MAX_UTF8_BYTES = 8192
const MAX_UINT32 = 0xffffffff

/** §1.2, PE §4.2: names must not contain `:`; the spec suggests `;`. */
function headerName(value: string): string {
  return value.replaceAll(':', ';')
}

function limitsOf(options: EncodeOptions): Limits {
  const charset = normalizeCharset(options.charset ?? 'utf-8')
  if (charset === undefined) {
    throw new EncodeError('UNKNOWN_CHARSET', `unknown charset "${options.charset}"; try utf-8, gbk, gb18030 or cp932`)
  }

  // §1.2: the header is ASCII; a charset that changes ASCII bytes (hex, UTF-16, …) makes the packet unreadable.
  if (charset !== 'utf-8' && !isAsciiCompatible(charset)) {
    throw new EncodeError(
      'UNSUPPORTED_CHARSET',
      `charset "${options.charset}" cannot carry the IPMsg header (ASCII bytes must stay as they are); try utf-8, gbk, gb18030 or cp932`,
    )
  }

  const maxBytes = checkInteger(options.maxBytes ?? DEFAULT_MAX_BYTES, 'the size limit', Number.MAX_SAFE_INTEGER)
  const maxUtf8 = checkInteger(
    options.maxUtf8Bytes ?? DEFAULT_MAX_UTF8_BYTES,
    'the UTF-8 size limit',
    Number.MAX_SAFE_INTEGER,
  )
  return {charset, maxBytes, maxUtf8}
}

export function encode(packet: OutgoingPacket, options: EncodeOptions = {}): EncodeResult {
  const limits = limitsOf(options)
  const version = checkField(packet.version ?? '1', 'the version')
  if (version.includes(':')) throw new EncodeError('INVALID_FIELD', 'the version must not contain ":"')
  const packetNo = checkInteger(packet.packetNo, 'the packet number', MAX_PACKET_NO)
  const command = checkInteger(packet.command, 'the command', MAX_UINT32)
  const user = checkField(packet.user, 'the user name')
  const host = checkField(packet.host, 'the host name')
  const header = encodeText(
    `${version}:${packetNo}:${headerName(user)}:${headerName(host)}:${command}:`,
    limits.charset,
  )
  return bodyCodec(command).encode(packet, {header, limits, truncate: Boolean(options.truncate)})
}
