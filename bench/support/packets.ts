// The datagrams the benchmarks decode, encode and send: typical traffic of the three kinds of clients.
import type {OutgoingPacket} from '../../src/protocol/index.js'

/** Latin-1 string with \xNN escapes → bytes (the notation of test/fixtures/protocol/vectors.json). */
function bytesOf(parts: Array<string | Uint8Array>): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p))
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }

  return out
}

const gbk = (...hex: number[]) => Uint8Array.from(hex)
const ZHANG_SAN = gbk(0xd5, 0xc5, 0xc8, 0xfd) // 张三
const YAN_FA_BU = gbk(0xd1, 0xd0, 0xb7, 0xa2, 0xb2, 0xbf) // 研发部
const NI_HAO = gbk(0xc4, 0xe3, 0xba, 0xc3) // 你好
const WEI_RUAN_YA_HEI = gbk(0xce, 0xa2, 0xc8, 0xed, 0xd1, 0xc5, 0xba, 0xda) // 微软雅黑

export const SENDMSG_TEXT = 'Lunch at noon? Room 42, ok?'
const SENDMSG_PACKET_NO = 1_700_000_123

/** IP Messenger SENDMSG|SENDCHECKOPT with a short ASCII message: exactly 60 bytes. */
export const SENDMSG_60 = bytesOf([`1:${SENDMSG_PACKET_NO}:alice:ALICE-PC:288:${SENDMSG_TEXT}\0`])

/** The same datagram with `{n}` where the packet number goes (udp_send.py fills it in). */
export const SENDMSG_TEMPLATE = bytesOf([`1:{n}:alice:ALICE-PC:288:${SENDMSG_TEXT}\0`])

/** Windows IP Messenger BR_ENTRY|CAPUTF8OPT: GBK legacy nickname and group, then the UTF-8 extension (§1.4). */
export const WINDOWS_ENTRY = bytesOf([
  '1:1700000101:',
  ZHANG_SAN,
  ':PC-ZHANG:16777217:',
  ZHANG_SAN,
  '\0',
  YAN_FA_BU,
  '\0\nUN:张三\nHN:PC-ZHANG\nNN:张三\nGN:研发部\nVS:00010002:4:99:103',
])

/** Feiqiu SENDMSG|SENDCHECKOPT: GBK text with the trailing {/font;…} directive (§6.2). */
export const FEIQIU_GBK = bytesOf([
  '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9:1655806000:Administrator:PC-2022:288:',
  NI_HAO,
  '{/font;-16 0 0 0 400 0 0 0 134 0 0 2 32 ',
  WEI_RUAN_YA_HEI,
  ' 8404992;}\0',
])

export interface CodecCase {
  name: string
  bytes: Uint8Array
  /** What encode() gets to produce the same datagram. */
  outgoing: OutgoingPacket
  charset: string
}

export const CODEC_CASES: CodecCase[] = [
  {
    name: 'SENDMSG, 60 bytes',
    bytes: SENDMSG_60,
    outgoing: {packetNo: SENDMSG_PACKET_NO, user: 'alice', host: 'ALICE-PC', command: 288, text: SENDMSG_TEXT},
    charset: 'utf-8',
  },
  {
    name: 'Windows BR_ENTRY + UTF-8 ext',
    bytes: WINDOWS_ENTRY,
    outgoing: {
      packetNo: 1_700_000_101,
      user: '张三',
      host: 'PC-ZHANG',
      command: 16_777_217,
      nickname: '张三',
      group: '研发部',
      vs: '00010002:4:99:103',
    },
    charset: 'gbk',
  },
  {
    name: 'Feiqiu GBK SENDMSG',
    bytes: FEIQIU_GBK,
    outgoing: {
      version: '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9',
      packetNo: 1_655_806_000,
      user: 'Administrator',
      host: 'PC-2022',
      command: 288,
      text: '你好{/font;-16 0 0 0 400 0 0 0 134 0 0 2 32 微软雅黑 8404992;}',
    },
    charset: 'gbk',
  },
]

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
