// bytes → Packet. Never throws: anything that is not a classic IPMsg datagram comes back as {ok: false}.
import type {DecodeOptions, DecodeResult, Packet} from './types.js'

import {decodeAttachmentList} from './attachments.js'
import {decodeText, ipmsgCharset, isValidUtf8} from './charset.js'
import {identifyClient, isIpmsgVersion} from './client.js'
import {ENCRYPTOPT, FILEATTACHOPT, isEntryMode, MODES, modeName, optionNames, UTF8OPT} from './constants.js'
import {decodeEntryBody, type EntryBodyParts, splitEntryBody} from './entry-body.js'
import {splitFont} from './font.js'
import {applyGroupChat, isGroupChatMode} from './group-chat.js'
import {printable, scanHeader, splitHeader} from './header.js'

const DEFAULT_LEGACY_CHARSET = 'gb18030'
const NUL = 0x00
const ACK_MODES = new Set([MODES.RECVMSG, MODES.READMSG, MODES.ANSREADMSG, MODES.RELEASEFILES])
const IPDICT = [0x49, 0x50, 0x32, 0x3a] // "IP2:"
const FEIQIU_VERSION = [0x31, 0x5f, 0x6c, 0x62, 0x74] // "1_lbt"

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false
  return true
}

/** Up to the first NUL (§1.4); the terminator itself is optional (§1.5). */
function firstPart(body: Uint8Array): Uint8Array {
  const nul = body.indexOf(NUL)
  return nul === -1 ? body : body.subarray(0, nul)
}

/** RECVMSG & co.: the body is a packet number; Windows prints it with %d, so it may be negative (§3.6, §4). */
function parseAcknowledged(text: string): number | undefined {
  if (!/^-?\d{1,10}$/.test(text)) return undefined
  const value = Number(text)
  if (value < -0x80000000 || value > 0xffffffff) return undefined
  return value < 0 ? value + 0x100000000 : value
}

interface CharsetInputs {
  command: number
  version: Uint8Array
  legacy: Uint8Array[]
  options: DecodeOptions
}

/**
 * §5, as iptux itself reads (IXU ConvertEncode): UTF8OPT → UTF-8; Feiqiu → GBK; valid UTF-8 → UTF-8; otherwise
 * the legacy charset remembered for the peer, or the configured one. iptux's declared encoding is not used: it
 * writes `utf-8` there whatever it sends (IXC CreateIptuxExtra). Only ASCII-compatible charsets are used.
 */
function chooseCharset({command, version, legacy, options}: CharsetInputs): string {
  if (command & UTF8OPT) return 'utf-8'
  if (startsWith(version, FEIQIU_VERSION)) return 'gbk'
  if (legacy.every((bytes) => isValidUtf8(bytes))) return 'utf-8'
  const peer = ipmsgCharset(options.peerCharset)
  return (peer !== 'utf-8' && peer) || ipmsgCharset(options.legacyCharset) || DEFAULT_LEGACY_CHARSET
}

/**
 * The common case, fast: a plain-ASCII datagram that is not of the entry family and whose charset is UTF-8 by
 * §5 (UTF8OPT; or no Feiqiu version, so the ASCII fields are valid UTF-8). Every byte then decodes to the character of the same value, so the fields are cut from one string.
 * Returns exactly what decodeChecked returns, or undefined to let decodeChecked do it (errors included).
 */
function decodeAsciiUtf8(bytes: Uint8Array): DecodeResult | undefined {
  const n = bytes.length
  let any = 0
  for (let i = 0; i < n; i++) any |= bytes[i]
  if (n === 0 || any >= 0x80 || startsWith(bytes, IPDICT)) return undefined
  const scan = scanHeader(bytes)
  if (!scan.ok) return undefined
  const {c1, c2, c3, c4, c5, command} = scan
  const modeNo = command & 0xff
  if (isEntryMode(modeNo)) return undefined
  if (!(command & UTF8OPT) && startsWith(bytes, FEIQIU_VERSION)) return undefined

  const s = decodeText(bytes, 'latin1')
  const version = s.slice(0, c1)
  if (version !== '1' && !isIpmsgVersion(version)) return undefined
  const packet: Packet = {
    version,
    client: identifyClient(version),
    packetNo: scan.packetNo,
    user: s.slice(c2 + 1, c3),
    host: s.slice(c3 + 1, c4),
    command,
    mode: modeName(modeNo),
    modeNo,
    options: optionNames(command),
    text: '',
    charset: 'utf-8',
  }
  const nul = bytes.indexOf(NUL, c5 + 1)
  const firstEnd = nul === -1 ? n : nul
  packet.text = s.slice(c5 + 1, firstEnd)
  if (modeNo === MODES.SENDMSG) {
    finishMessage(packet, () => {
      const listStart = Math.min(firstEnd + 1, n)
      const listEnd = bytes.indexOf(NUL, listStart)
      return s.slice(listStart, listEnd === -1 ? n : listEnd)
    })
  } else if (ACK_MODES.has(modeNo)) {
    const acknowledges = parseAcknowledged(packet.text)
    if (acknowledges !== undefined) packet.acknowledges = acknowledges
  }

  return {ok: true, packet, raw: bytes}
}

