// Feiqiu group chat (field notes §2.3): the body of a 0x23 message or 0xC9 group announce, multicast to
// 226.81.9.8, is Blowfish-CBC with a zero IV, keyed by the sender's MAC as written in its own version field. Pure.
// Blowfish from egoroof-blowfish (MIT, pure JS, no dependencies, maintained): Node 20's OpenSSL 3 has bf-cbc only
// in its legacy provider, which needs --openssl-legacy-provider at process start.
import type {GroupChat, Packet} from './types.js'

import {Blowfish} from 'egoroof-blowfish'

import {decodeText} from './charset.js'
import {MODES, UTF8OPT} from './constants.js'
import {splitFont} from './font.js'

/** Where Feiqiu multicasts group chat, on the IPMsg port (field notes §2.3). */
export const FEIQIU_GROUP_ADDRESS = '226.81.9.8'

const BLOCK = 8
/** Longer ciphertext is not decrypted: pure-JS Blowfish costs ~0.3 µs a byte (a group message is a chat line). */
export const MAX_GROUP_CIPHERTEXT = 16_384
/** Key schedules kept (~0.6 ms each to make); a LAN has a few senders, a flood of forged MACs only evicts. */
const CIPHER_CACHE_SIZE = 64
const ciphers = new Map<string, Blowfish>()

function cipherFor(mac: string): Blowfish {
  let cipher = ciphers.get(mac)
  if (cipher === undefined) {
    cipher = new Blowfish(new TextEncoder().encode(mac), Blowfish.MODE.CBC, Blowfish.PADDING.NULL)
    cipher.setIv(new Uint8Array(BLOCK)) // decode() starts from this IV every time: the cipher holds no state
    if (ciphers.size >= CIPHER_CACHE_SIZE) ciphers.delete(ciphers.keys().next().value!)
    ciphers.set(mac, cipher)
  }

  return cipher
}

const MARK = 'QUNMSGMARK#'
const MARK_BYTES = new TextEncoder().encode(MARK)
/** `<gid hex>_<unix time>#` (current Feiqiu) or `<gid hex>#` (older builds, and the 0xC9 announce). */
const GROUP_HEAD = /^([\da-f]{1,16})(?:_(\d{1,12}))?#/i

/** The group-chat modes: a group message (0x23) and a group announce (0xC9). */
export function isGroupChatMode(modeNo: number): boolean {
  return modeNo === MODES.FEIQ_GROUPMSG || modeNo === MODES.FEIQ_GROUP_ANNOUNCE
}

/** What the body of a group-chat packet says: the group and the text, or why it cannot be read. */
export interface GroupChatBody {
  groupChat: GroupChat
  /** The message text (0x23) or the group's name (0xC9), font directive split off; '' when not decrypted. */
  text: string
  font?: string
}

/**
 * Decrypts a group-chat body. `parts` are the `#`-separated parts of the version field: part 2 is the key (the
 * MAC), part 5 the length of the ciphertext. Never throws.
 */
export function decodeGroupChat(
  parts: readonly string[] | undefined,
  command: number,
  body: Uint8Array,
): GroupChatBody {
  const encrypted = (reason: string): GroupChatBody => ({groupChat: {encrypted: reason}, text: ''})
  const mac = parts?.[2] ?? ''
  if (mac === '') return encrypted('no MAC in the version field to use as the key')
  let {length} = body
  const declared = parts?.[5]
  if (declared !== undefined && /^\d{1,6}$/.test(declared) && Number(declared) > 0) {
    length = Number(declared)
    if (length > body.length)
      return encrypted(`the version field says ${length} bytes of ciphertext, ${body.length} came`)
  }

  // Whole blocks only: a few senders add a NUL after the ciphertext (iFreeChat), or cut its last block.
  const whole = length - (length % BLOCK)
  if (whole === 0) return encrypted(`${length} bytes of ciphertext, less than one 8-byte block`)
  if (whole > MAX_GROUP_CIPHERTEXT) {
    return encrypted(`${length} bytes of ciphertext, more than lanmsg decrypts (${MAX_GROUP_CIPHERTEXT})`)
  }

  let plain: Uint8Array
  try {
    plain = cipherFor(mac).decode(body.subarray(0, whole), Blowfish.TYPE.UINT8_ARRAY)
  } catch (error) {
    return encrypted(`Blowfish failed: ${error instanceof Error ? error.message : String(error)}`)
  }

  if (!startsWithMark(plain)) return encrypted(`wrong key (MAC ${mac}): the plaintext does not start with ${MARK}`)
  const unpadded = plain.subarray(0, plain.length - pkcs5PadLength(plain))
  // Feiqiu writes GBK (§2.2); a sender that marks UTF-8 is read as UTF-8.
  const decoded = decodeText(unpadded.subarray(MARK_BYTES.length), command & UTF8OPT ? 'utf-8' : 'gbk')
  const head = GROUP_HEAD.exec(decoded)
  if (!head) return encrypted(`no group id after ${MARK} in the plaintext`)
  const groupChat: GroupChat = {groupId: head[1]}
  if (head[2] !== undefined) groupChat.time = Number(head[2])
  const {text, font} = splitFont(decoded.slice(head[0].length))
  return font === undefined ? {groupChat, text} : {groupChat, text, font}
}

/** Sets packet.groupChat, text and font from the body (`encrypted` when it cannot be read). */
export function applyGroupChat(packet: Packet, body: Uint8Array): void {
  const {groupChat, text, font} = decodeGroupChat(packet.client.parts, packet.command, body)
  packet.groupChat = groupChat
  packet.text = text
  if (font !== undefined) packet.font = font
  if (groupChat.encrypted !== undefined) packet.encrypted = true
}

function startsWithMark(plain: Uint8Array): boolean {
  if (plain.length < MARK_BYTES.length) return false
  for (let i = 0; i < MARK_BYTES.length; i++) if (plain[i] !== MARK_BYTES[i]) return false
  return true
}

/** PKCS#5 padding (pigercc's Java client): n bytes of value n, 1..8. Zero padding is already gone (NULL mode). */
function pkcs5PadLength(plain: Uint8Array): number {
  const n = plain.at(-1) ?? 0
  if (n < 1 || n > BLOCK || n > plain.length) return 0
  for (let i = plain.length - n; i < plain.length; i++) if (plain[i] !== n) return 0
  return n
}