function decodeChecked(bytes: Uint8Array, options: DecodeOptions): DecodeResult {
  const fast = decodeAsciiUtf8(bytes)
  if (fast) return fast
  const raw = bytes
  if (bytes.length === 0) return {ok: false, error: 'empty datagram', raw}
  // §1.9: Windows v4's IPDict format; lanmsg does not speak it.
  if (startsWith(bytes, IPDICT)) return {ok: false, error: 'IPDict ("IP2:") datagram, not classic IPMsg', raw}
  const split = splitHeader(bytes)
  if (!split.ok) return {ok: false, error: `not IPMsg: ${split.reason}`, raw}
  const {header} = split
  const versionLatin1 = decodeText(header.version, 'latin1')
  if (!isIpmsgVersion(versionLatin1)) {
    return {ok: false, error: `not IPMsg: version "${printable(header.version)}" is not 1`, raw}
  }

  const {command, body} = header
  const modeNo = command & 0xff
  const entry = isEntryMode(modeNo)
  const parts: EntryBodyParts | undefined = entry ? splitEntryBody(body) : undefined
  const charset = chooseCharset({
    command,
    version: header.version,
    legacy: [header.user, header.host, ...(parts ? parts.legacy : [body])],
    options,
  })
  const version = decodeText(header.version, charset)
  const packet: Packet = {
    version,
    client: identifyClient(version),
    packetNo: header.packetNo,
    user: decodeText(header.user, charset),
    host: decodeText(header.host, charset),
    command,
    mode: modeName(modeNo),
    modeNo,
    options: optionNames(command),
    text: '',
    charset,
  }

  if (parts) {
    const entryBody = decodeEntryBody(parts, charset)
    packet.nickname = entryBody.nickname
    packet.group = entryBody.group
    if (entryBody.extension) {
      packet.extension = entryBody.extension
      // §1.4: the UTF-8 extension wins over the legacy fields.
      if (entryBody.extension.UN !== undefined) packet.user = entryBody.extension.UN
      if (entryBody.extension.HN !== undefined) packet.host = entryBody.extension.HN
    }

    if (entryBody.iptux) packet.iptux = entryBody.iptux
    return {ok: true, packet, raw}
  }

  if (isGroupChatMode(modeNo) && packet.client.kind === 'feiqiu') {
    applyGroupChat(packet, body)
    return {ok: true, packet, raw}
  }

  const first = firstPart(body)
  packet.text = decodeText(first, charset)
  if (modeNo === MODES.SENDMSG) {
    finishMessage(packet, () => decodeText(firstPart(body.subarray(Math.min(first.length + 1, body.length))), charset))
  } else if (ACK_MODES.has(modeNo)) {
    const acknowledges = parseAcknowledged(packet.text)
    if (acknowledges !== undefined) packet.acknowledges = acknowledges
  }

  return {ok: true, packet, raw}
}

/** SENDMSG: the ENCRYPTOPT mark, the Feiqiu font directive split off the text (§6.2), the attachment list (§1.6). */
function finishMessage(packet: Packet, attachmentList: () => string): void {
  if (packet.command & ENCRYPTOPT) {
    packet.encrypted = true
  } else {
    const {text, font} = splitFont(packet.text)
    packet.text = text
    if (font !== undefined) packet.font = font
  }

  if (packet.command & FILEATTACHOPT) {
    const list = decodeAttachmentList(attachmentList())
    packet.attachments = list.attachments
    if (list.errors.length > 0) packet.attachmentErrors = list.errors
  }
}

/** Decodes one datagram. Never throws, whatever the bytes. */
export function decode(bytes: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  try {
    if (!(bytes instanceof Uint8Array)) return {ok: false, error: 'not a byte array', raw: new Uint8Array(0)}
    return decodeChecked(bytes, options ?? {})
  } catch (error) {
    return {
      ok: false,
      error: `undecodable datagram (${error instanceof Error ? error.message : String(error)})`,
      raw: bytes,
    }
  }
}
